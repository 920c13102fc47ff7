#!/bin/sh
exec python3 "$(dirname "$0")/plugin.py" requestMachines "$@"
