//! The cache view on a real Redis: eventually consistent with PostgreSQL and the search
//! index, and reads keep answering (from PostgreSQL) while Redis is down, until the view
//! catches up again.
use crate::support;

use serde_json::{json, Value};
use server::cache::{CacheKeys, CacheStore, RedisCache};
use std::process::Stdio;
use std::time::Duration;
use support::eventually;
use tokio::process::{Child, Command};

const WITHIN: Duration = Duration::from_secs(30);

async fn register(http: &reqwest::Client, base: &str, nlis: &str) -> i64 {
    let response = http
        .post(format!("{base}/api/commands"))
        .json(&json!({"type": "CREATE_CATTLE",
                      "data": {"nlisId": nlis, "breed": "Angus", "sex": "MALE", "clientId": 3}}))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(response.status(), 202);
    let ack: Value = response.json().await.expect("an acknowledgement");
    ack["cattle_id"].as_i64().expect("a cattle id")
}

async fn read(http: &reqwest::Client, base: &str, id: i64) -> Option<Value> {
    let response = http
        .get(format!("{base}/api/cattle/{id}"))
        .send()
        .await
        .ok()?;
    (response.status() == 200).then_some(())?;
    response.json().await.ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_models_are_eventually_consistent() {
    // The seed's consistency test: PostgreSQL and Redis both hold the new animal.
    let settings = support::settings("consistent").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (http, _) = support::farmer_with_clients(&server, &[3]).await;
    let id = register(&http, &base, &support::nlis(11)).await;

    let db = server.db.clone();
    eventually(WITHIN, "the golden record row", || {
        let db = db.clone();
        async move {
            server::golden::animal_queries::cattle_by_id(&db, id)
                .await
                .ok()?
        }
    })
    .await;
    let keys = CacheKeys::new(&settings.cache_prefix);
    let redis = RedisCache::new(&support::redis_url()).expect("a Redis URL");
    let cached: Value = eventually(WITHIN, "the Redis key", || {
        let key = keys.cattle(id);
        let redis = &redis;
        async move { serde_json::from_str(&redis.get(&key).await.ok()??).ok() }
    })
    .await;
    assert_eq!(cached["nlis_id"], support::nlis(11));
    assert!(redis
        .get(&keys.risk(id))
        .await
        .expect("Redis answers")
        .is_some());
    eventually(WITHIN, "the risk score row", || {
        let db = db.clone();
        async move { (support::count(&db, "risk_scores").await == 1).then_some(()) }
    })
    .await;
    let found: Value = eventually(WITHIN, "the search index's document", || {
        let (http, base) = (&http, &base);
        async move {
            let url = format!("{base}/api/search?q={}", support::nlis(11));
            let found: Value = http.get(url).send().await.ok()?.json().await.ok()?;
            (found["total"] == 1).then_some(found)
        }
    })
    .await;
    assert_eq!(found["hits"][0]["cattle_id"], id);
    assert_eq!(found["hits"][0]["breed"], "Angus");
}

/// A Redis of this test's own, so stopping it disturbs no other test.
struct OwnRedis {
    port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    async fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server runs");
        eventually(WITHIN, "the test's Redis to listen", || async move {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .ok()
                .map(|_| ())
        })
        .await;
        OwnRedis {
            port,
            child: Some(child),
        }
    }

    async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("Redis stops");
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_survive_redis_going_away_and_the_cache_catches_up() {
    let port = 20_000 + (uuid::Uuid::new_v4().as_u128() % 20_000) as u16;
    let mut redis = OwnRedis::start(port).await;
    let mut settings = support::settings("redisdown").await;
    settings.redis_url = Some(redis.url());
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (http, _) = support::farmer_with_clients(&server, &[3]).await;
    let keys = CacheKeys::new(&settings.cache_prefix);
    let store = RedisCache::new(&redis.url()).expect("a Redis URL");

    let first = register(&http, &base, &support::nlis(21)).await;
    eventually(WITHIN, "the first animal in the cache", || {
        let key = keys.cattle(first);
        let store = &store;
        async move { store.get(&key).await.ok()?.map(|_| ()) }
    })
    .await;

    // The golden record follows its own consumer: make sure it has the animal too.
    let db = server.db.clone();
    eventually(WITHIN, "the first animal in PostgreSQL", || {
        let db = db.clone();
        async move {
            server::golden::animal_queries::cattle_by_id(&db, first)
                .await
                .ok()?
        }
    })
    .await;

    redis.stop().await;
    let record = read(&http, &base, first)
        .await
        .expect("read from PostgreSQL while Redis is down");
    assert_eq!(record["nlis_id"], support::nlis(21));
    let second = register(&http, &base, &support::nlis(22)).await;
    let record: Value = eventually(WITHIN, "the second animal through PostgreSQL", || {
        read(&http, &base, second)
    })
    .await;
    assert_eq!(record["nlis_id"], support::nlis(22));

    let _redis = OwnRedis::start(port).await;
    let store = RedisCache::new(&format!("redis://127.0.0.1:{port}")).expect("a Redis URL");
    for id in [first, second] {
        eventually(WITHIN, "the cache view to catch up", || {
            let key = keys.cattle(id);
            let store = &store;
            async move { store.get(&key).await.ok()?.map(|_| ()) }
        })
        .await;
    }
}
