//! The seed's event envelope: metadata, payload, cryptography and provenance.

use crate::protocol::{ProtocolError, UniqueMembers};
use crate::{CattleId, EventType, Provenance, SourceSystem};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One signed, chained event as it travels on Kafka and sits in files (snake_case JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventEnvelope {
    /// What happened, to whom, when, and its place in the animal's chain.
    pub metadata: EventMetadata,
    /// The event's data, kept exactly as received so its hash never depends on our types.
    pub payload: Value,
    /// Hashes, chain link, signature and Merkle root.
    pub cryptography: Cryptography,
    /// The trust picture when the event was written; optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// The envelope's metadata block; every field is covered by the event hash.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventMetadata {
    /// Unique id of this event (e.g. "evt_…").
    pub event_id: String,
    /// What happened.
    pub event_type: EventType,
    /// The business reference of the fact, input to the idempotency key.
    pub event_ref: String,
    /// The subject aggregate (animal, or client registration stream).
    pub cattle_id: CattleId,
    /// Position in the subject's chain: 1, 2, 3, … without gaps.
    pub sequence: u64,
    /// When it happened in the world ("YYYY-MM-DDTHH:MM:SS.sssZ").
    pub occurred_at: String,
    /// When iCattle recorded it (same format).
    pub recorded_at: String,
    /// SHA-256 over (event_type, cattle_id, event_ref, payload_hash), hex.
    pub idempotency_key: String,
    /// Links related events (e.g. one user action); omitted when absent.
    #[serde(default)]
    pub correlation_id: Option<String>,
    /// The event that caused this one; omitted when absent.
    #[serde(default)]
    pub causation_id: Option<String>,
    /// The system the event came from.
    pub source_system: SourceSystem,
    /// The payload's schema version (see `upcast`).
    pub schema_version: u32,
    /// The user who caused it; omitted when absent.
    #[serde(default)]
    pub created_by: Option<String>,
}

/// The envelope's cryptography block (all values lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cryptography {
    /// SHA-256 of the payload's canonical JSON.
    pub payload_hash: String,
    /// Event hash of the subject's previous event; absent on its first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_hash: Option<String>,
    /// Ed25519 signature over the 32 bytes of the event hash (128 hex chars).
    pub signature: String,
    /// The signer's Ed25519 public key (64 hex chars).
    pub public_key: String,
    /// RFC 6962 tree head over the subject's event hashes up to and including this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merkle_root: Option<String>,
    /// An RFC 3161 token from a time-stamping authority, if one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_proof: Option<String>,
}

impl EventMetadata {
    /// The exact JSON object of this block, as hashed and as sent (absent options omitted).
    pub fn to_json_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("event_id".into(), self.event_id.clone().into());
        m.insert("event_type".into(), self.event_type.as_str().into());
        m.insert("event_ref".into(), self.event_ref.clone().into());
        m.insert("cattle_id".into(), self.cattle_id.0.into());
        m.insert("sequence".into(), self.sequence.into());
        m.insert("occurred_at".into(), self.occurred_at.clone().into());
        m.insert("recorded_at".into(), self.recorded_at.clone().into());
        m.insert(
            "idempotency_key".into(),
            self.idempotency_key.clone().into(),
        );
        let optional = [
            ("correlation_id", &self.correlation_id),
            ("causation_id", &self.causation_id),
            ("created_by", &self.created_by),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                m.insert(name.into(), v.clone().into());
            }
        }
        m.insert("source_system".into(), self.source_system.as_str().into());
        m.insert("schema_version".into(), self.schema_version.into());
        Value::Object(m)
    }
}

impl Serialize for EventMetadata {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // One definition of the wire form: what is hashed is what is sent.
        self.to_json_value().serialize(serializer)
    }
}

impl EventEnvelope {
    /// The whole envelope as JSON (infallible: every part has a fixed wire form).
    pub fn to_json_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("metadata".into(), self.metadata.to_json_value());
        m.insert("payload".into(), self.payload.clone());
        m.insert("cryptography".into(), self.cryptography.to_json_value());
        if let Some(p) = &self.provenance {
            m.insert("provenance".into(), p.to_json_value());
        }
        Value::Object(m)
    }

    /// One line of JSON (for JSON-lines files and Kafka message values).
    pub fn to_json_line(&self) -> String {
        self.to_json_value().to_string()
    }

    /// Reads an envelope from received JSON, refusing anything our types would not give back
    /// byte for byte (unknown fields, `null` for an absent option, `1.0` for a sequence), so
    /// that hashing our typed copy equals hashing the JSON as received.
    pub fn from_json_value(value: &Value) -> Result<EventEnvelope, ProtocolError> {
        // Read from the borrowed tree: a copy of it first would cost as much again.
        let envelope =
            EventEnvelope::deserialize(value).map_err(|e| ProtocolError::Json(e.to_string()))?;
        if &envelope.to_json_value() != value {
            return Err(ProtocolError::Json(
                "envelope is not in its exact wire form (null for an absent field, or a re-spelled value)".into(),
            ));
        }
        Ok(envelope)
    }

    /// Parses one line of JSON text with `from_json_value`'s strictness, refusing too an
    /// object that names a member twice (PROTOCOL.md §1).
    pub fn from_json_str(text: &str) -> Result<EventEnvelope, ProtocolError> {
        let UniqueMembers(value) =
            serde_json::from_str(text).map_err(|e| ProtocolError::Json(e.to_string()))?;
        EventEnvelope::from_json_value(&value)
    }
}

impl Cryptography {
    /// The exact JSON object of this block (absent options omitted).
    pub fn to_json_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("payload_hash".into(), self.payload_hash.clone().into());
        if let Some(p) = &self.previous_hash {
            m.insert("previous_hash".into(), p.clone().into());
        }
        m.insert("signature".into(), self.signature.clone().into());
        m.insert("public_key".into(), self.public_key.clone().into());
        if let Some(r) = &self.merkle_root {
            m.insert("merkle_root".into(), r.clone().into());
        }
        if let Some(t) = &self.timestamp_proof {
            m.insert("timestamp_proof".into(), t.clone().into());
        }
        Value::Object(m)
    }
}
