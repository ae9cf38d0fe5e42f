//! The write side: a command in the seed's `{type, data}` shape becomes a signed event in
//! Kafka. It never writes a domain table; the golden record follows from the log.
use crate::golden::queries;
use crate::kafka::publisher::EventPublisher;
use app::model::{CattleRecord, CommandAck, CommandFailure};
use app::registry::LivestockRegistry;
use chrono::{SecondsFormat, Utc};
use domain::{decide, seal, Command, EventDraft, Rejection, SigningKeyPair, SourceSystem};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Validates, decides, signs and publishes commands.
#[derive(Clone)]
pub struct CommandHandler {
    db: DatabaseConnection,
    publisher: EventPublisher,
    key: Arc<SigningKeyPair>,
}

/// The short message a user sees for a technical failure; details go to the log.
fn unavailable(what: &str) -> CommandFailure {
    CommandFailure::Unavailable {
        message: format!("{what}; nothing was published, please try again"),
    }
}

impl CommandHandler {
    /// A handler reading heads from `db`, signing with `key` and publishing with `publisher`.
    pub fn new(db: DatabaseConnection, publisher: EventPublisher, key: SigningKeyPair) -> Self {
        Self {
            db,
            publisher,
            key: Arc::new(key),
        }
    }

    /// Handles one command as received from outside.
    pub async fn handle(&self, body: serde_json::Value) -> Result<CommandAck, CommandFailure> {
        let command = Command::parse(&body).map_err(|errors| CommandFailure::Invalid { errors })?;
        command
            .validate()
            .map_err(|errors| CommandFailure::Invalid { errors })?;
        let cattle_id = command.cattle_id();
        let (mut head, state) = queries::head_and_state(&self.db, cattle_id.0)
            .await
            .map_err(|error| {
                tracing::error!(%error, cattle_id = cattle_id.0, "could not read the animal's head");
                unavailable("The registry could not read the animal")
            })?;
        let decisions = decide(state.as_ref(), &command).map_err(|rejection| match rejection {
            Rejection::Invalid(errors) => CommandFailure::Invalid { errors },
            rejection => CommandFailure::Rejected {
                code: rejection.code().to_string(),
                message: rejection.to_string(),
                field: rejection.field().map(str::to_string),
            },
        })?;
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let correlation_id = format!("cor_{}", uuid::Uuid::new_v4().simple());
        let mut last = None;
        for (event_type, payload, event_ref) in decisions {
            let draft = EventDraft {
                event_id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
                event_type,
                event_ref,
                cattle_id,
                occurred_at: now.clone(),
                recorded_at: now.clone(),
                correlation_id: Some(correlation_id.clone()),
                causation_id: None,
                source_system: SourceSystem::ICattle,
                created_by: None,
                payload,
                provenance: None,
            };
            let envelope = seal(draft, &head, &self.key);
            let hash = domain::event_hash(&envelope).map_err(|error| {
                tracing::error!(%error, "a freshly sealed envelope does not hash");
                unavailable("The event could not be sealed")
            })?;
            let position = self.publisher.publish(&envelope).await.map_err(|error| {
                tracing::error!(%error, "publishing to Kafka failed");
                unavailable("The event log did not acknowledge the event")
            })?;
            tracing::info!(event_id = %envelope.metadata.event_id, partition = position.partition,
                offset = position.offset, "event published");
            head = head.after(&hash).map_err(|error| {
                tracing::error!(%error, "could not advance the chain head");
                unavailable("The event could not be chained")
            })?;
            last = Some(envelope);
        }
        let Some(envelope) = last else {
            return Err(CommandFailure::Rejected {
                code: "NOTHING_TO_DO".into(),
                message: "the command changes nothing".into(),
                field: None,
            });
        };
        Ok(CommandAck {
            event_id: envelope.metadata.event_id.clone(),
            status: "PUBLISHED".into(),
            cattle_id: cattle_id.0,
            sequence: envelope.metadata.sequence,
            message: "Event published to Kafka. Check event stream for result.".into(),
        })
    }

    /// The golden record's herd.
    pub async fn herd(&self) -> Result<Vec<CattleRecord>, CommandFailure> {
        queries::herd(&self.db).await.map_err(|error| {
            tracing::error!(%error, "could not read the herd");
            CommandFailure::Unavailable {
                message: "The herd could not be read; please try again".into(),
            }
        })
    }
}

#[async_trait::async_trait]
impl LivestockRegistry for CommandHandler {
    async fn submit(&self, command: serde_json::Value) -> Result<CommandAck, CommandFailure> {
        self.handle(command).await
    }

    async fn herd(&self) -> Result<Vec<CattleRecord>, CommandFailure> {
        CommandHandler::herd(self).await
    }
}
