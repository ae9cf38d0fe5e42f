//! Feeds the category topics (valuations, fraud, ownership, health) from the cattle log.
//! The broker here has no transactions, so this is a relay with its own checkpoint: each
//! envelope is copied byte for byte under its key, then the checkpoint moves. A crash in
//! between copies it again, identically, so readers dedupe by event_id.
use crate::kafka::publisher::EventPublisher;
use crate::kafka::topics::Topics;
use crate::views::{decode, sql_checkpoint, Applied, LogView, ViewError};
use rdkafka::producer::FutureProducer;
use sea_orm::DatabaseConnection;

/// The checkpoint name of the relay.
pub const PROJECTION: &str = "category_relay";

/// The relay into the category topics.
#[derive(Clone)]
pub struct CategoryRelay {
    db: DatabaseConnection,
    producer: FutureProducer,
    topics: Topics,
}

impl CategoryRelay {
    /// A relay keeping its checkpoint in `db` and writing with `producer`.
    pub fn new(db: DatabaseConnection, producer: FutureProducer, topics: Topics) -> Self {
        Self {
            db,
            producer,
            topics,
        }
    }
}

#[async_trait::async_trait]
impl LogView for CategoryRelay {
    fn name(&self) -> &'static str {
        PROJECTION
    }

    async fn checkpoints(&self, topic: &str) -> Result<Vec<(i32, i64)>, ViewError> {
        Ok(sql_checkpoint::checkpoints(&self.db, PROJECTION, topic).await?)
    }

    async fn apply_message(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
        body: &[u8],
    ) -> Result<Applied, ViewError> {
        if sql_checkpoint::already_applied(&self.db, PROJECTION, topic, partition, offset).await? {
            return Ok(Applied::AlreadyCheckpointed);
        }
        let applied = match decode(body) {
            Ok(envelope) => match envelope.metadata.event_type.category_topic() {
                Some(category) => {
                    let publisher =
                        EventPublisher::new(self.producer.clone(), self.topics.category(category));
                    publisher
                        .publish_raw(&envelope.metadata.cattle_id.kafka_key(), body)
                        .await
                        .map_err(|e| ViewError::Publish(format!("relay to {category}: {e}")))?;
                    Applied::Passed
                }
                None => Applied::Passed,
            },
            // Undecodable messages are the golden record's dead letters, not a category's.
            Err(_) => Applied::Passed,
        };
        sql_checkpoint::save(&self.db, PROJECTION, topic, partition, offset).await?;
        Ok(applied)
    }
}
