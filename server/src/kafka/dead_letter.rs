//! The dead-letter topic: messages no consumer could even decode, kept with the reason and
//! where they came from, so nothing on the log is silently dropped.
use super::publisher::PublishError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::time::Duration;

/// Header naming why the message is here.
pub const REASON_HEADER: &str = "icattle-reason";
/// Header naming the view that could not decode it.
pub const VIEW_HEADER: &str = "icattle-view";
/// Header naming the topic it came from.
pub const ORIGIN_TOPIC_HEADER: &str = "icattle-origin-topic";
/// Header naming the partition it came from.
pub const ORIGIN_PARTITION_HEADER: &str = "icattle-origin-partition";
/// Header naming the offset it came from.
pub const ORIGIN_OFFSET_HEADER: &str = "icattle-origin-offset";

/// Where a poison message was read.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    /// Its topic.
    pub topic: &'a str,
    /// Its partition.
    pub partition: i32,
    /// Its offset.
    pub offset: i64,
    /// Its key, if it had one.
    pub key: Option<&'a [u8]>,
}

/// Sends undecodable messages to the dead-letter topic.
#[derive(Clone)]
pub struct DeadLetters {
    producer: FutureProducer,
    topic: String,
}

impl DeadLetters {
    /// Dead letters written to `topic`.
    pub fn new(producer: FutureProducer, topic: String) -> Self {
        Self { producer, topic }
    }

    /// Copies the message, byte for byte, with the reason and its origin as headers.
    pub async fn send(
        &self,
        view: &str,
        origin: &Origin<'_>,
        body: &[u8],
        reason: &str,
    ) -> Result<(), PublishError> {
        let partition = origin.partition.to_string();
        let offset = origin.offset.to_string();
        let headers = OwnedHeaders::new()
            .insert(Header {
                key: REASON_HEADER,
                value: Some(reason),
            })
            .insert(Header {
                key: VIEW_HEADER,
                value: Some(view),
            })
            .insert(Header {
                key: ORIGIN_TOPIC_HEADER,
                value: Some(origin.topic),
            })
            .insert(Header {
                key: ORIGIN_PARTITION_HEADER,
                value: Some(&partition),
            })
            .insert(Header {
                key: ORIGIN_OFFSET_HEADER,
                value: Some(&offset),
            });
        let key = origin.key.unwrap_or(b"dead-letter");
        let record = FutureRecord::to(&self.topic)
            .key(key)
            .payload(body)
            .headers(headers);
        self.producer
            .send(record, Duration::from_secs(15))
            .await
            .map_err(|(error, _)| error)?;
        Ok(())
    }
}
