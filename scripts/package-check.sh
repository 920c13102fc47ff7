#!/usr/bin/env bash
# The Debian package, installed on this machine: builds it (scripts/package.sh), installs it
# with dpkg -i, and checks what a person who installs it gets:
#   - /usr/bin/orbrec runs with the Swift toolchain's libraries hidden, and is stripped;
#   - the unit passes `systemd-analyze verify`; the user it runs as exists;
#   - the man page, the completions and the conffiles are where Debian looks for them;
#   - the quickstart from the installed binary: the example configuration of /etc/orbrec,
#     copied, applied until its fleet converges (3 machines running), its status, then
#     every machine returned;
#   - the daemon from the installed binary answers /readyz;
# then purges the package (and the user, if this script's install created it). Needs root
# (or sudo) and unshare --mount. ORBREC_PKG_SCRATCH, ORBREC_PKG_BIN and ORBREC_PKG_COMPRESS
# are passed on to package.sh; ORBREC_PKG_DEB checks a .deb already built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/deps.sh
started=$(date +%s)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
ensure_apt systemd file man-db curl

if dpkg -s orbrec >/dev/null 2>&1; then
  echo "package-check: an orbrec package is installed already; remove it first (dpkg -r orbrec)" >&2
  exit 1
fi
user_existed=0
getent passwd orbrec >/dev/null && user_existed=1

deb=${ORBREC_PKG_DEB:-}
if [ -z "$deb" ]; then
  deb=$(bash scripts/package.sh | tail -1)
fi
[ -f "$deb" ] || { echo "package-check: no package at '$deb'" >&2; exit 1; }
# A file of the package already here without an installed package (scripts/install.sh with
# PREFIX=/usr, a hand-written /etc/orbrec/config/fleet.yaml): dpkg -i would overwrite it and
# the purge at the end delete it.
present=()
while IFS= read -r path; do
  if [ -e "$path" ] || [ -L "$path" ]; then present+=("$path"); fi
done < <(dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -n -e 's#^\./#/#' -e '/[^/]$/p')
if [ "${#present[@]}" -gt 0 ]; then
  echo "package-check: files of the package are on this machine already; installing and purging it would replace and delete them:" >&2
  printf '  %s\n' "${present[@]}" >&2
  exit 1
fi

work=$(mktemp -d /tmp/orbrec-package-check.XXXXXX)
chmod 755 "$work"
daemon=""
cleanup() {
  if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
  # Machines left by a failed step are returned with an apply of an empty configuration.
  if [ -e "$work/state.db" ] && [ -x /usr/bin/orbrec ]; then
    mkdir -p "$work/empty"
    /usr/bin/orbrec apply -c "$work/empty" --state "$work/state.db" --auto-approve --allow-empty --wait --timeout 2m >/dev/null 2>&1 || true
  fi
  if dpkg -s orbrec >/dev/null 2>&1; then $sudo dpkg --purge orbrec >/dev/null || true; fi
  if [ "$user_existed" = 0 ] && getent passwd orbrec >/dev/null; then
    $sudo userdel orbrec 2>/dev/null || true
    getent group orbrec >/dev/null && { $sudo groupdel orbrec 2>/dev/null || true; }
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "package-check: $*" >&2; exit 1; }
step() { printf 'package-check: %s\n' "$*"; }

$sudo dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i $deb failed"; }
step "installed $(basename "$deb")"

# The binary: runs, names its version, needs no library of the toolchain, carries no symbols.
[ "$(command -v orbrec)" = /usr/bin/orbrec ] || [ -x /usr/bin/orbrec ] || fail "/usr/bin/orbrec is missing"
/usr/bin/orbrec version | tee "$work/version.txt"
grep -q '^orbrec [0-9]' "$work/version.txt" || fail "orbrec version printed no version"
! ldd /usr/bin/orbrec | grep -E 'libswift|libFoundation|libdispatch|/opt/swift|not found' \
  || fail "/usr/bin/orbrec needs the Swift toolchain's libraries"
# And it runs with the toolchain's runtime libraries gone: an empty directory mounted over
# theirs, in a mount namespace of its own, as on a machine without Swift.
swift_libs=$(cd "$(dirname "$(readlink -f "$(command -v swift)")")/../lib/swift/linux" && pwd)
[ -e "$swift_libs/libswiftCore.so" ] || fail "no libswiftCore.so in $swift_libs"
$sudo unshare --mount sh -c 'mount -t tmpfs none "$1" && [ ! -e "$1/libswiftCore.so" ] && /usr/bin/orbrec version >/dev/null && /usr/bin/orbrec validate -c /etc/orbrec/config' \
  sh "$swift_libs" >"$work/unshare.log" 2>&1 \
  || { cat "$work/unshare.log" >&2; fail "/usr/bin/orbrec does not run with $swift_libs hidden"; }
file -L /usr/bin/orbrec | grep -q ', stripped' || fail "/usr/bin/orbrec is not stripped: $(file -L /usr/bin/orbrec)"
step "binary $(du -h /usr/bin/orbrec | cut -f1), stripped, runs with the toolchain's libraries hidden"

# The files Debian's tools look for.
for path in /lib/systemd/system/orbrec.service /usr/share/man/man1/orbrec.1.gz \
  /usr/share/bash-completion/completions/orbrec /usr/share/zsh/vendor-completions/_orbrec \
  /usr/share/fish/vendor_completions.d/orbrec.fish /usr/share/doc/orbrec/copyright \
  /usr/share/doc/orbrec/changelog.gz /etc/orbrec/config/fleet.yaml; do
  [ -s "$path" ] || fail "$path is missing or empty"
done
man -l /usr/share/man/man1/orbrec.1.gz 2>/dev/null | grep -q 'orbrec apply' || fail "the man page does not describe orbrec apply"
grep -q -- '--auto-approve' /usr/share/bash-completion/completions/orbrec || fail "the bash completion has no --auto-approve"
conffiles=$(dpkg-query -W -f='${Conffiles}' orbrec)
echo "$conffiles" | grep -q '/etc/orbrec/config/fleet.yaml' || fail "/etc/orbrec/config/fleet.yaml is not a conffile"
getent passwd orbrec | grep -q ':/var/lib/orbrec:/usr/sbin/nologin$' || fail "no system user orbrec: $(getent passwd orbrec)"
step "man page, completions, conffiles, user orbrec"

# The unit: systemd's own check (it needs no running systemd), and it runs the packaged binary.
grep -q '^ExecStart=/usr/bin/orbrec run ' /lib/systemd/system/orbrec.service || fail "the unit does not run /usr/bin/orbrec"
if ! SYSTEMD_LOG_LEVEL=notice systemd-analyze verify /lib/systemd/system/orbrec.service >"$work/verify.log" 2>&1; then
  cat "$work/verify.log" >&2
  fail "systemd-analyze verify found the unit wrong"
fi
# verify exits 0 on some findings it only prints: any line about orbrec.service is one.
if grep -i 'orbrec' "$work/verify.log"; then fail "systemd-analyze verify printed the findings above"; fi
step "systemd-analyze verify orbrec.service: clean"

# The quickstart from the installed binary, on a copy of the installed example configuration.
cp -r /etc/orbrec/config "$work/config"
/usr/bin/orbrec validate -c "$work/config" >/dev/null
/usr/bin/orbrec apply -c "$work/config" --state "$work/state.db" --auto-approve --wait --timeout 2m >"$work/apply.log" 2>&1 \
  || { cat "$work/apply.log" >&2; fail "the quickstart's apply failed"; }
/usr/bin/orbrec status -c "$work/config" --state "$work/state.db"
want=$(awk '/^ *count:/ { print $2 }' "$work/config/fleet.yaml")
# running_machines: machines the state says run whose process (provider id local:PID:TICKS) is alive.
running_machines() {
  /usr/bin/orbrec get machines -c "$work/config" --state "$work/state.db" -o json | python3 -c '
import json, sys
alive = 0
for machine in json.load(sys.stdin):
    parts = machine.get("provider_id", "").split(":")
    if machine.get("state") != "running" or len(parts) != 3 or parts[0] != "local":
        continue
    try:
        stat = open(f"/proc/{parts[1]}/stat").read()
    except OSError:
        continue
    fields = stat[stat.rindex(")") + 2:].split()
    alive += fields[19] == parts[2] and fields[0] != "Z"
print(alive)'
}
running=$(running_machines)
[ "$running" = "$want" ] || fail "quickstart: $running machines running, want $want"
step "quickstart: $running machines running"

# The daemon from the installed binary, on the same configuration and state.
/usr/bin/orbrec run -c "$work/config" --state "$work/state.db" --listen 127.0.0.1:0 >"$work/daemon.log" 2>&1 &
daemon=$!
address=""
for _ in $(seq 100); do
  address=$(sed -n 's/.*msg=listening address=\([0-9.:]*\).*/\1/p' "$work/daemon.log" | head -1)
  [ -n "$address" ] && curl -fsS "http://$address/readyz" >/dev/null 2>&1 && break
  address=""
  sleep 0.1
done
[ -n "$address" ] || { cat "$work/daemon.log" >&2; fail "the daemon did not answer /readyz"; }
kill -TERM "$daemon"; wait "$daemon" || fail "the daemon exited $? on SIGTERM"
daemon=""
step "daemon: /readyz answered at $address, stopped on SIGTERM"

mkdir -p "$work/empty"
/usr/bin/orbrec apply -c "$work/empty" --state "$work/state.db" --auto-approve --allow-empty --wait --timeout 2m >"$work/down.log" 2>&1 \
  || { cat "$work/down.log" >&2; fail "returning the quickstart's machines failed"; }
running=$(running_machines)
[ "$running" = 0 ] || fail "$running machines still running after the return"
step "quickstart: every machine returned"

$sudo dpkg --purge orbrec >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg --purge orbrec failed"; }
[ ! -e /usr/bin/orbrec ] && [ ! -e /lib/systemd/system/orbrec.service ] && [ ! -e /etc/orbrec/config/fleet.yaml ] \
  || fail "files left after dpkg --purge orbrec"
step "purged; checked in $(( $(date +%s) - started ))s"
