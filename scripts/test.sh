#!/usr/bin/env bash
# The README's test command: provide the real servers, type-check and build, lint, run the
# protocol vectors, then every test file (unit, NATS, Temporal and end-to-end) with node's runner.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
[[ -d node_modules ]] || npm ci
rm -rf dist
echo "test: type-checking and building" >&2
npx tsc -p tsconfig.json
echo "test: linting" >&2
npx eslint . 
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
echo "test: protocol vectors" >&2
node dist/test/vectors/run-vectors.js
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
node --test --test-reporter=spec "${files[@]}"
