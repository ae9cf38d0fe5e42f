//! The signed tree head vectors of PROTOCOL.md §10 (`tree-heads.json`): two heads over the
//! valid chain taken as partition 0 of a log (after its 4th and its 7th event), the
//! consistency proof between them, the inclusion proof of event 3 in the second, and the
//! second head with its animal heads, which the valid chain holds and the chain without its
//! last event does not.
use domain::*;
use serde_json::{json, Value};

/// When the vector heads say they were signed.
const ISSUED_AT: &str = "2026-12-04T00:00:00.000Z";

fn hashes(chain: &[EventEnvelope]) -> Vec<[u8; 32]> {
    chain.iter().map(event_hash_bytes).collect()
}

fn head_over(
    chain: &[EventEnvelope],
    number: u64,
    previous: Option<&TreeHead>,
    key: &SigningKeyPair,
) -> (TreeHead, Vec<AnimalHead>) {
    let last = chain.last().expect("a chain");
    let animal_heads = vec![AnimalHead {
        cattle_id: last.metadata.cattle_id.0,
        sequence: last.metadata.sequence,
        event_hash: event_hash(last).expect("a hash"),
    }];
    let statement = HeadStatement {
        number,
        issued_at: ISSUED_AT.into(),
        partitions: vec![PartitionTree {
            partition: 0,
            size: chain.len() as u64,
            root: hex::encode(tree_root(&hashes(chain))),
        }],
        animals: 1,
        animals_root: animals_root(&animal_heads),
        previous_head_hash: previous.map(|head| head.head_hash.clone()),
    };
    (TreeHead::sign(statement, key), animal_heads)
}

/// The content of `tree-heads.json`.
pub fn tree_head_vectors(valid: &[EventEnvelope], key: &SigningKeyPair) -> String {
    let (first, _) = head_over(&valid[..4], 1, None, key);
    let (second, animal_heads) = head_over(valid, 2, Some(&first), key);
    let all = hashes(valid);
    let consistency = consistency_proof(&all, 4).expect("a proof");
    let inclusion = InclusionProof {
        head: 2,
        partition: 0,
        leaf_index: 2,
        event_hash: hex::encode(all[2]),
        audit_path: inclusion_proof(&all, 2)
            .expect("a path")
            .iter()
            .map(hex::encode)
            .collect(),
    };
    let vectors = json!({
        "description": "PROTOCOL.md §10: heads over valid-chain.jsonl as partition 0, signed by keypair.json's key",
        "log": "valid-chain.jsonl",
        "heads": [first, second],
        "consistency": {
            "from": 1,
            "to": 2,
            "partitions": [PartitionConsistency {
                partition: 0,
                proof: consistency.iter().map(hex::encode).collect(),
            }],
        },
        "inclusion": {"line": 2, "proof": inclusion},
        "expect_head": CommittedHead { head: second, animal_heads },
        "expect_head_without_the_last_line": "MISSING: the animal's event 7",
    });
    serde_json::to_string_pretty(&vectors).expect("json") + "\n"
}

/// Checks `tree-heads.json` against `valid-chain.jsonl` as a verifier following §10 would.
pub fn check_tree_head_vectors(text: &str, log: &str, root_key: &str) {
    let vectors: Value = serde_json::from_str(text).expect("tree-heads.json is JSON");
    let heads: Vec<TreeHead> = serde_json::from_value(vectors["heads"].clone()).expect("heads");
    for head in &heads {
        head.check(Some(root_key))
            .expect("each head is signed by the root key");
    }
    assert_eq!(
        heads[1].statement.previous_head_hash.as_deref(),
        Some(heads[0].head_hash.as_str())
    );
    let proofs: Vec<PartitionConsistency> =
        serde_json::from_value(vectors["consistency"]["partitions"].clone()).expect("proofs");
    check_consistency(&heads[0], &heads[1], &proofs).expect("head 2 only adds to head 1");
    let mut rewritten = heads[0].clone();
    rewritten.statement.partitions[0].root = heads[1].statement.partitions[0].root.clone();
    assert!(check_consistency(&rewritten, &heads[1], &proofs).is_err());

    let lines: Vec<&str> = log.lines().collect();
    let line = vectors["inclusion"]["line"].as_u64().expect("a line") as usize;
    let envelope: EventEnvelope = serde_json::from_str(lines[line]).expect("an envelope");
    let proof: InclusionProof =
        serde_json::from_value(vectors["inclusion"]["proof"].clone()).expect("a proof");
    let hash = event_hash(&envelope).expect("a hash");
    check_inclusion(&heads[1], &hash, &proof).expect("event 3 is in head 2");
    let other: EventEnvelope = serde_json::from_str(lines[line + 1]).expect("an envelope");
    assert!(check_inclusion(&heads[1], &event_hash(&other).expect("hash"), &proof).is_err());

    let committed: CommittedHead =
        serde_json::from_value(vectors["expect_head"].clone()).expect("a committed head");
    let keys = KeyRegistry::accept_any();
    assert_eq!(committed.check_log(log, &keys, Some(root_key)), Ok(1));
    let without_last = lines[..lines.len() - 1].join("\n");
    let shortfalls = committed
        .check_log(&without_last, &keys, Some(root_key))
        .expect_err("the copy lacks the animal's event 7");
    assert!(
        matches!(
            shortfalls.as_slice(),
            [HeadShortfall::Missing {
                sequence: 7,
                found: 6,
                ..
            }]
        ),
        "{shortfalls:?}"
    );
    let stranger = SigningKeyPair::from_seed([9; 32]).public_key_hex();
    assert!(committed.check_log(log, &keys, Some(&stranger)).is_err());
}
