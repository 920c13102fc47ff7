#!/bin/sh
# One call of HostFactory's provider plugin interface through orbrec:
#   invoke_orbrec.sh OPERATION -f INPUT.json
# answers JSON on stdout and exits 0, or prints what went wrong on stdout and exits 1.
#
# Symphony's HostFactory sets HF_PROVIDER_CONFDIR, HF_PROVIDER_WORKDIR and HF_PROVIDER_LOGDIR
# (the provider instance's confPath, workPath and logPath in hostProviders.json); LSF's
# resource connector sets PRO_CONF_DIR, PRO_DATA_DIR and PRO_LSF_LOGDIR instead.
operation=$1
shift
here=$(cd "$(dirname "$0")" && pwd)

# LSF's resource connector: its directories under HostFactory's names.
if [ -z "${HF_PROVIDER_CONFDIR:-}" ] && [ -n "${PRO_CONF_DIR:-}" ]; then
    HF_PROVIDER_CONFDIR=$PRO_CONF_DIR/conf
fi
if [ -z "${HF_PROVIDER_WORKDIR:-}" ] && [ -n "${PRO_DATA_DIR:-}" ]; then
    HF_PROVIDER_WORKDIR=$PRO_DATA_DIR/${PROVIDER_NAME:-orbrec}
fi
if [ -z "${HF_PROVIDER_LOGDIR:-}" ] && [ -n "${PRO_LSF_LOGDIR:-}" ]; then
    HF_PROVIDER_LOGDIR=$PRO_LSF_LOGDIR
fi

# Run by hand: the configuration beside these scripts.
HF_PROVIDER_CONFDIR=${HF_PROVIDER_CONFDIR:-$here/../conf}
export HF_PROVIDER_CONFDIR
[ -n "${HF_PROVIDER_LOGDIR:-}" ] && export HF_PROVIDER_LOGDIR

# The state (what was requested, which machines exist) lives in the provider's work directory,
# unless ORBREC_STATE names one (a file, or postgres://… shared by HostFactory's failover hosts).
if [ -z "${ORBREC_STATE:-}" ] && [ -n "${HF_PROVIDER_WORKDIR:-}" ]; then
    if ! mkdir -p "$HF_PROVIDER_WORKDIR"; then
        echo "orbrec hostfactory $operation: cannot create the work directory $HF_PROVIDER_WORKDIR"
        exit 1
    fi
    ORBREC_STATE=$HF_PROVIDER_WORKDIR/state.db
    export ORBREC_STATE
fi

orbrec=${ORBREC_BIN:-orbrec}
if ! command -v "$orbrec" >/dev/null 2>&1; then
    echo "orbrec hostfactory $operation: cannot find $orbrec (put orbrec on PATH or set ORBREC_BIN)"
    exit 1
fi
exec "$orbrec" hostfactory "$operation" "$@"
