//! The hashes of the Turing Protocol: payload hash, idempotency key and event hash.

use super::canonical_json::canonical_json;
use super::protocol_error::{decode_hex, ProtocolError};
use crate::{CattleId, EventEnvelope, EventType};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Hex SHA-256 of the payload's RFC 8785 canonical JSON.
pub fn payload_hash(payload: &Value) -> String {
    hex::encode(sha256(canonical_json(payload).as_bytes()))
}

/// Hex SHA-256 of the canonical JSON array `["<event_type>", <cattle_id>, "<event_ref>", "<payload_hash>"]`:
/// the same business fact submitted twice yields the same key.
pub fn idempotency_key(
    event_type: EventType,
    cattle_id: CattleId,
    event_ref: &str,
    payload_hash: &str,
) -> String {
    let parts = json!([event_type.as_str(), cattle_id.0, event_ref, payload_hash]);
    hex::encode(sha256(canonical_json(&parts).as_bytes()))
}

/// The object whose canonical JSON is hashed into the event hash.
///
/// It holds everything signed: metadata, payload hash, chain link, signer and provenance.
/// The Merkle root is left out because it is computed from this very hash.
pub fn event_hash_input(envelope: &EventEnvelope) -> Value {
    let mut m = Map::new();
    m.insert("metadata".into(), envelope.metadata.to_json_value());
    m.insert(
        "payload_hash".into(),
        envelope.cryptography.payload_hash.clone().into(),
    );
    if let Some(previous) = &envelope.cryptography.previous_hash {
        m.insert("previous_hash".into(), previous.clone().into());
    }
    m.insert(
        "public_key".into(),
        envelope.cryptography.public_key.clone().into(),
    );
    if let Some(p) = &envelope.provenance {
        m.insert("provenance".into(), p.to_json_value());
    }
    Value::Object(m)
}

/// The 32-byte event hash over the envelope's fields exactly as they are.
pub fn event_hash_bytes(envelope: &EventEnvelope) -> [u8; 32] {
    sha256(canonical_json(&event_hash_input(envelope)).as_bytes())
}

/// The recomputed event hash of `envelope`, hex; fails if a hex field it covers is malformed.
pub fn event_hash(envelope: &EventEnvelope) -> Result<String, ProtocolError> {
    let c = &envelope.cryptography;
    decode_hex::<32>(&c.payload_hash, "payload_hash")?;
    decode_hex::<32>(&c.public_key, "public_key")?;
    if let Some(previous) = &c.previous_hash {
        decode_hex::<32>(previous, "previous_hash")?;
    }
    Ok(hex::encode(event_hash_bytes(envelope)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_hash_ignores_spelling() {
        let a: Value = serde_json::from_str(r#"{"b":1.0,"a":"x"}"#).unwrap_or_default();
        let b: Value = serde_json::from_str(r#"{ "a" : "x", "b" : 1 }"#).unwrap_or_default();
        assert_eq!(payload_hash(&a), payload_hash(&b));
        // sha256 of "{}"
        assert_eq!(
            payload_hash(&json!({})),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }

    #[test]
    fn idempotency_key_hashes_the_documented_array() {
        let key = idempotency_key(EventType::CattleCreated, CattleId(5), "r", "ab");
        let expected = hex::encode(sha256(br#"["CATTLE_CREATED",5,"r","ab"]"#));
        assert_eq!(key, expected);
    }
}
