#!/usr/bin/env bash
# Every test of the project, in dependency order; `npm test` runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/test-core.sh
