//! Publishes signed envelopes with an idempotent producer (acks=all), each record carrying
//! the CloudEvents headers of its envelope.
use super::cloud_events;
use crate::telemetry;
use domain::EventEnvelope;
use rdkafka::error::KafkaError;
use rdkafka::message::OwnedHeaders;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use std::time::Duration;

/// Where a published event landed in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogPosition {
    /// The partition (chosen by the key `cattle-{id}`).
    pub partition: i32,
    /// The offset within it.
    pub offset: i64,
}

/// Why an event could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The envelope could not be encoded (a bug, never user input).
    #[error("could not encode the envelope: {0}")]
    Encode(#[from] serde_json::Error),
    /// The broker did not acknowledge the event.
    #[error("the broker did not acknowledge the event: {0}")]
    Broker(#[from] KafkaError),
}

/// The message key that keeps one animal's events in order on one partition.
pub fn cattle_key(cattle_id: i64) -> String {
    format!("cattle-{cattle_id}")
}

/// Builds the idempotent producer every writer uses.
pub fn idempotent_producer(brokers: &str) -> Result<FutureProducer, KafkaError> {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        // A millisecond lets concurrent commands share a produce request (and its acks=all
        // round trip) while adding at most that much to a lone command's latency.
        .set("linger.ms", "1")
        .set("message.timeout.ms", "15000")
        .create()
}

/// Sends envelopes of the cattle log.
#[derive(Clone)]
pub struct EventPublisher {
    producer: FutureProducer,
    topic: String,
}

impl EventPublisher {
    /// A publisher writing to `topic`.
    pub fn new(producer: FutureProducer, topic: String) -> Self {
        Self { producer, topic }
    }

    /// Publishes one envelope and waits until every in-sync replica has it (acks=all): an
    /// error here means the broker did not acknowledge it.
    pub async fn publish(&self, envelope: &EventEnvelope) -> Result<LogPosition, PublishError> {
        let body = serde_json::to_vec(envelope)?;
        let key = cattle_key(envelope.metadata.cattle_id.0);
        self.send(
            &key,
            &body,
            Some(cloud_events::kafka_headers(envelope)),
            true,
        )
        .await
    }

    /// Publishes a record that is not an event (a signed tree head), acknowledged like one
    /// but left out of the events' publish metrics.
    pub async fn publish_record(
        &self,
        key: &str,
        body: &[u8],
    ) -> Result<LogPosition, PublishError> {
        self.send(key, body, None, false).await
    }

    /// Publishes bytes as they are, without headers (used by tests and tools that forge or
    /// replay messages).
    pub async fn publish_raw(&self, key: &str, body: &[u8]) -> Result<LogPosition, PublishError> {
        self.send(key, body, None, true).await
    }

    async fn send(
        &self,
        key: &str,
        body: &[u8],
        headers: Option<OwnedHeaders>,
        an_event: bool,
    ) -> Result<LogPosition, PublishError> {
        let mut record = FutureRecord::to(&self.topic).key(key).payload(body);
        if let Some(headers) = headers {
            record = record.headers(headers);
        }
        let started = std::time::Instant::now();
        let delivery = match self.producer.send(record, Duration::from_secs(15)).await {
            Ok(delivery) => delivery,
            Err((error, _)) => {
                if an_event {
                    metrics::counter!(telemetry::PUBLISH_ERRORS).increment(1);
                }
                return Err(error.into());
            }
        };
        if an_event {
            metrics::histogram!(telemetry::PUBLISH_SECONDS).record(started.elapsed().as_secs_f64());
            metrics::counter!(telemetry::EVENTS_PUBLISHED).increment(1);
        }
        Ok(LogPosition {
            partition: delivery.partition,
            offset: delivery.offset,
        })
    }
}
