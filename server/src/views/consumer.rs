//! The consumer every view runs: reads `icattle.cattle.events` from the checkpoints the view
//! holds, applies each message (retrying until it is applied), then announces it.
use super::{Applied, LogView, ViewError};
use crate::kafka::dead_letter::{DeadLetters, Origin};
use crate::kafka::publisher::idempotent_producer;
use crate::kafka::reader_config::reader_config;
use crate::kafka::topics::partition_count;
use crate::live::LiveHub;
use app::model::LiveUpdate;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::{Message, Offset, TopicPartitionList};
use std::time::Duration;

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
) -> Result<StreamConsumer, ConsumerError> {
    let consumer: StreamConsumer = reader_config(&source.brokers, &source.group).create()?;
    assign_at_checkpoints(&consumer, view, source).await?;
    Ok(consumer)
}

/// (Re)assigns every partition of the topic at the view's checkpoints.
async fn assign_at_checkpoints<V: LogView>(
    consumer: &StreamConsumer,
    view: &V,
    source: &ConsumerSource,
) -> Result<(), ConsumerError> {
    let topic = source.topic.clone();
    let partitions = partition_count(consumer, &topic)?;
    if partitions == 0 {
        return Err(ConsumerError::NoTopic(topic));
    }
    let saved = view.checkpoints(&topic).await?;
    let mut assignment = TopicPartitionList::new();
    for partition in 0..partitions {
        let next = saved
            .iter()
            .find(|(p, _)| *p == partition)
            .map(|(_, offset)| Offset::Offset(offset + 1))
            .unwrap_or(Offset::Beginning);
        assignment.add_partition_offset(&topic, partition, next)?;
    }
    consumer.assign(&assignment)?;
    Ok(())
}

/// What a live update says about an applied message, if anything.
fn announcement(view: &str, applied: &Applied) -> Option<LiveUpdate> {
    match applied {
        Applied::Applied {
            cattle_id,
            event_id,
            event_type,
            sequence,
        } => Some(LiveUpdate::CattleChanged {
            view: view.to_string(),
            cattle_id: *cattle_id,
            event_id: event_id.clone(),
            event_type: event_type.clone(),
            sequence: *sequence,
        }),
        // The golden record keeps the register of refusals; one announcement is enough.
        Applied::Rejected {
            event_id,
            cattle_id,
            code,
            reason,
        } if view == crate::golden::PROJECTION => Some(LiveUpdate::EventRejected {
            event_id: event_id.clone(),
            cattle_id: *cattle_id,
            code: code.clone(),
            reason: reason.clone(),
        }),
        Applied::Rejected { .. }
        | Applied::Duplicate { .. }
        | Applied::AlreadyCheckpointed
        | Applied::Passed => None,
    }
}

/// Runs the consumer until the task is dropped. A message is retried until its
/// transaction commits, so nothing acknowledged by Kafka is ever skipped.
pub async fn run<V: LogView>(
    view: V,
    source: ConsumerSource,
    hub: LiveHub,
) -> Result<(), ConsumerError> {
    let consumer = assign_from_checkpoints(&view, &source).await?;
    let dead_letters = match &source.dead_letter_topic {
        Some(topic) => Some(DeadLetters::new(
            idempotent_producer(&source.brokers)?,
            topic.clone(),
        )),
        None => None,
    };
    tracing::info!(view = view.name(), topic = %source.topic, "view consumer started");
    loop {
        let message = match consumer.recv().await {
            Ok(message) => message,
            Err(error) => {
                tracing::warn!(view = view.name(), %error, "could not read the log; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        let body = message.payload().unwrap_or_default();
        // Copied before the transaction that checkpoints past it: a crash in between copies
        // it again (the origin headers tell the copies apart) but never loses it.
        if let (Some(dead_letters), Some(reason)) = (&dead_letters, super::decode(body).err()) {
            let origin = Origin {
                topic: message.topic(),
                partition: message.partition(),
                offset: message.offset(),
                key: message.key(),
            };
            let mut backoff = Duration::from_millis(100);
            while let Err(error) = dead_letters.send(view.name(), &origin, body, &reason).await {
                tracing::error!(%error, "could not write a dead letter; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            tracing::warn!(partition = origin.partition, offset = origin.offset, %reason,
                "undecodable message sent to the dead-letter topic");
        }
        let mut backoff = Duration::from_millis(100);
        let applied = loop {
            match view
                .apply_message(message.topic(), message.partition(), message.offset(), body)
                .await
            {
                Ok(applied) => break Some(applied),
                Err(ViewError::Rewind(reason)) => {
                    tracing::warn!(view = view.name(), %reason, "rewinding to the view's checkpoints");
                    match assign_at_checkpoints(&consumer, &view, &source).await {
                        Ok(()) => break None,
                        Err(error) => {
                            tracing::error!(view = view.name(), %error, "could not rewind; retrying")
                        }
                    }
                }
                Err(error) => {
                    tracing::error!(view = view.name(), %error, partition = message.partition(),
                        offset = message.offset(), "could not apply a message; retrying");
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        };
        // After a rewind this message comes again from the new assignment.
        let Some(applied) = applied else { continue };
        if let Some(update) = announcement(view.name(), &applied) {
            hub.announce(update);
        }
        // Kafka's committed offset is only a progress report for lag metrics: positions
        // are restored from the database checkpoint, which commits with the rows.
        if let Err(error) = consumer.commit_message(&message, CommitMode::Async) {
            tracing::debug!(%error, "offset report to Kafka failed");
        }
    }
}
