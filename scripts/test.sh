#!/usr/bin/env bash
# The one command that sets up a fresh machine and runs every check:
# lint, unit specs, system tests (real server processes: kill -9 crash recovery, bad clients, socket fuzz),
# compat (differential vs Apache ZooKeeper 3.8) and interop (kazoo, zkCli.sh, C client, node-zookeeper-client).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export NODE_OPTIONS="--experimental-vm-modules ${NODE_OPTIONS:-}"
export COMPAT_TARGET_A="${COMPAT_TARGET_A:-paddock}"
jest="node node_modules/jest/bin/jest.js"
results=$(mktemp -d)
status=0

echo "=== lint ==="
if ! node node_modules/eslint/bin/eslint.js .; then status=1; fi

for suite in unit system compat interop sdk platform api sim e2e; do
  echo "=== ${suite} ==="
  extra=()
  [ "$suite" != unit ] && extra=(--runInBand --forceExit)
  if ! $jest --selectProjects "$suite" --passWithNoTests --json --outputFile "$results/$suite.json" "${extra[@]}"; then status=1; fi
done

node -e '
const fs = require("fs"), path = require("path");
let passed = 0, failed = 0, skipped = 0;
for (const f of fs.readdirSync(process.argv[1])) {
  const r = JSON.parse(fs.readFileSync(path.join(process.argv[1], f), "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites; skipped += r.numPendingTests;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results"
rm -rf "$results"
exit $status
