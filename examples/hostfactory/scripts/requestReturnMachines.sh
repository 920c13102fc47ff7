#!/bin/sh
# HostFactory calls this as: requestReturnMachines.sh -f INPUT.json
exec "$(dirname "$0")/invoke_orbrec.sh" requestReturnMachines "$@"
