//! The last step of a command: sealing each decided event on the head the one before it
//! left, publishing it, and remembering what it wrote.
use super::stream_base::StreamBase;
use super::{CommandHandler, Received};
use crate::checked_signatures::CheckedSignatures;
use crate::technical_failure::unavailable;
use crate::written_streams::{SentCommand, WrittenStream};
use app::model::{AckStatus, CommandAck, CommandFailure};
use chrono::{SecondsFormat, Utc};
use domain::{
    fold_sealed, seal, ChainHead, Command, DecidedEvent, EventDraft, EventEnvelope, FoldedStream,
    SigningKeyPair, SourceSystem, StreamState,
};
use std::sync::Arc;
use tracing::Instrument;

/// A new event id.
pub(super) fn new_event_id() -> String {
    format!("evt_{}", uuid::Uuid::new_v4().simple())
}

/// The draft of one decided event of a command: its event id, the command's time and
/// correlation, and its sender.
fn draft(
    received: &Received<'_>,
    decided: DecidedEvent,
    event_id: String,
    now: &str,
    correlation_id: &str,
) -> EventDraft {
    EventDraft {
        event_id,
        event_type: decided.event_type,
        event_ref: decided.event_ref,
        cattle_id: received.command.cattle_id(),
        occurred_at: now.to_string(),
        recorded_at: now.to_string(),
        correlation_id: Some(correlation_id.to_string()),
        causation_id: None,
        source_system: SourceSystem::ICattle,
        created_by: Some(received.actor.user.user_id.clone()),
        payload: decided.payload,
        provenance: None,
    }
}

/// Seals `draft` on `before` with `key` and folds it onto `stream`. Signing and hashing are
/// CPU work: they run on a blocking thread, off the threads that serve requests.
pub(super) async fn seal_and_fold(
    draft: EventDraft,
    before: &ChainHead,
    stream: Option<StreamState>,
    key: Arc<SigningKeyPair>,
    sealed: &CheckedSignatures,
) -> Result<(EventEnvelope, FoldedStream), CommandFailure> {
    let (before, sealed) = (before.clone(), sealed.clone());
    let (envelope, folded) = tokio::task::spawn_blocking(move || {
        let envelope = seal(draft, &before, &key);
        sealed.remember_sealed(&envelope);
        let folded = fold_sealed(&envelope, &before, stream);
        (envelope, folded)
    })
    .await
    .map_err(|error| {
        unavailable(
            "The event could not be sealed; nothing was published",
            format!("sealing stopped: {error}"),
        )
    })?;
    let folded = folded.map_err(|error| {
        // What this instance remembers having written is what the views will hold.
        unavailable(
            "The event could not be sealed; nothing was published",
            format!("a freshly sealed envelope does not fold: {error}"),
        )
    })?;
    Ok((envelope, folded))
}

impl CommandHandler {
    /// Seals each decided event on the head the one before it left and publishes it,
    /// remembering what each wrote; answers with the last one. The first event takes
    /// `first_event_id` when its fact was claimed under that id.
    pub(super) async fn seal_and_publish(
        &self,
        received: &Received<'_>,
        base: StreamBase,
        decisions: Vec<DecidedEvent>,
        mut first_event_id: Option<String>,
        written: &mut Option<WrittenStream>,
    ) -> Result<CommandAck, CommandFailure> {
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let correlation_id = match received.correlation {
            Some(action) => action.as_str().to_string(),
            None => format!("cor_{}", uuid::Uuid::new_v4().simple()),
        };
        let mut head = base.head;
        let mut stream = base.state.map(StreamState::Cattle);
        let mut last = None;
        for decided in decisions {
            let event_id = first_event_id.take().unwrap_or_else(new_event_id);
            let draft = draft(received, decided, event_id, &now, &correlation_id);
            let key = received.actor.key.clone();
            let sealing = seal_and_fold(draft, &head, stream, key, &self.sealed);
            let (envelope, folded) = sealing.instrument(tracing::info_span!("seal")).await?;
            tracing::Span::current().record("event_id", envelope.metadata.event_id.as_str());
            let publishing = self.publish(&envelope, written);
            publishing
                .instrument(tracing::info_span!("publish"))
                .await?;
            self.remember_written(received, &envelope, &folded, written);
            head = folded.head;
            stream = Some(folded.state);
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
            status: AckStatus::Published,
            cattle_id: received.command.cattle_id().0,
            sequence: envelope.metadata.sequence,
            message: "Event published to Kafka. Check event stream for result.".into(),
        })
    }

    /// Publishes a sealed event and waits for the broker's acknowledgement. Unacknowledged
    /// is not unwritten (the broker may still have it), so the answer names the event and
    /// the stream's memory is dropped: the outcome is unknown, the golden record is asked
    /// next time.
    pub(super) async fn publish(
        &self,
        envelope: &EventEnvelope,
        written: &mut Option<WrittenStream>,
    ) -> Result<(), CommandFailure> {
        let event_id = &envelope.metadata.event_id;
        let position = self.publisher.publish(envelope).await.map_err(|error| {
            *written = None;
            tracing::error!(%error, %event_id, "publishing to Kafka failed");
            CommandFailure::Unavailable {
                message: format!(
                    "The event log did not confirm event {event_id}; it may still be \
                     recorded. Check its status before sending the command again."
                ),
            }
        })?;
        // One line per event is the golden record's `event applied` level too: at thousands
        // a second, formatting it at the default level cost a quarter of the write path.
        tracing::debug!(%event_id, partition = position.partition, offset = position.offset,
            "event published");
        Ok(())
    }

    /// Remembers what a published event wrote: its fact, the client a farmer registered
    /// (theirs before the golden record has it), and the stream's new head and state with
    /// the command that wrote them.
    fn remember_written(
        &self,
        received: &Received<'_>,
        envelope: &EventEnvelope,
        folded: &FoldedStream,
        written: &mut Option<WrittenStream>,
    ) {
        let (user_id, event_id) = (&received.actor.user.user_id, &envelope.metadata.event_id);
        self.accepted
            .remember(&envelope.metadata.idempotency_key, event_id);
        if let Command::RegisterClient(client) = &received.command {
            self.written
                .registered_client(user_id, client.resolved_client_id(), event_id);
        }
        *written = Some(WrittenStream {
            head: folded.head.clone(),
            state: folded.state.clone(),
            written_at: std::time::Instant::now(),
            sent: SentCommand {
                author: user_id.clone(),
                fingerprint: received.fingerprint.clone(),
                event_id: event_id.clone(),
            },
        });
    }
}
