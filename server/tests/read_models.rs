//! The read side against the real broker, PostgreSQL and Redis: every view rebuilds from the
//! log alone to the same contents, survives being killed, and keeps answering reads.
mod support;

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
