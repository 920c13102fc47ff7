#!/usr/bin/env bash
# Installs orbrec: the binary (release build, stripped), its man page and its bash, zsh
# and fish completions.
#
#   bash scripts/install.sh                 # into /usr/local (sudo if not root)
#   PREFIX=$HOME/.local bash scripts/install.sh
#   ORBREC_BIN=path/to/orbrec bash scripts/install.sh   # install a binary already built
#
# Files: PREFIX/bin/orbrec, PREFIX/share/man/man1/orbrec.1,
# PREFIX/share/bash-completion/completions/orbrec, PREFIX/share/zsh/site-functions/_orbrec,
# PREFIX/share/fish/vendor_completions.d/orbrec.fish. DESTDIR is honoured, for packaging.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh

PREFIX=${PREFIX:-/usr/local}
root="${DESTDIR:-}$PREFIX"

if [ -n "${ORBREC_BIN:-}" ]; then
  bin="$ORBREC_BIN"
else
  ensure_build_deps
  swift build -c release --product orbrec
  bin="$PWD/.build/release/orbrec"
fi

sudo=""
if ! mkdir -p "$root" 2>/dev/null || [ ! -w "$root" ]; then
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$bin" "$work/orbrec"
# Debug symbols are most of the binary's size; a backtrace still names orbrec's functions.
if command -v strip >/dev/null 2>&1; then strip --strip-debug "$work/orbrec"; fi
"$bin" --experimental-dump-help | python3 scripts/lib/manpage.py > "$work/orbrec.1"
for shell in bash zsh fish; do
  "$bin" --generate-completion-script "$shell" > "$work/completion.$shell"
done

$sudo install -d "$root/bin" "$root/share/man/man1" "$root/share/bash-completion/completions" \
  "$root/share/zsh/site-functions" "$root/share/fish/vendor_completions.d"
$sudo install -m 755 "$work/orbrec" "$root/bin/orbrec"
$sudo install -m 644 "$work/orbrec.1" "$root/share/man/man1/orbrec.1"
$sudo install -m 644 "$work/completion.bash" "$root/share/bash-completion/completions/orbrec"
$sudo install -m 644 "$work/completion.zsh" "$root/share/zsh/site-functions/_orbrec"
$sudo install -m 644 "$work/completion.fish" "$root/share/fish/vendor_completions.d/orbrec.fish"

echo "installed $("$root/bin/orbrec" --version | head -1) into $root"
echo "  man orbrec; completions load in new shells (bash-completion, zsh fpath, fish vendor dir)"
