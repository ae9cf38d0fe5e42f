//! The read side against the real broker, PostgreSQL and Redis: every view rebuilds from the
//! log alone to the same contents, survives being killed, and keeps answering reads.
use crate::support;

use server::cache::{RedisCache, SharedCache};
use server::keys::TrustedKeys;
use std::sync::Arc;
use std::time::Duration;
use support::herd_history::herd_history;
use support::views::Views;

fn redis_cache() -> SharedCache {
    Arc::new(RedisCache::new(&support::redis_url()).expect("a Redis URL"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replaying_the_log_rebuilds_every_view_identically() {
    let settings = support::settings("replay").await;
    let key = support::test_key();
    let views = Views::new(
        &settings,
        redis_cache(),
        TrustedKeys::new([key.public_key_hex()]),
    )
    .await;
    let (messages, mix) = herd_history(&key, &support::test_key(), 500, 20, 2026);
    assert!(messages.len() >= 10_000, "{} messages", messages.len());
    assert!(
        mix.races > 0 && mix.duplicates > 0 && mix.forged > 0,
        "{mix:?}"
    );

    let last = views.publish(&messages).await;
    let consumers = views.start();
    views.all_caught_up(&last, Duration::from_secs(600)).await;
    for consumer in consumers {
        consumer.abort();
    }
    let (live_tables, live_cache) = views.dump().await;
    assert_eq!(live_tables["cattle"].len(), 500);
    assert_eq!(live_tables["clients"].len(), 5);
    assert_eq!(live_tables["cattle_events"].len(), mix.genuine);
    assert_eq!(live_tables["rejected_events"].len(), mix.races + mix.forged);
    assert!(live_cache.len() > 1_500, "{} cache keys", live_cache.len());
    assert_eq!(live_tables["fraud_alerts"].len(), mix.fraud_alerts);
    let resolved = live_tables["fraud_alerts"]
        .iter()
        .filter(|row| row.contains("\"resolved\":true"))
        .count();
    assert_eq!(resolved, mix.resolved);
    assert_eq!(live_tables["risk_scores"].len(), 500);
    assert!(
        !live_tables["suspicions"].is_empty(),
        "open and confirmed alerts flag their animals"
    );

    views.drop_all().await;
    let consumers = views.start();
    views.all_caught_up(&last, Duration::from_secs(600)).await;
    for consumer in consumers {
        consumer.abort();
    }
    let (replayed_tables, replayed_cache) = views.dump().await;
    for (table, rows) in &live_tables {
        assert!(
            rows == &replayed_tables[table],
            "table {table} differs after replay"
        );
    }
    assert!(
        live_cache == replayed_cache,
        "the cache keys differ after replay"
    );
}

/// A pseudo-random number below `n` for timing choices.
fn random_below(n: u64) -> u64 {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    u64::from_le_bytes(bytes[..8].try_into().expect("eight bytes")) % n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_golden_consumer_killed_twenty_times_ends_like_a_clean_run() {
    let crashing = support::settings("crash").await;
    let mut clean = crashing.clone();
    clean.database_url = Some(support::fresh_database("clean").await);
    let key = support::test_key();
    let trusted = TrustedKeys::new([key.public_key_hex()]);
    let crash_views = Views::new(&crashing, redis_cache(), trusted.clone()).await;
    let clean_views = Views::new(&clean, redis_cache(), trusted).await;
    let (messages, _) = herd_history(&key, &support::test_key(), 100, 20, 99);

    // Events keep flowing while the consumer is killed again and again.
    let publisher = {
        let publisher = crash_views.publisher.clone();
        tokio::spawn(async move {
            let mut last = std::collections::BTreeMap::new();
            for chunk in messages.chunks(60) {
                for message in chunk {
                    let at = publisher
                        .publish_raw(&message.key, &message.body)
                        .await
                        .expect("acknowledged");
                    let entry = last.entry(at.partition).or_insert(at.offset);
                    *entry = (*entry).max(at.offset);
                }
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
            last
        })
    };
    for _ in 0..20 {
        let consumer = crash_views.start_golden();
        tokio::time::sleep(Duration::from_millis(40 + random_below(250))).await;
        consumer.abort();
        let _ = consumer.await;
    }
    let last = publisher.await.expect("published");
    let consumer = crash_views.start_golden();
    crash_views
        .caught_up(&crash_views.golden, &last, Duration::from_secs(300))
        .await;
    consumer.abort();
    let consumer = clean_views.start_golden();
    clean_views
        .caught_up(&clean_views.golden, &last, Duration::from_secs(300))
        .await;
    consumer.abort();

    let tables = [
        "cattle",
        "cattle_events",
        "clients",
        "valuations",
        "weighings",
        "rejected_events",
        "projection_checkpoints",
    ];
    let crashed = support::views::sql_dump(&crash_views.db, &tables).await;
    let undisturbed = support::views::sql_dump(&clean_views.db, &tables).await;
    assert!(!crashed["cattle_events"].is_empty());
    for table in tables {
        assert!(
            crashed[table] == undisturbed[table],
            "table {table} differs from the clean run"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_rebuilds_state() {
    // The seed's "replay events rebuilds state": create, transfer, clear, replay.
    let settings = support::settings("seedreplay").await;
    let key = support::test_key();
    let views = Views::new(
        &settings,
        redis_cache(),
        TrustedKeys::new([key.public_key_hex()]),
    )
    .await;
    let created = support::created_envelope(&key, 5);
    let id = created.metadata.cattle_id;
    let transfer = support::next_envelope(
        &key,
        std::slice::from_ref(&created),
        serde_json::json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": id.0, "toClientId": 2}}),
    );
    let mut last = std::collections::BTreeMap::new();
    for envelope in [&created, &transfer] {
        let at = views
            .publisher
            .publish(envelope)
            .await
            .expect("acknowledged");
        last.insert(at.partition, at.offset);
    }
    let consumers = views.start();
    views.all_caught_up(&last, Duration::from_secs(60)).await;
    for consumer in consumers {
        consumer.abort();
    }
    views.drop_all().await;
    assert!(
        server::golden::animal_queries::cattle_by_id(&views.db, id.0)
            .await
            .expect("query")
            .is_none()
    );

    let consumers = views.start();
    views.all_caught_up(&last, Duration::from_secs(60)).await;
    for consumer in consumers {
        consumer.abort();
    }
    let record = server::golden::animal_queries::cattle_by_id(&views.db, id.0)
        .await
        .expect("query")
        .expect("the animal is back");
    assert_eq!(record.client_id, 2);
    assert_eq!(record.sequence, 2);
}
