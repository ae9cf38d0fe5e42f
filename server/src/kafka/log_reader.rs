//! Reads a whole topic, from offset 0 to its current end, as JSON lines.
use super::topics::partition_count;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
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
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set(
            "group.id",
            format!("icattle-reader-{}", uuid::Uuid::new_v4().simple()),
        )
        .set("enable.auto.commit", "false")
        .create()?;
    let partitions = partition_count(&consumer, topic)?;
    if partitions == 0 {
        return Err(LogReadError::NoTopic(topic.to_string()));
    }
    let started = Instant::now();
    let mut lines = String::new();
    for partition in 0..partitions {
        let (low, high) = consumer.fetch_watermarks(topic, partition, Duration::from_secs(10))?;
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
            let Some(result) = consumer.poll(Duration::from_millis(500)) else {
                continue;
            };
            let message = result?;
            next = message.offset() + 1;
            if let Some(body) = message.payload() {
                lines.push_str(&String::from_utf8_lossy(body));
                lines.push('\n');
            }
        }
    }
    Ok(lines)
}
