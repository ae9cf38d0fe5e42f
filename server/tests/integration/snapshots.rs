//! Snapshots on the real engines: an animal with 10,000 events is snapshotted as the golden
//! record applies them, and `from-log` rebuilds it from its latest snapshot, reading fewer
//! than 1,000 of its events, as does time travel to a point after it; a snapshot that does
//! not open sends both back to the first event.
use crate::support;

use chrono::{Duration as Days, TimeZone, Utc};
use domain::{
    decide, fold_verified, seal, ChainHead, Command, DecidedEvent, EventDraft, EventEnvelope, Role,
    SigningKeyPair, SourceSystem, StreamState,
};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use server::kafka::publisher::{idempotent_producer, EventPublisher};
use std::time::Duration;

const EVENTS: u64 = 10_000;

/// Animal `n`'s registration and then valuations, up to `events` events, each sealed with
/// `key` as the next link of its chain.
fn long_history(key: &SigningKeyPair, n: u32, events: u64) -> Vec<EventEnvelope> {
    let mut chain = vec![support::created_envelope(key, n)];
    let id = chain[0].metadata.cattle_id;
    let mut head = ChainHead::default();
    let mut state = None;
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("a date");
    for k in 2..=events {
        let last = chain.last().expect("one event at least");
        let folded = fold_verified(last, &head, state.take(), true).expect("the chain folds");
        head = folded.head;
        state = Some(folded.state);
        let Some(StreamState::Cattle(cattle)) = &state else {
            panic!("an animal")
        };
        let command = Command::parse_valid(&json!({"type": "RECORD_VALUATION",
            "data": {"cattleId": id.0, "amountCents": 100_000 + k, "method": "MARKET"}}))
        .expect("a valid command");
        let DecidedEvent {
            event_type,
            payload,
            event_ref,
        } = decide(Some(cattle), &command).expect("allowed").remove(0);
        let at =
            (start + Days::seconds(k as i64)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let draft = EventDraft {
            event_id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
            event_type,
            event_ref,
            cattle_id: id,
            occurred_at: at.clone(),
            recorded_at: at,
            correlation_id: None,
            causation_id: None,
            source_system: SourceSystem::ICattle,
            created_by: None,
            payload,
            provenance: None,
        };
        chain.push(seal(draft, &head, key));
    }
    chain
}

async fn publish(publisher: &EventPublisher, chain: &[EventEnvelope]) {
    // Joined in order, so each batch is handed to the producer in the chain's order.
    for batch in chain.chunks(500) {
        for sent in futures::future::join_all(batch.iter().map(|e| publisher.publish(e))).await {
            sent.expect("the broker acknowledges");
        }
    }
}

/// The `sequence` of the row of `table` whose `column` is `id`, if there is one.
async fn sequence_of(
    db: &sea_orm::DatabaseConnection,
    table: &str,
    column: &str,
    id: i64,
) -> Option<i64> {
    let sql = format!("SELECT CAST(sequence AS TEXT) AS v FROM {table} WHERE {column} = {id}");
    let found = support::strings(db, &sql).await;
    found.first().map(|s| s.parse().expect("a number"))
}

async fn snapshot_sequence(db: &sea_orm::DatabaseConnection, id: i64) -> Option<i64> {
    sequence_of(db, "cattle_snapshots", "cattle_id", id).await
}

async fn golden_sequence(db: &sea_orm::DatabaseConnection, id: i64) -> Option<i64> {
    sequence_of(db, "cattle", "id", id).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_animal_with_ten_thousand_events_is_rebuilt_from_its_snapshot() {
    let mut settings = support::settings("snapshots").await;
    let server_key = support::test_key();
    settings.signing_seed = Some(server_key.seed_hex());
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let admin = support::api_client(&support::signed_in(&server, Role::Admin).await);
    let publisher = EventPublisher::new(
        idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.cattle_events(),
    );
    let chain = long_history(&server_key, 9101, EVENTS + 5);
    let id = chain[0].metadata.cattle_id.0;
    publish(&publisher, &chain[..EVENTS as usize]).await;

    support::eventually(
        Duration::from_secs(600),
        "the golden record to apply it all",
        || {
            let db = server.db.clone();
            async move { (golden_sequence(&db, id).await? == EVENTS as i64).then_some(()) }
        },
    )
    .await;
    let covered = support::eventually(Duration::from_secs(60), "a late snapshot", || {
        let db = server.db.clone();
        async move {
            snapshot_sequence(&db, id)
                .await
                .filter(|s| *s > (EVENTS - 1000) as i64)
        }
    })
    .await;
    // Five more events after the snapshot: the rebuild must read them too.
    publish(&publisher, &chain[EVENTS as usize..]).await;
    support::eventually(Duration::from_secs(60), "the last five to apply", || {
        let db = server.db.clone();
        async move { (golden_sequence(&db, id).await? == EVENTS as i64 + 5).then_some(()) }
    })
    .await;

    let from_log =
        support::json_answer(admin.get(format!("{base}/api/cattle/{id}/from-log"))).await;
    let read = from_log["events"].as_u64().expect("a count");
    assert_eq!(
        from_log["snapshot"]["sequence"], covered,
        "{}",
        from_log["verification"]
    );
    assert_eq!(read, EVENTS + 5 - covered as u64);
    // The snapshot waited for lies past EVENTS - 1000 (the taker snapshots at whatever
    // sequence it finds, 9,005 in one run), so at most the last 1,004 events are read.
    assert!(read < 1005, "{read} events read");
    assert_eq!(from_log["verified"], true, "{}", from_log["verification"]);
    assert_eq!(from_log["differences"], json!([]));
    assert_eq!(
        from_log["from_log"]["current_valuation"],
        100_000 + EVENTS + 5
    );
    assert_eq!(from_log["from_log"]["sequence"], EVENTS + 5);
    time_travel_starts_from_the_snapshot(&admin, &base, &chain, covered as u64).await;

    // A snapshot signed by a key nobody trusts is not started from: every event is read.
    let stranger = SigningKeyPair::from_seed([9; 32]);
    let snapshots = EventPublisher::new(
        idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.snapshots(),
    );
    let head = chain[..covered as usize]
        .iter()
        .try_fold(ChainHead::default(), |head, e| {
            domain::verify_next(e, &head)
        })
        .expect("the chain verifies");
    let state = domain::replay(&chain[..covered as usize])
        .expect("folds")
        .expect("an animal");
    let forged = domain::seal_snapshot(
        "snap_forged".into(),
        "2026-12-01T00:00:00.000Z".into(),
        &state,
        &head,
        &stranger,
    );
    let at = snapshots.publish(&forged).await.expect("published");
    server
        .db
        .execute(Statement::from_string(
            server.db.get_database_backend(),
            format!(
                "UPDATE cattle_snapshots SET event_id = 'snap_forged', kafka_partition = {}, \
                 kafka_offset = {} WHERE cattle_id = {id}",
                at.partition, at.offset
            ),
        ))
        .await
        .expect("the index points at the forged snapshot");
    let from_log =
        support::json_answer(admin.get(format!("{base}/api/cattle/{id}/from-log"))).await;
    let verification = from_log["verification"].as_str().unwrap_or_default();
    assert_eq!(from_log["events"], EVENTS + 5);
    assert_eq!(from_log["snapshot"], Value::Null);
    assert_eq!(from_log["verified"], false);
    assert!(
        verification.starts_with("snapshot snap_forged refused (UNKNOWN_KEY"),
        "{verification}"
    );
    assert_eq!(from_log["differences"], json!([]));
    let latest = as_of(&admin, &base, id, EVENTS + 5).await;
    assert_eq!(
        latest["from_snapshot"],
        Value::Null,
        "{}",
        latest["events_read"]
    );
    assert_eq!(latest["events_read"], EVENTS + 5);
    assert_eq!(latest["state"], fold_of(&chain));
}

/// The animal as of `sequence`, over the API.
async fn as_of(admin: &reqwest::Client, base: &str, id: i64, sequence: u64) -> Value {
    support::json_answer(admin.get(format!("{base}/api/cattle/{id}?as_of={sequence}"))).await
}

/// The state the events fold to, as the API writes it.
fn fold_of(events: &[domain::EventEnvelope]) -> Value {
    serde_json::to_value(domain::replay(events).expect("folds").expect("an animal")).expect("JSON")
}

/// Time travel to a point at or after the snapshot reads only the events from the one it
/// covers; to a point before it, every event.
async fn time_travel_starts_from_the_snapshot(
    admin: &reqwest::Client,
    base: &str,
    chain: &[domain::EventEnvelope],
    covered: u64,
) {
    let id = chain[0].metadata.cattle_id.0;
    for sequence in [EVENTS + 5, covered + 2, covered] {
        let past = as_of(admin, base, id, sequence).await;
        assert_eq!(past["from_snapshot"], covered, "as of {sequence}: {past}");
        let read = past["events_read"].as_u64().expect("a count");
        assert_eq!(read, EVENTS + 5 - covered + 1, "as of {sequence}");
        // One more than `/from-log` reads after the same snapshot (see there).
        assert!(read < 1006, "{read} events read");
        assert_eq!(past["sequence"], sequence);
        assert_eq!(past["later_events"], EVENTS + 5 - sequence);
        assert!(
            past["state"] == fold_of(&chain[..sequence as usize]),
            "as of {sequence}, the animal is the fold of its first {sequence} events"
        );
    }
    let before = as_of(admin, base, id, covered - 1).await;
    assert_eq!(before["from_snapshot"], Value::Null);
    assert_eq!(before["events_read"], EVENTS + 5);
    assert!(before["state"] == fold_of(&chain[..covered as usize - 1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn icattle_snapshot_snapshots_the_animals_due_one_now() {
    let mut settings = support::settings("snapshot_cli").await;
    let server_key = support::test_key();
    settings.signing_seed = Some(server_key.seed_hex());
    let server = support::start(&settings).await;
    let publisher = EventPublisher::new(
        idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.cattle_events(),
    );
    let due = long_history(&server_key, 9201, 3);
    let not_due = long_history(&server_key, 9202, 1);
    publish(&publisher, &due).await;
    publish(&publisher, &not_due).await;
    let (due, not_due) = (due[0].metadata.cattle_id.0, not_due[0].metadata.cattle_id.0);
    support::eventually(Duration::from_secs(60), "both animals applied", || {
        let db = server.db.clone();
        async move {
            let both = (
                golden_sequence(&db, due).await?,
                golden_sequence(&db, not_due).await?,
            );
            (both == (3, 1)).then_some(())
        }
    })
    .await;

    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_icattle"))
            .arg("snapshot")
            .env(
                "DATABASE_URL",
                settings.database_url.clone().expect("a database"),
            )
            .env("KAFKA_BROKERS", &server.brokers)
            .env("ICATTLE_TOPIC_PREFIX", &settings.topic_prefix)
            .env("ICATTLE_SIGNING_SEED", server_key.seed_hex())
            .env("ICATTLE_DATA_DIR", &settings.data_dir)
            .env("ICATTLE_SNAPSHOT_EVERY", "2")
            .output()
            .expect("icattle runs")
    };
    let output = run();
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Log lines share standard output with the answer.
    assert!(
        said.lines()
            .any(|l| l.starts_with("1 animal(s) snapshotted")),
        "{said}"
    );
    assert_eq!(snapshot_sequence(&server.db, due).await, Some(3));
    assert_eq!(snapshot_sequence(&server.db, not_due).await, None);
    // Nothing new since: nothing is due.
    let said = String::from_utf8_lossy(&run().stdout).into_owned();
    assert!(
        said.lines()
            .any(|l| l.starts_with("0 animal(s) snapshotted")),
        "{said}"
    );

    // A spacing of 0 is refused by name, before anything is read or written.
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_icattle"))
        .args(["snapshot", "--snapshot-every", "0"])
        .env("ICATTLE_DATA_DIR", &settings.data_dir)
        .output()
        .expect("icattle runs");
    let said = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(!refused.status.success(), "{said}");
    assert!(said.contains("--snapshot-every"), "{said}");
}
