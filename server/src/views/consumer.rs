//! The consumer every view runs: reads `icattle.cattle.events` from the checkpoints the view
//! holds, applies each message (retrying until it is applied), then announces it.
use super::batch_report::{record_batch, report_progress};
use super::progress::{while_paused, ViewProgress};
use super::read_ahead::{prepared, LogRecord, ReadAheadStopped};
use super::{Applied, LogMessage, LogView, ViewError};
use crate::checked_signatures::CheckedSignatures;
use crate::kafka::dead_letter::{DeadLetters, Origin};
use crate::kafka::publisher::idempotent_producer;
use crate::kafka::reader_config::follower_config;
use crate::kafka::topics::partition_count;
use crate::live::LiveHub;
use app::model::{LiveUpdate, ViewName};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::BorrowedMessage;
use rdkafka::{Message, Offset, TopicPartitionList};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tracing::Instrument;

/// Why the consumer could not start.
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    /// Kafka refused the consumer or its assignment.
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
    /// The checkpoints could not be read.
    #[error("checkpoints: {0}")]
    View(#[from] ViewError),
    /// The topic has no partitions (it was not created).
    #[error("topic {0} does not exist")]
    NoTopic(String),
    /// The runtime stopped the reading of the next batch (it is shutting down).
    #[error(transparent)]
    ReadAhead(#[from] ReadAheadStopped),
}

/// Where the consumer reads from and how it names itself.
#[derive(Debug, Clone)]
pub struct ConsumerSource {
    /// Kafka bootstrap servers.
    pub brokers: String,
    /// The topic to read.
    pub topic: String,
    /// The consumer group (used for offset reporting; positions come from the database).
    pub group: String,
    /// Where undecodable messages are copied; `None` for views that leave that to another.
    pub dead_letter_topic: Option<String>,
}

/// Builds the consumer and assigns every partition at the view's checkpoints.
pub async fn assign_from_checkpoints<V: LogView>(
    view: &V,
    source: &ConsumerSource,
    progress: &ViewProgress,
) -> Result<StreamConsumer, ConsumerError> {
    let consumer: StreamConsumer = follower_config(&source.brokers, &source.group)
        // Progress is stored per batch and reported once a second in the background: one
        // commit per batch made the group coordinator write to the broker's log hundreds
        // of times a second under load.
        .set("enable.auto.commit", "true")
        .set("auto.commit.interval.ms", "1000")
        .create()?;
    for (partition, next) in assign_at_checkpoints(&consumer, view, source).await? {
        progress.reached(view.name(), partition, next);
    }
    Ok(consumer)
}

/// (Re)assigns every partition of the topic at the view's checkpoints; answers each
/// partition's next offset (0 for one without a checkpoint).
async fn assign_at_checkpoints<V: LogView>(
    consumer: &StreamConsumer,
    view: &V,
    source: &ConsumerSource,
) -> Result<Vec<(i32, i64)>, ConsumerError> {
    let topic = source.topic.clone();
    let partitions = partition_count(consumer, &topic)?;
    if partitions == 0 {
        return Err(ConsumerError::NoTopic(topic));
    }
    let saved = view.checkpoints(&topic).await?;
    let mut assignment = TopicPartitionList::new();
    let mut positions = Vec::new();
    for partition in 0..partitions {
        let next = saved
            .iter()
            .find(|(p, _)| *p == partition)
            .map(|(_, offset)| Offset::Offset(offset + 1))
            .unwrap_or(Offset::Beginning);
        assignment.add_partition_offset(&topic, partition, next)?;
        positions.push((partition, next.to_raw().unwrap_or(0).max(0)));
    }
    consumer.assign(&assignment)?;
    Ok(positions)
}

/// The most messages a view applies in one transaction.
const BATCH_LIMIT: usize = 1000;

/// What a live update says about an applied message, if anything.
fn announcement<V: LogView>(view: &V, applied: &Applied) -> Option<LiveUpdate> {
    match applied {
        Applied::Applied {
            cattle_id,
            event_id,
            event_type,
            sequence,
        } => Some(LiveUpdate::CattleChanged {
            view: view.name(),
            cattle_id: *cattle_id,
            event_id: event_id.clone(),
            event_type: *event_type,
            sequence: *sequence,
        }),
        Applied::Rejected {
            event_id,
            cattle_id,
            code,
            reason,
        } if view.announces_rejections() => Some(LiveUpdate::EventRejected {
            event_id: event_id.clone(),
            cattle_id: *cattle_id,
            code: code.clone(),
            reason: reason.clone(),
        }),
        // Tells the instance that wrote it to build on the golden record again.
        Applied::Duplicate {
            event_id,
            dropped: Some(dropped),
            cattle_id,
        } if view.announces_rejections() => Some(LiveUpdate::EventDuplicate {
            event_id: dropped.clone(),
            cattle_id: *cattle_id,
            original: event_id.clone(),
        }),
        Applied::Rejected { .. }
        | Applied::Duplicate { .. }
        | Applied::AlreadyCheckpointed
        | Applied::Passed => None,
    }
}

fn record(message: &BorrowedMessage<'_>) -> LogRecord {
    LogRecord {
        topic: message.topic().to_string(),
        partition: message.partition(),
        offset: message.offset(),
        key: message.key().map(<[u8]>::to_vec),
        body: message.payload().unwrap_or_default().to_vec(),
    }
}

/// Waits for the next record, then takes what the consumer already holds without waiting
/// more: a lone event is applied at once, a burst in one transaction.
async fn next_records(consumer: &StreamConsumer, view: ViewName) -> Vec<LogRecord> {
    let first = loop {
        match consumer.recv().await {
            Ok(message) => break record(&message),
            Err(error) => {
                tracing::warn!(view = view.as_str(), %error, "could not read the log; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    };
    let mut batch = vec![first];
    while batch.len() < BATCH_LIMIT {
        // A zero timeout still polls the read once: it answers what is ready, never waits.
        match tokio::time::timeout(Duration::ZERO, consumer.recv()).await {
            Ok(Ok(message)) => batch.push(record(&message)),
            Ok(Err(error)) => {
                tracing::warn!(view = view.as_str(), %error,
                    "could not read the log; applying what was read");
                break;
            }
            Err(_) => break,
        }
    }
    batch
}

/// The next batch, being read and prepared in a task of its own while the consumer applies
/// a full one before it. Dropping it stops the reading, so a stopped view leaves no reader.
struct NextBatch(JoinHandle<Result<Vec<LogMessage>, ReadAheadStopped>>);

impl NextBatch {
    fn start(consumer: &Arc<StreamConsumer>, view: ViewName, checked: &CheckedSignatures) -> Self {
        let (consumer, checked) = (Arc::clone(consumer), checked.clone());
        Self(tokio::spawn(async move {
            prepared(next_records(&consumer, view).await, &checked).await
        }))
    }

    async fn batch(mut self) -> Result<Vec<LogMessage>, ReadAheadStopped> {
        match (&mut self.0).await {
            Ok(batch) => batch,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => Err(ReadAheadStopped::new(error.to_string())),
        }
    }

    /// Stops the reading and waits until it has stopped, so that nothing it reads races a
    /// new assignment.
    async fn cancel(mut self) {
        self.0.abort();
        let _ = (&mut self.0).await;
    }
}

impl Drop for NextBatch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Copies the undecodable messages of a batch to the dead-letter topic. Copied before the
/// transaction that checkpoints past them: a crash in between copies one again (the origin
/// headers tell the copies apart) but never loses it.
async fn copy_dead_letters(dead_letters: &DeadLetters, view: &str, batch: &[LogMessage]) {
    for message in batch {
        let Err(reason) = &message.envelope else {
            continue;
        };
        let origin = Origin {
            topic: &message.topic,
            partition: message.partition,
            offset: message.offset,
            key: message.key.as_deref(),
        };
        let mut backoff = Duration::from_millis(100);
        while let Err(error) = dead_letters
            .send(view, &origin, &message.body, reason)
            .await
        {
            tracing::error!(%error, "could not write a dead letter; retrying");
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
        tracing::warn!(partition = origin.partition, offset = origin.offset, %reason,
            "undecodable message sent to the dead-letter topic");
    }
}

/// Applies `batch`, retrying until its transaction commits; `None` when the view asked to
/// start again from its checkpoints.
async fn apply_retrying<V: LogView>(view: &V, batch: &[LogMessage]) -> Option<Vec<Applied>> {
    let mut backoff = Duration::from_millis(100);
    loop {
        match view.apply_batch(batch).await {
            Ok(outcomes) => return Some(outcomes),
            Err(ViewError::Rewind(reason)) => {
                tracing::warn!(view = view.name().as_str(), %reason, "rewinding to the view's checkpoints");
                return None;
            }
            Err(error) => {
                tracing::error!(view = view.name().as_str(), %error, messages = batch.len(),
                    "could not apply a batch; retrying");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

/// Assigns the view's checkpoints again, retrying until Kafka and the view's store answer.
async fn rewind<V: LogView>(
    consumer: &StreamConsumer,
    view: &V,
    source: &ConsumerSource,
    progress: &ViewProgress,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match assign_at_checkpoints(consumer, view, source).await {
            Ok(positions) => {
                for (partition, next) in positions {
                    progress.reached(view.name(), partition, next);
                }
                return;
            }
            Err(error) => {
                tracing::error!(view = view.name().as_str(), %error, "could not rewind; retrying");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

/// Runs the consumer until the task is dropped. A batch is retried until its transaction
/// commits, so nothing acknowledged by Kafka is ever skipped; after a full batch, the next
/// one is read and decoded meanwhile.
pub async fn run<V: LogView>(
    view: V,
    source: ConsumerSource,
    hub: LiveHub,
) -> Result<(), ConsumerError> {
    run_reporting(view, source, hub, ViewProgress::default()).await
}

/// [`run`], reporting positions and counts to `progress` and pausing when it says so.
pub async fn run_reporting<V: LogView>(
    view: V,
    source: ConsumerSource,
    hub: LiveHub,
    progress: ViewProgress,
) -> Result<(), ConsumerError> {
    let mut switch = progress.join(view.name());
    let consumer = Arc::new(assign_from_checkpoints(&view, &source, &progress).await?);
    let dead_letters = match &source.dead_letter_topic {
        Some(topic) => Some(DeadLetters::new(
            idempotent_producer(&source.brokers)?,
            topic.clone(),
        )),
        None => None,
    };
    let name = view.name();
    tracing::info!(view = name.as_str(), topic = %source.topic, "view consumer started");
    let checked = view.checked_signatures();
    let mut ahead: Option<NextBatch> = None;
    loop {
        let batch = match ahead.take() {
            Some(next) => next.batch().await?,
            // Read here, in the consumer's own task: a live event waits for no other task.
            None => prepared(next_records(&consumer, name).await, checked).await?,
        };
        // A full batch says the log is ahead of the view (a replay, a catch-up): the next
        // one is read and decoded while this one is applied. Otherwise it is read after, so
        // it gathers everything that arrived meanwhile into one transaction.
        // Paused while waiting for this batch: it waits too, so nothing more is applied.
        while_paused(&mut switch, name).await;
        ahead = (batch.len() >= BATCH_LIMIT).then(|| NextBatch::start(&consumer, name, checked));
        if let Some(dead_letters) = &dead_letters {
            copy_dead_letters(dead_letters, name.as_str(), &batch).await;
        }
        let started = std::time::Instant::now();
        let span = tracing::info_span!("apply", view = name.as_str(), messages = batch.len());
        let applying = apply_retrying(&view, &batch);
        let Some(outcomes) = applying.instrument(span.clone()).await else {
            // What was read ahead came from the old positions.
            if let Some(next) = ahead.take() {
                next.cancel().await;
            }
            rewind(&consumer, &view, &source, &progress).await;
            continue;
        };
        record_batch(
            name,
            &progress,
            &batch,
            &outcomes,
            dead_letters.is_some(),
            started,
        );
        let _entered = span.enter();
        for applied in &outcomes {
            if let Applied::Applied { event_id, .. } = applied {
                tracing::debug!(%event_id, "event applied");
            }
            if let Some(update) = announcement(&view, applied) {
                tracing::debug!(event_id = update.event_id(), "live update pushed");
                hub.announce(update);
            }
        }
        drop(_entered);
        report_progress(&consumer, &batch);
    }
}
