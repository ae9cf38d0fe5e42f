//! The foundation slice through the real engines: a command over HTTP becomes a signed
//! event in Kafka, a golden-record row in PostgreSQL, and a message on the WebSocket.
use crate::support;

use futures::StreamExt;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;
use serde_json::{json, Value};
use std::time::Duration;
use support::eventually;

const WITHIN: Duration = Duration::from_secs(15);

/// How many messages the topic holds, summed over its partitions.
fn messages_in(topic: &str) -> i64 {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", support::brokers())
        .set("group.id", support::unique("watermarks"))
        .create()
        .expect("a consumer");
    (0..support::TEST_PARTITIONS)
        .map(|p| {
            let (low, high) = consumer
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .expect("watermarks");
            high - low
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_becomes_a_row_and_a_live_update() {
    let settings = support::settings("slice").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (http, token) = support::farmer_with_clients(&server, &[7]).await;
    let mut live = support::live_socket(server.addr, &token).await;

    let nlis = support::nlis(1);
    let response = http
        .post(format!("{base}/api/commands"))
        .json(&json!({"type": "CREATE_CATTLE",
                      "data": {"nlisId": nlis, "breed": "Angus", "sex": "FEMALE", "clientId": 7}}))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(response.status(), 202);
    let ack: Value = response.json().await.expect("a JSON acknowledgement");
    assert_eq!(ack["status"], "PUBLISHED");
    let event_id = ack["event_id"].as_str().expect("an event id").to_string();
    let id = ack["cattle_id"].as_i64().expect("a cattle id");
    assert_eq!(id, domain::CattleId::for_nlis(&nlis).0);

    let record: Value = eventually(WITHIN, "the golden record row", || {
        let url = format!("{base}/api/cattle/{id}");
        let http = http.clone();
        async move {
            let response = http.get(url).send().await.ok()?;
            (response.status() == 200).then_some(())?;
            response.json().await.ok()
        }
    })
    .await;
    assert_eq!(record["nlis_id"], nlis);
    assert_eq!(record["breed"], "Angus");
    assert_eq!(record["sex"], "FEMALE");
    assert_eq!(record["client_id"], 7);
    assert_eq!(record["status"], "ACTIVE");
    assert_eq!(record["sequence"], 1);

    let pushed = tokio::time::timeout(WITHIN, async {
        while let Some(Ok(message)) = live.next().await {
            if let Ok(text) = message.to_text() {
                let update: Value = serde_json::from_str(text).expect("JSON updates");
                if update["event_id"] == event_id.as_str() && update["view"] == "golden_record" {
                    return update;
                }
            }
        }
        panic!("the WebSocket closed before the update");
    })
    .await
    .expect("the update is pushed");
    assert_eq!(pushed["kind"], "cattle_changed");
    assert_eq!(pushed["cattle_id"], id);
    assert_eq!(pushed["event_type"], "CATTLE_CREATED");

    // The published keys verify the log without trusting the server.
    let keys = http
        .get(format!("{base}/api/keys"))
        .send()
        .await
        .expect("the API answers")
        .text()
        .await
        .expect("a body");
    let registry = domain::KeyRegistry::from_json(&keys).expect("the verifier reads the keys");
    let log = server::kafka::log_reader::read_topic(
        &server.brokers,
        &server.topics.cattle_events(),
        Duration::from_secs(20),
    )
    .expect("the log is readable");
    let report = domain::verify_json_lines(&log, &registry);
    assert!(report.is_ok(), "{report}");

    let unknown = http
        .get(format!("{base}/api/cattle/12345"))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(unknown.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_commands_name_the_field_and_publish_nothing() {
    let settings = support::settings("bad").await;
    let server = support::start(&settings).await;
    let url = format!("http://{}/api/commands", server.addr);
    let http = support::api_client(&support::signed_in(&server, domain::Role::Farmer).await);

    let invalid = http
        .post(&url)
        .json(&json!({"type": "CREATE_CATTLE",
                      "data": {"nlisId": "abc", "breed": "Angus", "sex": "FEMALE", "clientId": 7}}))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(invalid.status(), 422);
    let body: Value = invalid.json().await.expect("JSON errors");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("a list of errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["nlisId"]);

    let missing = http
        .post(&url)
        .json(&json!({"type": "CREATE_CATTLE", "data": {"breed": "Angus", "sex": "FEMALE", "clientId": 7}}))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(missing.status(), 422);
    let body: Value = missing.json().await.expect("JSON errors");
    assert!(body["errors"][0]["field"] == "nlisId", "{body}");

    let not_json = http
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("the API answers");
    assert_eq!(not_json.status(), 400);
    let body: Value = not_json.json().await.expect("JSON errors");
    assert_eq!(body["errors"][0]["field"], "body");

    let unknown_type = http
        .post(&url)
        .json(&json!({"type": "MILK_THE_COW", "data": {}}))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(unknown_type.status(), 422);
    let body: Value = unknown_type.json().await.expect("JSON errors");
    assert_eq!(body["errors"][0]["field"], "type");

    assert_eq!(messages_in(&server.topics.cattle_events()), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_event_is_pushed_to_subscribers_with_its_reason() {
    let settings = support::settings("pushreject").await;
    let server = support::start(&settings).await;
    let token = support::signed_in(&server, domain::Role::Assessor).await;
    let mut live = support::live_socket(server.addr, &token).await;
    let publisher = server::kafka::publisher::EventPublisher::new(
        server::kafka::publisher::idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.cattle_events(),
    );
    let forged = support::created_envelope(&support::test_key(), 51);
    publisher
        .publish(&forged)
        .await
        .expect("the broker acknowledges");

    let pushed = tokio::time::timeout(WITHIN, async {
        while let Some(Ok(message)) = live.next().await {
            if let Ok(text) = message.to_text() {
                let update: Value = serde_json::from_str(text).expect("JSON updates");
                if update["event_id"] == forged.metadata.event_id.as_str() {
                    return update;
                }
            }
        }
        panic!("the WebSocket closed before the rejection");
    })
    .await
    .expect("the rejection is pushed");
    assert_eq!(pushed["kind"], "event_rejected");
    assert_eq!(pushed["code"], "UNKNOWN_KEY");
    assert_eq!(pushed["cattle_id"], forged.metadata.cattle_id.0);
}
