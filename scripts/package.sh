#!/usr/bin/env bash
# Builds orbrec's Debian package: a stripped release binary with the Swift standard library
# and Foundation linked in statically (it runs without the Swift toolchain), and a .deb of
#   /usr/bin/orbrec
#   /lib/systemd/system/orbrec.service      examples/systemd/orbrec.service, for /usr/bin
#   /etc/orbrec/config/*.yaml               examples/quickstart (conffiles)
#   /usr/share/man/man1/orbrec.1.gz         scripts/lib/manpage.py, from the binary's help
#   bash, zsh and fish completions          from the binary
#   /usr/share/doc/orbrec/                  copyright (with the bundled libraries' licences),
#                                           changelog, the examples
# The postinst creates the system user `orbrec` the unit runs as; the unit is not enabled.
#
#   bash scripts/package.sh                      # build, then package
#   ORBREC_PKG_SCRATCH=.build bash scripts/package.sh   # the release build's scratch path
#   ORBREC_PKG_BIN=path/to/orbrec bash scripts/package.sh  # package a binary already built
#
# ORBREC_PKG_SCRATCH (default .build) is passed to `swift build --scratch-path`: a static
# release build already there is reused (seconds); a plain `swift build -c release` there is
# not, since --static-swift-stdlib changes how every module is compiled (a whole rebuild,
# 10 to 13 minutes on 2 cores). ORBREC_PKG_OUT is where the .deb is written (default
# SCRATCH/deb). ORBREC_PKG_VERSION overrides the version (default: the binary's
# `orbrec --version`, +git<commits>.<commit>); ORBREC_PKG_MAINTAINER the Maintainer
# (default: git's user.name and user.email); ORBREC_PKG_COMPRESS dpkg-deb's compressor
# (default xz: 26 MB in 45 s; zstd: 38 MB in under a second, which Debian 12's dpkg installs
# but lintian calls malformed). The last line printed on stdout is the .deb's path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib/deps.sh

scratch=${ORBREC_PKG_SCRATCH:-$root/.build}
case $scratch in /*) ;; *) scratch="$root/$scratch" ;; esac
out=${ORBREC_PKG_OUT:-$scratch/deb}
maintainer=${ORBREC_PKG_MAINTAINER:-}
if [ -z "$maintainer" ]; then
  name=$(git -C "$root" config user.name 2>/dev/null || true)
  email=$(git -C "$root" config user.email 2>/dev/null || true)
  [ -n "$name" ] && [ -n "$email" ] || { name=$(git -C "$root" log -1 --format=%an 2>/dev/null || true); email=$(git -C "$root" log -1 --format=%ae 2>/dev/null || true); }
  maintainer="${name:-orbrec} <${email:-orbrec@localhost}>"
fi
compress=${ORBREC_PKG_COMPRESS:-xz}

# dpkg-dev: dpkg-shlibdeps, for the shared libraries the binary still needs.
ensure_apt dpkg-dev binutils

if [ -n "${ORBREC_PKG_BIN:-}" ]; then
  built="$ORBREC_PKG_BIN"
else
  ensure_build_deps
  started=$(date +%s)
  # Foundation's static libraries link libcurl and libxml2 by name: their -dev packages.
  ensure_apt libcurl4-openssl-dev libxml2-dev
  swift build -c release --product orbrec --static-swift-stdlib --scratch-path "$scratch" >&2
  built="$scratch/release/orbrec"
  echo "package: release build in $(( $(date +%s) - started ))s" >&2
fi
[ -x "$built" ] || { echo "package: no binary at $built" >&2; exit 1; }

# The toolchain's libraries (libswiftCore, libFoundation, ... under the toolchain) must not be
# needed: a machine with the package has no Swift toolchain.
if ldd "$built" | grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime|lib_FoundationICU|not found'; then
  echo "package: $built needs the libraries above; build it with --static-swift-stdlib" >&2
  exit 1
fi

work=$(mktemp -d /tmp/orbrec-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
pkg="$work/root"
mkdir -p "$pkg/DEBIAN"

# The binary, man page and completions, as scripts/install.sh lays them out under /usr.
DESTDIR="$pkg" PREFIX=/usr ORBREC_BIN="$built" bash scripts/install.sh >/dev/null
bin="$pkg/usr/bin/orbrec"
# Stripped as dh_strip strips an executable. A crash's backtrace then shows addresses, not
# names; `orbrec --version` names the commit to rebuild the same binary with symbols.
strip --remove-section=.comment --remove-section=.note "$bin"
# Debian's zsh reads vendor completions from vendor-completions, not site-functions.
mkdir -p "$pkg/usr/share/zsh/vendor-completions"
mv "$pkg/usr/share/zsh/site-functions/_orbrec" "$pkg/usr/share/zsh/vendor-completions/_orbrec"
rmdir "$pkg/usr/share/zsh/site-functions"
gzip -9n "$pkg/usr/share/man/man1/orbrec.1"
# bash-completion sources the file: a #! line only misleads (lintian: bash-completion-with-hashbang).
sed -i '1{/^#!/d}' "$pkg/usr/share/bash-completion/completions/orbrec"

# The version: the binary's, with the commit it was built from.
version=${ORBREC_PKG_VERSION:-}
if [ -z "$version" ]; then
  upstream=$("$bin" --version | awk 'NR == 1 { print $2 }')
  commit=$("$bin" --version | awk '/^commit:/ { print $2 }')
  version="$upstream"
  if [ -n "$commit" ] && [ "$commit" != unknown ]; then
    count=$(git -C "$root" rev-list --count "${commit%-modified}" 2>/dev/null || echo 0)
    version="$upstream+git$count.${commit%-modified}"
    [ "$commit" = "${commit%-modified}" ] || version="$version.modified"
  fi
fi
arch=$(dpkg --print-architecture)

# The unit of examples/systemd, running the packaged binary; its header names the package.
install -d "$pkg/lib/systemd/system"
{
  cat <<'HEAD'
# orbrec run as a systemd service, installed by the orbrec package. Not enabled at install:
#   sudo systemctl enable --now orbrec
# Change it with `sudo systemctl edit orbrec` (a drop-in survives upgrades), not here.
# The configuration is in /etc/orbrec/config, the state in /var/lib/orbrec; the settings
# are explained below and in /usr/share/doc/orbrec/examples/systemd/README.md.

HEAD
  sed -e '1,/^$/d' -e 's#/usr/local/bin/orbrec#/usr/bin/orbrec#g' \
    -e '/^Description=/a Documentation=man:orbrec(1) file:/usr/share/doc/orbrec/examples/systemd/README.md' \
    examples/systemd/orbrec.service
} > "$pkg/lib/systemd/system/orbrec.service"
chmod 644 "$pkg/lib/systemd/system/orbrec.service"

# The quickstart as the example configuration: three `sleep infinity` machines.
install -d "$pkg/etc/orbrec/config"
install -m 644 examples/quickstart/*.yaml "$pkg/etc/orbrec/config/"
(cd "$pkg" && find etc -type f | sort | sed 's#^#/#') > "$pkg/DEBIAN/conffiles"

doc="$pkg/usr/share/doc/orbrec"
install -d "$doc/examples"
cp -r examples/. "$doc/examples/"
chmod -R u=rwX,go=rX "$doc/examples"
{
  echo "orbrec ($version) unstable; urgency=medium"
  echo
  echo "  * Built from commit ${commit:-unknown} by scripts/package.sh."
  echo
  echo " -- $maintainer  $(date -R)"
} | gzip -9n > "$doc/changelog.gz"
# The binary holds the libraries of Package.resolved (and the Swift runtime, whose licence's
# runtime library exception needs no notice): their licences go with it, Apache-2.0 by
# reference to Debian's copy.
{
  cat <<'TEXT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: orbrec
Comment: orbrec is statically linked with the Swift standard library and Foundation
 (Apache-2.0 with the Runtime Library Exception) and with the Swift packages below,
 whose licence texts follow.

Files: *
Copyright: the orbrec authors
License: none-stated
 The orbrec source tree states no licence.
TEXT
  if [ -d "$scratch/checkouts" ]; then
    for dependency in "$scratch"/checkouts/*/; do
      license=$(find "$dependency" -maxdepth 1 -type f \( -iname 'LICENSE*' -o -iname 'COPYING*' \) | sort | head -1)
      [ -n "$license" ] || continue
      echo
      echo "Files: bundled/$(basename "$dependency")"
      echo "Copyright: the $(basename "$dependency") authors"
      if grep -q 'Apache License' "$license" && grep -q 'Version 2.0' "$license"; then
        echo "License: Apache-2.0"
        echo " On Debian systems the full text of the Apache License 2.0 is in"
        echo " /usr/share/common-licenses/Apache-2.0."
      else
        echo "License: see-below-$(basename "$dependency")"
        sed -e 's/^[[:space:]]*$/./' -e 's/^/ /' "$license"
      fi
    done
  fi
} > "$doc/copyright"

# Maintainer scripts. The user owns /var/lib/orbrec (systemd's StateDirectory= creates it).
cat > "$pkg/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent group orbrec >/dev/null; then
    groupadd --system orbrec
  fi
  if ! getent passwd orbrec >/dev/null; then
    useradd --system --gid orbrec --home-dir /var/lib/orbrec --no-create-home \
      --shell /usr/sbin/nologin --comment "orbrec reconciler" orbrec
  fi
  if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
    # An upgrade restarts a running daemon on the new binary; it finds its machines and
    # attempts again (docs/operations.md, upgrades).
    if [ -n "$2" ]; then
      deb-systemd-invoke try-restart orbrec.service >/dev/null || true
    fi
  fi
fi
exit 0
SH
cat > "$pkg/DEBIAN/prerm" <<'SH'
#!/bin/sh
set -e
# Only the daemon stops (KillMode=process): the machines and attempts it started keep running.
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  deb-systemd-invoke stop orbrec.service >/dev/null || true
fi
exit 0
SH
cat > "$pkg/DEBIAN/postrm" <<'SH'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
fi
# The user and /var/lib/orbrec stay on purge: the state names machines that may still run.
if [ "$1" = purge ] && command -v deb-systemd-helper >/dev/null; then
  deb-systemd-helper purge orbrec.service >/dev/null || true
fi
exit 0
SH
chmod 755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/prerm" "$pkg/DEBIAN/postrm"

# What lintian reports that a statically linked Swift binary cannot avoid.
install -d "$pkg/usr/share/lintian/overrides"
cat > "$pkg/usr/share/lintian/overrides/orbrec" <<'OVERRIDES'
# Yams compiles libyaml into the binary (its CYaml module) and swift-nio-extras a prefixed
# zlib (CNIOExtrasZlib): Swift packages link their C parts statically.
orbrec: embedded-library libyaml [usr/bin/orbrec]
orbrec: embedded-library zlib [usr/bin/orbrec]
OVERRIDES
chmod 644 "$pkg/usr/share/lintian/overrides/orbrec"

# Depends: the shared libraries the binary still loads (libc, libstdc++, SQLite, curl,
# libxml2, ...), as dpkg-shlibdeps names them; passwd for useradd.
mkdir -p "$work/shlibs/debian"
printf 'Source: orbrec\n\nPackage: orbrec\nArchitecture: any\n' > "$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$bin" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "package: dpkg-shlibdeps named no dependency for $bin" >&2; exit 1; }

cat > "$pkg/DEBIAN/control" <<CONTROL
Package: orbrec
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: $shlibs, passwd
Recommends: systemd
Section: admin
Priority: optional
Description: declarative reconciler for machines, task pools and workflows
 orbrec keeps fleets of machines (local processes or EC2 instances), pools
 of tasks (local processes or Slurm jobs) and workflow runs at what a
 directory of YAML files declares: plan shows what it would do, apply does
 it, and the daemon (orbrec run, the systemd unit orbrec.service) reconciles
 continuously and serves an HTTP API.
CONTROL

(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"
chmod 644 "$pkg/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/orbrec_${version}_${arch}.deb"
dpkg-deb --root-owner-group "-Z$compress" --build "$pkg" "$deb" >/dev/null
echo "package: $(du -h "$deb" | cut -f1) $(basename "$deb"), binary $(du -h "$bin" | cut -f1)" >&2
echo "$deb"
