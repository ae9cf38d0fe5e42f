//! Replay: a fresh golden record rebuilt from the whole log, and how fast it gets there.
use indicatif::ProgressBar;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;
use sea_orm::DatabaseConnection;
use server::golden::GoldenRecord;
use server::keys::TrustedKeys;
use server::live::LiveHub;
use server::views::consumer::{self, ConsumerSource};
use server::views::sql_checkpoint;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The end offset (next offset to be written) of every partition of `topic`.
pub fn end_offsets(brokers: &str, topic: &str) -> anyhow::Result<BTreeMap<i32, i64>> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", "icattle-bench-watermarks")
        .create()?;
    let partitions = server::kafka::topics::partition_count(&consumer, topic)?;
    let mut ends = BTreeMap::new();
    for partition in 0..partitions {
        let (_, high) = consumer.fetch_watermarks(topic, partition, Duration::from_secs(10))?;
        ends.insert(partition, high);
    }
    Ok(ends)
}

/// How many of the messages before `ends` the view `projection` has applied.
pub async fn applied_so_far(
    db: &DatabaseConnection,
    projection: &str,
    topic: &str,
    ends: &BTreeMap<i32, i64>,
) -> anyhow::Result<i64> {
    let saved: BTreeMap<i32, i64> = sql_checkpoint::checkpoints(db, projection, topic)
        .await?
        .into_iter()
        .collect();
    Ok(ends
        .iter()
        .map(|(partition, end)| {
            saved
                .get(partition)
                .map_or(0, |offset| (offset + 1).min(*end))
        })
        .sum())
}

/// Waits until `projection` has applied everything before `ends`, or `within` passes.
pub async fn caught_up(
    db: &DatabaseConnection,
    projection: &str,
    topic: &str,
    ends: &BTreeMap<i32, i64>,
    within: Duration,
    progress: &ProgressBar,
) -> anyhow::Result<()> {
    let total: i64 = ends.values().sum();
    progress.set_length(u64::try_from(total).unwrap_or(0));
    let deadline = Instant::now() + within;
    loop {
        let done = applied_so_far(db, projection, topic, ends).await?;
        progress.set_position(u64::try_from(done).unwrap_or(0));
        if done >= total {
            return Ok(());
        }
        if Instant::now() > deadline {
            anyhow::bail!("{projection} applied {done} of {total} messages within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Rebuilds a golden record in `db` from offset 0 of `topic`: events per second.
pub async fn replay(
    db: DatabaseConnection,
    trusted: TrustedKeys,
    source: ConsumerSource,
    progress: &ProgressBar,
) -> anyhow::Result<(i64, f64)> {
    let ends = end_offsets(&source.brokers, &source.topic)?;
    let total: i64 = ends.values().sum();
    let topic = source.topic.clone();
    let golden = GoldenRecord::new(db.clone(), trusted);
    let started = Instant::now();
    let task = tokio::spawn(async move {
        if let Err(error) = consumer::run(golden, source, LiveHub::new()).await {
            tracing::error!(%error, "the replay consumer stopped");
        }
    });
    let outcome = caught_up(
        &db,
        server::golden::PROJECTION,
        &topic,
        &ends,
        Duration::from_secs(600),
        progress,
    )
    .await;
    let took = started.elapsed();
    task.abort();
    outcome?;
    Ok((total, total as f64 / took.as_secs_f64()))
}
