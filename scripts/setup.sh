#!/usr/bin/env bash
# Installs everything Paddock needs on a fresh Debian/Ubuntu machine with Node 20, then builds.
# Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_nodedir="${npm_config_nodedir:-/usr}"   # node-gyp builds (the `zookeeper` C client) use the system headers

if [ -x scripts/install-system-deps.sh ] || [ -f scripts/install-system-deps.sh ]; then
  bash scripts/install-system-deps.sh
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
