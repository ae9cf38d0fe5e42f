//! The fraud detector killed at random, again and again, while 2,000 events arrive: every
//! alert the rules call for is in the animal's chain exactly once in the end.
use crate::support;

use domain::{
    detect_fraud, fold_verified, seal, CattleId, ChainHead, Command, EventDraft, EventEnvelope,
    SigningKeyPair, SourceSystem, StreamState,
};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};
use server::kafka::publisher::{idempotent_producer, EventPublisher};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use support::herd_history::Dice;

const ANIMALS: u32 = 100;
const EVENTS_EACH: u32 = 20;
const KILLS: usize = 10;
/// One breed per kind of life: each breed then has fewer valued animals than
/// `domain::MIN_PEERS`, so whether a value is judged against its peers never depends on the
/// order the detector reads the partitions in, and the expected alerts are the animal rules'.
const BREEDS: [&str; 4] = ["Brahman", "Angus", "Wagyu", "Droughtmaster"];
const _: () = assert!((ANIMALS as usize).div_ceil(BREEDS.len()) < domain::MIN_PEERS);

/// What animal `a` has happen at step `step` (its registration is step 0).
fn command_at(a: u32, step: u32, id: i64) -> Value {
    let near = |jitter: u32| {
        json!({"type": "RECORD_LOCATION", "data": {"cattleId": id,
            "latitude": -27.0 - f64::from(jitter % 7) / 10_000.0, "longitude": 151.0}})
    };
    let value = |cents: i64| json!({"type": "RECORD_VALUATION", "data": {"cattleId": id, "amountCents": cents, "method": "MARKET"}});
    match (a % 4, step) {
        // Perth an hour after Queensland, twice: one alert.
        (0, 8) | (0, 14) => json!({"type": "RECORD_LOCATION", "data": {"cattleId": id,
            "latitude": -31.95, "longitude": 115.86}}),
        (0, 9) | (0, 15) => near(step),
        (1, 5) => value(150_000),
        // Trebled, then unverified at a high value.
        (1, 6) => value(450_000),
        (1, 12) => value(1_600_000),
        (2, 3) => value(1_200_000),
        (_, s) if s % 2 == 0 => near(a + s),
        _ => {
            json!({"type": "RECORD_HEALTH", "data": {"cattleId": id, "kind": "WEIGHING", "weightKg": 300 + step}})
        }
    }
}

/// The problem an alert id names: its suspicion and animal, without the triggering sequence.
fn problem(alert_id: &str) -> String {
    alert_id
        .rsplit_once('-')
        .map_or(alert_id, |(problem, _)| problem)
        .to_string()
}

/// Every animal's chain, sealed with `key`, and the alert ids the rules call for by problem
/// (an animal and a suspicion): one alert each, raised by any of its triggering events. The
/// first trigger's alert is the usual one; when it loses its place in the chain to a later
/// event and a later trigger's is raised meanwhile, that one stands for the problem.
fn herd(key: &SigningKeyPair) -> (Vec<EventEnvelope>, BTreeMap<String, BTreeSet<String>>) {
    let mut log = Vec::new();
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for a in 0..ANIMALS {
        let nlis = support::nlis(7000 + a);
        let id = CattleId::for_nlis(&nlis).0;
        let (mut head, mut state) = (ChainHead::default(), None::<StreamState>);
        for step in 0..EVENTS_EACH {
            let wire = if step == 0 {
                json!({"type": "CREATE_CATTLE", "data": {"nlisId": nlis, "breed": BREEDS[a as usize % 4], "sex": "MALE", "clientId": 1}})
            } else {
                command_at(a, step, id)
            };
            let command = Command::parse_valid(&wire).expect("a valid command");
            let before = match &state {
                Some(StreamState::Cattle(cattle)) => Some(cattle.clone()),
                _ => None,
            };
            let decided = domain::decide(before.as_ref(), &command)
                .expect("allowed")
                .remove(0);
            let at = format!("2026-03-{:02}T{:02}:00:00.000Z", 1 + a % 28, step);
            let envelope = seal(
                EventDraft {
                    event_id: format!("evt_crash_{a}_{step}"),
                    event_type: decided.event_type,
                    event_ref: decided.event_ref,
                    cattle_id: CattleId(id),
                    occurred_at: at.clone(),
                    recorded_at: at,
                    correlation_id: None,
                    causation_id: None,
                    source_system: SourceSystem::ICattle,
                    created_by: None,
                    payload: decided.payload,
                    provenance: None,
                },
                &head,
                key,
            );
            if let Some(before) = &before {
                for finding in detect_fraud(before, &envelope) {
                    expected
                        .entry(problem(&finding.alert_id))
                        .or_default()
                        .insert(finding.alert_id);
                }
            }
            let folded = fold_verified(&envelope, &head, state.take(), true).expect("folds");
            head = folded.head;
            state = Some(folded.state);
            log.push(envelope);
        }
    }
    (log, expected)
}

/// The last offset of each partition of `topic` that holds messages.
async fn log_ends(brokers: &str, topic: &str) -> BTreeMap<i32, i64> {
    let (brokers, topic) = (brokers.to_string(), topic.to_string());
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &brokers)
            .create()
            .expect("a consumer");
        (0..support::TEST_PARTITIONS)
            .filter_map(|partition| {
                let (low, high) = consumer
                    .fetch_watermarks(&topic, partition, Duration::from_secs(10))
                    .expect("watermarks");
                (high > low).then_some((partition, high - 1))
            })
            .collect()
    })
    .await
    .expect("read the ends")
}

async fn checkpoints(db: &DatabaseConnection, projection: &str) -> BTreeMap<i32, i64> {
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT \"partition\", \"offset\" FROM projection_checkpoints WHERE projection = '{projection}'"),
        ))
        .await
        .expect("checkpoints");
    rows.into_iter()
        .map(|row| {
            (
                row.try_get::<i32>("", "partition").expect("a partition"),
                row.try_get::<i64>("", "offset").expect("an offset"),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_detector_killed_ten_times_raises_each_alert_once() {
    let mut settings = support::settings("fraud_crashes").await;
    settings.fraud_detector = true;
    let key = support::test_key();
    settings.signing_seed = Some(key.seed_hex());
    let (log, expected) = herd(&key);
    assert_eq!(log.len(), (ANIMALS * EVENTS_EACH) as usize);
    assert!(
        expected.len() >= 75,
        "the herd calls for alerts: {}",
        expected.len()
    );

    let mut server = support::start(&settings).await;
    let publisher = EventPublisher::new(
        idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.cattle_events(),
    );
    let publishing = tokio::spawn(async move {
        for envelope in &log {
            publisher.publish(envelope).await.expect("published");
        }
    });
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(7, |since| since.as_nanos() as u64)
        | 1;
    // The moments of the kills come from this seed; it is printed to replay a run.
    println!("kill moments from seed {seed}");
    let mut dice = Dice(seed);
    for _ in 0..KILLS {
        // A chaos test's kill lands at an arbitrary moment: here, a random one.
        tokio::time::sleep(Duration::from_millis(150 + dice.roll(900))).await;
        server.stop_tasks().await;
        drop(server);
        server = support::start(&settings).await;
    }
    publishing.await.expect("every event published");

    let db = support::connect(&settings).await;
    let topic = server.topics.cattle_events();
    support::eventually(
        Duration::from_secs(120),
        "every view at the log's end",
        || async {
            let ends = log_ends(&server.brokers, &topic).await;
            for projection in ["fraud_detector", "golden_record", "fraud_view"] {
                if checkpoints(&db, projection).await != ends {
                    return None;
                }
            }
            Some(())
        },
    )
    .await;

    let alerts = support::strings(&db, "SELECT id AS v FROM fraud_alerts").await;
    assert_one_alert_per_problem(&alerts, &expected, "the fraud view");
    let accepted = support::strings(
        &db,
        "SELECT CAST(payload AS TEXT) AS v FROM cattle_events WHERE event_type = 'FRAUD_DETECTED'",
    )
    .await;
    let mut ids: Vec<String> = accepted
        .iter()
        .map(|payload| {
            serde_json::from_str::<Value>(payload).expect("JSON")["alertId"]
                .as_str()
                .expect("an alert id")
                .to_string()
        })
        .collect();
    ids.sort();
    assert_one_alert_per_problem(&ids, &expected, "the animals' chains");
    server.stop().await;
}

fn assert_one_alert_per_problem(
    alerts: &[String],
    expected: &BTreeMap<String, BTreeSet<String>>,
    place: &str,
) {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for alert in alerts {
        found.entry(problem(alert)).or_default().push(alert.clone());
    }
    let missing: Vec<_> = expected
        .keys()
        .filter(|p| !found.contains_key(*p))
        .collect();
    let extra: Vec<_> = found
        .keys()
        .filter(|p| !expected.contains_key(*p))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{place}: not alerted {missing:?}; alerted without cause {extra:?}"
    );
    for (problem, ids) in &found {
        assert_eq!(ids.len(), 1, "{place}: {problem} alerted once: {ids:?}");
        assert!(
            expected[problem].contains(&ids[0]),
            "{place}: {} is one of the findings {:?}",
            ids[0],
            expected[problem]
        );
    }
}
