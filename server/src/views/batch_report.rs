//! What a view's consumer tells about each batch it applied: the counts of `/metrics`,
//! the positions and counts the watch reads, and the progress Kafka learns (for lag tools
//! outside; the view's own checkpoints are what it resumes from).
use super::group_turns::ViewConsumer;
use super::progress::ViewProgress;
use super::{Applied, LogMessage};
use crate::telemetry;
use app::model::ViewName;
use rdkafka::consumer::Consumer;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::BTreeMap;

/// Counts what a batch did, for `/metrics` and the lag watch.
pub(super) fn record_batch(
    view: ViewName,
    progress: &ViewProgress,
    batch: &[LogMessage],
    outcomes: &[Applied],
    dead_lettering: bool,
    started: std::time::Instant,
) {
    let refused = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Applied::Rejected { .. }))
        .count();
    let undecodable = batch.iter().filter(|m| m.envelope.is_err()).count();
    let failed = if dead_lettering {
        refused + undecodable
    } else {
        refused
    };
    progress.counted(view, batch.len() as u64, failed as u64);
    for message in batch {
        progress.reached(view, message.partition, message.offset + 1);
    }
    let view = view.as_str();
    let mut applied: BTreeMap<i32, u64> = BTreeMap::new();
    for (message, outcome) in batch.iter().zip(outcomes) {
        if matches!(outcome, Applied::Applied { .. }) {
            *applied.entry(message.partition).or_default() += 1;
        }
    }
    for (partition, count) in applied {
        metrics::counter!(telemetry::EVENTS_APPLIED, "view" => view,
            "partition" => partition.to_string())
        .increment(count);
    }
    metrics::counter!(telemetry::EVENTS_PROCESSED, "view" => view).increment(batch.len() as u64);
    metrics::counter!(telemetry::EVENTS_FAILED, "view" => view).increment(refused as u64);
    if dead_lettering {
        metrics::counter!(telemetry::EVENTS_DEAD_LETTERED, "view" => view)
            .increment(undecodable as u64);
    }
    metrics::histogram!(telemetry::BATCH_SECONDS, "view" => view)
        .record(started.elapsed().as_secs_f64());
}

/// Stores how far the view got, which Kafka learns within a second, for lag metrics only:
/// positions are restored from the view's own checkpoints, which commit with its rows.
pub(super) fn report_progress(consumer: &ViewConsumer, batch: &[LogMessage]) {
    let mut reached = TopicPartitionList::new();
    for message in batch {
        let next = Offset::Offset(message.offset + 1);
        match reached.find_partition(&message.topic, message.partition) {
            Some(_) => {
                if let Err(error) =
                    reached.set_partition_offset(&message.topic, message.partition, next)
                {
                    tracing::debug!(%error, "offset report skipped");
                }
            }
            None => {
                if let Err(error) =
                    reached.add_partition_offset(&message.topic, message.partition, next)
                {
                    tracing::debug!(%error, "offset report skipped");
                }
            }
        }
    }
    if let Err(error) = consumer.store_offsets(&reached) {
        tracing::debug!(%error, "offset report to Kafka failed");
    }
}
