//! The heads on the heads topic newer than those `tree_heads` keeps. A head is published
//! before it is kept, so one whose keeping failed (the database refused, the instance
//! stopped) is on the topic only: a start keeps it from there before signing on, so no head
//! number is ever signed twice.
use super::TreeHeadError;
use crate::kafka::partition_leaders::watermarks;
use crate::kafka::reader_config::reader_config;
use crate::kafka::topics::partition_count;
use domain::TreeHead;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::{Message, Offset, TopicPartitionList};
use std::time::{Duration, Instant};

/// How many of each partition's newest messages a start reads: far more than the heads a
/// signer can publish without keeping one (it stops at the first keeping that fails).
const LOOK_BACK: i64 = 64;

/// How long reading them may take.
const READ_WITHIN: Duration = Duration::from_secs(30);

fn kafka(error: KafkaError) -> TreeHeadError {
    TreeHeadError::Published(error.to_string())
}

/// The heads of `topic` numbered above `kept` (the newest number kept, 0 for none), oldest
/// first, from the newest messages of each partition. Blocking.
pub fn published_after(
    brokers: &str,
    topic: &str,
    kept: u64,
) -> Result<Vec<TreeHead>, TreeHeadError> {
    let group = format!("icattle-heads-{}", uuid::Uuid::new_v4().simple());
    let consumer: BaseConsumer = reader_config(brokers, &group).create().map_err(kafka)?;
    let mut heads = Vec::new();
    for partition in 0..partition_count(&consumer, topic).map_err(kafka)? {
        let (low, high) = watermarks(&consumer, topic, partition).map_err(kafka)?;
        if high <= low {
            continue;
        }
        let mut assignment = TopicPartitionList::new();
        let from = (high - LOOK_BACK).max(low);
        assignment
            .add_partition_offset(topic, partition, Offset::Offset(from))
            .map_err(kafka)?;
        consumer.assign(&assignment).map_err(kafka)?;
        let started = Instant::now();
        let mut next = from;
        while next < high {
            if started.elapsed() > READ_WITHIN {
                return Err(TreeHeadError::Published(format!(
                    "partition {partition} of {topic} was not read to its end within 30 s"
                )));
            }
            let Some(message) = consumer.poll(Duration::from_millis(200)) else {
                continue;
            };
            let message = message.map_err(kafka)?;
            next = message.offset() + 1;
            match serde_json::from_slice::<TreeHead>(message.payload().unwrap_or_default()) {
                Ok(head) if head.number() > kept => heads.push(head),
                Ok(_) => {}
                Err(error) => tracing::warn!(
                    partition,
                    offset = message.offset(),
                    %error,
                    "a message of the heads topic is not a head; passed over"
                ),
            }
        }
    }
    heads.sort_by_key(TreeHead::number);
    Ok(heads)
}
