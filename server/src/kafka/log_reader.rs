//! Reads a whole topic, from offset 0 to its current end, as JSON lines.
use super::partition_leaders::watermarks;
use super::reader_config::reader_config;
use super::topics::partition_count;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::{Message, Offset, TopicPartitionList};
use std::time::{Duration, Instant};

/// Why the topic could not be read to its end.
#[derive(Debug, thiserror::Error)]
pub enum LogReadError {
    /// The broker refused a request.
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
    /// The topic does not exist.
    #[error("topic {0} does not exist")]
    NoTopic(String),
    /// The end was not reached in time.
    #[error("topic {topic} was not read to its end within {seconds} s")]
    Timeout {
        /// The topic.
        topic: String,
        /// How long we tried.
        seconds: u64,
    },
}

/// Every message of `topic` as it stood when called, partition by partition (an animal's
/// events share a partition, so each animal's order is kept), one message per line.
pub fn read_topic(brokers: &str, topic: &str, timeout: Duration) -> Result<String, LogReadError> {
    let mut lines = String::new();
    each_message(
        brokers,
        topic,
        timeout,
        |_| {},
        |message| {
            lines.push_str(&String::from_utf8_lossy(message.body));
            lines.push('\n');
        },
    )?;
    Ok(lines)
}

/// One message as [`each_message`] hands it over.
#[derive(Debug, Clone, Copy)]
pub struct TopicMessage<'a> {
    /// Its partition.
    pub partition: i32,
    /// Its offset.
    pub offset: i64,
    /// Its bytes (empty for a record without a value).
    pub body: &'a [u8],
}

/// Hands `each` every message of `topic` as it stood when called, partition by partition,
/// after telling `total` how many the partitions hold. Blocking.
pub fn each_message(
    brokers: &str,
    topic: &str,
    timeout: Duration,
    total: impl FnOnce(u64),
    mut each: impl FnMut(TopicMessage<'_>),
) -> Result<(), LogReadError> {
    let group = format!("icattle-reader-{}", uuid::Uuid::new_v4().simple());
    let consumer: BaseConsumer = reader_config(brokers, &group).create()?;
    let partitions = partition_count(&consumer, topic)?;
    if partitions == 0 {
        return Err(LogReadError::NoTopic(topic.to_string()));
    }
    let mut ranges = Vec::new();
    for partition in 0..partitions {
        let (low, high) = watermarks(&consumer, topic, partition)?;
        ranges.push((partition, low, high));
    }
    total(
        ranges
            .iter()
            .map(|(_, low, high)| (high - low).max(0) as u64)
            .sum(),
    );
    let started = Instant::now();
    for (partition, low, high) in ranges {
        if high <= low {
            continue;
        }
        let mut assignment = TopicPartitionList::new();
        assignment.add_partition_offset(topic, partition, Offset::Offset(low))?;
        consumer.assign(&assignment)?;
        let mut next = low;
        while next < high {
            if started.elapsed() > timeout {
                return Err(LogReadError::Timeout {
                    topic: topic.to_string(),
                    seconds: timeout.as_secs(),
                });
            }
            match consumer.poll(Duration::from_millis(200)) {
                Some(result) => {
                    let message = result?;
                    next = message.offset() + 1;
                    each(TopicMessage {
                        partition,
                        offset: message.offset(),
                        body: message.payload().unwrap_or_default(),
                    });
                }
                // Transaction markers and aborted records take offsets but are never
                // delivered: the consumer's position says how far it has really read.
                None => next = next.max(fetch_position(&consumer, topic, partition)?),
            }
        }
    }
    Ok(())
}

/// Where the consumer will fetch next on `partition`, past any record it skipped.
fn fetch_position(consumer: &BaseConsumer, topic: &str, partition: i32) -> Result<i64, KafkaError> {
    let position = consumer.position()?;
    Ok(position
        .find_partition(topic, partition)
        .and_then(|p| p.offset().to_raw())
        .unwrap_or(-1))
}
