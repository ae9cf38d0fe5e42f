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
# A release build also compresses the site's assets once, at brotli's and gzip's highest
# levels, for the server to send as they are.
for arg in "$@"; do
  if [ "$arg" = "--release" ] || [ "$arg" = "-r" ]; then set -- --precompress "$@"; break; fi
done
exec cargo leptos serve "$@"
