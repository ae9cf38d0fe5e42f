#!/usr/bin/env bash
# Runs every test of iCattle: format and lint, the domain on wasm32, unit and property
# tests, integration tests against the real PostgreSQL, Redis and Kafka-protocol broker,
# and the Playwright tests against the built app. Installs and starts what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=setup.sh
source scripts/setup.sh
main test

if ! python3 -c 'import confluent_kafka' 2>/dev/null; then
  log "installing the independent Kafka client (PyPI confluent-kafka)"
  python3 -m pip install --quiet --disable-pip-version-check "confluent-kafka==2.16.1"
fi

export ICATTLE_TEST_BROKERS="$BROKER_ADDR"
export ICATTLE_TEST_DATABASE_URL="${ICATTLE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export ICATTLE_TEST_REDIS_URL="${ICATTLE_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A clean clone gains nothing from incremental caches, which cost gigabytes of disk.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*" >&2; }

# Each integration test makes a database of its own; sweep away those of earlier runs.
for stale in $(psql -At -h 127.0.0.1 -U postgres -d postgres \
  -c "SELECT datname FROM pg_database WHERE datname LIKE 'icattle\_t\_%' OR datname LIKE 'icattle\_e2e\_%'"); do
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS \"${stale}\"" || true
done

step "format"
cargo fmt --all -- --check

step "lint (server side, then the browser side on wasm32)"
cargo clippy -p domain -p migrations -p server --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "the domain compiles to wasm32"
cargo build -p domain --target wasm32-unknown-unknown

step "unit, property and integration tests"
cargo nextest run -p domain -p app -p migrations -p server --no-fail-fast

step "build the web app (server + hydrated wasm + style)"
cargo leptos build

step "end-to-end: Playwright against the app on PostgreSQL and the broker"
run_id="$(date +%s)_$$"
database="icattle_e2e_${run_id}"
prefix="e2e-${run_id}."
data_dir="$(mktemp -d)"
port="${ICATTLE_E2E_PORT:-3310}"
admin_password="e2e-admin-${run_id}"
psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE ${database}"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS ${database}" || true
  rm -rf "$data_dir"
}
trap cleanup EXIT
DATABASE_URL="postgres://postgres@127.0.0.1:5432/${database}" \
KAFKA_BROKERS="$BROKER_ADDR" \
ICATTLE_TOPIC_PREFIX="$prefix" \
ICATTLE_DATA_DIR="$data_dir" \
ICATTLE_LISTEN="127.0.0.1:${port}" \
ICATTLE_ADMIN_PASSWORD="$admin_password" \
LEPTOS_SITE_ROOT="target/site" \
LEPTOS_OUTPUT_NAME="icattle" \
RUST_LOG="${RUST_LOG:-info,sqlx=warn}" \
  target/debug/icattle > "$data_dir/server.log" 2>&1 &
server_pid=$!
if ! (cd end2end && ICATTLE_URL="http://127.0.0.1:${port}" \
      ICATTLE_E2E_ADMIN_PASSWORD="$admin_password" ICATTLE_E2E_BROKERS="$BROKER_ADDR" \
      ICATTLE_E2E_TOPIC="${prefix}icattle.cattle.events" npx playwright test); then
  echo "--- server log ---" >&2; tail -n 80 "$data_dir/server.log" >&2
  exit 1
fi

step "an independent Kafka client reads the seed's envelope from the topic"
python3 scripts/peek_events.py --brokers "$BROKER_ADDR" --topic "${prefix}icattle.cattle.events" \
  --count 1 --check > /dev/null

echo
echo "all test suites passed"
