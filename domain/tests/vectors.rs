//! The test vectors under tests/vectors/: generated here from fixed seeds, checked for drift,
//! and verified against their hand-written labels in expected.json.
//!
//! Regenerate after an intended protocol change with:
//! `UPDATE_VECTORS=1 cargo test -p domain --test vectors`

mod decided_points;
mod head_vectors;
mod key_stream_vectors;
mod support;

use domain::*;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use support::*;

/// What a verifier must report for one vector file.
#[derive(Serialize)]
struct Expectation {
    description: &'static str,
    /// (index, code) of the first failure; None for a valid file.
    first_failure: Option<(usize, &'static str)>,
    /// The outcome code of every line, in order.
    results: Vec<&'static str>,
    /// The key file to trust for this file instead of keypair.json.
    #[serde(skip_serializing_if = "Option::is_none")]
    keys: Option<serde_json::Value>,
}

fn expect(description: &'static str, results: &[&'static str]) -> Expectation {
    let first_failure = results
        .iter()
        .enumerate()
        .find(|(_, c)| **c != "OK")
        .map(|(i, c)| (i, *c));
    Expectation {
        description,
        first_failure,
        results: results.to_vec(),
        keys: None,
    }
}

const OK: &str = "OK";
const GAP: &str = "SEQUENCE_GAP";

/// Every vector file: name -> (content, label).
fn vector_set() -> BTreeMap<&'static str, (String, Option<Expectation>)> {
    let producer = SigningKeyPair::from_seed(PRODUCER_SEED);
    let valid = build_chain(VECTOR_NLIS, &producer);
    let mut files = BTreeMap::new();
    let mut add = |name: &'static str, chain: Vec<EventEnvelope>, e: Expectation| {
        files.insert(name, (to_lines(&chain), Some(e)));
    };
    let edit = |index: usize, change: &dyn Fn(&mut EventEnvelope)| {
        let mut chain = valid.clone();
        change(&mut chain[index]);
        chain
    };

    add(
        "valid-chain.jsonl",
        valid.clone(),
        expect("one animal's valid chain of 7 events", &[OK; 7]),
    );
    add(
        "legacy-v1-chain.jsonl",
        build_legacy_chain(&producer),
        expect(
            "valid chain whose CATTLE_CREATED is schema v1 (sex \"M\", ownerId)",
            &[OK; 2],
        ),
    );
    add(
        "tampered-payload.jsonl",
        edit(2, &|e| e.payload["weightKg"] = json!(462.5)),
        expect(
            "event 2's payload changed (weightKg 452.5 -> 462.5)",
            &[OK, OK, "PAYLOAD_HASH", GAP, GAP, GAP, GAP],
        ),
    );
    add(
        "tampered-payload-rehashed.jsonl",
        edit(2, &|e| {
            e.payload["weightKg"] = json!(462.5);
            e.cryptography.payload_hash = payload_hash(&e.payload);
            let m = &e.metadata;
            e.metadata.idempotency_key = idempotency_key(
                m.event_type,
                m.cattle_id,
                &m.event_ref,
                &e.cryptography.payload_hash,
            );
        }),
        expect(
            "event 2's payload changed and payload_hash/idempotency_key recomputed, not re-signed",
            &[OK, OK, "EVENT_HASH", GAP, GAP, GAP, GAP],
        ),
    );
    add(
        "tampered-metadata.jsonl",
        edit(1, &|e| {
            e.metadata.occurred_at = "2024-03-02T09:00:00.000Z".into()
        }),
        expect(
            "event 1's occurred_at changed",
            &[OK, "EVENT_HASH", GAP, GAP, GAP, GAP, GAP],
        ),
    );
    add(
        "tampered-signature.jsonl",
        edit(3, &|e| flip_first_hex_digit(&mut e.cryptography.signature)),
        expect(
            "event 3's signature changed in its first hex digit",
            &[OK, OK, OK, "SIGNATURE", GAP, GAP, GAP],
        ),
    );
    add(
        "tampered-merkle-root.jsonl",
        edit(4, &|e| e.cryptography.merkle_root = Some("00".repeat(32))),
        expect(
            "event 4's merkle_root replaced by zeros",
            &[OK, OK, OK, OK, "MERKLE_ROOT", GAP, GAP],
        ),
    );
    add(
        "tampered-previous-hash.jsonl",
        edit(5, &|e| e.cryptography.previous_hash = Some("11".repeat(32))),
        expect(
            "event 5's previous_hash replaced",
            &[OK, OK, OK, OK, OK, "CHAIN_LINK", GAP],
        ),
    );
    add(
        "tampered-idempotency-key.jsonl",
        edit(1, &|e| {
            flip_first_hex_digit(&mut e.metadata.idempotency_key)
        }),
        expect(
            "event 1's idempotency_key changed",
            &[OK, "IDEMPOTENCY_KEY", GAP, GAP, GAP, GAP, GAP],
        ),
    );
    add(
        "malformed-timestamp.jsonl",
        edit(2, &|e| {
            e.metadata.occurred_at = "2024-03-03T08:03:00Z".into()
        }),
        expect(
            "event 2's occurred_at lacks milliseconds",
            &[OK, OK, "MALFORMED", GAP, GAP, GAP, GAP],
        ),
    );
    let mut dropped = valid.clone();
    dropped.remove(3);
    add(
        "dropped-event.jsonl",
        dropped.clone(),
        expect("event 3 (sequence 4) removed", &[OK, OK, OK, GAP, GAP, GAP]),
    );
    for e in dropped.iter_mut().skip(3) {
        e.metadata.sequence -= 1;
    }
    add(
        "dropped-and-renumbered.jsonl",
        dropped,
        expect(
            "event 3 removed and later sequences renumbered (not re-signed)",
            &[OK, OK, OK, "CHAIN_LINK", GAP, GAP],
        ),
    );
    let mut duplicated = valid.clone();
    duplicated.insert(3, valid[2].clone());
    add(
        "duplicated-event.jsonl",
        duplicated,
        expect(
            "event 2 delivered twice in a row",
            &[OK, OK, OK, "DUPLICATE", OK, OK, OK, OK],
        ),
    );
    let mut reordered = valid.clone();
    reordered.swap(3, 4);
    add(
        "reordered-events.jsonl",
        reordered,
        expect("events 3 and 4 swapped", &[OK, OK, OK, GAP, OK, GAP, GAP]),
    );
    add(
        "unknown-key.jsonl",
        build_chain(VECTOR_NLIS, &SigningKeyPair::from_seed(STRANGER_SEED)),
        expect(
            "the same chain signed by a key not in keypair.json",
            &["UNKNOWN_KEY"; 7],
        ),
    );

    for decided in decided_points::decided_vectors(&valid, &producer) {
        let mut label = expect(decided.description, &decided.results);
        label.keys = decided.keys;
        files.insert(decided.name, (decided.text, Some(label)));
    }

    let labels: BTreeMap<&str, &Expectation> = files
        .iter()
        .filter_map(|(name, (_, e))| e.as_ref().map(|e| (*name, e)))
        .collect();
    let expected = serde_json::to_string_pretty(&labels).expect("labels serialize") + "\n";
    let keypair = json!({
        "owner": "vector-producer",
        "public_key": producer.public_key_hex(),
        "seed_hex": producer.seed_hex(),
        "note": "test-only key, published on purpose: never use it outside tests"
    });
    files.insert("expected.json", (expected, None));
    files.insert(
        "keypair.json",
        (
            serde_json::to_string_pretty(&keypair).expect("json") + "\n",
            None,
        ),
    );
    files.insert("worked-example.json", (worked_example(&valid), None));
    files.insert(
        "tree-heads.json",
        (head_vectors::tree_head_vectors(&valid, &producer), None),
    );
    files.insert(
        "key-stream.json",
        (key_stream_vectors::key_stream_vectors(&producer), None),
    );
    files
}

fn flip_first_hex_digit(hex: &mut String) {
    let flipped = if hex.starts_with('0') { "1" } else { "0" };
    hex.replace_range(0..1, flipped);
}

/// Every intermediate value of the first two events, for PROTOCOL.md's worked example.
fn worked_example(chain: &[EventEnvelope]) -> String {
    let mut steps = Vec::new();
    let mut head = ChainHead::default();
    for (index, e) in chain.iter().take(2).enumerate() {
        let m = &e.metadata;
        let hash = event_hash(e).expect("hash");
        let hash_bytes = decode_hex::<32>(&hash, "hash").expect("hex");
        head = head.after(&hash).expect("head");
        steps.push(json!({
            "event_index": index,
            "1_payload_canonical": canonical_json(&e.payload),
            "2_payload_hash": payload_hash(&e.payload),
            "3_idempotency_input": canonical_json(&json!([m.event_type.as_str(), m.cattle_id.0, m.event_ref, e.cryptography.payload_hash])),
            "4_idempotency_key": m.idempotency_key,
            "5_event_hash_input": canonical_json(&event_hash_input(e)),
            "6_event_hash": hash,
            "7_signature": e.cryptography.signature,
            "8_merkle_leaf_hash": hex::encode(merkle::leaf_hash(&hash_bytes)),
            "9_merkle_root": head.merkle.root_hex(),
        }));
    }
    canonical_pretty(&json!(steps))
}

/// Pretty JSON with keys sorted no matter which map serde_json was built with.
fn canonical_pretty(value: &serde_json::Value) -> String {
    let sorted: serde_json::Value = serde_json::from_str(&canonical_json(value)).expect("json");
    serde_json::to_string_pretty(&sorted).expect("json") + "\n"
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

#[test]
fn vector_files_have_not_drifted() {
    let dir = vectors_dir();
    let update = std::env::var_os("UPDATE_VECTORS").is_some();
    for (name, (content, _)) in vector_set() {
        let path = dir.join(name);
        if update {
            std::fs::write(&path, &content).expect("write vector");
            continue;
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == content,
            "{name} drifted from the generator; rerun with UPDATE_VECTORS=1 if intended"
        );
    }
}

#[test]
fn every_vector_verifies_as_labelled() {
    let dir = vectors_dir();
    let keys = KeyRegistry::from_json(
        &std::fs::read_to_string(dir.join("keypair.json")).expect("keypair.json"),
    )
    .expect("key file");
    let expected: BTreeMap<String, serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json"),
    )
    .expect("json");
    assert!(expected.len() >= 26);
    for (name, label) in expected {
        let text = std::fs::read_to_string(dir.join(&name)).expect("vector file");
        let own_keys = label
            .get("keys")
            .map(|file| KeyRegistry::from_json(&file.to_string()).expect("a key file"));
        let report = verify_json_lines(&text, own_keys.as_ref().unwrap_or(&keys));
        let codes: Vec<String> = report.codes().iter().map(|c| c.to_string()).collect();
        let want: Vec<String> = serde_json::from_value(label["results"].clone()).expect("results");
        assert_eq!(codes, want, "{name}:\n{report}");
        assert_eq!(report.is_ok(), label["first_failure"].is_null(), "{name}");
        let first = report
            .first_failure()
            .map(|(i, c)| json!([i, c]))
            .unwrap_or(serde_json::Value::Null);
        assert_eq!(first, label["first_failure"], "{name}");
    }
}

#[test]
fn the_valid_chain_folds_to_the_expected_animal() {
    let text = std::fs::read_to_string(vectors_dir().join("valid-chain.jsonl")).expect("file");
    let chain: Vec<EventEnvelope> = read_json_lines(&text)
        .into_iter()
        .map(|(_, e)| e.expect("envelope"))
        .collect();
    let types: Vec<EventType> = chain.iter().map(|e| e.metadata.event_type).collect();
    let mut distinct = types.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        types.len(),
        "every event of a different type"
    );
    let state = replay(&chain).expect("applies").expect("exists");
    assert_eq!(state.client_id, 8);
    assert_eq!(state.status, CattleStatus::Missing);
    assert_eq!(state.weight_kg, Some(452.5));
    assert_eq!(state.verifications, [VerificationKind::Nlis]);
    assert_eq!(state.sequence, 7);
    let report = verify_chain(&chain, &producer_registry());
    assert_eq!(
        report.animals[0].head.merkle.root_hex(),
        chain[6]
            .cryptography
            .merkle_root
            .clone()
            .unwrap_or_default()
    );
}

#[test]
fn a_v1_payload_still_applies_through_the_upcaster() {
    let text = std::fs::read_to_string(vectors_dir().join("legacy-v1-chain.jsonl")).expect("file");
    let chain: Vec<EventEnvelope> = read_json_lines(&text)
        .into_iter()
        .map(|(_, e)| e.expect("envelope"))
        .collect();
    assert_eq!(chain[0].metadata.schema_version, 1);
    assert_eq!(chain[0].payload["sex"], "M");
    let state = replay(&chain).expect("applies").expect("exists");
    assert_eq!(
        (state.sex, state.client_id, state.breed.as_str()),
        (Sex::Male, 3, "Hereford")
    );
    // The hash covers the payload as stored, never the upcast form.
    assert_eq!(
        chain[0].cryptography.payload_hash,
        payload_hash(&chain[0].payload)
    );
}

#[test]
fn payload_integers_spelled_as_decimals_fold_to_the_same_animal() {
    let read = |name: &str| -> Vec<EventEnvelope> {
        let text = std::fs::read_to_string(vectors_dir().join(name)).expect("file");
        read_json_lines(&text)
            .into_iter()
            .map(|(_, e)| e.expect("envelope"))
            .collect()
    };
    let spelled = read("integral-float-payload.jsonl");
    assert!(spelled[0].payload["clientId"].is_f64());
    assert_eq!(
        replay(&spelled).expect("applies"),
        replay(&read("valid-chain.jsonl")).expect("applies")
    );
}

#[test]
fn a_payload_off_its_shape_verifies_and_is_refused_by_the_fold() {
    let text =
        std::fs::read_to_string(vectors_dir().join("off-shape-payload.jsonl")).expect("file");
    let chain: Vec<EventEnvelope> = read_json_lines(&text)
        .into_iter()
        .map(|(_, e)| e.expect("envelope"))
        .collect();
    assert!(verify_chain(&chain, &producer_registry()).is_ok());
    assert!(replay(&chain[..4]).is_ok());
    let refused = replay(&chain[..5]).expect_err("amountCents is no number of cents");
    assert!(
        refused.to_string().contains("malformed payload"),
        "{refused}"
    );
    let mut head = ChainHead::default();
    let mut state = None;
    for envelope in &chain[..4] {
        let folded = fold_verified(envelope, &head, state, true).expect("folds");
        (head, state) = (folded.head, Some(folded.state));
    }
    let refusal = fold_verified(&chain[4], &head, state, true).expect_err("refused");
    assert_eq!(refusal.code(), "RULE");
}

#[test]
fn the_tree_head_vectors_check_out() {
    let dir = vectors_dir();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect(name);
    let producer = SigningKeyPair::from_seed(PRODUCER_SEED).public_key_hex();
    head_vectors::check_tree_head_vectors(
        &read("tree-heads.json"),
        &read("valid-chain.jsonl"),
        &producer,
    );
}

#[test]
fn the_key_stream_vectors_check_out() {
    let text = std::fs::read_to_string(vectors_dir().join("key-stream.json")).expect("the file");
    let root = SigningKeyPair::from_seed(PRODUCER_SEED).public_key_hex();
    key_stream_vectors::check_key_stream_vectors(&text, &root);
}
