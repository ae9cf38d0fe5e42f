//! What every read model has in common: it is fed the cattle log in batches from its
//! own checkpoints, applies each exactly once, and can be dropped and rebuilt from offset 0.
pub mod batch_report;
pub mod bulk_rows;
pub mod consumer;
pub mod group_turns;
mod log_reading;
pub mod progress;
pub mod read_ahead;
pub mod sql_batch;
pub mod sql_checkpoint;
pub mod stream_heads;

use crate::checked_signatures::CheckedSignatures;
use crate::kafka::envelope_body::decode;
use app::model::ViewName;
use domain::{EventEnvelope, EventType};
use sea_orm::DbErr;

/// A message's place in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogPosition<'a> {
    /// The topic.
    pub topic: &'a str,
    /// The partition.
    pub partition: i32,
    /// The offset.
    pub offset: i64,
}

/// One message of the log as the consumer hands it to a view, decoded once for every step
/// that needs the envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct LogMessage {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i32,
    /// The offset.
    pub offset: i64,
    /// The record's key, if it had one.
    pub key: Option<Vec<u8>>,
    /// The bytes as received.
    pub body: Vec<u8>,
    /// The envelope the bytes hold, or why they hold none.
    pub envelope: Result<EventEnvelope, String>,
}

impl LogMessage {
    /// The message at (`topic`, `partition`, `offset`), its body decoded.
    pub fn decoded(
        topic: String,
        partition: i32,
        offset: i64,
        key: Option<Vec<u8>>,
        body: Vec<u8>,
    ) -> Self {
        let envelope = decode(&body);
        Self {
            topic,
            partition,
            offset,
            key,
            body,
            envelope,
        }
    }

    /// Where the message sits in the log.
    pub fn position(&self) -> LogPosition<'_> {
        LogPosition {
            topic: &self.topic,
            partition: self.partition,
            offset: self.offset,
        }
    }
}

/// What applying one message did to a view.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// The event changed the view.
    Applied {
        /// The stream (animal or client) the event belongs to.
        cattle_id: i64,
        /// The event.
        event_id: String,
        /// Its type.
        event_type: EventType,
        /// The stream's sequence afterwards.
        sequence: u64,
    },
    /// The same event (or the same business fact) was applied before: nothing changed.
    Duplicate {
        /// The event already applied.
        event_id: String,
        /// The event dropped, when it is another event than the one applied.
        dropped: Option<String>,
        /// The stream.
        cattle_id: Option<i64>,
    },
    /// The event failed verification or the stream's rules: never applied.
    Rejected {
        /// The event, when readable.
        event_id: Option<String>,
        /// The stream, when readable.
        cattle_id: Option<i64>,
        /// A stable reason code.
        code: String,
        /// A sentence for people.
        reason: String,
    },
    /// This log position was applied before (a redelivery): nothing changed.
    AlreadyCheckpointed,
    /// Handled without changing anything people see (a relay copy, a message not for this view).
    Passed,
}

/// Why a view could not apply a message right now (the message is retried, never skipped).
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The database refused.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// The cache store refused.
    #[error("cache: {0}")]
    Cache(String),
    /// The object store refused.
    #[error("object store: {0}")]
    ObjectStore(String),
    /// The search index refused.
    #[error("search index: {0}")]
    Search(String),
    /// Kafka did not take a copy.
    #[error("kafka: {0}")]
    Publish(String),
    /// The key stream could not be read, so the batch is not judged yet.
    #[error("{0}")]
    Keys(String),
    /// The view's store lost its state: the consumer starts again from its checkpoints.
    #[error("{0}")]
    Rewind(String),
}

/// A read model fed from the cattle log.
#[async_trait::async_trait]
pub trait LogView: Clone + Send + Sync + 'static {
    /// The view's name, in its checkpoints and its live updates.
    fn name(&self) -> ViewName;

    /// The last applied offset of each partition of `topic` this view has a checkpoint for.
    async fn checkpoints(&self, topic: &str) -> Result<Vec<(i32, i64)>, ViewError>;

    /// Applies a batch of messages exactly once each, keeping each partition's order, and
    /// answers one outcome per message in the batch's order. A failure applies none of them.
    async fn apply_batch(&self, batch: &[LogMessage]) -> Result<Vec<Applied>, ViewError>;

    /// Whether the view's refusals are announced to the browsers (the view that keeps the
    /// register of refusals); one announcement per refusal is enough.
    fn announces_rejections(&self) -> bool {
        false
    }

    /// Where the view's signature checks are remembered, so the consumer can check a batch
    /// ahead, on every core, while the one before it is applied.
    fn checked_signatures(&self) -> &CheckedSignatures;
}
