//! Rebuilding the cache view blue/green in Redis: a new generation of its keys is replayed
//! from the log beside the one in use while a reader keeps reading an animal's key under the
//! generation the store names; it never finds the key missing, the rebuilt generation holds
//! exactly what the old one held, the old keys are removed, and later animals are written
//! into the rebuilt generation. A cancelled rebuild leaves the keys in use alone and its
//! copy gone.
use crate::support;

use support::rebuilds::{followed_to_the_end, rebuild_call};

use domain::{CattleId, Role};
use reqwest::Method;
use serde_json::json;
use server::cache::{CacheKeys, CacheStore, RedisCache, FIRST_GENERATION};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const ANIMALS: u32 = 12;

/// Every key of `keys`' generation, without the generation's prefix, with its value.
async fn generation_keys(store: &RedisCache, keys: &CacheKeys) -> BTreeMap<String, String> {
    let under = keys.prefix();
    let mut relative = BTreeMap::new();
    for prefix in keys.view_prefixes() {
        for (key, value) in store.dump(&prefix).await.expect("Redis answers") {
            relative.insert(key[under.len()..].to_string(), value);
        }
    }
    relative
}

/// The generation in use and its keys.
async fn generation_in_use(store: &RedisCache, prefix: &str) -> (String, BTreeMap<String, String>) {
    let keys = CacheKeys::in_use(store, prefix)
        .await
        .expect("Redis answers");
    (keys.generation(), generation_keys(store, &keys).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_view_is_rebuilt_beside_the_keys_in_use_and_never_goes_missing() {
    let settings = support::settings("cache_rebuild").await;
    let prefix = settings.cache_prefix.clone();
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let store = RedisCache::new(&support::redis_url()).expect("a Redis URL");
    let admin = support::api_client(&support::signed_in(&server, Role::Admin).await);
    let (farmer, _) = support::farmer_with_clients(&server, &[64]).await;
    let mut ids = Vec::new();
    for n in 0..ANIMALS {
        let nlis = support::nlis(6400 + n);
        support::applied_command(
            &server,
            &farmer,
            json!({"type": "CREATE_CATTLE",
            "data": {"nlisId": nlis, "breed": "Angus", "sex": "FEMALE", "clientId": 64}}),
        )
        .await;
        ids.push(CattleId::for_nlis(&nlis).0);
    }
    let first_keys = CacheKeys::new(&prefix);
    for id in &ids {
        support::eventually(
            Duration::from_secs(20),
            "the cache holds the herd",
            || async { store.get(&first_keys.cattle(*id)).await.ok()?.map(|_| ()) },
        )
        .await;
    }
    let (first, before) = generation_in_use(&store, &prefix).await;
    assert_eq!(first, FIRST_GENERATION);

    // A cancelled rebuild: its keys go, the keys in use stay.
    assert_eq!(
        rebuild_call(&admin, &base, Method::POST, "cache_view")
            .await
            .status(),
        202
    );
    assert_eq!(
        rebuild_call(&admin, &base, Method::DELETE, "cache_view")
            .await
            .status(),
        202
    );
    let (run, _) = followed_to_the_end(&admin, &base, "cache_view").await;
    assert_eq!(run["state"], "CANCELLED", "{run}");
    assert_eq!(
        generation_in_use(&store, &prefix).await,
        (first.clone(), before.clone())
    );
    let everything = store.dump(&prefix).await.expect("Redis answers");
    let first_names = first_keys.view_prefixes();
    let outside: Vec<&String> = everything
        .keys()
        .filter(|key| !first_names.iter().any(|p| key.starts_with(p.as_str())))
        .collect();
    assert!(
        outside.is_empty(),
        "the copy's keys and its pointer are gone: {outside:?}"
    );

    // A reader asks all along the rebuild, under whichever generation the store names.
    let watched = ids[ANIMALS as usize / 2];
    let stop = Arc::new(AtomicBool::new(false));
    let asked = Arc::new(AtomicU64::new(0));
    let reader = tokio::spawn({
        let (stop, asked, prefix) = (stop.clone(), asked.clone(), prefix.clone());
        async move {
            let store = RedisCache::new(&support::redis_url()).expect("a Redis URL");
            let mut missing = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let keys = CacheKeys::in_use(&store, &prefix)
                    .await
                    .expect("Redis answers");
                let found = store
                    .get(&keys.cattle(watched))
                    .await
                    .expect("Redis answers");
                asked.fetch_add(1, Ordering::SeqCst);
                if found.is_none() {
                    // Missing under a generation the store still names in use: a hole.
                    let now = CacheKeys::in_use(&store, &prefix)
                        .await
                        .expect("Redis answers");
                    if now.generation() == keys.generation() {
                        missing.push(keys.generation());
                    }
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            missing
        }
    });
    assert_eq!(
        rebuild_call(&admin, &base, Method::POST, "cache_view")
            .await
            .status(),
        202
    );
    let (run, _) = followed_to_the_end(&admin, &base, "cache_view").await;
    assert_eq!(run["state"], "FINISHED", "{run}");
    stop.store(true, Ordering::SeqCst);
    let missing = reader.await.expect("the reader ran");
    assert!(
        missing.is_empty(),
        "the animal's key was missing in {missing:?}"
    );
    assert!(asked.load(Ordering::SeqCst) > 0);

    let (rebuilt, after) = generation_in_use(&store, &prefix).await;
    assert_ne!(rebuilt, first);
    assert_eq!(
        after, before,
        "the rebuilt generation holds what the old one did"
    );
    let old = generation_keys(&store, &first_keys).await;
    assert!(
        old.is_empty(),
        "the old generation's keys are removed: {old:?}"
    );
    let read = support::json_answer(farmer.get(format!("{base}/api/cattle/{watched}"))).await;
    assert_eq!(read["id"], watched, "{read}");

    // The live view goes on writing into the rebuilt generation.
    let later = support::nlis(6499);
    support::applied_command(
        &server,
        &farmer,
        json!({"type": "CREATE_CATTLE",
        "data": {"nlisId": later, "breed": "Angus", "sex": "MALE", "clientId": 64}}),
    )
    .await;
    let rebuilt_keys = CacheKeys::at_generation(&prefix, &rebuilt);
    let later_id = CattleId::for_nlis(&later).0;
    support::eventually(
        Duration::from_secs(20),
        "the later animal's key",
        || async {
            store
                .get(&rebuilt_keys.cattle(later_id))
                .await
                .ok()?
                .map(|_| ())
        },
    )
    .await;
    store
        .clear(&prefix)
        .await
        .expect("the test's keys are removed");
    server.stop().await;
}
