//! The envelope's wire form: strict reading, lossless round trips, and the report's text.

mod support;

use domain::*;
use serde_json::{json, Value};
use support::*;

fn first_event() -> Value {
    build_chain(VECTOR_NLIS, &SigningKeyPair::from_seed(PRODUCER_SEED))[0].to_json_value()
}

#[test]
fn typed_round_trip_is_lossless() {
    let value = first_event();
    let envelope = EventEnvelope::from_json_value(&value).expect("reads");
    assert_eq!(envelope.to_json_value(), value);
    assert_eq!(serde_json::to_value(&envelope).ok(), Some(value.clone()));
    let text = serde_json::to_string_pretty(&value).expect("json");
    assert_eq!(EventEnvelope::from_json_str(&text).ok(), Some(envelope));
}

/// A named change to an envelope's JSON.
type Edit = (&'static str, fn(&mut Value));

#[test]
fn anything_our_types_would_not_give_back_is_refused() {
    let edits: [Edit; 6] = [
        ("null option", |v| {
            v["metadata"]["correlation_id"] = Value::Null
        }),
        ("extra metadata field", |v| {
            v["metadata"]["tenant"] = json!("x")
        }),
        ("extra top-level field", |v| v["signature"] = json!("x")),
        ("float sequence", |v| v["metadata"]["sequence"] = json!(1.0)),
        ("unknown source", |v| {
            v["metadata"]["source_system"] = json!("icattle")
        }),
        ("extra cryptography field", |v| {
            v["cryptography"]["event_hash"] = json!("ab")
        }),
    ];
    for (what, edit) in edits {
        let mut value = first_event();
        edit(&mut value);
        assert!(
            EventEnvelope::from_json_value(&value).is_err(),
            "{what} accepted"
        );
    }
}

#[test]
fn unreadable_lines_are_reported_as_malformed() {
    let chain = build_chain(VECTOR_NLIS, &SigningKeyPair::from_seed(PRODUCER_SEED));
    let mut text = to_lines(&chain[..2]);
    text.push_str("\n{\"not\": \"an envelope\"}\n");
    let report = verify_json_lines(&text, &producer_registry());
    assert!(!report.is_ok());
    assert_eq!(report.codes(), ["OK", "OK", "MALFORMED"]);
    assert_eq!(report.unreadable[0].line, 4);
    assert_eq!(report.first_failure(), Some((2, "MALFORMED")));
}

#[test]
fn the_report_reads_well() {
    let chain = build_chain(VECTOR_NLIS, &SigningKeyPair::from_seed(PRODUCER_SEED));
    let ok = verify_chain(&chain, &producer_registry()).to_string();
    assert!(
        ok.contains("#0 seq 1 CATTLE_CREATED evt_3ABCD1_0001: OK"),
        "{ok}"
    );
    assert!(ok.ends_with("OK: 7 events verified"), "{ok}");
    let mut broken = chain.clone();
    broken[2].payload["weightKg"] = json!(1);
    let report = verify_chain(&broken, &producer_registry());
    let text = report.to_string();
    assert!(
        text.contains(
            "#2 seq 3 HEALTH_RECORDED evt_3ABCD1_0003: PAYLOAD_HASH payload hash mismatch"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("FAILED: 5 of 7 events; first failure PAYLOAD_HASH at #2"),
        "{text}"
    );
    let failure = report.failures()[0].outcome.clone().err();
    assert_eq!(failure.map(|f| f.code()), Some("PAYLOAD_HASH"));
}

#[test]
fn a_browser_without_the_registry_still_checks_integrity() {
    let chain = build_chain(VECTOR_NLIS, &SigningKeyPair::from_seed(STRANGER_SEED));
    assert!(verify_chain(&chain, &KeyRegistry::accept_any()).is_ok());
    assert_eq!(
        verify_chain(&chain, &producer_registry()).first_failure(),
        Some((0, "UNKNOWN_KEY"))
    );
}
