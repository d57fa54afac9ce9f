#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the newest release whose engines accept Node 20) into a cache
# folder OUTSIDE the repository, for the end-to-end tests (test/e2e/run.mjs). Does nothing when it is already there.
#   MINDPORT_CACHE   cache root (default $HOME/.cache/mindport)
#   CODE_SERVER_DIR  install folder (default $MINDPORT_CACHE/code-server-4.100.3)
# Needs the apt packages chromium ripgrep libkrb5-dev (installed by .ci/run) and a C++ toolchain for node-pty/argon2.
# Prints the path of the code-server launcher on its last line.
set -euo pipefail

VERSION=4.100.3
CACHE="${MINDPORT_CACHE:-$HOME/.cache/mindport}"
CS_DIR="${CODE_SERVER_DIR:-$CACHE/code-server-$VERSION}"
BIN="$CS_DIR/node_modules/code-server/out/node/entry.js"
MARK="$CS_DIR/.installed"

if [[ -f "$MARK" && -f "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

for tool in rg npm node; do
  command -v "$tool" >/dev/null || { echo "install-code-server: '$tool' is missing (apt-get install ripgrep chromium libkrb5-dev)" >&2; exit 2; }
done

# @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds a cached tarball first: give it the local rg.
RGC="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RGC"
TARBALL="$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [[ ! -f "$TARBALL" ]]; then
  d=$(mktemp -d)
  cp "$(command -v rg)" "$d/rg"
  tar czf "$TARBALL" -C "$d" rg
  rm -rf "$d"
fi

mkdir -p "$CS_DIR"
cd "$CS_DIR"
[[ -f package.json ]] || echo '{"private":true}' > package.json
echo "install-code-server: installing code-server@$VERSION into $CS_DIR (about 1.5 min, 300 MB)" >&2
# unsafe_perm: postinstall refuses root otherwise; yes: node-pty's postinstall runs `npx node-gyp`;
# nodedir=/usr: build native modules against the local Node headers instead of downloading them.
npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir="${npm_config_nodedir:-/usr}" \
  npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$VERSION" >&2
[[ -f "$BIN" ]] || { echo "install-code-server: $BIN is missing after npm install" >&2; exit 1; }
touch "$MARK"
echo "$BIN"
