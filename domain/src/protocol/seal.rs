//! Sealing: turning an event draft into the signed, chained envelope.

use super::chain_head::ChainHead;
use super::hashing::{event_hash_bytes, idempotency_key, payload_hash};
use super::signing::SigningKeyPair;
use crate::{
    CattleId, Cryptography, EventEnvelope, EventMetadata, EventType, Provenance, SourceSystem,
};
use serde_json::Value;

/// Everything about a new event that the caller decides; sealing adds the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDraft {
    /// Unique id the caller chose (e.g. "evt_" + a UUID).
    pub event_id: String,
    /// What happened.
    pub event_type: EventType,
    /// The business reference of the fact (input to the idempotency key).
    pub event_ref: String,
    /// The subject aggregate.
    pub cattle_id: CattleId,
    /// When it happened ("YYYY-MM-DDTHH:MM:SS.sssZ").
    pub occurred_at: String,
    /// When it was recorded (same format).
    pub recorded_at: String,
    /// Links related events.
    pub correlation_id: Option<String>,
    /// The event that caused this one.
    pub causation_id: Option<String>,
    /// Where the event came from.
    pub source_system: SourceSystem,
    /// The user who caused it.
    pub created_by: Option<String>,
    /// The event data, at the type's current schema version.
    pub payload: Value,
    /// The trust picture to record with it.
    pub provenance: Option<Provenance>,
}

/// Builds the complete signed envelope as the next event after `head`.
///
/// sequence = head.sequence + 1, previous_hash = head.last_event_hash, payload hash,
/// idempotency key, event hash, Ed25519 signature, and the Merkle root including this event;
/// schema_version is the event type's current one.
pub fn seal(draft: EventDraft, head: &ChainHead, key: &SigningKeyPair) -> EventEnvelope {
    let version = draft.event_type.current_schema_version();
    seal_at_version(draft, version, head, key)
}

/// Like `seal`, but records the payload as written at `schema_version` (for importing and
/// re-publishing events of an older schema; new events use `seal`).
pub fn seal_at_version(
    draft: EventDraft,
    schema_version: u32,
    head: &ChainHead,
    key: &SigningKeyPair,
) -> EventEnvelope {
    let payload_hash = payload_hash(&draft.payload);
    let metadata = EventMetadata {
        idempotency_key: idempotency_key(
            draft.event_type,
            draft.cattle_id,
            &draft.event_ref,
            &payload_hash,
        ),
        event_id: draft.event_id,
        event_type: draft.event_type,
        event_ref: draft.event_ref,
        cattle_id: draft.cattle_id,
        sequence: head.sequence.saturating_add(1),
        occurred_at: draft.occurred_at,
        recorded_at: draft.recorded_at,
        correlation_id: draft.correlation_id,
        causation_id: draft.causation_id,
        source_system: draft.source_system,
        schema_version,
        created_by: draft.created_by,
    };
    let mut envelope = EventEnvelope {
        metadata,
        payload: draft.payload,
        cryptography: Cryptography {
            payload_hash,
            previous_hash: head.last_event_hash.clone(),
            signature: String::new(),
            public_key: key.public_key_hex(),
            merkle_root: None,
            timestamp_proof: None,
        },
        provenance: draft.provenance,
    };
    let hash = event_hash_bytes(&envelope);
    envelope.cryptography.signature = key.sign_hash(&hash);
    envelope.cryptography.merkle_root = Some(head.after_hash(&hash).merkle.root_hex());
    envelope
}
