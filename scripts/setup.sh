#!/usr/bin/env bash
# Installs and starts everything iCattle needs, reusing whatever is already there.
#
#   scripts/setup.sh run    tools to build and run the app (toolchain, cargo-leptos,
#                           wasm-bindgen, wasm-opt, Java and Apache Kafka's jars)
#   scripts/setup.sh test   all of the above, plus cargo-nextest, sccache, Chromium, Playwright, and
#                           PostgreSQL, Redis and an Apache Kafka test broker running on 127.0.0.1
#
# Tools are installed once into caches outside the clone (~/.cargo/bin and
# $ICATTLE_TOOLS), so a fresh clone does not rebuild them. Source this file to get
# the PATH it sets up; run it to install.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN="1.96.0"
KAFKA_VERSION="4.1.1"
CARGO_LEPTOS_VERSION="0.3.11"
WASM_BINDGEN_VERSION="0.2.130"
BINARYEN_VERSION="132.0.0"
NEXTEST_VERSION="0.9.151"
SCCACHE_VERSION="0.19.0"
ICATTLE_TOOLS="${ICATTLE_TOOLS:-$HOME/.cache/icattle}"
BROKER_ADDR="${ICATTLE_TEST_BROKER:-127.0.0.1:9092}"
# The app's embedded broker (server/src/kafka/embedded_broker.rs) takes its jars from here.
ICATTLE_KAFKA_LIBS="${ICATTLE_KAFKA_LIBS:-$ICATTLE_TOOLS/kafka/current/libs}"
# The local test PostgreSQL's superuser password (set by ensure_postgres; loopback only).
export PGPASSWORD="${PGPASSWORD:-postgres}"
export ICATTLE_TOOLS ICATTLE_KAFKA_LIBS
export PATH="$HOME/.cargo/bin:$ICATTLE_TOOLS/node/node_modules/.bin:$PATH"

log() { printf '\033[1;32m[setup]\033[0m %s\n' "$*" >&2; }

APT_UPDATED=""
apt_install() {
  log "installing Debian packages: $*"
  if [ -z "$APT_UPDATED" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

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

ensure_java() {
  # Apache Kafka 4 needs Java 17 or newer; Maven fetches its jars.
  if ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
    apt_install openjdk-17-jre-headless
  fi
  if ! command -v mvn >/dev/null; then apt_install maven; fi
}

ensure_kafka_jars() {
  local home="$ICATTLE_TOOLS/kafka/$KAFKA_VERSION"
  if [ ! -f "$home/libs/kafka_2.13-$KAFKA_VERSION.jar" ]; then
    log "fetching Apache Kafka ${KAFKA_VERSION} from Maven Central (about a minute, once)"
    rm -rf "$home.partial"
    mkdir -p "$home.partial"
    if ! mvn -q -B -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
      -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime \
      -DoutputDirectory="$home.partial/libs" >"$ICATTLE_TOOLS/kafka-fetch.log" 2>&1; then
      tail -n 30 "$ICATTLE_TOOLS/kafka-fetch.log" >&2
      return 1
    fi
    rm -rf "$home" && mv "$home.partial" "$home"
  fi
  ln -sfn "$KAFKA_VERSION" "$ICATTLE_TOOLS/kafka/current"
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then return; fi
  log "installing cargo-leptos ${CARGO_LEPTOS_VERSION} (about 12 minutes, once)"
  cargo "+$TOOLCHAIN" install --locked cargo-leptos --version "$CARGO_LEPTOS_VERSION" \
    --features no_downloads
}

ensure_wasm_bindgen() {
  if wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then return; fi
  log "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION} (about 4 minutes, once)"
  # Its lockfile names a webpki-roots release the registry here may not serve. The first try
  # (quiet: its failure is expected here) also fetches the source; the fallback builds a copy
  # of that source with that one crate moved back a patch.
  mkdir -p "$ICATTLE_TOOLS"
  if cargo "+$TOOLCHAIN" install --locked wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" \
    >"$ICATTLE_TOOLS/wasm-bindgen-install.log" 2>&1; then
    return
  fi
  log "building wasm-bindgen-cli with webpki-roots 1.0.10 (the registry lacks its pinned one)"
  local src work
  src="$(ls -d "$HOME"/.cargo/registry/src/*/wasm-bindgen-cli-"$WASM_BINDGEN_VERSION" | head -n 1)"
  work="$(mktemp -d)"
  cp -r "$src" "$work/cli"
  (cd "$work/cli" && rm -f rust-toolchain.toml &&
    cargo "+$TOOLCHAIN" update -q -p webpki-roots --precise 1.0.10 &&
    cargo "+$TOOLCHAIN" install -q --locked --path .)
  rm -rf "$work"
}

ensure_nextest() {
  if cargo nextest --version 2>/dev/null | grep -q "$NEXTEST_VERSION"; then return; fi
  log "installing cargo-nextest ${NEXTEST_VERSION} (about 8 minutes, once)"
  cargo "+$TOOLCHAIN" install --locked cargo-nextest --version "$NEXTEST_VERSION"
}

ensure_sccache() {
  if sccache --version 2>/dev/null | grep -q "$SCCACHE_VERSION"; then return; fi
  log "installing sccache ${SCCACHE_VERSION} (about 4 minutes, once)"
  cargo "+$TOOLCHAIN" install --locked sccache --version "$SCCACHE_VERSION" --no-default-features
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
  apt_install chromium
}

# The tests' time-stamping authority is `openssl ts` (issue 18's RFC 3161 timestamps).
ensure_openssl() {
  if command -v openssl >/dev/null; then return; fi
  apt_install openssl
}

ensure_playwright() {
  if [ -d "$ROOT/end2end/node_modules/@playwright/test" ]; then return; fi
  log "installing Playwright (npm, without its browser download)"
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent)
}

ensure_python_kafka_client() {
  if python3 -c 'import confluent_kafka' 2>/dev/null; then return; fi
  log "installing the independent Kafka client (PyPI confluent-kafka)"
  python3 -m pip install --quiet --disable-pip-version-check "confluent-kafka==2.16.1"
}

ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    apt_install postgresql
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start" >&2; return 1; }
  fi
  # Debian's pg_hba.conf asks for a password over TCP: give the superuser the local test
  # password (through the socket, as the postgres user) unless it works already.
  if ! psql -qAt -h 127.0.0.1 -U postgres -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
    log "setting the local PostgreSQL superuser's password for the tests"
    runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD '${PGPASSWORD}'" >/dev/null
  fi
}

ensure_redis() {
  if ! command -v redis-server >/dev/null; then apt_install redis-server; fi
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return; fi
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli ping >/dev/null 2>&1 && return; sleep 1; done
  echo "Redis did not start" >&2; return 1
}

port_open() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

# The test broker is configured like the app's embedded one (embedded_broker.rs): one JVM
# that is both KRaft controller and broker, with logs in its directory.
write_kafka_config() {
  local dir="$1" addr="$2" controller="$3"
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=${controller}
listeners=PLAINTEXT://${addr},CONTROLLER://${controller}
advertised.listeners=PLAINTEXT://${addr}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${dir}/log
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  cat >"$dir/log4j2.properties" <<'EOF'
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
EOF
}

kafka_java() {
  local dir="$1"
  shift
  java -Xms256m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$dir/log4j2.properties" -Dkafka.logs.dir="$dir" \
    -cp "$ICATTLE_KAFKA_LIBS/*" "$@"
}

# The version the test broker reports in its own log.
test_broker_version() {
  sed -n 's/.*Kafka version: \([^ ]*\) .*/\1/p' "$ICATTLE_TOOLS/test-broker/server.log" \
    2>/dev/null | tail -n 1 || true
}

ensure_test_broker() {
  if port_open "$BROKER_ADDR"; then return; fi
  local dir="$ICATTLE_TOOLS/test-broker"
  local controller="${BROKER_ADDR%:*}:$((${BROKER_ADDR##*:} + 1))"
  log "starting an Apache Kafka ${KAFKA_VERSION} test broker on ${BROKER_ADDR} (a new cluster)"
  # Tests keep nothing: each start is a new cluster, so old test topics never slow it down.
  rm -rf "$dir" && mkdir -p "$dir"
  write_kafka_config "$dir" "$BROKER_ADDR" "$controller"
  local cluster_id
  cluster_id="$(kafka_java "$dir" kafka.tools.StorageTool random-uuid)"
  kafka_java "$dir" kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$dir/server.properties" --standalone >"$dir/format.log" 2>&1 ||
    { cat "$dir/format.log" >&2; return 1; }
  # Ignores hang-ups so it outlives the shell that started it, like nohup.
  (trap '' HUP; kafka_java "$dir" kafka.Kafka "$dir/server.properties" >"$dir/console.log" 2>&1 &)
  for _ in $(seq 1 120); do
    if grep -q 'Kafka Server started' "$dir/server.log" 2>/dev/null && port_open "$BROKER_ADDR"; then
      return
    fi
    sleep 0.5
  done
  echo "the test broker did not start; see $dir/server.log and $dir/console.log" >&2
  return 1
}

main() {
  local mode="${1:-run}"
  ensure_toolchain
  ensure_java
  ensure_kafka_jars
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_node_tools
  if [ "$mode" = "test" ]; then
    ensure_nextest
    ensure_sccache
    ensure_chromium
    ensure_openssl
    ensure_playwright
    ensure_python_kafka_client
    ensure_postgres
    ensure_redis
    ensure_test_broker
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
