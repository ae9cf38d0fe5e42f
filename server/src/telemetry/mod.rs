//! What the registry tells an operator: Prometheus metrics recorded with the `metrics`
//! facade and rendered by `metrics-exporter-prometheus` at `GET /metrics`. Names are the
//! seed's; each is recorded where the thing happens (the command handler, the publisher,
//! each view's consumer).
pub mod alert_rules;
pub mod cache_tally;
pub mod engine_probes;
pub mod lag_clock;
mod metric_names;
pub mod watch;

pub use metric_names::*;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// The process's one recorder: `metrics` holds a single global recorder, so every instance
/// in a process (tests start several) shares it.
static EXPORTER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Latency buckets in seconds, from a fast local publish to a stalled one.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0,
];

/// How often histogram samples are folded into their buckets when nobody scrapes.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Installs the recorder once and answers its handle; None when another recorder was
/// installed first (then nothing is lost but the page). Call it inside the runtime: the
/// first call also starts the upkeep task, without which histogram samples would pile up
/// in memory between scrapes.
pub fn exporter() -> Option<&'static PrometheusHandle> {
    EXPORTER
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(SECONDS_BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            describe_all();
            let kept = handle.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(UPKEEP_EVERY);
                loop {
                    every.tick().await;
                    kept.run_upkeep();
                }
            });
            Some(handle)
        })
        .as_ref()
}

/// Runs a read-model query, timing it into `icattle_read_seconds` by `store` and `read`.
pub async fn timed_read<T>(
    store: &'static str,
    read: &'static str,
    query: impl std::future::Future<Output = T>,
) -> T {
    let started = std::time::Instant::now();
    let answer = query.await;
    metrics::histogram!(READ_SECONDS, "store" => store, "read" => read)
        .record(started.elapsed().as_secs_f64());
    answer
}

/// The database's name as a `store` label: `postgres` or `sqlite`.
pub fn store_label(db: &sea_orm::DatabaseConnection) -> &'static str {
    use sea_orm::{ConnectionTrait, DatabaseBackend};
    match db.get_database_backend() {
        DatabaseBackend::Postgres => "postgres",
        DatabaseBackend::Sqlite => "sqlite",
        DatabaseBackend::MySql => "mysql",
    }
}

/// The exposition text of every metric recorded so far.
pub fn render() -> String {
    exporter().map(PrometheusHandle::render).unwrap_or_default()
}
