//! Checking one envelope against the chain head it should follow.

use super::chain_head::ChainHead;
use super::hashing::{event_hash_bytes, idempotency_key, payload_hash};
use super::protocol_error::decode_hex;
use super::signing::verify_hash_signature;
use crate::{is_valid_timestamp, EventEnvelope};

/// Largest integer a JSON number carries exactly as an IEEE double (2^53 - 1).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Why an event failed verification; `code()` is the stable name reports and vectors use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerificationFailure {
    /// The envelope is not well formed (bad timestamp, hex, version, …).
    #[error("malformed envelope: {0}")]
    Malformed(String),
    /// The payload does not hash to `payload_hash`.
    #[error("payload hash mismatch")]
    PayloadHash {
        /// Hash recomputed from the payload.
        expected: String,
        /// Hash the envelope claims.
        found: String,
    },
    /// `idempotency_key` is not the hash of (event_type, cattle_id, event_ref, payload_hash).
    #[error("idempotency key mismatch")]
    IdempotencyKey {
        /// Key recomputed from the metadata.
        expected: String,
        /// Key the envelope claims.
        found: String,
    },
    /// The sequence is not the next one after the head.
    #[error("sequence gap: expected {expected}, found {found}")]
    SequenceGap {
        /// head.sequence + 1.
        expected: u64,
        /// The envelope's sequence.
        found: u64,
    },
    /// `previous_hash` is not the event hash of the animal's previous event.
    #[error("chain link broken")]
    ChainLink {
        /// Event hash of the previous event (None before the first).
        expected: Option<String>,
        /// The envelope's previous_hash.
        found: Option<String>,
    },
    /// The signed content changed: the signature fails and the Merkle root disagrees too.
    #[error("event hash mismatch (signed content altered)")]
    EventHash,
    /// The signature does not verify over the event hash with the envelope's public key.
    #[error("signature invalid")]
    Signature,
    /// The Merkle root is not the tree head over the chain up to this event.
    #[error("merkle root mismatch")]
    MerkleRoot {
        /// Tree head recomputed from the chain.
        expected: String,
        /// The envelope's merkle_root.
        found: Option<String>,
    },
    /// The public key is not in the accepted key registry.
    #[error("unknown signing key {public_key}")]
    UnknownKey {
        /// The envelope's public key.
        public_key: String,
    },
    /// A user's key signed an event that names someone else (or no one) as its author.
    #[error("signed with the key of {owner}, but created by {}", .created_by.as_deref().unwrap_or("no one"))]
    NotTheAuthor {
        /// Who owns the key.
        owner: String,
        /// Whom the event names.
        created_by: Option<String>,
    },
    /// The key was registered to sign only from a later instant than the event's
    /// `recorded_at`.
    #[error("signing key {public_key} is valid only from {valid_from}")]
    KeyNotYetValid {
        /// The envelope's public key.
        public_key: String,
        /// When the key's registration says it starts.
        valid_from: String,
    },
    /// The key was revoked at or before the event's `recorded_at`.
    #[error("signing key {public_key} was revoked from {revoked_from}")]
    KeyRevoked {
        /// The envelope's public key.
        public_key: String,
        /// When the key's revocation took effect.
        revoked_from: String,
    },
    /// The same event (id or idempotency key) was already accepted in this chain.
    #[error("duplicate of event {event_id}")]
    Duplicate {
        /// The id of the event accepted earlier.
        event_id: String,
    },
}

impl VerificationFailure {
    /// The stable machine-readable code, e.g. "PAYLOAD_HASH".
    pub fn code(&self) -> &'static str {
        match self {
            VerificationFailure::Malformed(_) => "MALFORMED",
            VerificationFailure::PayloadHash { .. } => "PAYLOAD_HASH",
            VerificationFailure::IdempotencyKey { .. } => "IDEMPOTENCY_KEY",
            VerificationFailure::SequenceGap { .. } => "SEQUENCE_GAP",
            VerificationFailure::ChainLink { .. } => "CHAIN_LINK",
            VerificationFailure::EventHash => "EVENT_HASH",
            VerificationFailure::Signature => "SIGNATURE",
            VerificationFailure::MerkleRoot { .. } => "MERKLE_ROOT",
            VerificationFailure::UnknownKey { .. } => "UNKNOWN_KEY",
            VerificationFailure::NotTheAuthor { .. } => "NOT_THE_AUTHOR",
            VerificationFailure::KeyNotYetValid { .. } => "KEY_NOT_YET_VALID",
            VerificationFailure::KeyRevoked { .. } => "KEY_REVOKED",
            VerificationFailure::Duplicate { .. } => "DUPLICATE",
        }
    }
}

/// Checks one envelope against the head it should follow, in the documented order: form,
/// payload hash, idempotency key, sequence, chain link, then signature and Merkle root.
/// Returns the head after this event, or the first failure.
pub fn verify_next(
    envelope: &EventEnvelope,
    head: &ChainHead,
) -> Result<ChainHead, VerificationFailure> {
    verify_next_with(envelope, head, &Ed25519)
}

/// How a verifier decides whether a signature over an event hash is valid. The answer is a
/// pure function of its three arguments, so a checker may remember answers it has given.
pub trait SignatureCheck {
    /// True if `signature_hex` is a valid strict Ed25519 signature by `public_key_hex` over
    /// `hash`.
    fn signature_valid(&self, public_key_hex: &str, hash: &[u8; 32], signature_hex: &str) -> bool;
}

/// Checks every signature with Ed25519 itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ed25519;

impl SignatureCheck for Ed25519 {
    fn signature_valid(&self, public_key_hex: &str, hash: &[u8; 32], signature_hex: &str) -> bool {
        verify_hash_signature(public_key_hex, hash, signature_hex)
    }
}

/// `verify_next`, deciding signatures with `check`.
pub fn verify_next_with(
    envelope: &EventEnvelope,
    head: &ChainHead,
    check: &impl SignatureCheck,
) -> Result<ChainHead, VerificationFailure> {
    check_form(envelope).map_err(VerificationFailure::Malformed)?;
    let m = &envelope.metadata;
    let c = &envelope.cryptography;

    let recomputed = payload_hash(&envelope.payload);
    if recomputed != c.payload_hash {
        return Err(VerificationFailure::PayloadHash {
            expected: recomputed,
            found: c.payload_hash.clone(),
        });
    }
    let key = idempotency_key(m.event_type, m.cattle_id, &m.event_ref, &c.payload_hash);
    if key != m.idempotency_key {
        return Err(VerificationFailure::IdempotencyKey {
            expected: key,
            found: m.idempotency_key.clone(),
        });
    }
    if m.sequence != head.sequence.saturating_add(1) {
        return Err(VerificationFailure::SequenceGap {
            expected: head.sequence.saturating_add(1),
            found: m.sequence,
        });
    }
    if c.previous_hash != head.last_event_hash {
        return Err(VerificationFailure::ChainLink {
            expected: head.last_event_hash.clone(),
            found: c.previous_hash.clone(),
        });
    }

    let hash = event_hash_bytes(envelope);
    let next = head.after_hash(&hash);
    let expected_root = next.merkle.root_hex();
    let signature_ok = check.signature_valid(&c.public_key, &hash, &c.signature);
    let root_ok = c.merkle_root.as_deref() == Some(expected_root.as_str());
    // The root commits to the event hash the producer computed, which tells an altered
    // signed field (both fail) from an altered signature (only it fails).
    match (signature_ok, root_ok) {
        (true, true) => Ok(next),
        (true, false) => Err(VerificationFailure::MerkleRoot {
            expected: expected_root,
            found: c.merkle_root.clone(),
        }),
        (false, true) => Err(VerificationFailure::Signature),
        (false, false) => Err(VerificationFailure::EventHash),
    }
}

/// The well-formedness rules of PROTOCOL.md step 1; Err names the first broken one.
pub(super) fn check_form(envelope: &EventEnvelope) -> Result<(), String> {
    let m = &envelope.metadata;
    let c = &envelope.cryptography;
    if m.event_id.is_empty() || m.event_id.chars().count() > 128 {
        return Err("event_id must be 1..=128 characters".into());
    }
    if m.event_ref.is_empty() || m.event_ref.chars().count() > 256 {
        return Err("event_ref must be 1..=256 characters".into());
    }
    if !(1..=MAX_SAFE_INTEGER).contains(&m.cattle_id.0) {
        return Err("cattle_id must be in 1..=2^53-1".into());
    }
    if m.sequence == 0 || m.sequence > MAX_SAFE_INTEGER as u64 {
        return Err("sequence must be in 1..=2^53-1".into());
    }
    for (name, value) in [
        ("occurred_at", &m.occurred_at),
        ("recorded_at", &m.recorded_at),
    ] {
        if !is_valid_timestamp(value) {
            return Err(format!("{name} must be YYYY-MM-DDTHH:MM:SS.sssZ"));
        }
    }
    let current = m.event_type.current_schema_version();
    if m.schema_version == 0 || m.schema_version > current {
        return Err(format!(
            "schema_version must be in 1..={current} for {}",
            m.event_type
        ));
    }
    if !envelope.payload.is_object() {
        return Err("payload must be a JSON object".into());
    }
    let hashes = [
        ("idempotency_key", Some(&m.idempotency_key)),
        ("payload_hash", Some(&c.payload_hash)),
        ("previous_hash", c.previous_hash.as_ref()),
        ("public_key", Some(&c.public_key)),
        ("merkle_root", c.merkle_root.as_ref()),
    ];
    for (name, value) in hashes {
        if let Some(v) = value {
            decode_hex::<32>(v, name).map_err(|e| e.to_string())?;
        }
    }
    decode_hex::<64>(&c.signature, "signature").map_err(|e| e.to_string())?;
    if c.merkle_root.is_none() {
        return Err("merkle_root is required".into());
    }
    if c.timestamp_proof.is_some() {
        // Nothing covers it, so anyone could change it; timestamps belong on signed heads.
        return Err("timestamp_proof is reserved: an event carries none".into());
    }
    if let Some(p) = &envelope.provenance {
        if p.confidence_score > 100 {
            return Err("provenance.confidence_score must be 0..=100".into());
        }
    }
    Ok(())
}
