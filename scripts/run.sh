#!/usr/bin/env bash
# Runs iCattle on http://127.0.0.1:3000 with embedded defaults: SQLite and a broker of its
# own, all data under ./data. Installs what is missing first. Extra arguments go to
# `cargo leptos serve` (e.g. `--release` for an optimised build through wasm-opt).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=setup.sh
source scripts/setup.sh
main run
exec cargo leptos serve "$@"
