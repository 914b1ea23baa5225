#!/usr/bin/env bash
# The one command that sets up a fresh machine and runs Paddock's embedded default: one process serving a
# standalone store member (ZooKeeper port 2181) and the governance API (http://localhost:8080, socket.io,
# OpenAPI at /api/openapi.json), with SQLite and the store's data under ./.data and a private redis-server for
# background jobs. Override with PORT / STORE_PORT / DATA_DIR, or PADDOCK_CONNECT / DATABASE_URL / REDIS_URL
# (see apps/api/src/runtime/api-config.ts). First run: POST /api/auth/bootstrap creates the admin (no default
# credentials). The plain store member alone: `node apps/cli/bin/paddock.js server` (`paddock server`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PADDOCK_DATA_DIR="${DATA_DIR:-${PADDOCK_DATA_DIR:-$PWD/.data}}"
export PADDOCK_STORE_PORT="${STORE_PORT:-${PADDOCK_STORE_PORT:-2181}}"
export PADDOCK_API_PORT="${PORT:-${PADDOCK_API_PORT:-8080}}"
exec node apps/api/dist/main.js
