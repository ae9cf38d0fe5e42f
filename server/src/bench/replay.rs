//! Replay: a fresh golden record rebuilt from the whole log, and how fast it gets there.
use indicatif::ProgressBar;
use sea_orm::DatabaseConnection;
use server::golden::GoldenRecord;
use server::kafka::topics::end_offsets;
use server::keys::TrustedKeys;
use server::live::LiveHub;
use server::log_catch_up::behind;
use server::views::consumer::{self, ConsumerSource};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Polls `done` (how many of `total` messages a reader has behind it) every `every`, showing
/// it on `progress`, until all are done, or fails naming `reader` once `within` passed.
async fn until_all_done<F, Fut>(
    reader: &str,
    total: i64,
    within: Duration,
    every: Duration,
    progress: &ProgressBar,
    mut done: F,
) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<i64>>,
{
    progress.set_length(u64::try_from(total).unwrap_or(0));
    let deadline = Instant::now() + within;
    loop {
        let done = done().await?;
        progress.set_position(u64::try_from(done).unwrap_or(0));
        if done >= total {
            return Ok(());
        }
        if Instant::now() > deadline {
            anyhow::bail!("{reader} reached {done} of {total} messages within {within:?}");
        }
        tokio::time::sleep(every).await;
    }
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
    let every = Duration::from_millis(20);
    until_all_done(projection, total, within, every, progress, || async {
        Ok(total - behind(db, projection, topic, ends).await?)
    })
    .await
}

/// The log's ends once it has stopped growing: the fraud detector raises alerts into the log
/// from what it reads, so `views` (the detector and the golden record) must reach an end
/// that then holds before a replay is compared with the golden record.
pub async fn settled_ends(
    db: &DatabaseConnection,
    brokers: &str,
    topic: &str,
    views: &[&str],
    within: Duration,
    progress: &ProgressBar,
) -> anyhow::Result<BTreeMap<i32, i64>> {
    loop {
        let ends = end_offsets(brokers, topic)?;
        for view in views {
            caught_up(db, view, topic, &ends, within, progress).await?;
        }
        if end_offsets(brokers, topic)? == ends {
            return Ok(ends);
        }
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
        server::golden::PROJECTION.as_str(),
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

/// Waits until consumer group `group` has committed offsets up to `ends` (the cache view
/// and the category relay report their progress there), or `within` passes.
pub async fn group_caught_up(
    brokers: &str,
    group: &str,
    topic: &str,
    ends: &BTreeMap<i32, i64>,
    within: Duration,
    progress: &ProgressBar,
) -> anyhow::Result<()> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::{Offset, TopicPartitionList};
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .create()?;
    let mut partitions = TopicPartitionList::new();
    for partition in ends.keys() {
        partitions.add_partition(topic, *partition);
    }
    let total: i64 = ends.values().sum();
    let every = Duration::from_millis(50);
    let reader = format!("group {group}");
    until_all_done(&reader, total, within, every, progress, || async {
        let committed = consumer.committed_offsets(partitions.clone(), Duration::from_secs(10))?;
        Ok(committed
            .elements()
            .iter()
            .map(|element| match element.offset() {
                Offset::Offset(next) => {
                    next.min(ends.get(&element.partition()).copied().unwrap_or(0))
                }
                _ => 0,
            })
            .sum())
    })
    .await
}
