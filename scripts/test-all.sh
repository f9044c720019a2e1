#!/usr/bin/env bash
# Every test of the project, in dependency order; `npm test` runs this (and so does CI).
# Each stage runs even if an earlier one failed; the summary line says which failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

bash scripts/setup.sh || { echo "setup failed"; exit 1; }

passed=0; failed=0; failures=()
stage() {
  local name=$1; shift
  printf '\n===== %s =====\n' "$name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}

stage "core: Rust, wasm, JS package" bash scripts/test-core.sh
stage "sandbox: JS helper" node --test tests/sandbox-helper.test.mjs
if [ -f n8n-node/package.json ]; then
  stage "n8n node: lint, scanner, execute tests" npm run --silent test:node
fi
stage "end-to-end in real n8n" npm run --silent test:e2e
stage "queue mode in real n8n" npm run --silent test:queue

printf '\n===== summary =====\n'
[ ${#failures[@]} -eq 0 ] || printf 'failed stage: %s\n' "${failures[@]}"
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
