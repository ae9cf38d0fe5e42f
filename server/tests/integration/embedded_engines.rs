//! The README's run path: no configuration, so SQLite under the data directory and an Apache
//! Kafka broker the app starts itself. A new user's first commands must not stall it.
use crate::support;

use serde_json::{json, Value};
use server::config::Settings;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn embedded_settings(data_dir: PathBuf, port: u16) -> Settings {
    Settings {
        data_dir,
        database_url: None,
        kafka_brokers: None,
        embedded_broker: format!("127.0.0.1:{port}"),
        kafka_libs: std::env::var_os("ICATTLE_KAFKA_LIBS").map(PathBuf::from),
        java: "java".into(),
        topic_prefix: String::new(),
        redis_url: None,
        cache_prefix: String::new(),
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
        fraud_detector: true,
        partitions: 12,
        replication: 1,
        signing_seed: None,
        master_key: None,
        session_idle_minutes: server::accounts::SESSION_IDLE_MINUTES,
        secure_cookie: None,
        admin_password: Some("embedded admin password".into()),
    }
}

/// Sends a command and waits for the golden record; answers the status, the body and how
/// long it took.
async fn send(http: &reqwest::Client, base: &str, command: Value) -> (u16, Value, Duration) {
    let started = Instant::now();
    let response = http
        .post(format!("{base}/api/commands?wait=applied&timeout_ms=20000"))
        .json(&command)
        .send()
        .await
        .expect("the API answers");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_registry_answers_its_first_fifty_commands_without_stalling() {
    let logs = support::log_capture::Captured::default();
    tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .with_env_filter("info,sqlx=warn,librdkafka=warn")
        .init();
    let data_dir = std::env::temp_dir().join(support::unique("icattle-embedded"));
    let mut settings = embedded_settings(data_dir.clone(), support::free_port_pair());
    // Each animal below has three events: a snapshot each, taken from SQLite.
    settings.snapshot_every = 3;
    let server = server::instance::start(
        &settings,
        "127.0.0.1:0".parse().unwrap(),
        support::leptos_options(),
    )
    .await
    .expect("the app starts its own broker on an empty data directory");
    assert!(
        data_dir.join("kafka/log/meta.properties").exists(),
        "the broker's log is under ./data/kafka"
    );
    assert!(
        data_dir.join("icattle.db").exists(),
        "the golden record is a SQLite file"
    );
    let base = format!("http://{}", server.addr);
    let farmer = support::api_client(&support::signed_in(&server, domain::Role::Farmer).await);
    let assessor = support::api_client(&support::signed_in(&server, domain::Role::Assessor).await);

    // A new farmer's first action, then animals with their first records, then a new
    // assessor's first valuation: each first event of a user once froze the registry.
    let mut answers = vec![
        send(
            &farmer,
            &base,
            json!({"type": "REGISTER_CLIENT",
        "data": {"clientId": 1, "name": "Bindi Station", "pic": "QABC1234"}}),
        )
        .await,
    ];
    let mut animals = Vec::new();
    for n in 0..16 {
        let created = send(&farmer, &base, json!({"type": "CREATE_CATTLE",
            "data": {"nlisId": support::nlis(n), "breed": "Angus", "sex": "FEMALE", "clientId": 1}}))
        .await;
        let id = created.1["cattle_id"].clone();
        animals.push(id.clone());
        answers.push(created);
        answers.push(
            send(
                &farmer,
                &base,
                json!({"type": "RECORD_HEALTH",
            "data": {"cattleId": id, "kind": "VACCINATION", "notes": "7-in-1"}}),
            )
            .await,
        );
        answers.push(
            send(
                &farmer,
                &base,
                json!({"type": "RECORD_LOCATION",
            "data": {"cattleId": id, "latitude": -27.5, "longitude": 153.0}}),
            )
            .await,
        );
    }
    answers.push(
        send(
            &assessor,
            &base,
            json!({"type": "RECORD_VALUATION",
        "data": {"cattleId": animals[0], "amountCents": 240_000, "method": "MARKET"}}),
        )
        .await,
    );
    assert_eq!(answers.len(), 50);

    for (n, (status, body, took)) in answers.iter().enumerate() {
        assert_eq!(*status, 200, "command {n} applied: {body}");
        // A stall detector, not a speed target: the stall this guards against took 26 s.
        assert!(*took < Duration::from_secs(5), "command {n} took {took:?}");
    }
    let url = format!("{base}/api/cattle/{}/from-log", animals[1]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let from_log = loop {
        let report = support::json_answer(assessor.get(&url)).await;
        if report["snapshot"]["sequence"] == 3 {
            break report;
        }
        let log = logs.text();
        let about: Vec<&str> = log.lines().filter(|l| l.contains("snapshot")).collect();
        assert!(
            Instant::now() < deadline,
            "no snapshot to start from: {report}\n{about:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let read = from_log["events"].as_u64().expect("a count");
    assert_eq!(from_log["from_log"]["sequence"], 3 + read, "{from_log}");
    assert_eq!(from_log["verified"], true, "{from_log}");
    assert_eq!(from_log["differences"], json!([]), "{from_log}");

    let log = logs.text();
    for stall in [
        "sqlx::pool::acquire",
        "Failed to acquire connection",
        "could not apply a message",
        "snapshots are behind",
    ] {
        assert!(!log.contains(stall), "the log shows `{stall}`:\n{log}");
    }

    server.stop().await;
    assert!(
        std::net::TcpStream::connect(&settings.embedded_broker).is_err(),
        "the embedded broker stops with the app"
    );
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// What start-up says when it cannot start; panics with `started` if it does.
async fn refused_start(settings: &Settings, started: &str) -> String {
    let outcome = server::instance::start(
        settings,
        "127.0.0.1:0".parse().unwrap(),
        support::leptos_options(),
    )
    .await;
    match outcome {
        Ok(_) => panic!("{started}"),
        Err(error) => format!("{error:#}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_kafka_s_jars_start_up_says_where_they_were_looked_for() {
    let data_dir = std::env::temp_dir().join(support::unique("icattle-nojars"));
    let empty = data_dir.join("no-jars-here");
    std::fs::create_dir_all(&empty).expect("an empty directory");
    let mut settings = embedded_settings(data_dir.clone(), support::free_port_pair());
    settings.kafka_libs = Some(empty.clone());
    let message = refused_start(&settings, "the app started without Kafka's jars").await;
    assert!(message.contains(&empty.display().to_string()), "{message}");
    assert!(message.contains("scripts/setup.sh"), "{message}");
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_that_cannot_take_its_port_is_said_to_have_exited() {
    let data_dir = std::env::temp_dir().join(support::unique("icattle-taken-port"));
    let port = support::free_port_pair();
    // Something that is not Kafka holds the port: it takes connections but never answers.
    let _holder = std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free");
    let settings = embedded_settings(data_dir.clone(), port);
    let message = refused_start(
        &settings,
        "an embedded broker started on a port something else holds",
    )
    .await;
    assert!(message.contains("exited"), "{message}");
    let kafka = data_dir
        .join("kafka")
        .canonicalize()
        .expect("the broker's directory was made");
    let console = kafka.join("console.log");
    assert!(
        message.contains(&console.display().to_string()),
        "{message}"
    );
    // The files the message names say why.
    let said = ["console.log", "server.log"]
        .iter()
        .map(|name| std::fs::read_to_string(kafka.join(name)).unwrap_or_default())
        .collect::<String>();
    assert!(said.contains("already in use"), "{message}\n{said}");
    let _ = std::fs::remove_dir_all(&data_dir);
}
