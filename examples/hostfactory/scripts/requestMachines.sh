#!/bin/sh
# HostFactory calls this as: requestMachines.sh -f INPUT.json
exec "$(dirname "$0")/invoke_orbrec.sh" requestMachines "$@"
