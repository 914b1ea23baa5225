#!/usr/bin/env bash
# The one command that sets up a fresh machine and runs Paddock's embedded default:
#   - the API process: a standalone store member (ZooKeeper port 2181) + the governance API
#     (http://localhost:8080, socket.io, OpenAPI at /api/openapi.json), SQLite and the store's data under
#     ./.data, and a private redis-server for background jobs;
#   - the console (http://localhost:3000), proxying /api and /socket.io to the API.
# Override with PORT / STORE_PORT / CONSOLE_PORT / DATA_DIR, or PADDOCK_CONNECT / DATABASE_URL / REDIS_URL
# (see apps/api/src/runtime/api-config.ts). First run: the console (or POST /api/auth/bootstrap) creates the
# admin — there are no default credentials. The plain store member alone: `npx paddock server`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PADDOCK_DATA_DIR="${DATA_DIR:-${PADDOCK_DATA_DIR:-$PWD/.data}}"
export PADDOCK_STORE_PORT="${STORE_PORT:-${PADDOCK_STORE_PORT:-2181}}"
export PADDOCK_API_PORT="${PORT:-${PADDOCK_API_PORT:-8080}}"
export PADDOCK_API_URL="http://127.0.0.1:${PADDOCK_API_PORT}"
export NEXT_TELEMETRY_DISABLED=1

# The same young generation as the `paddock` bin gives the store member (see apps/cli/bin/paddock.js):
# fewer scavenges, less CPU per request. PADDOCK_NODE_OPTIONS adds node flags (later flags win).
# shellcheck disable=SC2086 # PADDOCK_NODE_OPTIONS is a list of flags
node --min-semi-space-size=32 --max-semi-space-size=32 ${PADDOCK_NODE_OPTIONS:-} apps/api/dist/main.js &
api=$!
node node_modules/next/dist/bin/next start apps/console --port "${CONSOLE_PORT:-3000}" &
console=$!
# stop both when either exits or on Ctrl-C
trap 'kill "$api" "$console" 2>/dev/null; wait' INT TERM EXIT
echo "paddock: console http://localhost:${CONSOLE_PORT:-3000}  api ${PADDOCK_API_URL}  zookeeper port ${PADDOCK_STORE_PORT}"
wait -n "$api" "$console"
