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
# The API's typed database clients (SQLite + PostgreSQL flavours of the same models) into apps/api/src/generated/.
# Prisma's CLI insists on a schema-engine binary it cannot download here; `generate` never runs it, so any
# existing file satisfies the check. Tables come from the checked-in SQL in prisma/migrations (applied at start-up).
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/false}"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
for schema in prisma/schema.prisma prisma/postgresql/schema.prisma; do
  node node_modules/prisma/build/index.js generate --schema "$schema" >/dev/null
done
npm run build
# the Next.js console (apps/console): a separate step, not a tsc project reference
NEXT_TELEMETRY_DISABLED=1 npm run build:console
