//! The golden record's consumer: reads `icattle.cattle.events` from the checkpoints the
//! database holds, applies each message in one transaction, then announces it.
use super::entity::checkpoint;
use super::{Applied, GoldenRecord, PROJECTION};
use crate::kafka::dead_letter::{DeadLetters, Origin};
use crate::kafka::publisher::idempotent_producer;
use crate::live::LiveHub;
use app::model::LiveUpdate;
use domain::EventEnvelope;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::time::Duration;

/// Why the consumer could not start.
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    /// Kafka refused the consumer or its assignment.
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
    /// The checkpoints could not be read.
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
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
    /// Where undecodable messages are copied.
    pub dead_letter_topic: String,
}

/// Why a message is not an event envelope at all, if it is not.
fn undecodable(body: &[u8]) -> Option<String> {
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(error) => return Some(format!("not UTF-8 text: {error}")),
    };
    EventEnvelope::from_json_str(text)
        .err()
        .map(|error| format!("not an event envelope: {error}"))
}

/// Builds the consumer and assigns every partition at the database's checkpoint.
pub async fn assign_from_checkpoints(
    golden: &GoldenRecord,
    source: &ConsumerSource,
) -> Result<StreamConsumer, ConsumerError> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", &source.brokers)
        .set("group.id", &source.group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .create()?;
    let topic = source.topic.clone();
    let partitions = {
        let metadata = consumer.fetch_metadata(Some(&topic), Duration::from_secs(10))?;
        metadata
            .topics()
            .iter()
            .find(|t| t.name() == topic)
            .map(|t| t.partitions().len())
            .unwrap_or(0)
    };
    if partitions == 0 {
        return Err(ConsumerError::NoTopic(topic));
    }
    let saved = checkpoint::Entity::find()
        .filter(checkpoint::Column::Projection.eq(PROJECTION))
        .filter(checkpoint::Column::Topic.eq(&topic))
        .all(golden.db())
        .await?;
    let mut assignment = TopicPartitionList::new();
    for partition in 0..partitions as i32 {
        let next = saved
            .iter()
            .find(|c| c.partition == partition)
            .map(|c| Offset::Offset(c.offset + 1))
            .unwrap_or(Offset::Beginning);
        assignment.add_partition_offset(&topic, partition, next)?;
    }
    consumer.assign(&assignment)?;
    Ok(consumer)
}

/// What a live update says about an applied message, if anything.
fn announcement(applied: &Applied) -> Option<LiveUpdate> {
    match applied {
        Applied::Applied {
            cattle_id,
            event_id,
            event_type,
            sequence,
        } => Some(LiveUpdate::CattleChanged {
            cattle_id: *cattle_id,
            event_id: event_id.clone(),
            event_type: event_type.clone(),
            sequence: *sequence,
        }),
        Applied::Rejected {
            event_id,
            cattle_id,
            code,
            reason,
        } => Some(LiveUpdate::EventRejected {
            event_id: event_id.clone(),
            cattle_id: *cattle_id,
            code: code.clone(),
            reason: reason.clone(),
        }),
        Applied::Duplicate { .. } | Applied::AlreadyCheckpointed => None,
    }
}

/// Runs the consumer until the task is dropped. A message is retried until its
/// transaction commits, so nothing acknowledged by Kafka is ever skipped.
pub async fn run(
    golden: GoldenRecord,
    source: ConsumerSource,
    hub: LiveHub,
) -> Result<(), ConsumerError> {
    let consumer = assign_from_checkpoints(&golden, &source).await?;
    let dead_letters = DeadLetters::new(
        idempotent_producer(&source.brokers)?,
        source.dead_letter_topic.clone(),
    );
    tracing::info!(topic = %source.topic, "golden record consumer started");
    loop {
        let message = match consumer.recv().await {
            Ok(message) => message,
            Err(error) => {
                tracing::warn!(%error, "golden record consumer could not read; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        let body = message.payload().unwrap_or_default();
        // Copied before the transaction that checkpoints past it: a crash in between copies
        // it again (the origin headers tell the copies apart) but never loses it.
        if let Some(reason) = undecodable(body) {
            let origin = Origin {
                topic: message.topic(),
                partition: message.partition(),
                offset: message.offset(),
                key: message.key(),
            };
            let mut backoff = Duration::from_millis(100);
            while let Err(error) = dead_letters.send(PROJECTION, &origin, body, &reason).await {
                tracing::error!(%error, "could not write a dead letter; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            tracing::warn!(partition = origin.partition, offset = origin.offset, %reason,
                "undecodable message sent to the dead-letter topic");
        }
        let mut backoff = Duration::from_millis(100);
        let applied = loop {
            match golden
                .apply_message(message.topic(), message.partition(), message.offset(), body)
                .await
            {
                Ok(applied) => break applied,
                Err(error) => {
                    tracing::error!(%error, partition = message.partition(), offset = message.offset(),
                        "golden record could not apply a message; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        };
        if let Some(update) = announcement(&applied) {
            hub.announce(update);
        }
        // Kafka's committed offset is only a progress report for lag metrics: positions
        // are restored from the database checkpoint, which commits with the rows.
        if let Err(error) = consumer.commit_message(&message, CommitMode::Async) {
            tracing::debug!(%error, "offset report to Kafka failed");
        }
    }
}
