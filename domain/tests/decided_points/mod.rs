//! The vectors of PROTOCOL.md §9: each point an outside implementer found ambiguous, with
//! the file that shows how it was decided. Most are built by re-sealing the valid chain with
//! one field changed; where a point is about the JSON text itself (a member named twice, a
//! number's spelling) the canonical line is edited as text.
use super::support::*;
use domain::*;
use serde_json::{json, Value};

/// One vector file and what a verifier must report for it.
pub struct DecidedVector {
    pub name: &'static str,
    pub text: String,
    pub description: &'static str,
    pub results: Vec<&'static str>,
    /// The key file a verifier trusts for this file, when it is not `keypair.json`.
    pub keys: Option<Value>,
}

const OK: &str = "OK";
const GAP: &str = "SEQUENCE_GAP";
const MALFORMED: &str = "MALFORMED";

/// The order of Ed25519's group, little-endian (RFC 8032 §5.1: L).
const GROUP_ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// The encoding of the curve's neutral point, a key of order 1.
const NEUTRAL_POINT: &str = "0100000000000000000000000000000000000000000000000000000000000000";

pub fn decided_vectors(valid: &[EventEnvelope], producer: &SigningKeyPair) -> Vec<DecidedVector> {
    let vector =
        |name, chain: &[EventEnvelope], description, results: &[&'static str]| DecidedVector {
            name,
            text: to_lines(chain),
            description,
            results: results.to_vec(),
            keys: None,
        };
    let edited = |index: usize, change: &dyn Fn(&mut EventEnvelope)| {
        let mut chain = valid.to_vec();
        change(&mut chain[index]);
        chain
    };
    let mut vectors = vec![
        vector(
            "missing-merkle-root.jsonl",
            &edited(4, &|e| e.cryptography.merkle_root = None),
            "event 4 without merkle_root: the member is required (§9.1)",
            &[OK, OK, OK, OK, MALFORMED, GAP, GAP],
        ),
        vector(
            "timestamp-proof.jsonl",
            &edited(3, &|e| {
                e.cryptography.timestamp_proof = Some("MAMCAQA=".into())
            }),
            "event 3 carries a timestamp_proof, which no event may (§9.9)",
            &[OK, OK, OK, MALFORMED, GAP, GAP, GAP],
        ),
    ];

    let mut drafts: Vec<EventDraft> = valid.iter().take(2).map(draft_of).collect();
    drafts[0].event_id = format!("evt_{}", "🐄".repeat(124));
    drafts[1].event_id = format!("evt_{}", "🐄".repeat(125));
    vectors.push(vector(
        "event-id-code-points.jsonl",
        &sealed(drafts, producer),
        "event_id of 128 code points (252 UTF-16 units, 500 bytes), then of 129: lengths count code points (§9.5)",
        &[OK, MALFORMED],
    ));

    let mut drafts: Vec<EventDraft> = valid.iter().map(draft_of).collect();
    drafts[3].created_by = Some("user:farmer-9".into());
    let mut by_owner = vector(
        "not-the-author.jsonl",
        &sealed(drafts, producer),
        "the key is user:farmer-7's own (signs_for OWNER); event 3 names user:farmer-9 as its author (§9.11)",
        &[OK, OK, OK, "NOT_THE_AUTHOR", GAP, GAP, GAP],
    );
    by_owner.keys = Some(json!([{"public_key": producer.public_key_hex(),
        "owner": "user:farmer-7", "signs_for": "OWNER"}]));
    vectors.push(by_owner);

    let mut drafts: Vec<EventDraft> = valid.iter().map(draft_of).collect();
    drafts[4].payload["amountCents"] = json!("a lot");
    vectors.push(vector(
        "off-shape-payload.jsonl",
        &sealed(drafts, producer),
        "event 4 (VALUATION_UPDATED) signed with amountCents a string: verification covers the payload's bytes, not its shape, so every line is OK; a reader that folds it refuses event 4 as RULE (§9.2)",
        &[OK; 7],
    ));

    let mut twice = valid.to_vec();
    let mut repeat = valid[2].clone();
    repeat.metadata.occurred_at = "2024-03-03T08:03:00Z".into();
    twice.push(repeat);
    vectors.push(vector(
        "malformed-duplicate.jsonl",
        &twice,
        "event 2 again, with a malformed occurred_at: form is judged before duplicates (§9.6)",
        &[OK, OK, OK, OK, OK, OK, OK, MALFORMED],
    ));

    let other = build_chain("3OTHER0000000001", producer);
    let mut drafts: Vec<EventDraft> = other.iter().take(2).map(draft_of).collect();
    drafts[0].event_id = valid[0].metadata.event_id.clone();
    let mut two_animals = valid.to_vec();
    two_animals.extend(sealed(drafts, producer));
    vectors.push(vector(
        "event-id-across-animals.jsonl",
        &two_animals,
        "a second animal whose first event reuses the first animal's event_id: ids are unique across the log (§9.10)",
        &[OK, OK, OK, OK, OK, OK, OK, "DUPLICATE", GAP],
    ));

    let mut weak = valid[0].clone();
    weak.cryptography.public_key = NEUTRAL_POINT.into();
    let hash = event_hash(&weak).expect("an event hash");
    weak.cryptography.merkle_root = Some(
        ChainHead::default()
            .after(&hash)
            .expect("a head")
            .merkle
            .root_hex(),
    );
    weak.cryptography.signature = format!("{NEUTRAL_POINT}{}", "00".repeat(32));
    let mut small_order = vector(
        "small-order-key.jsonl",
        &[weak],
        "key and R the neutral point, S = 0: a cofactorless check without the small-order test accepts it; strict verification refuses (§9.7)",
        &["SIGNATURE"],
    );
    small_order.keys = Some(json!([{"public_key": NEUTRAL_POINT, "owner": "vector-weak-key"}]));
    vectors.push(small_order);

    vectors.push(vector(
        "non-canonical-s.jsonl",
        &edited(0, &|e| add_group_order_to_s(&mut e.cryptography.signature)),
        "event 0's S replaced by S + L, the same point for a verifier that skips S < L (§9.7)",
        &["SIGNATURE", GAP, GAP, GAP, GAP, GAP, GAP],
    ));

    let text_vector = |name, line: usize, from: &str, to: &str, description, results: &[_]| {
        let mut lines: Vec<String> = to_lines(valid).lines().map(str::to_string).collect();
        assert!(lines[line].contains(from), "line {line} holds {from}");
        lines[line] = lines[line].replacen(from, to, 1);
        DecidedVector {
            name,
            text: lines.join("\n") + "\n",
            description,
            results: results.to_vec(),
            keys: None,
        }
    };
    vectors.push(text_vector(
        "duplicate-member.jsonl",
        0,
        r#""breed":"Angus""#,
        r#""breed":"Hereford","breed":"Angus""#,
        "event 0's payload names breed twice: MALFORMED, whichever one a parser would keep (§9.4)",
        &[MALFORMED, GAP, GAP, GAP, GAP, GAP, GAP],
    ));
    vectors.push(text_vector(
        "float-sequence.jsonl",
        1,
        r#""sequence":2"#,
        r#""sequence":2.0"#,
        "event 1's metadata sequence written 2.0: metadata integers are plain integers (§1)",
        &[OK, MALFORMED, GAP, GAP, GAP, GAP, GAP],
    ));
    vectors.push(text_vector(
        "provenance-missing-member.jsonl",
        1,
        r#""suspicions":[],"#,
        "",
        "event 1's provenance without suspicions: a present block has all four members (§9.8)",
        &[OK, MALFORMED, GAP, GAP, GAP, GAP, GAP],
    ));
    let mut spelled = text_vector(
        "integral-float-payload.jsonl",
        0,
        r#""clientId":7,"#,
        r#""clientId":7.0,"#,
        "payload integers spelled 7.0 (event 0) and 1.9e5 (event 5): the same canonical JSON, so the same hashes, and they read as 7 and 190000 (§9.3)",
        &[OK; 7],
    );
    let mut lines: Vec<String> = spelled.text.lines().map(str::to_string).collect();
    assert!(lines[5].contains(r#""priceCents":190000"#));
    lines[5] = lines[5].replacen(r#""priceCents":190000"#, r#""priceCents":1.9e5"#, 1);
    spelled.text = lines.join("\n") + "\n";
    vectors.push(spelled);
    vectors
}

/// The draft an envelope was sealed from.
fn draft_of(e: &EventEnvelope) -> EventDraft {
    let m = &e.metadata;
    EventDraft {
        event_id: m.event_id.clone(),
        event_type: m.event_type,
        event_ref: m.event_ref.clone(),
        cattle_id: m.cattle_id,
        occurred_at: m.occurred_at.clone(),
        recorded_at: m.recorded_at.clone(),
        correlation_id: m.correlation_id.clone(),
        causation_id: m.causation_id.clone(),
        source_system: m.source_system,
        created_by: m.created_by.clone(),
        payload: e.payload.clone(),
        provenance: e.provenance.clone(),
    }
}

/// Drafts sealed one after another into a chain.
fn sealed(drafts: Vec<EventDraft>, key: &SigningKeyPair) -> Vec<EventEnvelope> {
    let mut head = ChainHead::default();
    drafts
        .into_iter()
        .map(|draft| {
            let envelope = seal(draft, &head, key);
            head = head
                .after(&event_hash(&envelope).expect("an event hash"))
                .expect("a head");
            envelope
        })
        .collect()
}

/// S + L in place of S: 32 little-endian bytes after R's 32 in the signature.
fn add_group_order_to_s(signature: &mut String) {
    let bytes = decode_hex::<64>(signature, "signature").expect("a signature");
    let mut s = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(bytes[32 + i]) + u16::from(GROUP_ORDER[i]) + carry;
        s[i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "S + L fits in 32 bytes");
    *signature = format!("{}{}", hex::encode(&bytes[..32]), hex::encode(s));
}
