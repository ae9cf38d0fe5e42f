//! Appending to the key stream: a change signed by the root key, put after the last record
//! read, published with acks=all and read back until the stream holds it.
use super::key_reader::{KeyStream, KeyStreamError};
use crate::kafka::publisher::{EventPublisher, PublishError};
use chrono::{DateTime, SecondsFormat, Utc};
use domain::{KeyChange, KeyRecord, KeyScope, Role, SigningKeyPair};
use std::sync::Arc;

/// The Kafka key every record is published under.
const RECORD_KEY: &str = "key-registry";

/// How often a change is written again after losing its place to another writer.
const ATTEMPTS: u32 = 8;

/// Why a change could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum KeyRegistrarError {
    /// The stream could not be read.
    #[error(transparent)]
    Stream(#[from] KeyStreamError),
    /// The broker did not acknowledge the record.
    #[error("key stream: {0}")]
    Publish(#[from] PublishError),
    /// Other writers took every place this change tried.
    #[error("key stream: the change to key {0} lost its place {ATTEMPTS} times to other writers")]
    Contended(String),
    /// The change contradicts the stream (a key registered to someone else).
    #[error("key stream: {0}")]
    Refused(String),
}

/// A timestamp as the protocol spells it.
pub fn protocol_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Writes the root key's records.
#[derive(Clone)]
pub struct KeyRegistrar {
    stream: Arc<KeyStream>,
    publisher: Arc<EventPublisher>,
    root: Arc<SigningKeyPair>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for KeyRegistrar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRegistrar")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

impl KeyRegistrar {
    /// Writes to `stream`'s topic through `publisher`, signing with `root`.
    pub fn new(
        stream: Arc<KeyStream>,
        publisher: EventPublisher,
        root: Arc<SigningKeyPair>,
    ) -> Self {
        Self {
            stream,
            publisher: Arc::new(publisher),
            root,
            turn: Arc::default(),
        }
    }

    /// The stream written.
    pub fn stream(&self) -> &Arc<KeyStream> {
        &self.stream
    }

    /// Registers a user's key, signing for that user only from `valid_from` on.
    pub async fn register_user_key(
        &self,
        public_key: &str,
        user_id: &str,
        role: Role,
        valid_from: DateTime<Utc>,
    ) -> Result<(), KeyRegistrarError> {
        self.record(KeyChange::Registered {
            public_key: public_key.to_string(),
            owner: user_id.to_string(),
            role: Some(role),
            signs_for: KeyScope::Owner,
            valid_from: protocol_time(valid_from),
        })
        .await
    }

    /// Registers a key of the server's own producers (one that signs for anyone).
    pub async fn register_producer_key(
        &self,
        public_key: &str,
        owner: &str,
        valid_from: DateTime<Utc>,
    ) -> Result<(), KeyRegistrarError> {
        self.record(KeyChange::Registered {
            public_key: public_key.to_string(),
            owner: owner.to_string(),
            role: None,
            signs_for: KeyScope::Anyone,
            valid_from: protocol_time(valid_from),
        })
        .await
    }

    /// Revokes a key from `revoked_from` on.
    pub async fn revoke(
        &self,
        public_key: &str,
        revoked_from: DateTime<Utc>,
    ) -> Result<(), KeyRegistrarError> {
        self.record(KeyChange::Revoked {
            public_key: public_key.to_string(),
            revoked_from: protocol_time(revoked_from),
        })
        .await
    }

    /// Records `change` unless the stream already says it, and returns once the stream read
    /// back holds it. Two instances may write at once: the record that reached the topic
    /// second is superseded there, and its writer puts it after the winner.
    pub async fn record(&self, change: KeyChange) -> Result<(), KeyRegistrarError> {
        let _turn = self.turn.lock().await;
        for _ in 0..ATTEMPTS {
            self.stream.read_to_end().await?;
            let ledger = self.stream.ledger();
            if ledger
                .already_says(&change)
                .map_err(KeyRegistrarError::Refused)?
            {
                return Ok(());
            }
            let record = KeyRecord::sign(ledger.next(change.clone()), &self.root);
            let body = serde_json::to_vec(&record).map_err(PublishError::from)?;
            self.publisher.publish_record(RECORD_KEY, &body).await?;
            self.stream.read_to_end().await?;
            if self.stream.holds(&record) {
                tracing::info!(
                    sequence = record.sequence(),
                    public_key = change.public_key(),
                    "key stream record written"
                );
                return Ok(());
            }
        }
        Err(KeyRegistrarError::Contended(
            change.public_key().to_string(),
        ))
    }
}
