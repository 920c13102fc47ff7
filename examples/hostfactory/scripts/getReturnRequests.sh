#!/bin/sh
# HostFactory calls this as: getReturnRequests.sh -f INPUT.json
exec "$(dirname "$0")/invoke_orbrec.sh" getReturnRequests "$@"
