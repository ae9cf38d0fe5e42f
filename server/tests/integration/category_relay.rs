//! The category relay copies with Kafka transactions: however often it crashes, a
//! `read_committed` reader finds each event on its category topic exactly once.
use crate::support;

use domain::EventEnvelope;
use serde_json::json;
use server::kafka::category_relay::CategoryRelay;
use server::kafka::log_reader::read_topic;
use server::kafka::publisher::{idempotent_producer, EventPublisher};
use server::kafka::topics::{ensure_topics, Topics};
use std::collections::BTreeMap;
use std::time::Duration;

const ANIMALS: u32 = 40;
const CRASHES: u64 = 10;

/// Each animal's history: created, three health records, one valuation.
fn histories(key: &domain::SigningKeyPair) -> Vec<EventEnvelope> {
    let mut all = Vec::new();
    for n in 0..ANIMALS {
        let mut history = vec![support::created_envelope(key, 900 + n)];
        let id = history[0].metadata.cattle_id.0;
        for visit in 0..3 {
            let next = support::next_envelope(
                key,
                &history,
                json!({"type": "RECORD_HEALTH", "data": {"cattleId": id, "kind": "INSPECTION",
                       "notes": format!("visit {visit}")}}),
            );
            history.push(next);
        }
        let valued = support::next_envelope(
            key,
            &history,
            json!({"type": "RECORD_VALUATION", "data": {"cattleId": id,
                   "amountCents": 150_000 + n, "method": "MARKET"}}),
        );
        history.push(valued);
        all.extend(history);
    }
    all
}

/// How many times each event id stands on `topic`, as a `read_committed` reader sees it.
async fn tally(brokers: &str, topic: &str) -> BTreeMap<String, usize> {
    let (brokers, topic) = (brokers.to_string(), topic.to_string());
    let text =
        tokio::task::spawn_blocking(move || read_topic(&brokers, &topic, Duration::from_secs(30)))
            .await
            .expect("the reader ran")
            .expect("the topic is readable");
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        let envelope = EventEnvelope::from_json_str(line).expect("an envelope");
        *counts.entry(envelope.metadata.event_id).or_default() += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_event_reaches_its_category_topic_exactly_once_across_ten_relay_crashes() {
    let settings = support::settings("relaycrash").await;
    let brokers = support::brokers();
    let topics = Topics::new(&settings.topic_prefix);
    ensure_topics(&brokers, &topics, settings.topic_layout())
        .await
        .expect("topics");
    let key = support::test_key();
    let events = histories(&key);
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for envelope in &events {
        if let Some(category) = envelope.metadata.event_type.category_topic() {
            expected
                .entry(topics.category(category))
                .or_default()
                .push(envelope.metadata.event_id.clone());
        }
    }

    // The log grows while the relay crashes, so crashes land before, during and after copies.
    let publisher = EventPublisher::new(
        idempotent_producer(&brokers).expect("a producer"),
        topics.cattle_events(),
    );
    let feeding = tokio::spawn(async move {
        for chunk in events.chunks(10) {
            for envelope in chunk {
                publisher.publish(envelope).await.expect("acknowledged");
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    });
    for crash in 0..CRASHES {
        let relay = tokio::spawn(CategoryRelay::new(&brokers, topics.clone()).run());
        // Spread over the relay's life: during start-up, while copying, while idle.
        tokio::time::sleep(Duration::from_millis(300 + (crash * 337) % 1500)).await;
        relay.abort();
        let _ = relay.await;
    }
    feeding.await.expect("every event published");
    let relay = tokio::spawn(CategoryRelay::new(&brokers, topics.clone()).run());

    for (topic, ids) in &expected {
        let counts = support::eventually(Duration::from_secs(60), "every copy", || async {
            let counts = tally(&brokers, topic).await;
            (counts.len() >= ids.len()).then_some(counts)
        })
        .await;
        let duplicates: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
        assert!(duplicates.is_empty(), "{topic}: duplicated {duplicates:?}");
        let mut found: Vec<&String> = counts.keys().collect();
        let mut wanted: Vec<&String> = ids.iter().collect();
        found.sort();
        wanted.sort();
        assert_eq!(found, wanted, "{topic} holds exactly its events");
    }
    relay.abort();
}
