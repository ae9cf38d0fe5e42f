#!/usr/bin/env bash
# Installs and starts everything iCattle needs, reusing whatever is already there.
#
#   scripts/setup.sh run    tools to build and run the app (toolchain, cargo-leptos,
#                           wasm-bindgen, wasm-opt, the Kafka-protocol broker)
#   scripts/setup.sh test   all of the above, plus cargo-nextest, Chromium, Playwright, and running
#                           PostgreSQL, Redis and a test broker on 127.0.0.1
#
# Tools are installed once into caches outside the clone (~/.cargo/bin and
# $ICATTLE_TOOLS), so a fresh clone does not rebuild them. Source this file to get
# the PATH it sets up; run it to install.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN="1.96.0"
NISSHI_VERSION="0.8.1"
CARGO_LEPTOS_VERSION="0.3.11"
WASM_BINDGEN_VERSION="0.2.130"
BINARYEN_VERSION="132.0.0"
NEXTEST_VERSION="0.9.151"
ICATTLE_TOOLS="${ICATTLE_TOOLS:-$HOME/.cache/icattle}"
BROKER_ADDR="${ICATTLE_TEST_BROKER:-127.0.0.1:9092}"
export ICATTLE_TOOLS
export PATH="$HOME/.cargo/bin:$ICATTLE_TOOLS/node/node_modules/.bin:$PATH"

log() { printf '\033[1;32m[setup]\033[0m %s\n' "$*" >&2; }

ensure_toolchain() {
  if ! rustup toolchain list | grep -q "^${TOOLCHAIN}-"; then
    log "installing Rust ${TOOLCHAIN}"
    rustup toolchain install "$TOOLCHAIN" --profile minimal \
      --component rustfmt,clippy --target wasm32-unknown-unknown
  fi
  # Cheap when already present; covers a toolchain installed without them.
  rustup component add --toolchain "$TOOLCHAIN" rustfmt clippy >/dev/null 2>&1
  rustup target add --toolchain "$TOOLCHAIN" wasm32-unknown-unknown >/dev/null 2>&1
}

ensure_nisshi() {
  if nisshi --version 2>/dev/null | grep -q "$NISSHI_VERSION"; then return; fi
  log "installing the nisshi Kafka-protocol broker ${NISSHI_VERSION} (about 12 minutes, once)"
  cargo "+$TOOLCHAIN" install --locked nisshi --version "$NISSHI_VERSION"
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then return; fi
  log "installing cargo-leptos ${CARGO_LEPTOS_VERSION} (about 12 minutes, once)"
  cargo "+$TOOLCHAIN" install --locked cargo-leptos --version "$CARGO_LEPTOS_VERSION" \
    --features no_downloads
}

ensure_wasm_bindgen() {
  if wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then return; fi
  log "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION}"
  if cargo "+$TOOLCHAIN" install --locked wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"; then
    return
  fi
  # Its lockfile names a webpki-roots release the registry here does not serve:
  # build from a copy of the source with that one crate moved back a patch.
  local src work
  src="$(ls -d "$HOME"/.cargo/registry/src/*/wasm-bindgen-cli-"$WASM_BINDGEN_VERSION" | head -n 1)"
  work="$(mktemp -d)"
  cp -r "$src" "$work/cli"
  (cd "$work/cli" && rm -f rust-toolchain.toml &&
    cargo "+$TOOLCHAIN" update -p webpki-roots --precise 1.0.10 &&
    cargo "+$TOOLCHAIN" install --locked --path .)
  rm -rf "$work"
}

ensure_nextest() {
  if cargo nextest --version 2>/dev/null | grep -q "$NEXTEST_VERSION"; then return; fi
  log "installing cargo-nextest ${NEXTEST_VERSION} (about 8 minutes, once)"
  cargo "+$TOOLCHAIN" install --locked cargo-nextest --version "$NEXTEST_VERSION"
}

ensure_node_tools() {
  # wasm-opt from npm: Debian's binaryen 108 silently breaks release wasm.
  if [ ! -x "$ICATTLE_TOOLS/node/node_modules/.bin/wasm-opt" ]; then
    log "installing wasm-opt (npm binaryen ${BINARYEN_VERSION})"
    mkdir -p "$ICATTLE_TOOLS/node"
    (cd "$ICATTLE_TOOLS/node" && [ -f package.json ] || echo '{"private":true}' > package.json)
    (cd "$ICATTLE_TOOLS/node" && npm install --no-save --silent "binaryen@${BINARYEN_VERSION}")
  fi
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return; fi
  log "installing Debian chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

ensure_playwright() {
  if [ -d "$ROOT/end2end/node_modules/@playwright/test" ]; then return; fi
  log "installing Playwright (npm, without its browser download)"
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent)
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432; then return; fi
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return; sleep 1; done
  echo "PostgreSQL did not start" >&2; return 1
}

ensure_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return; fi
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli ping >/dev/null 2>&1 && return; sleep 1; done
  echo "Redis did not start" >&2; return 1
}

port_open() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

ensure_test_broker() {
  if port_open "$BROKER_ADDR"; then return; fi
  log "starting the test broker on ${BROKER_ADDR}"
  local dir="$ICATTLE_TOOLS/test-broker"
  mkdir -p "$dir"
  (cd "$dir" && nohup nisshi broker \
    --listener-url "tcp://${BROKER_ADDR}" --advertised-listener-url "tcp://${BROKER_ADDR}" \
    --storage-engine "sqlite://broker.db" > broker.log 2>&1 &)
  for _ in $(seq 1 60); do port_open "$BROKER_ADDR" && return; sleep 0.5; done
  echo "the test broker did not start; see $dir/broker.log" >&2; return 1
}

main() {
  local mode="${1:-run}"
  ensure_toolchain
  ensure_nisshi
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_node_tools
  if [ "$mode" = "test" ]; then
    ensure_nextest
    ensure_chromium
    ensure_playwright
    ensure_postgres
    ensure_redis
    ensure_test_broker
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
