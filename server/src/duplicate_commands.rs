//! Recognising a command that was accepted before, so sending it again publishes nothing and
//! is answered with the original event: by its business fact (idempotency key), among what
//! this instance published lately, among the facts any instance claimed before publishing,
//! and in the golden record, or, while the first is still unapplied, by the stream's memory
//! of the command that wrote it.
use crate::fact_claims::{Claim, FactClaims};
use crate::golden::chain_heads;
use crate::technical_failure::unavailable;
use crate::written_streams::WrittenStream;
use app::model::{AckStatus, CommandAck, CommandFailure};
use domain::{decide, idempotency_key, payload_hash, Command};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Idempotency keys this instance published recently, with their event ids: a command sent
/// twice before the golden record applied the first is still answered with the original.
const RECENT_KEYS_KEPT: usize = 10_000;

/// The business facts already accepted, by idempotency key: those this instance published
/// lately, then those the golden record holds.
#[derive(Clone)]
pub struct AcceptedFacts {
    db: DatabaseConnection,
    recent: Arc<Mutex<HashMap<String, String>>>,
    claims: FactClaims,
}

impl AcceptedFacts {
    /// Facts read from the golden record in `db`, and none published yet.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            claims: FactClaims::new(db.clone()),
            db,
            recent: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The event already accepted for this idempotency key, if any: among this instance's
    /// recent events, and in the golden record when `ask_golden`.
    pub async fn original_of(
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
                unavailable(
                    "The registry could not check for a duplicate; nothing was published",
                    format!("looking up idempotency key {key}: {error}"),
                )
            })
    }

    /// For a registration refused because the stream exists: the event that registered it,
    /// when it carried exactly this command.
    pub async fn original_registration(
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
        let Some(first) = decided.first() else {
            return Ok(None);
        };
        let key = idempotency_key(
            first.event_type,
            command.cattle_id(),
            &first.event_ref,
            &payload_hash(&first.payload),
        );
        self.original_of(&key, true).await
    }

    /// Claims the fact `key` for `event_id`, about to be published, against every instance.
    pub async fn claim(&self, key: &str, event_id: &str) -> Result<Claim, CommandFailure> {
        self.claims.claim(key, event_id).await
    }

    /// Notes that the broker acknowledged `event_id`, which claimed `key`.
    pub async fn published(&self, key: &str, event_id: &str) {
        self.claims.published(key, event_id).await;
    }

    /// Gives up the claim of `event_id` on `key`: it was not published after all.
    pub async fn release(&self, key: &str, event_id: &str) {
        self.claims.release(key, event_id).await;
    }

    /// The claims every instance shares.
    pub fn claims(&self) -> &FactClaims {
        &self.claims
    }

    /// Remembers that `event_id` was accepted for `key`. The memory is bounded: when full it
    /// starts over, since the golden record holds whatever is older by then.
    pub fn remember(&self, key: &str, event_id: &str) {
        if let Ok(mut recent) = self.recent.lock() {
            if recent.len() >= RECENT_KEYS_KEPT {
                recent.clear();
            }
            recent.insert(key.to_string(), event_id.to_string());
        }
    }

    /// Forgets that `key` was accepted as `event_id`: the log refused that event after all.
    pub fn forget(&self, key: &str, event_id: &str) {
        if let Ok(mut recent) = self.recent.lock() {
            if recent
                .get(key)
                .is_some_and(|remembered| remembered == event_id)
            {
                recent.remove(key);
            }
        }
    }
}

/// The answer to a command sent again by the same user before the golden record applied the
/// first (a double click, a client's retry): the same fact, as it was when every command was
/// decided on the golden record's head. `pending` is what this instance last wrote to the
/// stream when the command builds on it. A keyed request is recognised by its key instead,
/// so it is never answered here.
pub fn resent_while_pending(
    pending: Option<&WrittenStream>,
    author: &str,
    fingerprint: &str,
    keyed_request: bool,
    cattle_id: i64,
) -> Option<CommandAck> {
    let written = pending.filter(|_| !keyed_request)?;
    (written.sent.author == author && written.sent.fingerprint == fingerprint).then(|| {
        duplicate_ack(
            written.sent.event_id.clone(),
            cattle_id,
            written.head.sequence,
        )
    })
}

/// The answer to a command that was accepted before.
pub fn duplicate_ack(original: String, cattle_id: i64, sequence: u64) -> CommandAck {
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
