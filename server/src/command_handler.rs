//! The write side: a command in the seed's `{type, data}` shape becomes a signed event in
//! Kafka. It never writes a domain table; the golden record follows from the log.
//!
//! `CommandHandler::handle` runs the steps in order: admit the command, load the stream it
//! builds on (`stream_head`), decide, recognise a duplicate (`crate::duplicate_commands`),
//! then seal and publish (`publishing`).
pub mod fraud_findings;
mod parties;
mod publishing;
mod stream_base;
mod stream_head;
mod tag_claims;

use crate::accounts::{Accounts, Actor};
use crate::checked_signatures::CheckedSignatures;
use crate::duplicate_commands::{duplicate_ack, resent_while_pending, AcceptedFacts};
use crate::fact_claims::Claim;
use crate::kafka::publisher::EventPublisher;
use crate::log_catch_up::CatchUp;
use crate::telemetry;
use crate::written_streams::WrittenStreams;
use app::model::{CommandAck, CommandFailure};
use domain::{
    authorize, decide, decide_offer, idempotency_key, payload_hash, role_may_send, CattleId,
    Command, CorrelationId, DecidedEvent, Forbidden, FraudFinding, Rejection, RequestKey,
    SigningKeyPair,
};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use stream_base::{HeadSource, StreamBase};
use tracing::Instrument;

/// How long a keyed request waits for the golden record to catch up after a restart.
const CATCH_UP_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// How a command was sent, beside what it says.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sent<'a> {
    /// The sender's name for the request: sent again under it, it is the same fact.
    pub request_key: Option<&'a RequestKey>,
    /// The bulk action it is part of.
    pub correlation: Option<&'a CorrelationId>,
}

/// A command as received: what it says, who sent it, and how to recognise it when it comes
/// again.
struct Received<'a> {
    command: Command,
    actor: &'a Actor,
    /// SHA-256 of the command's canonical JSON, as sent.
    fingerprint: String,
    request_key: Option<&'a RequestKey>,
    /// The bulk action it is part of: every event of the action carries this id.
    correlation: Option<&'a CorrelationId>,
}

/// Why handling a command stopped before publishing anything.
enum Halt {
    /// The command was accepted before: answered with the original event.
    Duplicate(CommandAck),
    /// The command is refused, or the registry could not handle it now.
    Failed(CommandFailure),
    /// The command is refused, and the attempt is a fraud finding on this animal, raised
    /// once the stream's turn is let go.
    Suspicious(CommandFailure, CattleId, Box<FraudFinding>),
}

impl From<CommandFailure> for Halt {
    fn from(failure: CommandFailure) -> Self {
        Halt::Failed(failure)
    }
}

/// Validates, decides, signs and publishes commands.
#[derive(Clone)]
pub struct CommandHandler {
    db: DatabaseConnection,
    publisher: EventPublisher,
    accounts: Accounts,
    catch_up: CatchUp,
    accepted: AcceptedFacts,
    written: WrittenStreams,
    sealed: CheckedSignatures,
    /// The fraud detector's key, when this instance runs it: refused registrations of a tag
    /// another herd holds are raised as alerts.
    detector: Option<Arc<SigningKeyPair>>,
}

/// The refusal of a command the user may not send.
fn forbidden(verdict: Result<(), Forbidden>) -> CommandFailure {
    CommandFailure::Forbidden {
        message: match verdict {
            Err(Forbidden(reason)) => reason,
            Ok(()) => "you may not send this command".into(),
        },
    }
}

/// The refusal of a command the business rules do not allow, with its stable code.
fn refused(rejection: Rejection) -> CommandFailure {
    match rejection {
        Rejection::Invalid(errors) => CommandFailure::Invalid { errors },
        rejection => CommandFailure::Rejected {
            code: rejection.code().to_string(),
            message: rejection.to_string(),
            field: rejection.field().map(str::to_string),
        },
    }
}

/// Parses and validates the command and checks that the sender's role may send it at all
/// (whose animal it is is checked once the stream is loaded).
fn admit<'a>(
    actor: &'a Actor,
    body: &serde_json::Value,
    sent: Sent<'a>,
) -> Result<Received<'a>, CommandFailure> {
    let command = Command::parse(body).map_err(|errors| CommandFailure::Invalid { errors })?;
    command
        .validate()
        .map_err(|errors| CommandFailure::Invalid { errors })?;
    let role = actor.user.role;
    if !role_may_send(role, &command) {
        return Err(forbidden(authorize(role, &[], None, &command)));
    }
    Ok(Received {
        command,
        actor,
        fingerprint: payload_hash(body),
        request_key: sent.request_key,
        correlation: sent.correlation,
    })
}

impl CommandHandler {
    /// A handler reading heads from `db`, checking who may act with `accounts` and
    /// publishing with `publisher`; each event is signed with its sender's key. Keyed
    /// requests are decided once `catch_up` says the golden record holds what the log held
    /// at start-up.
    pub fn new(
        db: DatabaseConnection,
        publisher: EventPublisher,
        accounts: Accounts,
        catch_up: CatchUp,
    ) -> Self {
        Self {
            accepted: AcceptedFacts::new(db.clone()),
            db,
            publisher,
            accounts,
            catch_up,
            written: WrittenStreams::default(),
            sealed: CheckedSignatures::default(),
            detector: None,
        }
    }

    /// Raises a refused registration of a tag another herd holds as a fraud alert, signed
    /// with the fraud `detector`'s key.
    pub fn raising_tag_claims(mut self, detector: Arc<SigningKeyPair>) -> Self {
        self.detector = Some(detector);
        self
    }

    /// Tells the views sharing `checked` of the signatures this handler makes, so they do
    /// not check them again when the events come back from the log.
    pub fn remembering_signatures(mut self, checked: CheckedSignatures) -> Self {
        self.sealed = checked;
        self
    }

    /// Lets the golden record's announcements on `hub` tell this handler when the golden
    /// record has caught up with what it wrote.
    pub fn follow(&self, hub: &crate::live::LiveHub) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.written.clone().follow(hub.subscribe()))
    }

    /// Handles one command as received from outside, on behalf of `actor`. With a request
    /// key, a retry of the same request is answered with the original event, however the
    /// animal changed in between.
    pub async fn handle(
        &self,
        actor: &Actor,
        body: serde_json::Value,
        request_key: Option<&RequestKey>,
    ) -> Result<CommandAck, CommandFailure> {
        let sent = Sent {
            request_key,
            correlation: None,
        };
        self.handle_sent(actor, body, sent).await
    }

    /// Handles one command of a bulk action or other request that says how it was sent.
    ///
    /// The command runs to its end on a task of its own even when the caller goes away (a
    /// closed connection drops the request's future): stopped between claiming its fact and
    /// publishing, it would leave the claim pending and every instance answering 503 to the
    /// retry until the claim is taken over.
    pub async fn handle_sent(
        &self,
        actor: &Actor,
        body: serde_json::Value,
        sent: Sent<'_>,
    ) -> Result<CommandAck, CommandFailure> {
        let (handler, actor) = (self.clone(), actor.clone());
        let (request_key, correlation) = (sent.request_key.cloned(), sent.correlation.cloned());
        let command = tokio::spawn(
            async move {
                let sent = Sent {
                    request_key: request_key.as_ref(),
                    correlation: correlation.as_ref(),
                };
                handler.handle_to_the_end(&actor, body, sent).await
            }
            .in_current_span(),
        );
        match command.await {
            Ok(result) => result,
            Err(stopped) if stopped.is_panic() => std::panic::resume_unwind(stopped.into_panic()),
            // Only a runtime shutting down cancels the task.
            Err(_) => Err(CommandFailure::Unavailable {
                message: "The registry is shutting down; the outcome of this command is \
                          unknown. Send it again with the same Idempotency-Key in a moment."
                    .into(),
            }),
        }
    }

    async fn handle_to_the_end(
        &self,
        actor: &Actor,
        body: serde_json::Value,
        sent: Sent<'_>,
    ) -> Result<CommandAck, CommandFailure> {
        // Only known wire names become labels, so a flood of made-up types adds no series.
        let kind = body
            .get("type")
            .and_then(serde_json::Value::as_str)
            .and_then(domain::CommandType::parse)
            .map_or("UNREADABLE", |kind| kind.as_str());
        // One span per command, through validation, sealing and publishing; it carries the
        // event id once sealed, as the views' apply and the live push do for the same event.
        let span = tracing::info_span!("command", kind, user = %actor.user.user_id,
            event_id = tracing::field::Empty, outcome = tracing::field::Empty);
        let steps = self.run_steps(actor, &body, sent);
        let result = match steps.instrument(span.clone()).await {
            Ok(ack) | Err(Halt::Duplicate(ack)) => Ok(ack),
            Err(Halt::Failed(failure)) => Err(failure),
            Err(Halt::Suspicious(failure, cattle_id, finding)) => {
                self.raise_tag_claim(cattle_id, &finding)
                    .instrument(span.clone())
                    .await;
                Err(failure)
            }
        };
        let outcome = telemetry::outcome_label(&result);
        span.record("outcome", outcome);
        if let Ok(ack) = &result {
            span.record("event_id", ack.event_id.as_str());
        }
        tracing::debug!(parent: &span, "command handled");
        metrics::counter!(telemetry::COMMANDS, "type" => kind, "outcome" => outcome).increment(1);
        result
    }

    /// The steps of `handle`: admit, load the stream, decide, recognise a duplicate, then
    /// seal and publish. Any step may halt with the answer.
    async fn run_steps(
        &self,
        actor: &Actor,
        body: &serde_json::Value,
        sent: Sent<'_>,
    ) -> Result<CommandAck, Halt> {
        let request_key = sent.request_key;
        let received = tracing::info_span!("validate").in_scope(|| admit(actor, body, sent))?;
        self.await_catch_up(request_key).await?;
        let cattle_id = received.command.cattle_id().0;
        // Held until the events are acknowledged: this instance decides one command per
        // stream at a time, each on the head the one before it left.
        let mut turn = self.written.turn(cattle_id).await;
        let base = self.load(&received.command, turn.as_ref()).await?;
        let parties = base.state.as_ref().map(parties::of_animal);
        self.authorize_parties(actor, parties.as_ref(), &received.command)
            .await?;
        self.check_transfer_target(actor, &received.command).await?;
        let offer = self.is_offer(actor, &received.command).await?;
        let pending = turn.as_ref().filter(|_| base.source == HeadSource::Memory);
        let (author, keyed) = (&actor.user.user_id, request_key.is_some());
        if let Some(ack) =
            resent_while_pending(pending, author, &received.fingerprint, keyed, cattle_id)
        {
            return Err(Halt::Duplicate(ack));
        }
        let decisions = self.decide(&received, &base, offer).await?;
        let claimed = self.dedupe(&received, &base, &decisions).await?;
        let first_event_id = claimed.as_ref().map(|fact| fact.event_id.clone());
        let published = self
            .seal_and_publish(&received, base, decisions, first_event_id, &mut turn)
            .await;
        if let Some(fact) = &claimed {
            match &published {
                Ok(_) => self.accepted.published(&fact.key, &fact.event_id).await,
                Err(_) => self.accepted.release(&fact.key, &fact.event_id).await,
            }
        }
        Ok(published?)
    }

    /// For a keyed request, waits until the golden record holds what the log held at
    /// start-up: a retry after a restart may have its first attempt in the log but not yet
    /// in the golden record, which the duplicate lookup asks.
    async fn await_catch_up(&self, request_key: Option<&RequestKey>) -> Result<(), CommandFailure> {
        if request_key.is_some() && !self.catch_up.wait(CATCH_UP_WITHIN).await {
            return Err(CommandFailure::Unavailable {
                message: "The registry is still reading the event log after a restart; \
                          nothing was published. Send the request again with the same \
                          Idempotency-Key in a moment."
                    .into(),
            });
        }
        Ok(())
    }

    /// Decides the command on the stream's state: the events to write, named by the request
    /// when it carries a key, so a retry decided on a later state names the same facts. An
    /// `offer` decides a transfer as an offer waiting for the receiving farmer.
    async fn decide(
        &self,
        received: &Received<'_>,
        base: &StreamBase,
        offer: bool,
    ) -> Result<Vec<DecidedEvent>, Halt> {
        let command = &received.command;
        let decided = match command {
            Command::TransferOwnership(transfer) if offer => {
                decide_offer(base.state.as_ref(), transfer)
            }
            _ => decide(base.state.as_ref(), command),
        };
        match decided {
            Ok(decisions) => Ok(match received.request_key {
                Some(key) => domain::named_by_request(decisions, command.cattle_id(), key),
                None => decisions,
            }),
            Err(Rejection::Invalid(errors)) => Err(CommandFailure::Invalid { errors }.into()),
            Err(rejection) => Err(self.refused_at_the_door(received, base, rejection).await),
        }
    }

    /// The refusal of a command `decide` rejected, raising the attempt as a fraud finding
    /// where it is one (a tag another herd holds, registered again).
    async fn refused_at_the_door(
        &self,
        received: &Received<'_>,
        base: &StreamBase,
        rejection: Rejection,
    ) -> Halt {
        let command = &received.command;
        match self.refused_unless_accepted(command, &rejection).await {
            Halt::Failed(failure @ CommandFailure::Rejected { .. }) => {
                match self.tag_claim(received.actor, base, command, &rejection) {
                    Some(finding) => {
                        Halt::Suspicious(failure, command.cattle_id(), Box::new(finding))
                    }
                    None => Halt::Failed(failure),
                }
            }
            halt => halt,
        }
    }

    /// The refusal of `command`, unless it is a registration accepted before as exactly this
    /// command: sent again, it is the same fact, not a conflict, and the original is named.
    async fn refused_unless_accepted(&self, command: &Command, rejection: &Rejection) -> Halt {
        match self.accepted.original_registration(command).await {
            Ok(Some(original)) => {
                Halt::Duplicate(duplicate_ack(original, command.cattle_id().0, 1))
            }
            Ok(None) => Halt::Failed(refused(rejection.clone())),
            Err(failure) => Halt::Failed(failure),
        }
    }

    /// Halts with the original event when the first decided event's fact was accepted
    /// before: among this instance's recent events, and in the golden record where it can
    /// hold it, or is being published by another instance. Otherwise claims the fact for
    /// the first event, under the id it will be published with.
    async fn dedupe(
        &self,
        received: &Received<'_>,
        base: &StreamBase,
        decisions: &[DecidedEvent],
    ) -> Result<Option<ClaimedFact>, Halt> {
        let Some(first) = decisions.first() else {
            return Ok(None);
        };
        let cattle_id = received.command.cattle_id();
        let hash = payload_hash(&first.payload);
        let key = idempotency_key(first.event_type, cattle_id, &first.event_ref, &hash);
        let ask_golden = base
            .source
            .may_hold(first.event_type, received.request_key.is_some());
        let held = match self.accepted.original_of(&key, ask_golden).await? {
            Some(original) => original,
            None => {
                let event_id = publishing::new_event_id();
                match self.accepted.claim(&key, &event_id).await? {
                    Claim::Ours => return Ok(Some(ClaimedFact { key, event_id })),
                    Claim::Held { event_id } => event_id,
                }
            }
        };
        Err(Halt::Duplicate(duplicate_ack(
            held,
            cattle_id.0,
            base.head.sequence + 1,
        )))
    }
}

/// A fact this handler claimed for the first event of a command.
struct ClaimedFact {
    key: String,
    event_id: String,
}
