//! The category topics, fed from the cattle log by the relay: each carries exactly the
//! envelopes of its event types, byte for byte.
use crate::support;

use serde_json::{json, Value};
use server::kafka::log_reader::read_topic;
use std::time::Duration;

async fn applied(http: &reqwest::Client, base: &str, body: Value) -> Value {
    let response = http
        .post(format!("{base}/api/commands?wait=applied"))
        .json(&body)
        .send()
        .await
        .expect("the API answers");
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON")
}

fn event_ids(brokers: &str, topic: &str) -> Vec<String> {
    read_topic(brokers, topic, Duration::from_secs(20))
        .expect("readable")
        .lines()
        .map(|line| {
            domain::EventEnvelope::from_json_str(line)
                .expect("an envelope")
                .metadata
                .event_id
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_category_topic_gets_the_envelopes_of_its_event_types() {
    let settings = support::settings("categories").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (farmer, _) = support::farmer_with_clients(&server, &[1, 2]).await;
    let assessor = support::api_client(&support::signed_in(&server, domain::Role::Assessor).await);
    let created = applied(
        &farmer,
        &base,
        json!({"type": "CREATE_CATTLE",
        "data": {"nlisId": support::nlis(41), "breed": "Angus", "sex": "FEMALE", "clientId": 1}}),
    )
    .await;
    let id = created["cattle_id"].clone();
    let health = applied(
        &farmer,
        &base,
        json!({"type": "RECORD_HEALTH",
        "data": {"cattleId": id, "kind": "VACCINATION", "notes": "7-in-1"}}),
    )
    .await;
    let valuation = applied(
        &assessor,
        &base,
        json!({"type": "RECORD_VALUATION",
        "data": {"cattleId": id, "amountCents": 185_000, "method": "MARKET"}}),
    )
    .await;
    let transfer = applied(
        &farmer,
        &base,
        json!({"type": "TRANSFER_OWNERSHIP",
        "data": {"cattleId": id, "toClientId": 2}}),
    )
    .await;

    let topics = &server.topics;
    let brokers = server.brokers.clone();
    let expect = [
        (
            "icattle.health.events",
            vec![health["event_id"].as_str().expect("an id").to_string()],
        ),
        (
            "icattle.valuations.events",
            vec![valuation["event_id"].as_str().expect("an id").to_string()],
        ),
        (
            "icattle.ownership.events",
            vec![transfer["event_id"].as_str().expect("an id").to_string()],
        ),
    ];
    for (category, wanted) in &expect {
        let topic = topics.category(category);
        let found = support::eventually(Duration::from_secs(30), "the relay", || {
            let (brokers, topic) = (brokers.clone(), topic.clone());
            async move {
                let ids = tokio::task::spawn_blocking(move || event_ids(&brokers, &topic))
                    .await
                    .ok()?;
                (!ids.is_empty()).then_some(ids)
            }
        })
        .await;
        assert_eq!(&found, wanted, "{category}");
    }
    let fraud = topics.category("icattle.fraud.events");
    let brokers_again = brokers.clone();
    let none = tokio::task::spawn_blocking(move || event_ids(&brokers_again, &fraud))
        .await
        .expect("read");
    assert!(none.is_empty());
}
