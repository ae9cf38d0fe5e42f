//! Signed tree heads: what the server vouches the log held at one moment, so anyone holding
//! an earlier head can prove the log only grew and a copy of the log missing an event is
//! caught.
//!
//! A head commits to two kinds of tree (RFC 9162 §2.1, SHA-256):
//! - per partition of the cattle log, a tree over the event hashes of the accepted events
//!   in log order. It only ever grows, so two heads have a consistency proof;
//! - one tree over every stream's newest accepted event ("animal heads"), sorted by stream
//!   id, so a verifier can name the animal whose newest events a copy of the log lacks.

use super::canonical_json::canonical_json;
use super::hashing::{sha256, statement_hash};
use super::protocol_error::decode_hex;
use super::signing::{verify_hash_signature, SigningKeyPair};
use crate::merkle::{tree_root, verify_consistency, verify_inclusion};
use serde::{Deserialize, Serialize};

/// One partition's tree as a head commits to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionTree {
    /// The partition of the cattle log.
    pub partition: i32,
    /// Number of accepted events of the partition the tree holds.
    pub size: u64,
    /// The tree's root, hex.
    pub root: String,
}

/// A stream's newest accepted event as a head commits to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnimalHead {
    /// The stream (an animal, or a client's stream).
    pub cattle_id: i64,
    /// The sequence of its newest accepted event.
    pub sequence: u64,
    /// That event's hash, hex.
    pub event_hash: String,
}

impl AnimalHead {
    /// The value the animal-heads tree holds for this head: SHA-256 of its canonical JSON.
    pub fn leaf(&self) -> [u8; 32] {
        let value = serde_json::json!({
            "cattle_id": self.cattle_id,
            "sequence": self.sequence,
            "event_hash": self.event_hash,
        });
        sha256(canonical_json(&value).as_bytes())
    }
}

/// The root of the tree over `heads`, which must be sorted by `cattle_id`, one per stream.
pub fn animals_root(heads: &[AnimalHead]) -> String {
    let leaves: Vec<[u8; 32]> = heads.iter().map(AnimalHead::leaf).collect();
    hex::encode(tree_root(&leaves))
}

/// What a head states, before it is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadStatement {
    /// 1 for the first head of a log, then one more each time.
    pub number: u64,
    /// When it was signed, "YYYY-MM-DDTHH:MM:SS.sssZ".
    pub issued_at: String,
    /// One tree per partition, by partition.
    pub partitions: Vec<PartitionTree>,
    /// Number of streams with an accepted event.
    pub animals: u64,
    /// Root of the tree over the animal heads.
    pub animals_root: String,
    /// The hash of the head before, none for the first.
    pub previous_head_hash: Option<String>,
}

/// A signed tree head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeHead {
    /// What is signed.
    #[serde(flatten)]
    pub statement: HeadStatement,
    /// SHA-256 (hex) of the statement's canonical JSON.
    pub head_hash: String,
    /// The signing key (the server's root key), hex.
    pub public_key: String,
    /// Ed25519 over the 32 bytes of `head_hash`, hex.
    pub signature: String,
    /// An RFC 3161 timestamp token over `head_hash` (base64 of its DER), when the server
    /// has a TSA; not covered by `head_hash`, since it is over it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_token: Option<String>,
}

/// Why a head, or a proof against one, is not to be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadFailure {
    /// `head_hash` is not the hash of the statement.
    #[error("head #{0}: head_hash is not the hash of what the head states")]
    Hash(u64),
    /// The signature does not verify, or the key is not the expected one.
    #[error("head #{number}: {reason}")]
    Signature {
        /// The head.
        number: u64,
        /// What is wrong.
        reason: String,
    },
    /// Two heads disagree on the past.
    #[error("head #{to} is not consistent with head #{from}: {reason}")]
    Inconsistent {
        /// The earlier head.
        from: u64,
        /// The later head.
        to: u64,
        /// Where they disagree.
        reason: String,
    },
    /// An inclusion proof does not lead to the head's root.
    #[error("the event is not shown included in head #{number}: {reason}")]
    NotIncluded {
        /// The head.
        number: u64,
        /// Why.
        reason: String,
    },
}

impl TreeHead {
    /// Signs `statement` with `key`.
    pub fn sign(statement: HeadStatement, key: &SigningKeyPair) -> Self {
        let hash = statement_hash(&statement);
        Self {
            statement,
            head_hash: hex::encode(hash),
            public_key: key.public_key_hex(),
            signature: key.sign_hash(&hash),
            timestamp_token: None,
        }
    }

    /// The head's number.
    pub fn number(&self) -> u64 {
        self.statement.number
    }

    /// The tree the head commits to for `partition`, if any.
    pub fn partition(&self, partition: i32) -> Option<&PartitionTree> {
        self.statement
            .partitions
            .iter()
            .find(|tree| tree.partition == partition)
    }

    /// Checks the hash and the signature, and that `root_key` (hex) signed it when given.
    pub fn check(&self, root_key: Option<&str>) -> Result<(), HeadFailure> {
        let number = self.number();
        let hash = statement_hash(&self.statement);
        if hex::encode(hash) != self.head_hash {
            return Err(HeadFailure::Hash(number));
        }
        if let Some(expected) = root_key {
            if !expected.eq_ignore_ascii_case(&self.public_key) {
                return Err(HeadFailure::Signature {
                    number,
                    reason: format!(
                        "signed by {}, not by the root key {expected}",
                        self.public_key
                    ),
                });
            }
        }
        if !verify_hash_signature(&self.public_key, &hash, &self.signature) {
            return Err(HeadFailure::Signature {
                number,
                reason: "the signature does not verify".into(),
            });
        }
        Ok(())
    }
}

/// A partition's consistency proof between two heads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionConsistency {
    /// The partition.
    pub partition: i32,
    /// RFC 9162 §2.1.4 proof from the earlier size to the later, hex nodes.
    pub proof: Vec<String>,
}

/// Checks that `later` only adds to `earlier`: every partition of the earlier head is in the
/// later one, no smaller, and its `proofs` entry leads from one root to the other.
pub fn check_consistency(
    earlier: &TreeHead,
    later: &TreeHead,
    proofs: &[PartitionConsistency],
) -> Result<(), HeadFailure> {
    let inconsistent = |reason: String| HeadFailure::Inconsistent {
        from: earlier.number(),
        to: later.number(),
        reason,
    };
    for old in &earlier.statement.partitions {
        let new = later
            .partition(old.partition)
            .ok_or_else(|| inconsistent(format!("partition {} is gone", old.partition)))?;
        if new.size < old.size {
            return Err(inconsistent(format!(
                "partition {} shrank from {} to {} events",
                old.partition, old.size, new.size
            )));
        }
        let proof = proofs
            .iter()
            .find(|p| p.partition == old.partition)
            .map(|p| decode_nodes(&p.proof))
            .transpose()
            .map_err(inconsistent)?
            .unwrap_or_default();
        let roots = (
            decode_hex::<32>(&old.root, "root"),
            decode_hex::<32>(&new.root, "root"),
        );
        let (Ok(old_root), Ok(new_root)) = roots else {
            return Err(inconsistent(format!(
                "partition {}: a root is not hex",
                old.partition
            )));
        };
        let holds = if old.size == 0 {
            // The empty tree is a prefix of every tree.
            true
        } else if old.size == new.size {
            old_root == new_root
        } else {
            verify_consistency(old.size, new.size, &old_root, &new_root, &proof)
        };
        if !holds {
            return Err(inconsistent(format!(
                "partition {}: its first {} events differ",
                old.partition, old.size
            )));
        }
    }
    Ok(())
}

/// Where an event sits in a head's partition tree, and its audit path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The head it is proven against.
    pub head: u64,
    /// The event's partition.
    pub partition: i32,
    /// Its leaf index in the partition's tree.
    pub leaf_index: u64,
    /// The event's hash, hex.
    pub event_hash: String,
    /// RFC 9162 §2.1.3 audit path, hex nodes.
    pub audit_path: Vec<String>,
}

/// Checks `proof` against `head` for the event whose hash is `event_hash` (hex).
pub fn check_inclusion(
    head: &TreeHead,
    event_hash: &str,
    proof: &InclusionProof,
) -> Result<(), HeadFailure> {
    let not_included = |reason: String| HeadFailure::NotIncluded {
        number: head.number(),
        reason,
    };
    if proof.head != head.number() {
        return Err(not_included(format!(
            "the proof is against head #{}",
            proof.head
        )));
    }
    if !proof.event_hash.eq_ignore_ascii_case(event_hash) {
        return Err(not_included("the proof is for another event".into()));
    }
    let tree = head
        .partition(proof.partition)
        .ok_or_else(|| not_included(format!("the head has no partition {}", proof.partition)))?;
    let path = decode_nodes(&proof.audit_path).map_err(not_included)?;
    let (Ok(leaf), Ok(root)) = (
        decode_hex::<32>(event_hash, "event hash"),
        decode_hex::<32>(&tree.root, "root"),
    ) else {
        return Err(not_included("a hash is not hex".into()));
    };
    if verify_inclusion(&leaf, proof.leaf_index, tree.size, &path, &root) {
        Ok(())
    } else {
        Err(not_included(
            "the audit path does not lead to the head's root".into(),
        ))
    }
}

fn decode_nodes(nodes: &[String]) -> Result<Vec<[u8; 32]>, String> {
    nodes
        .iter()
        .map(|node| decode_hex::<32>(node, "proof node").map_err(|e| e.to_string()))
        .collect()
}
