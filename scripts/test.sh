#!/usr/bin/env bash
# The README's test command (`npm test`): system dependencies, lint + type check, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
echo "== lint and type check"
npx eslint --max-warnings 0 .
npx tsc --noEmit -p .
echo "== tests"
npx vitest run "$@"
