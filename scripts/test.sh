#!/usr/bin/env bash
# Runs every test of iCattle: format and lint, the domain on wasm32, unit and property
# tests, integration tests against the real PostgreSQL, Redis and Apache Kafka, and the
# Playwright tests against the built app, on those engines and on its embedded defaults.
# Installs and starts what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=setup.sh
source scripts/setup.sh
main test

KAFKA_RUNNING="$(test_broker_version)"
log "engines: Apache Kafka ${KAFKA_RUNNING:-$KAFKA_VERSION} on ${BROKER_ADDR}, $(psql -qAt -h 127.0.0.1 -U postgres -d postgres -c 'SHOW server_version' | cut -d' ' -f1 | sed 's/^/PostgreSQL /'), $(redis-server --version | cut -d' ' -f1-3)"

export ICATTLE_TEST_BROKERS="$BROKER_ADDR"
export ICATTLE_TEST_DATABASE_URL="${ICATTLE_TEST_DATABASE_URL:-postgres://postgres:${PGPASSWORD}@127.0.0.1:5432/postgres}"
export ICATTLE_TEST_REDIS_URL="${ICATTLE_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A clean clone gains nothing from incremental caches, which cost gigabytes of disk.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi
# cargo-leptos builds a debug app with `--cfg erase_components`. Every build here gets the
# same flags, so the test build's `icattle` is the app the end-to-end runs serve and nothing
# is compiled twice: RUSTFLAGS that differ rebuild every crate.
export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg erase_components"
# A clean clone compiles every dependency again; sccache keeps what rustc made for them in a
# cache outside the clone. It hashes rustc's working directory (the clone), so a clone at a
# path used before compiles only the workspace's own crates.
export RUSTC_WRAPPER="${RUSTC_WRAPPER-sccache}"
export SCCACHE_DIR="${SCCACHE_DIR:-$ICATTLE_TOOLS/sccache}"
export SCCACHE_CACHE_SIZE="${SCCACHE_CACHE_SIZE:-20G}"
stop_sccache() {
  if [ "$RUSTC_WRAPPER" = "sccache" ]; then sccache --stop-server >/dev/null 2>&1 || true; fi
}
trap stop_sccache EXIT

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*" >&2; }

# Each test drops its database when done; sweep away those of runs that were interrupted.
for stale in $(psql -At -h 127.0.0.1 -U postgres -d postgres \
  -c "SELECT datname FROM pg_database WHERE datname LIKE 'icattle\_t\_%' OR datname LIKE 'icattle\_e2e\_%'"); do
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS \"${stale}\" WITH (FORCE)" || true
done

step "format"
cargo fmt --all -- --check

step "lint (server side, then the browser side on wasm32)"
cargo clippy -p domain -p migrations -p server --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "import rules of server/src (ARCHITECTURE.md)"
python3 scripts/check_imports.py

step "the domain compiles to wasm32"
cargo build -p domain --target wasm32-unknown-unknown

step "unit, property and integration tests (Apache Kafka ${KAFKA_RUNNING:-$KAFKA_VERSION}, PostgreSQL, Redis)"
cargo nextest run -p domain -p app -p migrations -p server --no-fail-fast

step "build the web app's browser side (hydrated wasm + style; the server is the test build's)"
cargo leptos build --frontend-only

run_id="$(date +%s)_$$"
admin_password="e2e-admin-${run_id}"
server_pid=""
data_dir="$(mktemp -d)"
database="icattle_e2e_${run_id}"
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS ${database} WITH (FORCE)" || true
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS ${database}_seeded WITH (FORCE)" || true
  rm -rf "$data_dir"
  stop_sccache
}
trap cleanup EXIT
# Starts the built app in the background with the given extra environment.
start_server() {
  local port="$1" log="$2"
  shift 2
  env "$@" ICATTLE_LISTEN="127.0.0.1:${port}" ICATTLE_ADMIN_PASSWORD="$admin_password" \
    LEPTOS_SITE_ROOT="target/site" LEPTOS_OUTPUT_NAME="icattle" \
    RUST_LOG="${RUST_LOG:-info,sqlx=warn}" target/debug/icattle >"$log" 2>&1 &
  server_pid=$!
}
# Waits until the app started by start_server answers, or fails with its log if it stops.
await_server() {
  local port="$1" log="$2"
  for _ in $(seq 1 360); do
    if port_open "127.0.0.1:${port}"; then return; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "--- the app stopped while starting; its log: ---" >&2; tail -n 40 "$log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "the app did not answer on port ${port} within 180 s; see ${log}" >&2
  return 1
}
playwright() {
  local port="$1"
  shift
  (cd end2end && ICATTLE_URL="http://127.0.0.1:${port}" ICATTLE_E2E_ADMIN_PASSWORD="$admin_password" \
    ICATTLE_E2E_BROKERS="$BROKER_ADDR" npx playwright test "$@")
}

step "end-to-end: Playwright against the app on PostgreSQL and Apache Kafka"
prefix="e2e-${run_id}."
port="${ICATTLE_E2E_PORT:-3310}"
psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE ${database}"
start_server "$port" "$data_dir/server.log" \
  DATABASE_URL="postgres://postgres:${PGPASSWORD}@127.0.0.1:5432/${database}" \
  KAFKA_BROKERS="$BROKER_ADDR" ICATTLE_TOPIC_PREFIX="$prefix" ICATTLE_DATA_DIR="$data_dir/pg"
await_server "$port" "$data_dir/server.log"
if ! ICATTLE_E2E_TOPIC="${prefix}icattle.cattle.events" \
  ICATTLE_E2E_SERVER_SEED_FILE="$data_dir/pg/keys/server.seed" \
  playwright "$port" --grep-invert '@embedded|@seeded'; then
  echo "--- server log ---" >&2; tail -n 80 "$data_dir/server.log" >&2
  exit 1
fi

step "an independent Kafka client reads the seed's envelope and its CloudEvents headers"
python3 scripts/peek_events.py --brokers "$BROKER_ADDR" --topic "${prefix}icattle.cattle.events" \
  --count 5 --check >/dev/null
stop_server

seed_animals="${ICATTLE_E2E_SEED_ANIMALS:-10000}"
step "end-to-end: ${seed_animals} animals made by icattle seed, and their pages at that size"
seeded_port="${ICATTLE_E2E_SEEDED_PORT:-3312}"
psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE ${database}_seeded"
start_server "$seeded_port" "$data_dir/seeded.log" \
  DATABASE_URL="postgres://postgres:${PGPASSWORD}@127.0.0.1:5432/${database}_seeded" \
  KAFKA_BROKERS="$BROKER_ADDR" ICATTLE_TOPIC_PREFIX="e2e-seeded-${run_id}." \
  ICATTLE_DATA_DIR="$data_dir/seeded"
await_server "$seeded_port" "$data_dir/seeded.log"
seed_password="seed-${run_id}"
ICATTLE_ADMIN_PASSWORD="$admin_password" target/debug/icattle seed "$seed_animals" \
  --url "http://127.0.0.1:${seeded_port}" --password "$seed_password"
if ! ICATTLE_SEED_PASSWORD="$seed_password" ICATTLE_SEED_ANIMALS="$seed_animals" \
  playwright "$seeded_port" --grep @seeded; then
  echo "--- server log ---" >&2; tail -n 80 "$data_dir/seeded.log" >&2
  exit 1
fi
stop_server

step "end-to-end: the README's run path (SQLite and the Apache Kafka broker the app starts)"
embedded_port="${ICATTLE_E2E_EMBEDDED_PORT:-3311}"
embedded_broker="127.0.0.1:${ICATTLE_E2E_EMBEDDED_BROKER_PORT:-19392}"
start_server "$embedded_port" "$data_dir/embedded.log" \
  ICATTLE_DATA_DIR="$data_dir/embedded" ICATTLE_EMBEDDED_BROKER="$embedded_broker"
await_server "$embedded_port" "$data_dir/embedded.log"
if ! playwright "$embedded_port" --grep @embedded; then
  echo "--- server log ---" >&2; tail -n 80 "$data_dir/embedded.log" >&2
  exit 1
fi
python3 scripts/peek_events.py --brokers "$embedded_broker" --count 5 --check >/dev/null
if grep -E 'sqlx::pool::acquire|Failed to acquire connection|could not apply a message' \
  "$data_dir/embedded.log"; then
  echo "the embedded run stalled on its database (above)" >&2
  exit 1
fi
stop_server
if port_open "$embedded_broker"; then
  echo "the embedded broker outlived the app that started it" >&2
  exit 1
fi

echo
echo "all test suites passed (Apache Kafka ${KAFKA_RUNNING:-$KAFKA_VERSION})"
