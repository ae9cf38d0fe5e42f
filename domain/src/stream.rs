//! One event stream (an animal's, or a client's) as every view folds it: verified against
//! the stream's chain head first, then applied. Views differ in what they store, never in
//! which events they accept, so all of them (and every replay) agree.

use crate::{
    apply, apply_client, event_hash_bytes, verify_next_with, ApplyError, CattleState, ChainHead,
    ClientState, Ed25519, EventEnvelope, EventType, SignatureCheck, VerificationFailure,
};
use serde::{Deserialize, Serialize};

/// The folded state of one stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "stream", content = "state", rename_all = "snake_case")]
// Built and moved once per event; a box would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum StreamState {
    /// An animal.
    Cattle(CattleState),
    /// A client (registered once, on its own stream).
    Client(ClientState),
}

/// A stream after one more accepted event.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldedStream {
    /// The chain head including the event.
    pub head: ChainHead,
    /// The state including the event.
    pub state: StreamState,
}

/// Why an event was not folded into its stream.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StreamRefusal {
    /// Signed by a key the view does not trust.
    #[error("signed by an unknown key {0}")]
    UnknownKey(String),
    /// The envelope does not verify against the stream's head.
    #[error(transparent)]
    Verification(#[from] VerificationFailure),
    /// The envelope verifies but breaks the stream's rules.
    #[error(transparent)]
    Rule(#[from] ApplyError),
}

impl StreamRefusal {
    /// A stable code: `UNKNOWN_KEY`, a verification code, or `RULE`.
    pub fn code(&self) -> &'static str {
        match self {
            StreamRefusal::UnknownKey(_) => "UNKNOWN_KEY",
            StreamRefusal::Verification(failure) => failure.code(),
            StreamRefusal::Rule(_) => "RULE",
        }
    }
}

/// Verifies `envelope` as the next event after `head` and folds it into `state`.
/// `key_trusted` is the caller's verdict on the envelope's public key.
pub fn fold_verified(
    envelope: &EventEnvelope,
    head: &ChainHead,
    state: Option<StreamState>,
    key_trusted: bool,
) -> Result<FoldedStream, StreamRefusal> {
    fold_verified_with(envelope, head, state, key_trusted, &Ed25519)
}

/// `fold_verified`, deciding signatures with `check` (which may remember the answers it gave
/// for the same key, hash and signature).
pub fn fold_verified_with(
    envelope: &EventEnvelope,
    head: &ChainHead,
    state: Option<StreamState>,
    key_trusted: bool,
    check: &impl SignatureCheck,
) -> Result<FoldedStream, StreamRefusal> {
    if !key_trusted {
        return Err(StreamRefusal::UnknownKey(
            envelope.cryptography.public_key.clone(),
        ));
    }
    let head = verify_next_with(envelope, head, check)?;
    fold_onto(envelope, head, state)
}

/// Folds an envelope the caller has just sealed on `head` with a key it trusts: the same
/// stream `fold_verified` gives, without checking again the signature and hashes the caller
/// has just made. The views still verify it when it comes back from the log.
pub fn fold_sealed(
    envelope: &EventEnvelope,
    head: &ChainHead,
    state: Option<StreamState>,
) -> Result<FoldedStream, StreamRefusal> {
    let next = head.after_hash(&event_hash_bytes(envelope));
    fold_onto(envelope, next, state)
}

/// Applies an envelope to the stream's state once its next chain head is known.
fn fold_onto(
    envelope: &EventEnvelope,
    head: ChainHead,
    state: Option<StreamState>,
) -> Result<FoldedStream, StreamRefusal> {
    let state = if envelope.metadata.event_type == EventType::ClientRegistered {
        let before = match state {
            Some(StreamState::Client(client)) => Some(client),
            Some(StreamState::Cattle(_)) => {
                return Err(ApplyError::WrongAggregate(EventType::ClientRegistered).into())
            }
            None => None,
        };
        StreamState::Client(apply_client(before, envelope)?)
    } else {
        let before = match state {
            Some(StreamState::Cattle(cattle)) => Some(cattle),
            Some(StreamState::Client(_)) => {
                return Err(ApplyError::WrongAggregate(envelope.metadata.event_type).into())
            }
            None => None,
        };
        StreamState::Cattle(apply(before, envelope)?)
    };
    Ok(FoldedStream { head, state })
}
