//! The write side: a command in the seed's `{type, data}` shape becomes a signed event in
//! Kafka. It never writes a domain table; the golden record follows from the log.
use crate::accounts::{Accounts, Actor};
use crate::golden::chain_heads;
use crate::kafka::publisher::EventPublisher;
use crate::log_catch_up::CatchUp;
use crate::written_streams::{SentCommand, WrittenStream, WrittenStreams};
use app::model::{AckStatus, CommandAck, CommandFailure};
use chrono::{SecondsFormat, Utc};
use domain::{
    authorize, decide, fold_sealed, idempotency_key, payload_hash, role_may_send, seal, Command,
    EventDraft, Forbidden, Rejection, RequestKey, Role, SourceSystem, StreamState,
};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;

/// Idempotency keys this instance published recently, with their event ids: a command sent
/// twice before the golden record applied the first is still answered with the original.
const RECENT_KEYS_KEPT: usize = 10_000;

/// How long a keyed request waits for the golden record to catch up after a restart.
const CATCH_UP_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Where the head a command builds on came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeadSource {
    /// The golden record holds no such stream.
    NewStream,
    /// The golden record's row.
    Golden,
    /// This instance's own last acknowledged event on the stream.
    Memory,
}

impl HeadSource {
    /// Whether the golden record may hold an event of this type with the same idempotency
    /// key. Keys name the stream, so a stream it does not hold has none; on a head this
    /// instance wrote, a key named by the next sequence is new, while a key named by the
    /// fact (a registration, a resolution, a request key) may have been applied already.
    fn may_hold(self, event_type: domain::EventType, keyed_request: bool) -> bool {
        match self {
            HeadSource::NewStream => false,
            HeadSource::Golden => true,
            HeadSource::Memory => keyed_request || domain::has_natural_ref(event_type),
        }
    }
}

/// Validates, decides, signs and publishes commands.
#[derive(Clone)]
pub struct CommandHandler {
    db: DatabaseConnection,
    publisher: EventPublisher,
    accounts: Accounts,
    catch_up: CatchUp,
    recent: Arc<Mutex<HashMap<String, String>>>,
    written: WrittenStreams,
}

/// The short message a user sees for a technical failure; details go to the log.
fn unavailable(what: &str) -> CommandFailure {
    CommandFailure::Unavailable {
        message: format!("{what}; nothing was published, please try again"),
    }
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

/// The answer to a command that was accepted before.
fn duplicate_ack(original: String, cattle_id: i64, sequence: u64) -> CommandAck {
    CommandAck {
        message: format!(
            "The same command was already accepted as {original}; nothing new was published."
        ),
        event_id: original,
        status: AckStatus::Duplicate,
        cattle_id,
        sequence,
    }
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
            db,
            publisher,
            accounts,
            catch_up,
            recent: Arc::new(Mutex::new(HashMap::new())),
            written: WrittenStreams::default(),
        }
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
        let command = Command::parse(&body).map_err(|errors| CommandFailure::Invalid { errors })?;
        command
            .validate()
            .map_err(|errors| CommandFailure::Invalid { errors })?;
        let role = actor.user.role;
        if !role_may_send(role, &command) {
            return Err(forbidden(authorize(role, &[], None, &command)));
        }
        let cattle_id = command.cattle_id();
        // A retry of a keyed request after a restart: its first attempt may be in the log but
        // not yet in the golden record, which is asked below.
        if request_key.is_some() && !self.catch_up.wait(CATCH_UP_WITHIN).await {
            return Err(CommandFailure::Unavailable {
                message: "The registry is still reading the event log after a restart; \
                          nothing was published. Send the request again with the same \
                          Idempotency-Key in a moment."
                    .into(),
            });
        }
        // Held until the events are acknowledged: this instance decides one command per
        // stream at a time, each on the head the one before it left.
        let mut turn = self.written.turn(cattle_id.0).await;
        let (mut head, state, source) = match self.stream_head(&command, turn.as_ref()).await {
            Err(CommandFailure::Rejected {
                code,
                message,
                field,
            }) => {
                if let Some(original) = self.original_registration(&command).await? {
                    return Ok(duplicate_ack(original, cattle_id.0, 1));
                }
                return Err(CommandFailure::Rejected {
                    code,
                    message,
                    field,
                });
            }
            other => other?,
        };
        if role == Role::Farmer {
            self.authorize_farmer(
                actor,
                state.as_ref().map(|animal| animal.client_id),
                &command,
            )
            .await?;
        }
        // Sent again before the golden record applied the first (a double click, a client's
        // retry): the same fact, as it was when every command was decided on the golden
        // record's head. A request key decides that by itself.
        let fingerprint = payload_hash(&body);
        let pending = source == HeadSource::Memory;
        if let (true, None, Some(written)) = (pending, request_key, turn.as_ref()) {
            if written.sent.author == actor.user.username && written.sent.fingerprint == fingerprint
            {
                let original = written.sent.event_id.clone();
                return Ok(duplicate_ack(original, cattle_id.0, written.head.sequence));
            }
        }
        let decisions = match decide(state.as_ref(), &command) {
            Ok(decisions) => match request_key {
                Some(key) => domain::named_by_request(decisions, cattle_id, key),
                None => decisions,
            },
            Err(Rejection::Invalid(errors)) => return Err(CommandFailure::Invalid { errors }),
            Err(rejection) => {
                // A registration sent again is the same fact, not a conflict: name the original.
                if let Some(original) = self.original_registration(&command).await? {
                    return Ok(duplicate_ack(original, cattle_id.0, 1));
                }
                return Err(CommandFailure::Rejected {
                    code: rejection.code().to_string(),
                    message: rejection.to_string(),
                    field: rejection.field().map(str::to_string),
                });
            }
        };
        if let Some((event_type, payload, event_ref)) = decisions.first() {
            let key = idempotency_key(*event_type, cattle_id, event_ref, &payload_hash(payload));
            let ask_golden = source.may_hold(*event_type, request_key.is_some());
            if let Some(original) = self.original_of(&key, ask_golden).await? {
                return Ok(duplicate_ack(original, cattle_id.0, head.sequence + 1));
            }
        }
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let correlation_id = format!("cor_{}", uuid::Uuid::new_v4().simple());
        let mut last = None;
        let mut stream = state.map(StreamState::Cattle);
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
                created_by: Some(actor.user.username.clone()),
                payload,
                provenance: None,
            };
            // Signing and hashing are CPU work: kept off the threads that serve requests.
            let (key, before) = (actor.key.clone(), head.clone());
            let sealed = tokio::task::spawn_blocking(move || {
                let envelope = seal(draft, &before, &key);
                let folded = fold_sealed(&envelope, &before, stream);
                (envelope, folded)
            })
            .await
            .map_err(|error| {
                tracing::error!(%error, "sealing an event stopped");
                unavailable("The event could not be sealed")
            })?;
            let (envelope, folded) = (
                sealed.0,
                sealed.1.map_err(|error| {
                    // What this instance remembers having written is what the views will hold.
                    tracing::error!(%error, "a freshly sealed envelope does not fold");
                    unavailable("The event could not be sealed")
                })?,
            );
            let position = self.publisher.publish(&envelope).await.map_err(|error| {
                let event_id = &envelope.metadata.event_id;
                // The outcome is unknown: build on the golden record next time.
                *turn = None;
                tracing::error!(%error, %event_id, "publishing to Kafka failed");
                // Unacknowledged is not the same as unwritten: the broker may still have it.
                CommandFailure::Unavailable {
                    message: format!(
                        "The event log did not confirm event {event_id}; it may still be \
                         recorded. Check its status before sending the command again."
                    ),
                }
            })?;
            tracing::info!(event_id = %envelope.metadata.event_id, partition = position.partition,
                offset = position.offset, "event published");
            self.remember(
                &envelope.metadata.idempotency_key,
                &envelope.metadata.event_id,
            );
            if let Command::RegisterClient(client) = &command {
                self.written.registered_client(
                    &actor.user.username,
                    client.resolved_client_id(),
                    &envelope.metadata.event_id,
                );
            }
            head = folded.head;
            *turn = Some(WrittenStream {
                head: head.clone(),
                state: folded.state.clone(),
                written_at: std::time::Instant::now(),
                sent: SentCommand {
                    author: actor.user.username.clone(),
                    fingerprint: fingerprint.clone(),
                    event_id: envelope.metadata.event_id.clone(),
                },
            });
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
            cattle_id: cattle_id.0,
            sequence: envelope.metadata.sequence,
            message: "Event published to Kafka. Check event stream for result.".into(),
        })
    }

    /// Whether a farmer may send `command` to an animal owned by `owner`. Clients are never
    /// taken from a farmer, so the ones known to be theirs decide without a database read;
    /// only a refusal is checked again against the golden record.
    async fn authorize_farmer(
        &self,
        actor: &Actor,
        owner: Option<i64>,
        command: &Command,
    ) -> Result<(), CommandFailure> {
        let username = &actor.user.username;
        let known = self.written.clients_of(username);
        if authorize(Role::Farmer, &known, owner, command).is_ok() {
            return Ok(());
        }
        let own = self.accounts.own_clients(username).await.map_err(|error| {
            tracing::error!(%error, "could not read a farmer's clients");
            unavailable("The registry could not check whose animal this is")
        })?;
        self.written.remember_clients(username, &own);
        let own = self.written.clients_of(username);
        authorize(Role::Farmer, &own, owner, command).map_err(|no| forbidden(Err(no)))
    }

    /// The chain head and state a command builds on, and where they come from; a client
    /// stream that exists already refuses a second registration here.
    async fn stream_head(
        &self,
        command: &Command,
        written: Option<&WrittenStream>,
    ) -> Result<(domain::ChainHead, Option<domain::CattleState>, HeadSource), CommandFailure> {
        let id = command.cattle_id().0;
        let read_failed = |error: sea_orm::DbErr| {
            tracing::error!(%error, stream = id, "could not read the stream's head");
            unavailable("The registry could not read the animal")
        };
        if let Command::RegisterClient(client) = command {
            if written.is_some()
                || chain_heads::client_head(&self.db, id)
                    .await
                    .map_err(read_failed)?
                    .is_some()
            {
                return Err(CommandFailure::Rejected {
                    code: "ALREADY_REGISTERED".into(),
                    message: format!("client with PIC {} already registered", client.pic),
                    field: Some("pic".into()),
                });
            }
            let client_id = client.resolved_client_id();
            if chain_heads::client_id_taken(&self.db, client_id)
                .await
                .map_err(read_failed)?
            {
                return Err(CommandFailure::Rejected {
                    code: "CLIENT_ID_TAKEN".into(),
                    message: format!("client id {client_id} belongs to another client"),
                    field: Some("clientId".into()),
                });
            }
            return Ok((domain::ChainHead::default(), None, HeadSource::NewStream));
        }
        let id_written = written.filter(|w| matches!(w.state, StreamState::Cattle(_)));
        if let Some(written) = id_written.filter(|w| self.written.usable(id, w)) {
            // This instance's own acknowledged events, which the golden record may not have
            // applied yet: no need to ask it (its verdicts settle the entry).
            if let StreamState::Cattle(animal) = &written.state {
                return Ok((
                    written.head.clone(),
                    Some(animal.clone()),
                    HeadSource::Memory,
                ));
            }
        }
        let (head, state) = chain_heads::head_and_state(&self.db, id)
            .await
            .map_err(read_failed)?;
        if let Some(written) = id_written {
            // Still undecided and further on than the golden record (which lags): build on
            // it, as on a fresh head.
            if let StreamState::Cattle(animal) = &written.state {
                if written.head.sequence > head.sequence && !self.written.decided(id, written) {
                    return Ok((
                        written.head.clone(),
                        Some(animal.clone()),
                        HeadSource::Memory,
                    ));
                }
            }
        }
        let source = if state.is_some() {
            HeadSource::Golden
        } else {
            HeadSource::NewStream
        };
        Ok((head, state, source))
    }

    /// For a registration refused because the stream exists: the event that registered it,
    /// when it carried exactly this command.
    async fn original_registration(
        &self,
        command: &Command,
    ) -> Result<Option<String>, CommandFailure> {
        if !matches!(
            command,
            Command::CreateCattle(_) | Command::RegisterClient(_)
        ) {
            return Ok(None);
        }
        let Ok(decided) = decide(None, command) else {
            return Ok(None);
        };
        let Some((event_type, payload, event_ref)) = decided.first() else {
            return Ok(None);
        };
        let key = idempotency_key(
            *event_type,
            command.cattle_id(),
            event_ref,
            &payload_hash(payload),
        );
        self.original_of(&key, true).await
    }

    /// The event already accepted for this idempotency key, if any: among this instance's
    /// recent events, and in the golden record when `ask_golden`.
    async fn original_of(
        &self,
        key: &str,
        ask_golden: bool,
    ) -> Result<Option<String>, CommandFailure> {
        let remembered = self
            .recent
            .lock()
            .ok()
            .and_then(|recent| recent.get(key).cloned());
        if remembered.is_some() || !ask_golden {
            return Ok(remembered);
        }
        chain_heads::event_with_idempotency_key(&self.db, key)
            .await
            .map_err(|error| {
                tracing::error!(%error, "could not look up an idempotency key");
                unavailable("The registry could not check for a duplicate")
            })
    }

    fn remember(&self, key: &str, event_id: &str) {
        if let Ok(mut recent) = self.recent.lock() {
            if recent.len() >= RECENT_KEYS_KEPT {
                recent.clear();
            }
            recent.insert(key.to_string(), event_id.to_string());
        }
    }
}
