#!/usr/bin/env bash
# The one command that sets up a fresh machine and runs Paddock's embedded default:
# a standalone store member on port 2181 with its data under ./.data (override with PORT / DATA_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node apps/cli/bin/paddock.js server --port "${PORT:-2181}" --data-dir "${DATA_DIR:-$PWD/.data}"
