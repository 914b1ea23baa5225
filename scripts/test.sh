#!/usr/bin/env bash
# The one command that sets up a fresh machine and runs every test suite:
# unit specs, system tests (real server processes: crash recovery, bad clients, fuzz over sockets),
# compat (differential vs Apache ZooKeeper 3.8) and interop (kazoo, zkCli.sh, C client, node-zookeeper-client).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export NODE_OPTIONS="--experimental-vm-modules ${NODE_OPTIONS:-}"
jest="node node_modules/jest/bin/jest.js"
status=0
export COMPAT_TARGET_A="${COMPAT_TARGET_A:-paddock}"
for suite in unit system compat interop; do
  echo "=== ${suite} ==="
  extra=()
  [ "$suite" != unit ] && extra=(--runInBand --forceExit)
  if ! $jest --selectProjects "$suite" --passWithNoTests "${extra[@]}"; then status=1; fi
done
exit $status
