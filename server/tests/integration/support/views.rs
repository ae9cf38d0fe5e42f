//! Running the read models against a test's own database, topics and cache prefix, and
//! comparing what they hold.
use super::{brokers, count, eventually};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use server::cache::{CacheKeys, CacheView, SharedCache};
use server::config::Settings;
use server::fraud::FraudView;
use server::golden::GoldenRecord;
use server::kafka::publisher::{idempotent_producer, EventPublisher};
use server::kafka::topics::{ensure_topics, Topics};
use server::keys::TrustedKeys;
use server::live::LiveHub;
use server::views::consumer::{self, ConsumerSource};
use server::views::group_turns::Sharing;
use server::views::LogView;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::task::JoinHandle;

/// The golden record's tables.
pub const GOLDEN_TABLES: &[&str] = &[
    "cattle",
    "cattle_events",
    "clients",
    "valuations",
    "weighings",
    "rejected_events",
    "duplicate_events",
];

/// The fraud view's own tables (it shares `view_heads` with the fraud detector).
pub const FRAUD_TABLES: &[&str] = &["fraud_alerts", "risk_scores", "suspicions"];

/// The SQL tables views share, and the checkpoints of all.
const SHARED_VIEW_TABLES: &[&str] = &["view_heads", "projection_checkpoints"];

/// The SQL tables of every view.
fn view_tables() -> Vec<&'static str> {
    GOLDEN_TABLES
        .iter()
        .chain(FRAUD_TABLES)
        .chain(SHARED_VIEW_TABLES)
        .copied()
        .collect()
}

/// One test's views and the means to feed them.
pub struct Views {
    pub db: DatabaseConnection,
    pub golden: GoldenRecord,
    pub fraud: FraudView,
    pub cache_view: CacheView,
    pub cache: SharedCache,
    pub keys: CacheKeys,
    pub topics: Topics,
    pub publisher: EventPublisher,
}

impl Views {
    /// Views over the test's database and a cache store, trusting `trusted`.
    pub async fn new(settings: &Settings, cache: SharedCache, trusted: TrustedKeys) -> Self {
        let db = super::connect(settings).await;
        let topics = Topics::new(&settings.topic_prefix);
        ensure_topics(&brokers(), &topics, settings.topic_layout())
            .await
            .expect("topics");
        let keys = CacheKeys::new(&settings.cache_prefix);
        Views {
            golden: GoldenRecord::new(db.clone(), trusted.clone()),
            fraud: FraudView::new(db.clone(), trusted.clone()),
            cache_view: CacheView::new(cache.clone(), keys.clone(), trusted),
            cache,
            keys,
            publisher: EventPublisher::new(
                idempotent_producer(&brokers()).expect("a producer"),
                topics.cattle_events(),
            ),
            topics,
            db,
        }
    }

    /// The cattle log as the consumer group `group` reads it.
    pub fn source(&self, group: &str) -> ConsumerSource {
        ConsumerSource {
            brokers: brokers(),
            topic: self.topics.cattle_events(),
            group: self.topics.group(group),
            dead_letter_topic: None,
            sharing: Sharing::ReadsAll,
        }
    }

    /// Starts one consumer per view.
    pub fn start(&self) -> Vec<JoinHandle<()>> {
        vec![
            spawn(self.golden.clone(), self.source("golden-record")),
            spawn(self.fraud.clone(), self.source("fraud-view")),
            spawn(self.cache_view.clone(), self.source("cache-view")),
        ]
    }

    /// Starts the golden record's consumer alone.
    pub fn start_golden(&self) -> JoinHandle<()> {
        spawn(self.golden.clone(), self.source("golden-record"))
    }

    /// Publishes every message (in order per key) and returns the last offset per partition.
    pub async fn publish(&self, messages: &[super::herd_history::Message]) -> BTreeMap<i32, i64> {
        let mut last = BTreeMap::new();
        for chunk in messages.chunks(500) {
            let sends = chunk
                .iter()
                .map(|m| self.publisher.publish_raw(&m.key, &m.body));
            for position in futures::future::join_all(sends).await {
                let position = position.expect("the broker acknowledges");
                let entry = last.entry(position.partition).or_insert(position.offset);
                *entry = (*entry).max(position.offset);
            }
        }
        last
    }

    /// Waits until `view` has applied every offset in `last`.
    pub async fn caught_up<V: LogView>(
        &self,
        view: &V,
        last: &BTreeMap<i32, i64>,
        within: Duration,
    ) {
        let topic = self.topics.cattle_events();
        eventually(within, &format!("{} to catch up", view.name()), || {
            let topic = topic.clone();
            async move {
                let saved: BTreeMap<i32, i64> =
                    view.checkpoints(&topic).await.ok()?.into_iter().collect();
                last.iter()
                    .all(|(p, o)| saved.get(p).is_some_and(|s| s >= o))
                    .then_some(())
            }
        })
        .await;
    }

    /// Waits until every view has applied every offset in `last`.
    pub async fn all_caught_up(&self, last: &BTreeMap<i32, i64>, within: Duration) {
        self.caught_up(&self.golden, last, within).await;
        self.caught_up(&self.fraud, last, within).await;
        self.caught_up(&self.cache_view, last, within).await;
    }

    /// Every row of every view table (sorted) and every cache key with its value.
    pub async fn dump(&self) -> (BTreeMap<String, Vec<String>>, BTreeMap<String, String>) {
        (
            sql_dump(&self.db, &view_tables()).await,
            self.cache
                .dump(&self.keys.prefix())
                .await
                .expect("cache dump"),
        )
    }

    /// Drops every view: empties the tables and the cache keys.
    pub async fn drop_all(&self) {
        for table in view_tables() {
            self.db
                .execute_unprepared(&format!("DELETE FROM {table}"))
                .await
                .expect("emptied");
            assert_eq!(count(&self.db, table).await, 0);
        }
        self.cache
            .clear(&self.keys.prefix())
            .await
            .expect("cache cleared");
    }
}

/// Runs `view`'s consumer until the task is aborted.
pub fn spawn<V: LogView>(view: V, source: ConsumerSource) -> JoinHandle<()> {
    tokio::spawn(async move {
        consumer::run(view, source, LiveHub::new())
            .await
            .expect("the consumer runs");
    })
}

/// Every row of each table as JSON text, sorted.
pub async fn sql_dump(db: &DatabaseConnection, tables: &[&str]) -> BTreeMap<String, Vec<String>> {
    let mut dump = BTreeMap::new();
    for table in tables {
        let rows = db
            .query_all(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT row_to_json(t)::text AS j FROM {table} t ORDER BY 1"),
            ))
            .await
            .expect("a dump");
        let rows: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String>("", "j").expect("text"))
            .collect();
        dump.insert(table.to_string(), rows);
    }
    dump
}
