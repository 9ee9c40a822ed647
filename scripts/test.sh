#!/usr/bin/env bash
# The README's test command. `bash scripts/test.sh` (= `npm test`): provide the real servers,
# type-check and build, lint, run the protocol vectors, then both tiers of tests.
#   bash scripts/test.sh unit   pure tests only (no servers): the fast inner loop (`npm run test:unit`)
#   bash scripts/test.sh wire   tests against real servers and processes (`npm run test:wire`)
# A test file is `wire` when its source imports or calls anything that starts or needs a server, a
# child process, a browser, the workflow bundle (replay), the chaos campaign or another test file;
# every other test file is `unit`. The rule reads the sources, so a new test file is classified
# without a list to keep.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tier="${1:-all}"
case "$tier" in unit | wire | all) ;; *) echo "test: unknown tier '$tier': use unit, wire or all" >&2; exit 2 ;; esac
WIRE='support/(servers|orchestrator|real-agents|simulation|cli|registry|browser|replay-every-activation)|cli-harness|@temporalio/(worker|testing)|src/worker|dev-servers|demo/stack|child_process|playwright|puppeteer|bench/chaos/campaign|\.test\.js'

# test_files TIER: the compiled test files of that tier, sorted.
test_files() {
  local f
  find test -name '*.test.ts' | sort | while read -r f; do
    if grep -qE "$WIRE" "$f"; then [[ "$1" == unit ]] && continue; else [[ "$1" == wire ]] && continue; fi
    echo "dist/${f%.ts}.js"
  done
}

[[ -d node_modules ]] || npm ci
if [[ "$tier" == unit ]]; then
  npx tsc -p tsconfig.json --incremental --tsBuildInfoFile dist/.tsbuildinfo
  mapfile -t files < <(test_files unit)
  exec node --test --test-force-exit --test-concurrency=2 "${files[@]}"
fi

bash scripts/setup.sh
rm -rf dist
echo "test: type-checking and building" >&2
npx tsc -p tsconfig.json --incremental --tsBuildInfoFile dist/.tsbuildinfo
if [[ "$tier" == all ]]; then
  echo "test: linting" >&2
  npx eslint .
  npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
  echo "test: protocol vectors" >&2
  node dist/test/vectors/run-vectors.js
fi
mapfile -t files < <(test_files "$tier")
# --test-force-exit: a test file ends when its tests have, even if a timed-out test left a
# connection or child process behind (its servers and children are killed on exit).
# Two files at a time: most of a wire test's time is spent waiting on its servers, and every file
# starts its own on free ports, so two share the two cores without sharing anything else.
node --test --test-force-exit --test-concurrency=2 --test-reporter=spec "${files[@]}"
