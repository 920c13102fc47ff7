#!/bin/sh
# HostFactory calls this as: getRequestStatus.sh -f INPUT.json
exec "$(dirname "$0")/invoke_orbrec.sh" getRequestStatus "$@"
