//! Shared set-up of the integration tests: each test gets its own PostgreSQL database and
//! its own topic prefix on the real broker, so tests run in parallel and again.
#![allow(dead_code)]

pub mod herd_history;
pub mod kafka_cluster;
pub mod log_capture;
pub mod openssl_tsa;
pub mod rebuilds;
pub mod served;
pub mod views;

use leptos::prelude::LeptosOptions;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use server::config::Settings;
use server::instance::{self, Instance};
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The broker the test script started.
pub fn brokers() -> String {
    std::env::var("ICATTLE_TEST_BROKERS").unwrap_or_else(|_| "127.0.0.1:9092".into())
}

/// The Redis the test script started.
pub fn redis_url() -> String {
    std::env::var("ICATTLE_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// The PostgreSQL server's maintenance database URL.
fn admin_url() -> String {
    std::env::var("ICATTLE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/postgres".into())
}

/// A short unique name for this test's database and topics.
pub fn unique(label: &str) -> String {
    format!("{label}_{}", uuid::Uuid::new_v4().simple())
}

/// Creates an empty database of its own and returns its URL.
pub async fn fresh_database(label: &str) -> String {
    let name = unique(&format!("icattle_t_{label}"));
    let admin = Database::connect(admin_url())
        .await
        .expect("PostgreSQL is running");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create the test database");
    let base = admin_url();
    let root = base.rsplit_once('/').map(|(root, _)| root).unwrap_or(&base);
    format!("{root}/{name}")
}

/// Partitions of a test's topics: enough to keep several animals apart, few enough that a
/// whole suite does not load the broker with thousands of partitions.
pub const TEST_PARTITIONS: i32 = 3;

/// Settings for a server on the real engines with its own database and topics. When the
/// test ends (this value is dropped) its topics, its database and its data directory go.
pub async fn settings(label: &str) -> TestSettings {
    let data_dir: PathBuf = std::env::temp_dir().join(unique("icattle-test-data"));
    TestSettings(Settings {
        data_dir,
        database_url: Some(fresh_database(label).await),
        kafka_brokers: Some(brokers()),
        embedded_broker: "127.0.0.1:1".into(),
        kafka_libs: None,
        java: "java".into(),
        topic_prefix: format!("{}.", unique(label)),
        redis_url: Some(redis_url()),
        cache_prefix: format!("{}:", unique(label)),
        audit_url: None,
        meili_url: None,
        meili_key: None,
        meili_index: "cattle".into(),
        snapshot_every: 1000,
        head_every_events: 1000,
        head_every_secs: 1,
        tsa_url: None,
        tsa_cert: None,
        run_views: true,
        share_views: false,
        run_log_copies: true,
        // Most tests assert on exactly the events they wrote; `fraud_detector.rs` and the
        // end-to-end tests run the detector.
        fraud_detector: false,
        partitions: TEST_PARTITIONS,
        replication: 1,
        signing_seed: Some(test_key().seed_hex()),
        master_key: None,
        session_idle_minutes: server::accounts::SESSION_IDLE_MINUTES,
        secure_cookie: None,
        admin_password: None,
    })
}

/// A test's settings, cleaning up after the test.
pub struct TestSettings(pub Settings);

impl std::ops::Deref for TestSettings {
    type Target = Settings;
    fn deref(&self) -> &Settings {
        &self.0
    }
}

impl std::ops::DerefMut for TestSettings {
    fn deref_mut(&mut self) -> &mut Settings {
        &mut self.0
    }
}

impl Drop for TestSettings {
    fn drop(&mut self) {
        let settings = self.0.clone();
        // Its own thread and runtime: drop may run inside (or outside) the test's runtime.
        let cleaned = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for clean-up");
            runtime.block_on(clean_up(&settings));
        })
        .join();
        if cleaned.is_err() {
            eprintln!("the test's clean-up failed");
        }
    }
}

/// Deletes a test's topics (every topic with its prefix), its database and its data directory.
pub async fn clean_up(settings: &Settings) {
    use rdkafka::admin::{AdminClient, AdminOptions};
    use rdkafka::client::DefaultClientContext;
    if let Some(brokers) = &settings.kafka_brokers {
        if !settings.topic_prefix.is_empty() {
            let admin: Result<AdminClient<DefaultClientContext>, _> = rdkafka::ClientConfig::new()
                .set("bootstrap.servers", brokers)
                .create();
            if let Ok(admin) = admin {
                let names: Vec<String> = admin
                    .inner()
                    .fetch_metadata(None, Duration::from_secs(10))
                    .map(|metadata| {
                        metadata
                            .topics()
                            .iter()
                            .map(|t| t.name().to_string())
                            .filter(|name| name.starts_with(&settings.topic_prefix))
                            .collect()
                    })
                    .unwrap_or_default();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                if !names.is_empty() {
                    if let Err(error) = admin.delete_topics(&names, &AdminOptions::new()).await {
                        eprintln!("could not delete the test's topics: {error}");
                    }
                }
            }
        }
    }
    if let Some(url) = &settings.database_url {
        drop_database(url).await;
    }
    let _ = std::fs::remove_dir_all(&settings.data_dir);
}

/// Drops a database `fresh_database` made (and no other).
pub async fn drop_database(url: &str) {
    let Some((_, name)) = url.rsplit_once('/') else {
        return;
    };
    if !name.starts_with("icattle_t_") {
        return;
    }
    if let Ok(admin) = Database::connect(admin_url()).await {
        let dropped = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        if let Err(error) = dropped {
            eprintln!("could not drop the test's database {name}: {error}");
        }
    }
}

/// Sends a request and reads its JSON answer.
pub async fn json_answer(request: reqwest::RequestBuilder) -> serde_json::Value {
    request
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON answer")
}

/// Sends a request and reads its JSON answer; `None` while the server cannot answer it (for
/// [`eventually`]).
pub async fn json_if_answered(request: reqwest::RequestBuilder) -> Option<serde_json::Value> {
    request.send().await.ok()?.json().await.ok()
}

/// The offset after the last message of `topic`, summed over its partitions.
pub fn log_end(topic: &str) -> i64 {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", unique("watermarks"))
        .create()
        .expect("a consumer");
    (0..TEST_PARTITIONS)
        .map(|p| {
            consumer
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .expect("watermarks")
                .1
        })
        .sum()
}

/// POSTs `body` as JSON: the status and the JSON answer (`Null` when it has none).
pub async fn post(
    http: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let response = http
        .post(url)
        .json(body)
        .send()
        .await
        .expect("the API answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// Where `free_port_pair` looks: below the kernel's ephemeral range (32768 and up here), so
/// no connection a test opens meanwhile takes either port as its own end before the broker
/// binds them. A pair the kernel handed out once did exactly that: the broker found its
/// controller port taken and stopped.
const PAIRS_FROM: u16 = 20_000;
const PAIRS_TO: u16 = 32_000;

/// A free port whose successor is free too (an embedded broker's controller listens there).
pub fn free_port_pair() -> u16 {
    loop {
        let span = u128::from(PAIRS_TO - PAIRS_FROM);
        let port = PAIRS_FROM + (uuid::Uuid::new_v4().as_u128() % span) as u16;
        let free = |port: u16| std::net::TcpListener::bind(("127.0.0.1", port)).is_ok();
        if free(port) && free(port + 1) {
            return port;
        }
    }
}

/// Leptos options good enough for serving the API in tests.
pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("icattle")
        .site_root("target/site")
        .build()
}

/// Starts a server on an ephemeral port.
pub async fn start(settings: &Settings) -> Instance {
    instance::start(settings, "127.0.0.1:0".parse().unwrap(), leptos_options())
        .await
        .expect("the server starts on the real engines")
}

/// Connects to a test's database.
pub async fn connect(settings: &Settings) -> DatabaseConnection {
    server::database::open(&settings.database_url(), &settings.data_dir)
        .await
        .expect("connect to the test database")
}

/// Polls `check` until it returns `Some`, or panics after `within`.
pub async fn eventually<T, F, Fut>(within: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if start.elapsed() > within {
            panic!("timed out after {within:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Counts the rows of a table.
pub async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let row = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("count query")
        .expect("one row");
    row.try_get::<i64>("", "n").expect("a count")
}

/// A valid NLIS id made from a number, unique within a test.
pub fn nlis(n: u32) -> String {
    format!("TST{n:013}")
}

/// A signed CATTLE_CREATED envelope for animal number `n`, as the command handler makes it.
pub fn created_envelope(key: &domain::SigningKeyPair, n: u32) -> domain::EventEnvelope {
    created_envelope_by(key, n, None)
}

/// The same, claiming to be created by `created_by`.
pub fn created_envelope_by(
    key: &domain::SigningKeyPair,
    n: u32,
    created_by: Option<&str>,
) -> domain::EventEnvelope {
    domain::seal(
        created_draft(n, created_by),
        &domain::ChainHead::default(),
        key,
    )
}

/// The draft of animal `n`'s registration, to seal after changing a field.
pub fn created_draft(n: u32, created_by: Option<&str>) -> domain::EventDraft {
    let nlis = nlis(n);
    let now = "2026-11-29T10:00:00.000Z".to_string();
    domain::EventDraft {
        event_id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
        event_type: domain::EventType::CattleCreated,
        event_ref: format!("cattle-created-{nlis}"),
        cattle_id: domain::CattleId::for_nlis(&nlis),
        occurred_at: now.clone(),
        recorded_at: now,
        correlation_id: None,
        causation_id: None,
        source_system: domain::SourceSystem::ICattle,
        created_by: created_by.map(str::to_string),
        payload: serde_json::json!({
            "nlisId": nlis, "breed": "Angus", "sex": "FEMALE", "clientId": 1 + n % 5
        }),
        provenance: None,
    }
}

/// Column `v` of every row `sql` answers, as text.
pub async fn strings(db: &sea_orm::DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all(sea_orm::Statement::from_string(
        db.get_database_backend(),
        sql,
    ))
    .await
    .expect("a query")
    .into_iter()
    .map(|row| row.try_get::<String>("", "v").expect("a string"))
    .collect()
}

/// A fresh signing key for a test.
pub fn test_key() -> domain::SigningKeyPair {
    domain::SigningKeyPair::from_seed(server::keys::random_seed().expect("randomness"))
}

/// The next envelope of a stream after `before`, decided and sealed from a command.
pub fn next_envelope(
    key: &domain::SigningKeyPair,
    before: &[domain::EventEnvelope],
    command: serde_json::Value,
) -> domain::EventEnvelope {
    let second = before.len().min(59);
    next_envelope_at(
        key,
        before,
        command,
        &format!("2026-11-29T10:00:{second:02}.000Z"),
    )
}

/// The same, happening at `at` (RFC 3339).
pub fn next_envelope_at(
    key: &domain::SigningKeyPair,
    before: &[domain::EventEnvelope],
    command: serde_json::Value,
    at: &str,
) -> domain::EventEnvelope {
    next_envelope_by(key, before, command, at, None)
}

/// The same, naming `created_by` as its author.
pub fn next_envelope_by(
    key: &domain::SigningKeyPair,
    before: &[domain::EventEnvelope],
    command: serde_json::Value,
    at: &str,
    created_by: Option<&str>,
) -> domain::EventEnvelope {
    let mut head = domain::ChainHead::default();
    let mut state = None;
    for envelope in before {
        let folded = domain::fold_verified(envelope, &head, state.take(), true).expect("folds");
        head = folded.head;
        state = Some(folded.state);
    }
    let cattle = match state {
        Some(domain::StreamState::Cattle(cattle)) => Some(cattle),
        _ => None,
    };
    let command = domain::Command::parse_valid(&command).expect("a valid command");
    let domain::DecidedEvent {
        event_type,
        payload,
        event_ref,
    } = domain::decide(cattle.as_ref(), &command)
        .expect("an allowed command")
        .remove(0);
    let now = at.to_string();
    let draft = domain::EventDraft {
        event_id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
        event_type,
        event_ref,
        cattle_id: command.cattle_id(),
        occurred_at: now.clone(),
        recorded_at: now,
        correlation_id: None,
        causation_id: None,
        source_system: domain::SourceSystem::ICattle,
        created_by: created_by.map(str::to_string),
        payload,
        provenance: None,
    };
    domain::seal(draft, &head, key)
}

/// The user whose session `token` is.
pub async fn user_of(server: &Instance, token: &str) -> app::model::SignedInUser {
    server
        .accounts
        .session_user(token)
        .await
        .expect("a session")
        .expect("a user")
}

/// The signed-in user of `token` with the key their events are signed with.
pub async fn actor_of(server: &Instance, token: &str) -> server::accounts::Actor {
    let user = server
        .accounts
        .session_user(token)
        .await
        .expect("a session")
        .expect("a user");
    server.accounts.actor(&user).await.expect("the user's key")
}

/// Makes a user of `role` on this server and signs them in: their bearer token.
pub async fn signed_in(server: &Instance, role: domain::Role) -> String {
    let username = unique(&role.as_str().to_lowercase()).replace('_', "-");
    let username: String = username.chars().take(40).collect();
    let new = server::accounts::NewUser {
        username: username.clone(),
        password: "a long test password".into(),
        role: role.as_str().into(),
    };
    server
        .accounts
        .create_user(Some("admin"), &new)
        .await
        .expect("create a test user");
    let (token, _) = server
        .accounts
        .sign_in(&username, "a long test password", None)
        .await
        .expect("sign the test user in");
    token
}

/// An HTTP client that sends `token` as its session.
pub fn api_client(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("a header value"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("an HTTP client")
}

/// The PIC the test helpers give client `id`.
pub fn pic_of(id: i64) -> String {
    format!("QTST{:04}", id % 10_000)
}

/// Sends `command` as `http`'s user and waits until the golden record applied it.
pub async fn applied_command(
    server: &Instance,
    http: &reqwest::Client,
    command: serde_json::Value,
) {
    let response = http
        .post(format!(
            "http://{}/api/commands?wait=applied&timeout_ms=20000",
            server.addr
        ))
        .json(&command)
        .send()
        .await
        .expect("the API answers");
    assert_eq!(response.status(), 200, "{command} applied");
}

/// Registers client `id` as `http`'s user and waits until the golden record has it.
pub async fn register_client(server: &Instance, http: &reqwest::Client, id: i64) {
    let command = serde_json::json!({"type": "REGISTER_CLIENT",
        "data": {"clientId": id, "name": format!("Test station {id}"), "pic": pic_of(id)}});
    applied_command(server, http, command).await;
}

/// A farmer managing clients `ids`, signed in: an HTTP client acting for them.
pub async fn farmer_with_clients(server: &Instance, ids: &[i64]) -> (reqwest::Client, String) {
    let token = signed_in(server, domain::Role::Farmer).await;
    let http = api_client(&token);
    for id in ids {
        register_client(server, &http, *id).await;
    }
    (http, token)
}

/// The live socket of `addr`, opened with `token` as its session.
pub async fn live_socket(
    addr: std::net::SocketAddr,
    token: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{addr}/ws")
        .into_client_request()
        .expect("a WebSocket request");
    request.headers_mut().insert(
        "cookie",
        format!("icattle_session={token}")
            .parse()
            .expect("a header value"),
    );
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the live socket opens");
    socket
}

/// The root key a server started with `settings` signs with.
pub fn root_key(settings: &Settings) -> domain::SigningKeyPair {
    domain::SigningKeyPair::from_seed_hex(settings.signing_seed.as_deref().expect("a seed"))
        .expect("the root key")
}

/// The keys a replay from the log alone trusts: the root key of `settings`, and every key
/// the key stream on their topics registers.
pub fn trusted_from_log(settings: &Settings) -> server::keys::TrustedKeys {
    let root = root_key(settings).public_key_hex();
    let topics = server::kafka::topics::Topics::new(&settings.topic_prefix);
    let brokers = settings.kafka_brokers.clone().unwrap_or_else(brokers);
    let stream = server::key_stream::KeyStream::new(
        &brokers,
        &topics.key_registry(),
        &root,
        server::keys::SERVER_OWNER,
    );
    server::keys::TrustedKeys::new([root]).with_key_stream(stream)
}

/// What writes the key stream of `settings` (its topics made first), as a server started
/// with them would.
pub async fn key_registrar(settings: &Settings) -> server::key_stream::KeyRegistrar {
    let topics = server::kafka::topics::Topics::new(&settings.topic_prefix);
    let brokers = settings.kafka_brokers.clone().unwrap_or_else(brokers);
    server::kafka::topics::ensure_topics(&brokers, &topics, settings.topic_layout())
        .await
        .expect("topics");
    let root = root_key(settings);
    let stream = server::key_stream::KeyStream::new(
        &brokers,
        &topics.key_registry(),
        &root.public_key_hex(),
        server::keys::SERVER_OWNER,
    );
    let publisher = server::kafka::publisher::EventPublisher::new(
        server::kafka::publisher::idempotent_producer(&brokers).expect("a producer"),
        topics.key_registry(),
    );
    server::key_stream::KeyRegistrar::new(stream, publisher, std::sync::Arc::new(root))
}
