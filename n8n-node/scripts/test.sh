#!/usr/bin/env bash
# Every check of the n8n node, in order: build, n8n's lint (strict), n8n's community-package
# scanner (source folder and packed tarball), then node:test suites that run the built node's
# `execute` against the sandbox server. `npm test` here, `npm run test:node` at the root.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PWD/../node_modules/.bin:$HOME/.cargo/bin:$PATH"
step() { printf '\n[node] %s\n' "$*"; }
t0=$(date +%s)

if [ ! -f ../packages/huskyvoice-core/embedded/huskyvoice_core.js ]; then
  step "the embedded core is missing: building it (node ../scripts/build-core.mjs)"
  node ../scripts/build-core.mjs
fi

step "build (core copied in, tsc, static files)"
npm run --silent build >/tmp/hv-node-build.$$ 2>&1 || { cat /tmp/hv-node-build.$$; rm -f /tmp/hv-node-build.$$; exit 1; }
grep -E '^\[n8n-node\]|Build successful' /tmp/hv-node-build.$$ | sed 's/^[^[a-zA-Z]*//' || true
rm -f /tmp/hv-node-build.$$

step "n8n-node lint (strict mode: default eslint config, cloud rules)"
n8n-node lint

step "n8n community-package scanner: source folder and npm pack tarball"
node scripts/scan.mjs

step "node tests against the sandbox (test/*.test.mjs)"
node --test --test-concurrency=2 --test-reporter=spec test/

printf '\n[node] all checks passed in %ss\n' "$(( $(date +%s) - t0 ))"
