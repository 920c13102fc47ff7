# A real single-node Slurm (22.05, Debian 12 packages) for the slurm scheduler tests.
# Sourced by the scripts. There is no systemd on the test machines, so the daemons are
# started here by hand, in the foreground, with their pids recorded.
#
# start_slurm sets and exports SLURM_CONF (every Slurm command and daemon reads it) and
# ORBREC_TEST_SLURM=1 (the Slurm tests skip without it). stop_slurm stops what it started.
#
# The daemons listen on Slurm's fixed default ports (6817 slurmctld, 6818 slurmd), so only
# one of these clusters can run on a machine at a time.

SLURM_DIR="${SLURM_DIR:-$PWD/.build/slurm}"

# Running as root on the test machines; otherwise every privileged step goes through sudo
# (slurmd must be root to start jobs as the submitting user; munged must run as munge).
_slurm_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# _slurm_as_munge COMMAND...: runs a command as the munge user, which munged insists on.
_slurm_as_munge() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u munge -- "$@"; else sudo -u munge "$@"; fi
}

# ensure_slurm: the controller, the node daemon, the client commands and munge (Slurm's
# authentication service).
ensure_slurm() {
  ensure_apt slurmctld slurmd slurm-client munge
}

# _slurm_munge_ok: true when munged answers and accepts its own credentials.
_slurm_munge_ok() {
  munge -n 2>/dev/null | unmunge >/dev/null 2>&1
}

# _slurm_ensure_munge: every Slurm message is signed by munge, so munged must run first.
# Left running by stop_slurm unless this shell started it.
SLURM_MUNGED_STARTED=""
_slurm_ensure_munge() {
  _slurm_munge_ok && return 0
  # /run is a tmpfs: its munge directory is gone after a reboot and systemd is not here
  # to recreate it.
  _slurm_sudo install -d -o munge -g munge -m 0755 /run/munge
  # The package creates the key on install; a machine imaged without it needs a new one.
  if ! _slurm_sudo test -s /etc/munge/munge.key; then
    if command -v mungekey >/dev/null 2>&1; then
      _slurm_sudo mungekey --create --keyfile=/etc/munge/munge.key --force
    else
      _slurm_sudo dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    _slurm_sudo chown munge:munge /etc/munge/munge.key
    _slurm_sudo chmod 0400 /etc/munge/munge.key
  fi
  # munged forks into the background once its socket is ready; --force lets it start
  # over a stale socket left by a munged that was killed.
  _slurm_as_munge /usr/sbin/munged --force
  local tries=0
  until _slurm_munge_ok; do
    tries=$((tries + 1))
    if [ "$tries" -gt 50 ]; then
      echo "munged does not answer:" >&2
      _slurm_sudo tail -n 20 /var/log/munge/munged.log >&2 || true
      return 1
    fi
    sleep 0.1
  done
  SLURM_MUNGED_STARTED=1
}

# _slurm_write_conf FILE: a single node called localhost (the machine's own hostname is
# not, and slurmd is started with -N localhost to match), everything it writes kept
# under SLURM_DIR.
_slurm_write_conf() {
  local conf="$1"
  # slurmd -C reports this machine's CPUs, sockets, cores, threads and memory as a node
  # line; only its name is replaced. Its second line (UpTime=) is not configuration.
  local node
  node=$(slurmd -C | head -n 1 | sed -E 's/^NodeName=[^ ]+ //')
  cat >"$conf" <<EOF
# Written by scripts/lib/slurm.sh for the orbrec tests; rewritten on every start.
ClusterName=orbrec
SlurmctldHost=localhost
SlurmctldPort=6817
SlurmdPort=6818
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
# No mail on the test machines (the default, /bin/mail, is not installed).
MailProg=/bin/true
# No cgroups in the test containers: track job processes by parent pid, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# No slurmdbd: no accounting database. Finished jobs are written one line each to the
# jobcomp file instead, which is what 'sacct -c' reads.
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$SLURM_DIR/jobcomp.txt
# Schedule every 2 s instead of the default 60 s (backfill: 30 s), so a job submitted to
# an idle node starts within about 2 s.
SchedulerParameters=sched_interval=2,bf_interval=2
# A finished job stays visible to squeue and scontrol for 5 minutes (the default) before
# only 'sacct -c' knows about it.
MinJobAge=300
# Seconds between SIGTERM and SIGKILL when a job is cancelled or times out (default 30).
KillWait=5
# A node that was down comes back by itself once its slurmd registers.
ReturnToService=2
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/run/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/run/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 $node State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
# A second partition for the --partition tests, with a time limit to exceed.
PartitionName=short Nodes=localhost MaxTime=10 State=UP
EOF
}

# _slurm_alive PID: the process exists and has not exited. A daemon of ours that exited
# stays a zombie until waited for, and kill -0 still succeeds on zombies.
_slurm_alive() {
  [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]
}

# _slurm_stop_pids PID...: SIGTERM to all at once, then waits until each is gone (or a
# zombie still to be reaped), SIGKILL after 5 s. Works for daemons left by another shell,
# which cannot be waited for. Both daemons stop in about 1.5 s; a slurmd still trying to
# register with a dead controller would only notice SIGTERM after its 10 s message
# timeout, and killing outright loses nothing: the next start throws the state away.
_slurm_stop_pids() {
  (($# == 0)) && return 0
  local pid
  for pid in "$@"; do _slurm_sudo kill "$pid" 2>/dev/null || true; done
  local tries=0 alive
  while :; do
    alive=()
    for pid in "$@"; do
      if _slurm_alive "$pid"; then alive+=("$pid"); fi
    done
    ((${#alive[@]} == 0)) && break
    tries=$((tries + 1))
    if [ "$tries" -gt 50 ]; then
      echo "slurm daemons ${alive[*]} still run 5 s after SIGTERM; killing them" >&2
      for pid in "${alive[@]}"; do _slurm_sudo kill -9 "$pid" 2>/dev/null || true; done
      break
    fi
    sleep 0.1
  done
  for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

# _slurm_cancel_jobs: job processes belong to slurmstepd, not to slurmd, and outlive the
# daemons (holding on to them, trying to report back) unless cancelled first. Cancelling
# sends SIGTERM, then SIGKILL after KillWait (5 s); waits up to 10 s for them to end.
_slurm_cancel_jobs() {
  local active="running,suspended,completing" jobs tries=0
  jobs=$(timeout 5 squeue -h -t "$active" -o %A 2>/dev/null || true)
  [ -n "$jobs" ] || return 0
  # shellcheck disable=SC2086 # one id per word
  scancel $jobs 2>/dev/null || true
  while [ -n "$(timeout 5 squeue -h -t "$active" -o %A 2>/dev/null || true)" ]; do
    tries=$((tries + 1))
    [ "$tries" -gt 100 ] && break
    sleep 0.1
  done
}

# _slurm_stop_stale: daemons an earlier run started and never stopped (its shell was
# killed), found by the pid files they wrote. The command name is checked so that a
# reused pid is never killed.
_slurm_stop_stale() {
  local stale=() name pid
  for name in slurmctld slurmd; do
    pid=$(cat "$SLURM_DIR/run/$name.pid" 2>/dev/null || true)
    [ -n "$pid" ] || continue
    [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = "$name" ] && stale+=("$pid")
  done
  ((${#stale[@]} == 0)) && return 0
  echo "stopping slurm daemons left by an earlier run: ${stale[*]}" >&2
  [ -f "$SLURM_DIR/slurm.conf" ] && SLURM_CONF="$SLURM_DIR/slurm.conf" _slurm_cancel_jobs
  _slurm_stop_pids "${stale[@]}"
}

_slurm_print_logs() {
  local log
  for log in "$SLURM_DIR"/log/*; do
    [ -f "$log" ] || continue
    echo "---- $log" >&2
    tail -n 40 "$log" >&2
  done
}

# start_slurm: a fresh controller and node with no jobs, ready to run one; job ids start
# at 1 again. Stopped by stop_slurm.
SLURM_PIDS=()
start_slurm() {
  mkdir -p "$SLURM_DIR"
  _slurm_stop_stale
  # Fresh state: no jobs, nodes or job ids recovered from an earlier run.
  rm -rf "$SLURM_DIR/state" "$SLURM_DIR/spool" "$SLURM_DIR/run" "$SLURM_DIR/log" \
    "$SLURM_DIR/jobcomp.txt"
  mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/spool" "$SLURM_DIR/run" "$SLURM_DIR/log"
  : >"$SLURM_DIR/jobcomp.txt"
  _slurm_ensure_munge || return 1
  _slurm_write_conf "$SLURM_DIR/slurm.conf"
  export SLURM_CONF="$SLURM_DIR/slurm.conf"

  # -D: foreground, and started without a wrapping function or subshell, so that $! is
  # the daemon itself (or sudo, which passes signals on). -i: ignore unreadable state
  # files. -N localhost: the node's name in slurm.conf, not this machine's hostname.
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" slurmctld -D -i -f "$SLURM_CONF" >"$SLURM_DIR/log/slurmctld.out" 2>&1 &
  SLURM_PIDS+=("$!")
  "${sudo[@]}" slurmd -D -N localhost -f "$SLURM_CONF" >"$SLURM_DIR/log/slurmd.out" 2>&1 &
  SLURM_PIDS+=("$!")

  # Ready when the node is idle (registered and schedulable) and slurmd answers.
  # The commands retry a controller that does not answer for about 9 s: a time limit
  # keeps a daemon that died at start (a port in use) from stalling this loop.
  local tries=0 state pid
  while :; do
    for pid in "${SLURM_PIDS[@]}"; do
      if ! _slurm_alive "$pid"; then
        echo "a slurm daemon exited during start:" >&2
        _slurm_print_logs
        stop_slurm
        return 1
      fi
    done
    state=$(timeout 2 sinfo -h -n localhost -o %T 2>/dev/null || true)
    if [ "$state" = "idle" ] && timeout 2 scontrol show slurmd >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 300 ]; then
      echo "slurm did not become ready in 30 s (node state: '${state:-none}'):" >&2
      _slurm_print_logs
      stop_slurm
      return 1
    fi
    sleep 0.1
  done
  export ORBREC_TEST_SLURM=1
}

# stop_slurm: cancels what still runs, then stops the daemons and, if this shell started
# it, munged.
stop_slurm() {
  # SLURM_PIDS[0] is slurmctld: without it there is nobody to cancel jobs.
  if ((${#SLURM_PIDS[@]} > 0)) && _slurm_alive "${SLURM_PIDS[0]}"; then
    _slurm_cancel_jobs
  fi
  _slurm_stop_pids "${SLURM_PIDS[@]}"
  SLURM_PIDS=()
  if [ -n "$SLURM_MUNGED_STARTED" ]; then
    _slurm_as_munge /usr/sbin/munged --stop >/dev/null 2>&1 || true
    SLURM_MUNGED_STARTED=""
  fi
  unset ORBREC_TEST_SLURM
}
