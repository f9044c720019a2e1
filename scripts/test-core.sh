#!/usr/bin/env bash
# Tests of the Rust core, its wasm bindings and the huskyvoice-core JS package.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

echo "[core] rustfmt and clippy"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy -p huskyvoice-wasm --target wasm32-unknown-unknown --quiet -- -D warnings

echo "[core] cargo test (unit and property tests)"
cargo test --workspace --quiet

echo "[core] wasm-bindgen-test in Node"
wasm-pack test --node --mode no-install crates/huskyvoice-wasm

echo "[core] JS package: CJS, ESM and embedded forms"
node scripts/build-core.mjs
node --test tests/core/
node --test tests/client/

echo "[core] TypeScript declarations compile under strict and have no any"
tsc -p tsconfig.json

echo "[core] the benchmarks' plain-TypeScript reference compiles (npm run bench compares the core with it)"
tsc -p bench/plain-ts/tsconfig.json --noEmit
