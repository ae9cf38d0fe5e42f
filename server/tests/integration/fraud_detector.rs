//! The fraud detector on the real engines: a finding becomes a FRAUD_DETECTED event in the
//! animal's chain, signed with the detector's published key and copied to the fraud topic;
//! the fraud view raises the animal's risk and lowers it again when an assessor resolves the
//! alert; and a detector rebuilt from offset 0 raises nothing twice.
use crate::support;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};
use server::kafka::log_reader::read_topic;
use server::kafka::publisher::{idempotent_producer, EventPublisher};
use std::time::Duration;

const WITHIN: Duration = Duration::from_secs(20);
/// An alert's state as text, the same on PostgreSQL and SQLite.
const OPEN_OR_NOT: &str = "CASE WHEN resolved THEN 'true' ELSE 'false' END AS resolved";

async fn applied(http: &reqwest::Client, base: &str, body: Value) -> Value {
    let (status, answer) = support::post(
        http,
        &format!("{base}/api/commands?wait=applied&timeout_ms=20000"),
        &body,
    )
    .await;
    assert_eq!(status, 200, "{body} applied: {answer}");
    answer
}

/// One row of a query as strings, or None when there is none.
async fn row(db: &DatabaseConnection, sql: &str, columns: &[&str]) -> Option<Vec<String>> {
    let found = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("a query");
    found.map(|row| {
        columns
            .iter()
            .map(|column| {
                row.try_get::<String>("", column)
                    .or_else(|_| row.try_get::<i32>("", column).map(|n| n.to_string()))
                    .expect("a readable column")
            })
            .collect()
    })
}

/// The animal's confidence score in the fraud view, once it has seen `sequence` events.
async fn confidence_after(db: &DatabaseConnection, id: i64, sequence: u64) -> (i32, String) {
    support::eventually(WITHIN, "the fraud view to reach the event", || async {
        let head = row(
            db,
            &format!("SELECT CAST(chain_head AS TEXT) AS head FROM view_heads WHERE projection = 'fraud_view' AND aggregate_id = {id}"),
            &["head"],
        )
        .await?;
        let head: Value = serde_json::from_str(&head[0]).ok()?;
        (head["sequence"].as_u64()? >= sequence).then_some(())
    })
    .await;
    let risk = row(
        db,
        &format!("SELECT confidence_score, risk_level FROM risk_scores WHERE cattle_id = {id}"),
        &["confidence_score", "risk_level"],
    )
    .await
    .expect("a risk score");
    (risk[0].parse().expect("a number"), risk[1].clone())
}

/// The FRAUD_DETECTED envelopes of animal `id` on `topic`.
async fn detections(brokers: &str, topic: &str, id: i64) -> Vec<domain::EventEnvelope> {
    let (brokers, topic) = (brokers.to_string(), topic.to_string());
    let text = tokio::task::spawn_blocking(move || read_topic(&brokers, &topic, WITHIN))
        .await
        .expect("read")
        .expect("readable");
    text.lines()
        .filter_map(|line| domain::EventEnvelope::from_json_str(line).ok())
        .filter(|envelope| {
            envelope.metadata.event_type == domain::EventType::FraudDetected
                && envelope.metadata.cattle_id.0 == id
        })
        .collect()
}

/// The animal's rows in `suspicions`: "<suspicion> <confirmed>".
async fn suspicions_of(db: &DatabaseConnection, id: i64) -> Vec<String> {
    support::strings(
        db,
        &format!("SELECT suspicion_type || ' ' || CASE WHEN confirmed THEN 'true' ELSE 'false' END AS v FROM suspicions WHERE cattle_id = {id} ORDER BY suspicion_type"),
    )
    .await
}

/// The animal's alert as the fraud view holds it: id, suspicion, severity, resolved.
async fn alert_of(db: &DatabaseConnection, id: i64) -> Vec<String> {
    support::eventually(WITHIN, "the alert in the fraud view", || async {
        row(
            db,
            &format!("SELECT id, suspicion_type, severity, {OPEN_OR_NOT} FROM fraud_alerts WHERE cattle_id = {id}"),
            &["id", "suspicion_type", "severity", "resolved"],
        )
        .await
    })
    .await
}

/// The animal's FRAUD_DETECTED envelopes once the relay has copied one to the fraud topic.
async fn on_the_fraud_topic(
    server: &server::instance::Instance,
    id: i64,
) -> Vec<domain::EventEnvelope> {
    let fraud_topic = server.topics.category("icattle.fraud.events");
    support::eventually(WITHIN, "the alert on the fraud topic", || async {
        let found = detections(&server.brokers, &fraud_topic, id).await;
        (!found.is_empty()).then_some(found)
    })
    .await
}

/// An instance running the fraud detector on a test's own engines (keep the settings: they
/// clean up when dropped), its address and its database.
async fn with_detector(
    label: &str,
) -> (
    support::TestSettings,
    server::instance::Instance,
    String,
    DatabaseConnection,
) {
    let mut settings = support::settings(label).await;
    settings.fraud_detector = true;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let db = support::connect(&settings).await;
    (settings, server, base, db)
}

/// A publisher onto the instance's cattle log, as another system would write to it.
fn log_publisher(server: &server::instance::Instance) -> EventPublisher {
    EventPublisher::new(
        idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.cattle_events(),
    )
}

async fn detector_key(base: &str) -> String {
    let keys = support::json_answer(reqwest::Client::new().get(format!("{base}/api/keys"))).await;
    keys.as_array()
        .expect("a list of keys")
        .iter()
        .find(|key| key["owner"] == "iCattle fraud detector")
        .and_then(|key| key["public_key"].as_str())
        .expect("the detector's key is published")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_impossible_journey_raises_a_signed_alert_that_an_assessor_resolves() {
    let mut settings = support::settings("fraud_journey").await;
    settings.fraud_detector = true;
    impossible_journey(&settings).await;
}

/// The same on the embedded database, where one writer at a time holds SQLite's lock: the
/// detector must not hold it while its finding waits for the golden record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_impossible_journey_is_raised_on_the_embedded_database_too() {
    let mut settings = support::settings("fraud_journey_sqlite").await;
    settings.fraud_detector = true;
    settings.database_url = None;
    impossible_journey(&settings).await;
}

async fn impossible_journey(settings: &server::config::Settings) {
    let server = support::start(settings).await;
    let base = format!("http://{}", server.addr);
    let db = support::connect(settings).await;
    let (farmer, _) = support::farmer_with_clients(&server, &[1]).await;
    let assessor = support::api_client(&support::signed_in(&server, domain::Role::Assessor).await);
    let created = applied(
        &farmer,
        &base,
        json!({"type": "CREATE_CATTLE",
            "data": {"nlisId": support::nlis(4101), "breed": "Angus", "sex": "FEMALE", "clientId": 1}}),
    )
    .await;
    let id = created["cattle_id"].as_i64().expect("an id");
    let at = |latitude: f64, longitude: f64| {
        json!({"type": "RECORD_LOCATION",
            "data": {"cattleId": id, "latitude": latitude, "longitude": longitude}})
    };
    applied(&farmer, &base, at(-27.47, 153.03)).await;
    let before = confidence_after(&db, id, 2).await;
    // Perth, moments after Brisbane: no truck covers 3,600 km in seconds.
    let perth = applied(&farmer, &base, at(-31.95, 115.86)).await;

    let alert = alert_of(&db, id).await;
    assert_eq!(alert[1..], ["LOCATION_ANOMALY", "HIGH", "false"]);
    let raised = confidence_after(&db, id, 4).await;
    assert!(
        raised.0 < before.0,
        "confidence fell: {before:?} -> {raised:?}"
    );

    // The relay copies it to the fraud topic in its own transaction, a moment later.
    let found = on_the_fraud_topic(&server, id).await;
    assert_eq!(found.len(), 1, "one alert on the fraud topic");
    let detection = &found[0];
    assert_eq!(detection.cryptography.public_key, detector_key(&base).await);
    assert_eq!(
        detection.metadata.created_by.as_deref(),
        Some("fraud-detector")
    );
    assert_eq!(
        detection.metadata.causation_id.as_deref(),
        perth["event_id"].as_str(),
        "the alert names the event that raised it"
    );
    assert_eq!(detection.payload["alertId"], alert[0].as_str());

    applied(
        &assessor,
        &base,
        json!({"type": "RESOLVE_FRAUD_ALERT", "data": {"cattleId": id, "alertId": alert[0],
            "resolution": "DISMISSED", "notes": "the GPS collar was swapped between animals"}}),
    )
    .await;
    let resolved = support::eventually(WITHIN, "the alert resolved", || async {
        row(
            &db,
            &format!(
                "SELECT {OPEN_OR_NOT}, resolution FROM fraud_alerts WHERE cattle_id = {id} AND resolved"
            ),
            &["resolved", "resolution"],
        )
        .await
    })
    .await;
    assert_eq!(resolved, ["true", "DISMISSED"]);
    assert_eq!(
        confidence_after(&db, id, 5).await,
        before,
        "the risk fell back"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tag_claimed_for_a_second_herd_is_raised_once_through_a_rebuild() {
    let mut settings = support::settings("fraud_duplicate").await;
    settings.fraud_detector = true;
    let server_key = support::test_key();
    settings.signing_seed = Some(server_key.seed_hex());
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let db = support::connect(&settings).await;
    let (farmer, _) = support::farmer_with_clients(&server, &[1]).await;
    // `created_envelope` gives animal 4203 to client 4: the same tag, another herd.
    let n = 4203;
    let created = applied(
        &farmer,
        &base,
        json!({"type": "CREATE_CATTLE",
            "data": {"nlisId": support::nlis(n), "breed": "Angus", "sex": "FEMALE", "clientId": 1}}),
    )
    .await;
    let id = created["cattle_id"].as_i64().expect("an id");
    // A second registration reaches the log the way one from another system would.
    let publisher = log_publisher(&server);
    let claim = support::created_envelope(&server_key, n);
    assert_eq!(claim.payload["clientId"], 4);
    publisher.publish(&claim).await.expect("published");

    let alert = support::eventually(WITHIN, "the duplicate tag alert", || async {
        row(
            &db,
            &format!("SELECT suspicion_type, severity, description FROM fraud_alerts WHERE cattle_id = {id}"),
            &["suspicion_type", "severity", "description"],
        )
        .await
    })
    .await;
    assert_eq!(alert[..2], ["DUPLICATE_NLIS", "CRITICAL"]);
    assert!(alert[2].contains("client 4"), "{}", alert[2]);
    let (_, risk) = confidence_after(&db, id, 2).await;
    assert_eq!(risk, "CRITICAL");

    // The detector forgets everything and reads the log again from offset 0.
    let mut server = server;
    server.stop_tasks().await;
    for sql in [
        "DELETE FROM projection_checkpoints WHERE projection = 'fraud_detector'",
        "DELETE FROM view_heads WHERE projection = 'fraud_detector'",
    ] {
        db.execute_unprepared(sql)
            .await
            .expect("forget the detector");
    }
    drop(server);
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    // The farmer's session outlives the instance: sessions are in the database.
    let weighed = applied(
        &farmer,
        &base,
        json!({"type": "RECORD_HEALTH", "data": {"cattleId": id, "kind": "WEIGHING", "weightKg": 388}}),
    )
    .await;
    let sequence = weighed["sequence"].as_u64().expect("a sequence");
    support::eventually(WITHIN, "the detector to read the whole log again", || async {
        let head = row(
            &db,
            &format!("SELECT CAST(chain_head AS TEXT) AS head FROM view_heads WHERE projection = 'fraud_detector' AND aggregate_id = {id}"),
            &["head"],
        )
        .await?;
        let head: Value = serde_json::from_str(&head[0]).ok()?;
        (head["sequence"].as_u64()? >= sequence).then_some(())
    })
    .await;
    let log = detections(&server.brokers, &server.topics.cattle_events(), id).await;
    assert_eq!(log.len(), 1, "the rebuilt detector raised nothing again");
    assert_eq!(support::count(&db, "fraud_alerts").await, 1);
    server.stop().await;
}

/// A farmer registering a tag that another of their clients holds is refused, and the
/// attempt itself is raised as an alert on the animal that holds the tag: signed by the
/// detector, on the fraud topic, in the fraud view, raising the risk until it is resolved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tag_registered_twice_through_the_api_raises_an_alert_an_assessor_resolves() {
    let (_settings, server, base, db) = with_detector("fraud_api_duplicate").await;
    let (farmer, _) = support::farmer_with_clients(&server, &[1, 2]).await;
    let assessor = support::api_client(&support::signed_in(&server, domain::Role::Assessor).await);
    let register = |client: i64| {
        json!({"type": "CREATE_CATTLE",
            "data": {"nlisId": support::nlis(4301), "breed": "Angus", "sex": "FEMALE", "clientId": client}})
    };
    let created = applied(&farmer, &base, register(1)).await;
    let id = created["cattle_id"].as_i64().expect("an id");
    let before = confidence_after(&db, id, 1).await;

    let sent = std::time::Instant::now();
    let (status, answer) =
        support::post(&farmer, &format!("{base}/api/commands"), &register(2)).await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        answer.to_string().contains("already registered"),
        "the farmer is told why: {answer}"
    );
    let found = on_the_fraud_topic(&server, id).await;
    // The figure the issue asks for; the read above polls the topic, so it is an upper bound.
    println!(
        "refused registration -> FRAUD_DETECTED on the fraud topic within {} ms",
        sent.elapsed().as_millis()
    );
    assert_eq!(found.len(), 1, "one alert on the fraud topic");
    let detection = &found[0];
    assert_eq!(detection.cryptography.public_key, detector_key(&base).await);
    assert_eq!(detection.payload["suspicion"], "DUPLICATE_NLIS");
    assert_eq!(detection.payload["evidence"]["claimedFor"], 2);
    assert_eq!(detection.payload["evidence"]["registeredTo"], 1);

    let alert = alert_of(&db, id).await;
    assert_eq!(alert[1..], ["DUPLICATE_NLIS", "CRITICAL", "false"]);
    let raised = confidence_after(&db, id, 2).await;
    assert!(raised.0 < before.0, "risk rose: {before:?} -> {raised:?}");
    assert_eq!(raised.1, "CRITICAL");
    assert_eq!(
        suspicions_of(&db, id).await,
        ["DUPLICATE_NLIS false"],
        "the animal is suspected while the alert is open"
    );

    // The same claim again is the same problem: refused, and no second alert.
    let (status, _) = support::post(&farmer, &format!("{base}/api/commands"), &register(2)).await;
    assert_eq!(status, 409);

    applied(
        &assessor,
        &base,
        json!({"type": "RESOLVE_FRAUD_ALERT", "data": {"cattleId": id, "alertId": alert[0],
            "resolution": "DISMISSED", "notes": "client 2 was typed for client 1; same farm"}}),
    )
    .await;
    let resolved = support::eventually(WITHIN, "the alert resolved", || async {
        row(
            &db,
            &format!("SELECT {OPEN_OR_NOT} FROM fraud_alerts WHERE cattle_id = {id} AND resolved"),
            &["resolved"],
        )
        .await
    })
    .await;
    assert_eq!(resolved, ["true"]);
    assert_eq!(
        confidence_after(&db, id, 3).await,
        before,
        "the risk fell back"
    );
    assert!(
        suspicions_of(&db, id).await.is_empty(),
        "a false positive leaves no flag"
    );
    let log = detections(&server.brokers, &server.topics.cattle_events(), id).await;
    assert_eq!(log.len(), 1, "the repeated claim raised nothing more");
    assert_eq!(support::count(&db, "fraud_alerts").await, 1);
    server.stop().await;
}

/// Records signed with a key nobody trusts, against three animals: each is a tampered
/// record on its animal, and the third makes the key itself suspect, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_refused_three_times_across_a_herd_raises_repeated_refusals_once() {
    let (_settings, server, base, db) = with_detector("fraud_repeated").await;
    let (farmer, _) = support::farmer_with_clients(&server, &[1]).await;
    let herd = [4401, 4402, 4403];
    let mut ids = Vec::new();
    for n in herd {
        let created = applied(
            &farmer,
            &base,
            json!({"type": "CREATE_CATTLE",
                "data": {"nlisId": support::nlis(n), "breed": "Angus", "sex": "FEMALE", "clientId": 1}}),
        )
        .await;
        ids.push(created["cattle_id"].as_i64().expect("an id"));
    }
    let publisher = log_publisher(&server);
    let stolen = support::test_key();
    let forgeries: Vec<_> = herd
        .iter()
        .map(|n| support::created_envelope(&stolen, *n))
        .collect();
    // Each forgery delivered twice is one refused record; the copies come after the third
    // record crossed the count, so a copy counted again would raise the key's alert on its
    // own animal too.
    for forged in forgeries.iter().chain(&forgeries) {
        publisher.publish(forged).await.expect("published");
    }
    let listed = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let alerts = support::eventually(WITHIN, "three tampered records and the key's alert", || async {
        let kinds = support::strings(
            &db,
            &format!("SELECT suspicion_type AS v FROM fraud_alerts WHERE cattle_id IN ({listed}) ORDER BY suspicion_type"),
        )
        .await;
        (kinds.len() >= 4).then_some(kinds)
    })
    .await;
    assert_eq!(
        alerts,
        [
            "REPEATED_REFUSALS",
            "TAMPERED_RECORD",
            "TAMPERED_RECORD",
            "TAMPERED_RECORD"
        ]
    );
    let repeated = row(
        &db,
        "SELECT CAST(evidence AS TEXT) AS evidence FROM fraud_alerts WHERE suspicion_type = 'REPEATED_REFUSALS'",
        &["evidence"],
    )
    .await
    .expect("the key's alert");
    let evidence: Value = serde_json::from_str(&repeated[0]).expect("JSON evidence");
    assert_eq!(evidence["publicKey"], stolen.public_key_hex().as_str());
    assert_eq!(evidence["refused"], 3);
    assert_eq!(evidence["animals"], 3);
    // Kept with the detector's checkpoint, a moment after the alerts were raised.
    support::eventually(WITHIN, "the refused records kept", || async {
        (support::count(&db, "refused_records").await >= 3).then_some(())
    })
    .await;
    assert_eq!(
        support::count(&db, "refused_records").await,
        3,
        "copies are one record"
    );
    server.stop().await;
}
