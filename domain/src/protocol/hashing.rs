//! The hashes of the Turing Protocol: payload hash, idempotency key and event hash.

use super::canonical_json::{canonical_json, write_number, write_string, write_value};
use super::protocol_error::{decode_hex, ProtocolError};
use crate::{CattleId, EventEnvelope, EventMetadata, EventType};
use serde_json::{json, Map, Number, Value};
use sha2::{Digest, Sha256};

/// SHA-256 of the canonical JSON of a statement the root key signs (a tree head's, a key
/// stream record's).
pub fn statement_hash<T: serde::Serialize>(statement: &T) -> [u8; 32] {
    let value = serde_json::to_value(statement).unwrap_or(serde_json::Value::Null);
    sha256(canonical_json(&value).as_bytes())
}

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
    sha256(canonical_event_hash_input(envelope).as_bytes())
}

/// `canonical_json(&event_hash_input(envelope))`, written straight from the typed fields.
/// Every view hashes every event, several times; building the JSON tree first and sorting
/// its keys was most of that cost. The keys are written in RFC 8785 order by hand, and a
/// property test holds this to the tree's answer.
pub fn canonical_event_hash_input(envelope: &EventEnvelope) -> String {
    let c = &envelope.cryptography;
    let mut out = String::with_capacity(1024);
    out.push_str("{\"metadata\":");
    write_metadata(&envelope.metadata, &mut out);
    field(&mut out, "payload_hash", &c.payload_hash);
    if let Some(previous) = &c.previous_hash {
        field(&mut out, "previous_hash", previous);
    }
    if let Some(provenance) = &envelope.provenance {
        out.push_str(",\"provenance\":");
        write_value(&provenance.to_json_value(), &mut out);
    }
    field(&mut out, "public_key", &c.public_key);
    out.push('}');
    out
}

/// `,"name":"value"` in canonical form.
fn field(out: &mut String, name: &str, value: &str) {
    out.push(',');
    write_string(name, out);
    out.push(':');
    write_string(value, out);
}

/// `EventMetadata::to_json_value` in canonical form, keys in UTF-16 (here: byte) order.
fn write_metadata(meta: &EventMetadata, out: &mut String) {
    out.push_str("{\"cattle_id\":");
    write_number(&Number::from(meta.cattle_id.0), out);
    if let Some(causation) = &meta.causation_id {
        field(out, "causation_id", causation);
    }
    if let Some(correlation) = &meta.correlation_id {
        field(out, "correlation_id", correlation);
    }
    if let Some(created_by) = &meta.created_by {
        field(out, "created_by", created_by);
    }
    field(out, "event_id", &meta.event_id);
    field(out, "event_ref", &meta.event_ref);
    field(out, "event_type", meta.event_type.as_str());
    field(out, "idempotency_key", &meta.idempotency_key);
    field(out, "occurred_at", &meta.occurred_at);
    field(out, "recorded_at", &meta.recorded_at);
    out.push_str(",\"schema_version\":");
    write_number(&Number::from(meta.schema_version), out);
    out.push_str(",\"sequence\":");
    write_number(&Number::from(meta.sequence), out);
    field(out, "source_system", meta.source_system.as_str());
    out.push('}');
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
    use crate::{
        Cryptography, Provenance, RiskLevel, SourceSystem, SuspicionType, VerificationKind,
    };
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![any::<String>(), "[a-z0-9_:.-]{0,40}"]
    }

    prop_compose! {
        fn metadata()(
            event_id in text(), event_ref in text(), idempotency_key in text(),
            occurred_at in text(), recorded_at in text(),
            correlation_id in proptest::option::of(text()),
            causation_id in proptest::option::of(text()),
            created_by in proptest::option::of(text()),
            event_type in proptest::sample::select(EventType::ALL.to_vec()),
            source_system in proptest::sample::select(SourceSystem::ALL.to_vec()),
            cattle_id in any::<i64>(), sequence in any::<u64>(), schema_version in any::<u32>(),
        ) -> EventMetadata {
            EventMetadata {
                event_id, event_type, event_ref, cattle_id: CattleId(cattle_id), sequence,
                occurred_at, recorded_at, idempotency_key, correlation_id, causation_id,
                source_system, schema_version, created_by,
            }
        }
    }

    prop_compose! {
        fn envelope()(
            metadata in metadata(), payload_hash in text(), public_key in text(),
            previous_hash in proptest::option::of(text()),
            provenance in proptest::option::of((0u8..=100, any::<bool>())),
        ) -> EventEnvelope {
            EventEnvelope {
                metadata,
                payload: json!({}),
                cryptography: Cryptography {
                    payload_hash, previous_hash, public_key,
                    signature: String::new(), merkle_root: None, timestamp_proof: None,
                },
                provenance: provenance.map(|(confidence_score, flagged)| Provenance {
                    confidence_score,
                    risk_level: if flagged { RiskLevel::High } else { RiskLevel::Low },
                    verifications: VerificationKind::ALL.to_vec(),
                    suspicions: if flagged { SuspicionType::ALL.to_vec() } else { Vec::new() },
                }),
            }
        }
    }

    proptest! {
        /// Writing the hash input straight from the fields gives the bytes the JSON tree gives.
        #[test]
        fn the_direct_hash_input_is_the_canonical_json_of_the_tree(envelope in envelope()) {
            prop_assert_eq!(
                canonical_event_hash_input(&envelope),
                canonical_json(&event_hash_input(&envelope))
            );
        }
    }

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
