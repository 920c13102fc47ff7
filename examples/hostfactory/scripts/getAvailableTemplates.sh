#!/bin/sh
# HostFactory calls this as: getAvailableTemplates.sh -f INPUT.json
exec "$(dirname "$0")/invoke_orbrec.sh" getAvailableTemplates "$@"
