//! Snapshots as signed envelopes: an animal's folded state and chain head after one of its
//! events, sealed by the server and opened (checked) by whoever replays from it.
//!
//! A snapshot is not a link of the animal's chain: its `sequence` and `previous_hash` name
//! the event it covers, and its Merkle root is that event's tree head, so a reader can tell at
//! once which event it stands for; its own event hash is signed like any event's.

use super::canonical_json::canonical_json;
use super::chain_head::ChainHead;
use super::hashing::{event_hash_bytes, idempotency_key, payload_hash, sha256};
use super::key_registry::KeyRegistry;
use super::signing::{verify_hash_signature, SigningKeyPair};
use super::verification::{check_form, VerificationFailure};
use crate::payloads::{EventPayload, SnapshotCreated};
use crate::{CattleState, Cryptography, EventEnvelope, EventMetadata, EventType, SourceSystem};

/// A snapshot the reader may start from: opened and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The snapshot envelope's own id.
    pub event_id: String,
    /// The animal's state after the covered event.
    pub state: CattleState,
    /// The chain head after the covered event.
    pub head: ChainHead,
}

/// Why a snapshot cannot be started from.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SnapshotFailure {
    /// The envelope is another event type.
    #[error("not a snapshot but {0}")]
    NotASnapshot(EventType),
    /// The envelope itself fails (form, hashes, signature, key).
    #[error("{0}")]
    Envelope(#[from] VerificationFailure),
    /// The payload is not a snapshot's.
    #[error("malformed snapshot payload: {0}")]
    Payload(String),
    /// The state does not hash to the `stateHash` it carries.
    #[error("the state does not hash to the snapshot's stateHash")]
    StateHash,
    /// The envelope's metadata and the head or state it carries disagree.
    #[error("the snapshot contradicts itself: {0}")]
    Inconsistent(&'static str),
    /// The state or head differs from the fold of the events the snapshot claims to cover.
    #[error("the snapshot differs from the fold of the events it covers: {0}")]
    Diverges(&'static str),
}

impl SnapshotFailure {
    /// The stable machine-readable code, e.g. "SNAPSHOT_STATE_HASH".
    pub fn code(&self) -> &'static str {
        match self {
            SnapshotFailure::NotASnapshot(_) => "NOT_A_SNAPSHOT",
            SnapshotFailure::Envelope(failure) => failure.code(),
            SnapshotFailure::Payload(_) => "SNAPSHOT_PAYLOAD",
            SnapshotFailure::StateHash => "SNAPSHOT_STATE_HASH",
            SnapshotFailure::Inconsistent(_) => "SNAPSHOT_INCONSISTENT",
            SnapshotFailure::Diverges(_) => "SNAPSHOT_DIVERGES",
        }
    }
}

/// SHA-256 (hex) of a state's canonical JSON: what a snapshot's `stateHash` must be.
pub fn state_hash(state: &CattleState) -> String {
    let value = serde_json::to_value(state).unwrap_or(serde_json::Value::Null);
    hex::encode(sha256(canonical_json(&value).as_bytes()))
}

/// Seals the snapshot of `state` after the event `head` ends with, as of `recorded_at`
/// ("YYYY-MM-DDTHH:MM:SS.sssZ"), under the id `event_id`.
pub fn seal_snapshot(
    event_id: String,
    recorded_at: String,
    state: &CattleState,
    head: &ChainHead,
    key: &SigningKeyPair,
) -> EventEnvelope {
    let payload = SnapshotCreated {
        state: state.clone(),
        state_hash: state_hash(state),
        head: head.clone(),
    }
    .to_payload();
    let payload_hash = payload_hash(&payload);
    let event_type = EventType::SnapshotCreated;
    let event_ref = format!("snapshot-{}-{}", state.cattle_id.0, head.sequence);
    let metadata = EventMetadata {
        event_id,
        event_type,
        idempotency_key: idempotency_key(event_type, state.cattle_id, &event_ref, &payload_hash),
        event_ref,
        cattle_id: state.cattle_id,
        sequence: head.sequence,
        occurred_at: recorded_at.clone(),
        recorded_at,
        correlation_id: None,
        causation_id: None,
        source_system: SourceSystem::ICattle,
        schema_version: event_type.current_schema_version(),
        created_by: None,
    };
    let mut envelope = EventEnvelope {
        metadata,
        payload,
        cryptography: Cryptography {
            payload_hash,
            previous_hash: head.last_event_hash.clone(),
            signature: String::new(),
            public_key: key.public_key_hex(),
            merkle_root: Some(head.merkle.root_hex()),
            timestamp_proof: None,
        },
        provenance: None,
    };
    envelope.cryptography.signature = key.sign_hash(&event_hash_bytes(&envelope));
    envelope
}

/// Checks a snapshot envelope on its own: its form, hashes and signature, a key `keys`
/// accept for it, a state that hashes to its `stateHash`, and metadata, head and state that
/// name the same event of the same animal. Whether the state is the true fold of the events
/// it covers takes those events: see [`check_covers`](crate::check_covers).
pub fn open_snapshot(
    envelope: &EventEnvelope,
    keys: &KeyRegistry,
) -> Result<Snapshot, SnapshotFailure> {
    let m = &envelope.metadata;
    let c = &envelope.cryptography;
    if m.event_type != EventType::SnapshotCreated {
        return Err(SnapshotFailure::NotASnapshot(m.event_type));
    }
    check_form(envelope).map_err(VerificationFailure::Malformed)?;
    let recomputed = payload_hash(&envelope.payload);
    if recomputed != c.payload_hash {
        return Err(VerificationFailure::PayloadHash {
            expected: recomputed,
            found: c.payload_hash.clone(),
        }
        .into());
    }
    let key = idempotency_key(m.event_type, m.cattle_id, &m.event_ref, &c.payload_hash);
    if key != m.idempotency_key {
        return Err(VerificationFailure::IdempotencyKey {
            expected: key,
            found: m.idempotency_key.clone(),
        }
        .into());
    }
    if !verify_hash_signature(&c.public_key, &event_hash_bytes(envelope), &c.signature) {
        return Err(VerificationFailure::Signature.into());
    }
    keys.check_signer(&c.public_key, m.created_by.as_deref(), &m.recorded_at)?;
    let payload =
        SnapshotCreated::from_payload(&envelope.payload).map_err(SnapshotFailure::Payload)?;
    if state_hash(&payload.state) != payload.state_hash {
        return Err(SnapshotFailure::StateHash);
    }
    let head = &payload.head;
    let agree = [
        (
            payload.state.cattle_id == m.cattle_id,
            "the state is of another animal",
        ),
        (
            head.sequence == m.sequence,
            "head and metadata name other sequences",
        ),
        (
            payload.state.sequence == m.sequence,
            "the state is at another sequence",
        ),
        (
            head.merkle.size() == head.sequence,
            "the Merkle tree has another size",
        ),
        (
            head.last_event_hash == c.previous_hash,
            "head and previous_hash differ",
        ),
        (
            c.merkle_root.as_deref() == Some(head.merkle.root_hex().as_str()),
            "the Merkle root is not the head's",
        ),
    ];
    if let Some((_, why)) = agree.iter().find(|(ok, _)| !ok) {
        return Err(SnapshotFailure::Inconsistent(why));
    }
    // Confidence and risk are derived from the verifications and suspicions the snapshot
    // holds, by today's rules: a snapshot taken under earlier rules still equals the fold.
    let mut state = payload.state;
    state.rescore();
    Ok(Snapshot {
        event_id: m.event_id.clone(),
        state,
        head: payload.head,
    })
}
