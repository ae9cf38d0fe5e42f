//! Raising a fraud finding: the detector's FRAUD_DETECTED joins the animal's own chain, so
//! nobody can drop an alert from an animal's history unseen. It takes the stream's turn, head
//! and duplicate lookup a user's command takes, so it never races this instance's commands,
//! and is signed with the detector's key.
use super::publishing::seal_and_fold;
use super::stream_base::{HeadSource, StreamBase};
use super::{CommandHandler, CATCH_UP_WITHIN};
use crate::technical_failure::unavailable;
use crate::telemetry;
use crate::written_streams::{SentCommand, StreamTurn, WrittenStream};
use app::model::CommandFailure;
use chrono::{SecondsFormat, Utc};
use domain::{
    idempotency_key, payload_hash, CattleId, EventDraft, FraudFinding, SigningKeyPair,
    SourceSystem, StreamState,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Who the detector's events name as their author.
pub const FRAUD_DETECTOR_AUTHOR: &str = "fraud-detector";

/// What became of a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertRaised {
    /// A new FRAUD_DETECTED event is in the log.
    Published {
        /// Its event id.
        event_id: String,
    },
    /// The same finding was raised before (a replay, or a restart after publishing it).
    AlreadyRaised,
    /// An alert of the same suspicion is still open on the animal: one problem, one alert.
    StillOpen,
    /// The log holds no animal of that id (a forgery against nothing).
    NoAnimal,
}

impl AlertRaised {
    fn label(&self) -> &'static str {
        match self {
            AlertRaised::Published { .. } => "raised",
            AlertRaised::AlreadyRaised => "already_raised",
            AlertRaised::StillOpen => "still_open",
            AlertRaised::NoAnimal => "no_animal",
        }
    }
}

/// A finding to raise: what the detector found, on which animal, after which event.
#[derive(Debug, Clone, Copy)]
pub struct FindingToRaise<'a> {
    /// The animal.
    pub cattle_id: CattleId,
    /// What the rules found.
    pub finding: &'a FraudFinding,
    /// The event that raised it (none for a command refused at the door).
    pub cause: Option<&'a str>,
    /// The detector has folded the stream up to this sequence: the alert goes after it.
    pub after_sequence: u64,
    /// An earlier event of the same finding that lost a race for its place in the chain
    /// (built on a head the golden record had not caught up with): it is raised again.
    pub refused: Option<&'a str>,
}

/// How long a finding waits for the golden record to reach the event that raised it.
const HEAD_WAIT: Duration = Duration::from_secs(5);
/// How often the golden record's head is read again meanwhile.
const HEAD_POLL: Duration = Duration::from_millis(50);

impl CommandHandler {
    /// Publishes a finding as a FRAUD_DETECTED event signed with `detector`, after the
    /// event that raised it, unless the same finding is in the log already or an alert of its
    /// suspicion is open. Waits first until the golden record holds what the log held at
    /// start-up (a finding raised before a restart is found there) and the stream's head is
    /// past the finding's cause.
    pub async fn raise_alert(
        &self,
        raising: FindingToRaise<'_>,
        detector: &Arc<SigningKeyPair>,
    ) -> Result<AlertRaised, CommandFailure> {
        let raised = self.raise_unless_known(raising, detector).await;
        if let Ok(outcome) = &raised {
            metrics::counter!(telemetry::FRAUD_FINDINGS,
                "suspicion" => raising.finding.suspicion.as_str(), "outcome" => outcome.label())
            .increment(1);
        }
        raised
    }

    /// The stream's turn and the head a finding builds on, once that head is past the
    /// finding's cause; the turn is let go while waiting, so commands go on meanwhile.
    async fn turn_after(
        &self,
        raising: FindingToRaise<'_>,
    ) -> Result<(StreamTurn, StreamBase), CommandFailure> {
        let id = raising.cattle_id.0;
        let started = Instant::now();
        loop {
            let mut turn = self.written.turn(id).await;
            let descends_from_refused = raising.refused.is_some()
                && turn.as_ref().is_some_and(|written| {
                    matches!(&written.state, StreamState::Cattle(animal)
                        if animal.open_alert(&raising.finding.alert_id).is_some())
                });
            if descends_from_refused {
                // What this instance remembers writing was built on the refused alert (a
                // finding raised on it meanwhile), so every view refuses it too: only the
                // golden record's head is sure. A later write of its own stays trusted.
                *turn = None;
            }
            let base = self.stream_head(id, turn.as_ref()).await?;
            // Past the wait, the head the golden record has is built on: if it still lags,
            // the alert loses its place and is raised again when the detector reads that;
            // if it dropped an event the detector's fold kept (a repeated fact), it is right.
            if base.head.sequence >= raising.after_sequence || started.elapsed() > HEAD_WAIT {
                return Ok((turn, base));
            }
            drop(turn);
            tokio::time::sleep(HEAD_POLL).await;
        }
    }

    async fn raise_unless_known(
        &self,
        raising: FindingToRaise<'_>,
        detector: &Arc<SigningKeyPair>,
    ) -> Result<AlertRaised, CommandFailure> {
        if !self.catch_up.wait(CATCH_UP_WITHIN).await {
            return Err(unavailable(
                "The registry is still reading the event log after a restart",
                "the fraud detector waits for the golden record to catch up".to_string(),
            ));
        }
        let (cattle_id, finding) = (raising.cattle_id, raising.finding);
        let decided = finding.to_event();
        let key = idempotency_key(
            decided.event_type,
            cattle_id,
            &decided.event_ref,
            &payload_hash(&decided.payload),
        );
        if let Some(refused) = raising.refused {
            self.accepted.forget(&key, refused);
            // Raised again already (another copy of the refused event was read first).
            if self.accepted.original_of(&key, false).await?.is_some() {
                return Ok(AlertRaised::AlreadyRaised);
            }
        }
        let (mut turn, base) = self.turn_after(raising).await?;
        let Some(animal) = base.state.as_ref() else {
            return Ok(AlertRaised::NoAnimal);
        };
        let ask_golden = base.source != HeadSource::NewStream;
        if self.accepted.original_of(&key, ask_golden).await?.is_some() {
            return Ok(AlertRaised::AlreadyRaised);
        }
        if finding.is_open_on(animal) {
            return Ok(AlertRaised::StillOpen);
        }
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let draft = EventDraft {
            event_id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
            event_type: decided.event_type,
            event_ref: decided.event_ref,
            cattle_id,
            occurred_at: now.clone(),
            recorded_at: now,
            correlation_id: None,
            causation_id: raising.cause.map(str::to_string),
            source_system: SourceSystem::ICattle,
            created_by: Some(FRAUD_DETECTOR_AUTHOR.to_string()),
            payload: decided.payload,
            provenance: None,
        };
        let stream = base.state.map(StreamState::Cattle);
        let (envelope, folded) =
            seal_and_fold(draft, &base.head, stream, detector.clone(), &self.sealed).await?;
        self.publish(&envelope, &mut turn).await?;
        let event_id = envelope.metadata.event_id.clone();
        self.accepted.remember(&key, &event_id);
        *turn = Some(WrittenStream {
            head: folded.head,
            state: folded.state,
            written_at: Instant::now(),
            sent: SentCommand {
                author: FRAUD_DETECTOR_AUTHOR.to_string(),
                fingerprint: key,
                event_id: event_id.clone(),
            },
        });
        tracing::info!(%event_id, alert_id = %finding.alert_id, cattle_id = cattle_id.0,
            suspicion = finding.suspicion.as_str(), "fraud alert raised");
        Ok(AlertRaised::Published { event_id })
    }
}
