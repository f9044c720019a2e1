#!/usr/bin/env bash
# One-time, idempotent setup from the package registries only (crates.io, npm). A second run
# skips everything already at the right version and costs seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_PACK_VERSION=0.15.1
step() { printf '\n[setup] %s\n' "$*"; }
fail() { printf '\n[setup] FAILED: %s\n' "$*" >&2; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"

command -v cargo >/dev/null || fail "cargo not found: install Rust with rustup first"
command -v node >/dev/null || fail "node not found: install Node.js 20 or newer"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown || fail "rustup target add wasm32-unknown-unknown"
fi

# wasm-bindgen-cli must equal the wasm-bindgen version Cargo.lock resolved, or wasm-pack ignores it.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
[ -n "$bindgen_version" ] || fail "could not read the wasm-bindgen version from Cargo.lock"

if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
  step "compiling wasm-pack $WASM_PACK_VERSION (one time, about 3 minutes)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked || fail "cargo install wasm-pack"
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ] \
  || ! command -v wasm-bindgen-test-runner >/dev/null; then
  step "compiling wasm-bindgen-cli $bindgen_version (one time, about 4 minutes)"
  # Not --locked: a transitive crate pinned in its lock file is missing from the registry.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force || fail "cargo install wasm-bindgen-cli"
fi

npm_inputs_hash() { cat package-lock.json package.json ./*/package.json packages/*/package.json 2>/dev/null | sha256sum | cut -c1-16; }
if [ ! -f node_modules/.setup-stamp ] || [ "$(cat node_modules/.setup-stamp)" != "$(npm_inputs_hash)" ]; then
  step "installing npm packages"
  # --ignore-scripts: n8n's lint tooling declares a preinstall that only allows pnpm, and no
  # package here needs its install scripts.
  npm install --ignore-scripts --no-audit --no-fund || fail "npm install"
  npm_inputs_hash > node_modules/.setup-stamp
fi

step "building the core and the node (skips what is up to date)"
npm run --silent build || fail "npm run build"
step "building the sandbox server (cargo, release)"
cargo build --release --quiet -p huskyvoice-sandbox || fail "cargo build -p huskyvoice-sandbox"
step "ready"
