//! The consumer every view runs: reads `icattle.cattle.events` from the checkpoints the view
//! holds (every partition, or those its group gives it), applies each message (retrying
//! until it is applied), then announces it.
use super::batch_report::{record_batch, report_progress};
use super::group_turns::{shared_config, GroupTurn, GroupTurns, Sharing, ViewConsumer};
use super::log_reading::{Input, LogReading, BATCH_LIMIT};
use super::progress::{while_paused, ViewProgress};
use super::read_ahead::ReadAheadStopped;
use super::{Applied, LogMessage, LogView, ViewError};
use crate::kafka::dead_letter::{DeadLetters, Origin};
use crate::kafka::publisher::idempotent_producer;
use crate::kafka::reader_config::follower_config;
use crate::kafka::topics::partition_count;
use crate::live::LiveHub;
use app::model::LiveUpdate;
use rdkafka::consumer::Consumer;
use rdkafka::error::KafkaError;
use rdkafka::{Offset, TopicPartitionList};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;
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
    /// The consumer group (shares partitions when `sharing` says so, reports positions
    /// always; positions come from the view's store).
    pub group: String,
    /// Where undecodable messages are copied; `None` for views that leave that to another.
    pub dead_letter_topic: Option<String>,
    /// Whether the view reads every partition or shares them with its group.
    pub sharing: Sharing,
}

/// Builds the view's consumer: assigned every partition at the view's checkpoints, or
/// subscribed to its group, which assigns partitions as turns.
fn open_consumer<V: LogView>(
    view: &V,
    source: &ConsumerSource,
) -> Result<(ViewConsumer, UnboundedReceiver<GroupTurn>), ConsumerError> {
    let mut config = follower_config(&source.brokers, &source.group);
    // Progress is stored per batch and reported once a second in the background: one
    // commit per batch made the group coordinator write to the broker's log hundreds
    // of times a second under load.
    config
        .set("enable.auto.commit", "true")
        .set("auto.commit.interval.ms", "1000");
    if source.sharing == Sharing::ByGroup {
        shared_config(&mut config);
    }
    let (context, turns) = GroupTurns::new(&source.topic);
    let consumer: ViewConsumer = config.create_with_context(context)?;
    tracing::debug!(view = view.name().as_str(), sharing = ?source.sharing, "view consumer built");
    Ok((consumer, turns))
}

/// Starts reading: every partition at the view's checkpoints, or, for a shared view, none
/// until its group's first turn. Answers the partitions the view holds, `None` for every
/// one (a rewind then counts them again).
async fn start_reading<V: LogView>(
    consumer: &ViewConsumer,
    view: &V,
    source: &ConsumerSource,
    progress: &ViewProgress,
) -> Result<Option<Vec<i32>>, ConsumerError> {
    match source.sharing {
        Sharing::ReadsAll => {
            let positions = assign_at_checkpoints(consumer, view, source, None).await?;
            reached(view, progress, positions);
            Ok(None)
        }
        Sharing::ByGroup => {
            consumer.subscribe(&[source.topic.as_str()])?;
            Ok(Some(Vec::new()))
        }
    }
}

/// Notes each partition's next position.
fn reached<V: LogView>(view: &V, progress: &ViewProgress, positions: Vec<(i32, i64)>) {
    for (partition, next) in positions {
        progress.reached(view.name(), partition, next);
    }
}

/// Assigns `partitions` of the topic (every one when `None`) at the view's checkpoints;
/// answers each partition's next offset (0 for one without a checkpoint).
async fn assign_at_checkpoints<V: LogView>(
    consumer: &ViewConsumer,
    view: &V,
    source: &ConsumerSource,
    partitions: Option<&[i32]>,
) -> Result<Vec<(i32, i64)>, ConsumerError> {
    let topic = source.topic.clone();
    let partitions: Vec<i32> = match partitions {
        Some(partitions) => partitions.to_vec(),
        None => {
            let count = partition_count(consumer, &topic)?;
            if count == 0 {
                return Err(ConsumerError::NoTopic(topic));
            }
            (0..count).collect()
        }
    };
    let saved = view.checkpoints(&topic).await?;
    let mut assignment = TopicPartitionList::new();
    let mut positions = Vec::new();
    for partition in partitions {
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

/// Assigns `held` (every partition when `None`) at the view's checkpoints again, retrying
/// until Kafka and the view's store answer.
async fn assign_retrying<V: LogView>(
    consumer: &ViewConsumer,
    view: &V,
    source: &ConsumerSource,
    progress: &ViewProgress,
    held: Option<&[i32]>,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match assign_at_checkpoints(consumer, view, source, held).await {
            Ok(positions) => {
                reached(view, progress, positions);
                return;
            }
            Err(error) => {
                tracing::error!(view = view.name().as_str(), %error,
                    "could not assign the view's checkpoints; retrying");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

/// Takes a turn of the view's group, with no batch in flight: gives every partition up, or
/// takes the assigned ones at the view's checkpoints. Answers the partitions held after.
async fn take_turn<V: LogView>(
    reading: &mut LogReading,
    view: &V,
    source: &ConsumerSource,
    progress: &ViewProgress,
    turn: GroupTurn,
) -> Vec<i32> {
    reading.drop_ahead().await;
    let name = view.name().as_str();
    match turn {
        GroupTurn::Revoked => {
            if let Err(error) = reading.consumer.unassign() {
                // The group gives the partitions to another member all the same once its
                // rebalance times out; the view's checkpoints keep that member exact.
                tracing::error!(view = name, %error, "could not give the partitions up");
            }
            progress.gave_up(view.name());
            tracing::info!(view = name, "partitions given up to the group");
            Vec::new()
        }
        GroupTurn::Assigned(partitions) => {
            assign_retrying(&reading.consumer, view, source, progress, Some(&partitions)).await;
            tracing::info!(view = name, ?partitions, "partitions taken from the group");
            partitions
        }
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
    let (consumer, turns) = open_consumer(&view, &source)?;
    let mut held = start_reading(&consumer, &view, &source, &progress).await?;
    let mut reading = LogReading {
        consumer: Arc::new(consumer),
        ahead: None,
        turns,
    };
    let dead_letters = match &source.dead_letter_topic {
        Some(topic) => Some(DeadLetters::new(
            idempotent_producer(&source.brokers)?,
            topic.clone(),
        )),
        None => None,
    };
    let name = view.name();
    tracing::info!(view = name.as_str(), topic = %source.topic, sharing = ?source.sharing,
        "view consumer started");
    let checked = view.checked_signatures();
    loop {
        let batch = match reading.next(name, checked).await? {
            Input::Batch(batch) => batch,
            Input::Turn(turn) => {
                held = Some(take_turn(&mut reading, &view, &source, &progress, turn).await);
                continue;
            }
        };
        // A full batch says the log is ahead of the view (a replay, a catch-up): the next
        // one is read and decoded while this one is applied. Otherwise it is read after, so
        // it gathers everything that arrived meanwhile into one transaction.
        // Paused while waiting for this batch: it waits too, so nothing more is applied.
        while_paused(&mut switch, name).await;
        if batch.len() >= BATCH_LIMIT {
            reading.read_ahead(name, checked);
        }
        if let Some(dead_letters) = &dead_letters {
            copy_dead_letters(dead_letters, name.as_str(), &batch).await;
        }
        let started = std::time::Instant::now();
        let span = tracing::info_span!("apply", view = name.as_str(), messages = batch.len());
        let applying = apply_retrying(&view, &batch);
        let Some(outcomes) = applying.instrument(span.clone()).await else {
            // What was read ahead came from the old positions.
            reading.drop_ahead().await;
            assign_retrying(
                &reading.consumer,
                &view,
                &source,
                &progress,
                held.as_deref(),
            )
            .await;
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
        report_progress(&reading.consumer, &batch);
    }
}
