//! The key registry as a stream of the log (issue 18, item 1): the keys every view trusts
//! come from root-signed records on their own topic, so the views rebuilt from the log with
//! nothing but the root public key equal those built while the accounts existed, and a key
//! signs nothing from its revocation on, on every replay.
use crate::support::{self, views::Views};
use sea_orm::ConnectionTrait;
use serde_json::json;
use server::cache::{RedisCache, SharedCache};
use server::kafka::publisher::{idempotent_producer, EventPublisher};
use std::sync::Arc;
use std::time::Duration;

/// Every accepted event of `cattle_id` as the golden record holds it, in order.
async fn envelopes_of(
    server: &server::instance::Instance,
    cattle_id: i64,
) -> Vec<domain::EventEnvelope> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use server::entity::cattle_event;
    cattle_event::Entity::find()
        .filter(cattle_event::Column::CattleId.eq(cattle_id))
        .order_by_asc(cattle_event::Column::Sequence)
        .all(&server.db)
        .await
        .expect("the events")
        .iter()
        .map(|row| domain::EventEnvelope::from_json_value(&row.envelope).expect("an envelope"))
        .collect()
}

/// The entry `GET /api/keys` publishes for `public_key`.
async fn published_key(server: &server::instance::Instance, public_key: &str) -> serde_json::Value {
    let keys: serde_json::Value = support::json_answer(
        reqwest::Client::new().get(format!("http://{}/api/keys", server.addr)),
    )
    .await;
    keys.as_array()
        .expect("a list")
        .iter()
        .find(|k| k["public_key"] == public_key)
        .cloned()
        .expect("the key is published")
}

/// The command registering animal `n` for `client`, and the animal's id.
fn create(n: i64, client: i64) -> (serde_json::Value, i64) {
    let nlis = support::nlis(n as u32);
    let id = domain::CattleId::for_nlis(&nlis).0;
    let command = json!({"type": "CREATE_CATTLE",
        "data": {"nlisId": nlis, "breed": "Angus", "sex": "FEMALE", "clientId": client}});
    (command, id)
}

fn health(cattle_id: i64, notes: &str) -> serde_json::Value {
    json!({"type": "RECORD_HEALTH", "data": {"cattleId": cattle_id, "kind": "VACCINATION", "notes": notes}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_replayed_with_only_the_root_key_after_the_users_table_is_dropped_are_identical() {
    let settings = support::settings("key_stream").await;
    let server = support::start(&settings).await;
    let base = 9_180_000 + (std::process::id() as i64 % 10_000) * 10;
    let (farmer, _) = support::farmer_with_clients(&server, &[base]).await;
    let (other, other_token) = support::farmer_with_clients(&server, &[base + 1]).await;
    for n in 0..3 {
        support::applied_command(&server, &farmer, create(base + 2 + n, base).0).await;
    }
    let (created, animal) = create(base + 5, base + 1);
    support::applied_command(&server, &other, created).await;
    support::applied_command(&server, &other, health(animal, "before the account closed")).await;

    // The stream registered every account's key, and `/api/keys` is its view.
    let other_actor = support::actor_of(&server, &other_token).await;
    let listed = published_key(&server, &other_actor.key.public_key_hex()).await;
    assert_eq!(listed["owner"], other_actor.user.user_id, "{listed}");
    assert_eq!(listed["signs_for"], "OWNER");
    assert!(listed["valid_from"].is_string(), "{listed}");

    // Closing the account revokes its key on the stream; an event its key signs after that
    // is refused, though the signature, the chain and the author are all right.
    server
        .accounts
        .set_disabled(&other_actor.user.username, true)
        .await
        .expect("disabled");
    let revoked = published_key(&server, &other_actor.key.public_key_hex()).await;
    let revoked_from = revoked["revoked_from"]
        .as_str()
        .expect("revoked")
        .to_string();
    let millis = domain::timestamp_millis(&revoked_from).expect("a time") + 1_000;
    let after = chrono::DateTime::from_timestamp_millis(millis)
        .expect("a time")
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let before = envelopes_of(&server, animal).await;
    let forged = support::next_envelope_by(
        &other_actor.key,
        &before,
        health(animal, "signed after the account closed"),
        &after,
        Some(&other_actor.user.user_id),
    );
    let publisher = EventPublisher::new(
        idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.cattle_events(),
    );
    publisher.publish(&forged).await.expect("published");
    // The account opens again with a new key, which signs from then on.
    server
        .accounts
        .set_disabled(&other_actor.user.username, false)
        .await
        .expect("enabled");
    let (renewed_token, _) = server
        .accounts
        .sign_in(&other_actor.user.username, "a long test password", None)
        .await
        .expect("signed in again");
    let renewed = support::actor_of(&server, &renewed_token).await;
    assert_ne!(
        renewed.key.public_key_hex(),
        other_actor.key.public_key_hex()
    );
    let renewed_http = support::api_client(&renewed_token);
    support::applied_command(&server, &renewed_http, health(animal, "with the new key")).await;
    let status: serde_json::Value = support::json_answer(renewed_http.get(format!(
        "http://{}/api/events/{}/status",
        server.addr, forged.metadata.event_id
    )))
    .await;
    assert!(
        status.to_string().contains("REJECTED"),
        "the event signed after the revocation is refused: {status}"
    );
    let held = envelopes_of(&server, animal).await;
    assert_eq!(
        held.len(),
        3,
        "created, the first visit, the new key's visit"
    );

    // An administrator gives the farmer another key: the one before is revoked from then.
    server
        .accounts
        .rotate_key(&other_actor.user.username)
        .await
        .expect("a new key");
    let rotated = support::actor_of(&server, &renewed_token).await;
    assert_ne!(rotated.key.public_key_hex(), renewed.key.public_key_hex());
    let retired = published_key(&server, &renewed.key.public_key_hex()).await;
    assert!(retired["revoked_from"].is_string(), "{retired}");
    support::applied_command(&server, &renewed_http, health(animal, "with the third key")).await;
    assert_eq!(envelopes_of(&server, animal).await.len(), 4);

    // What the views hold now, built while the accounts existed.
    let tables: Vec<&str> = support::views::GOLDEN_TABLES
        .iter()
        .chain(support::views::FRAUD_TABLES)
        .copied()
        .collect();
    support::eventually(Duration::from_secs(30), "the views to settle", || async {
        let first = support::views::sql_dump(&server.db, &tables).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        (first == support::views::sql_dump(&server.db, &tables).await).then_some(())
    })
    .await;
    let built = support::views::sql_dump(&server.db, &tables).await;
    let (brokers, log) = (server.brokers.clone(), server.topics.cattle_events());
    let key_topic = server.topics.key_registry();
    server.stop().await;

    // No accounts at all: only the log and the root public key.
    let db = support::connect(&settings).await;
    db.execute_unprepared("DROP TABLE users CASCADE")
        .await
        .expect("the users table dropped");
    let cache: SharedCache = Arc::new(RedisCache::new(&support::redis_url()).expect("a Redis URL"));
    let views = Views::new(&settings, cache, support::trusted_from_log(&settings)).await;
    let cache_built = views.dump().await.1;
    views.drop_all().await;
    let ends: std::collections::BTreeMap<i32, i64> =
        server::kafka::topics::end_offsets(&brokers, &log)
            .expect("the log's ends")
            .into_iter()
            .filter(|(_, end)| *end > 0)
            .map(|(partition, end)| (partition, end - 1))
            .collect();
    let consumers = views.start();
    views.all_caught_up(&ends, Duration::from_secs(90)).await;
    for consumer in consumers {
        consumer.abort();
    }
    let replayed = support::views::sql_dump(&views.db, &tables).await;
    for table in &tables {
        assert!(
            built[*table] == replayed[*table],
            "{table} replayed from the log and the root key alone differs:\nbuilt {:#?}\nreplayed {:#?}",
            built[*table],
            replayed[*table]
        );
    }
    assert_eq!(
        views.dump().await.1,
        cache_built,
        "the cache view is the same"
    );
    assert!(
        replayed["rejected_events"]
            .iter()
            .any(|row| row.contains(&forged.metadata.event_id)),
        "the replay refuses the event signed after the revocation too"
    );
    assert!(
        built["cattle_events"]
            .iter()
            .any(|row| row.contains("with the new key")),
        "the new key's event is accepted on the replay too"
    );

    // `icattle verify` takes its keys from the same stream and judges the same way.
    let root = support::root_key(&settings).public_key_hex();
    let verified = std::process::Command::new(env!("CARGO_BIN_EXE_icattle"))
        .args(["verify", "--topic", &log, "--brokers", &brokers])
        .args(["--key-topic", &key_topic, "--root-key", &root])
        .output()
        .expect("icattle verify runs");
    let report = String::from_utf8_lossy(&verified.stdout);
    assert!(!verified.status.success(), "{report}");
    assert!(report.contains("KEY_REVOKED"), "{report}");
    assert!(
        report.contains(&forged.metadata.event_id),
        "the report names the event signed after the revocation: {report}"
    );
    assert!(!report.contains("UNKNOWN_KEY"), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_reader_closed_between_reads_goes_on_where_it_stopped() {
    let settings = support::settings("key_reader_closed").await;
    let server = support::start(&settings).await;
    let base = 9_190_000 + (std::process::id() as i64 % 10_000) * 10;
    support::farmer_with_clients(&server, &[base]).await;
    let stream = Arc::clone(
        support::trusted_from_log(&settings)
            .key_stream()
            .expect("a key stream"),
    );
    stream.read_to_end().await.expect("the first read");
    let first = stream.records().len();
    assert!(
        first >= 2,
        "the root and the farmer's key are on the stream"
    );

    // Closed, as a process closing down closes it; a key registered meanwhile is read by
    // the next read, once, after those read before.
    stream.close_reader();
    let (_, token) = support::farmer_with_clients(&server, &[base + 1]).await;
    let newcomer = support::actor_of(&server, &token).await;
    stream.read_to_end().await.expect("a read after closing");
    assert!(
        stream
            .registry()
            .owner(&newcomer.key.public_key_hex())
            .is_some(),
        "the key registered while the reader was closed is read"
    );

    let fresh = Arc::clone(
        support::trusted_from_log(&settings)
            .key_stream()
            .expect("a key stream"),
    );
    fresh.read_to_end().await.expect("a read from the start");
    assert!(stream.records().len() > first);
    assert_eq!(
        stream.records(),
        fresh.records(),
        "read twice with a close between, the stream is what one read from the start gives"
    );
    support::clean_up(&settings).await;
}
