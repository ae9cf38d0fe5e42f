//! The incremental Merkle tree head kept per animal: O(log n) stored subtree roots.

use super::{empty_root, leaf_hash, node_hash};
use crate::protocol::{decode_hex, ProtocolError};
use serde::{Deserialize, Serialize};

/// The roots of the perfect subtrees that make up a tree of `size` leaves, largest first.
///
/// This is all that is needed to append a leaf and compute the RFC 6962 tree head, so the
/// server can store it beside each animal's chain head instead of every hash.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "FrontierWire", into = "FrontierWire")]
pub struct MerkleFrontier {
    size: u64,
    subtrees: Vec<[u8; 32]>,
}

/// The stored form: size plus hex subtree roots.
#[derive(Serialize, Deserialize)]
struct FrontierWire {
    size: u64,
    subtrees: Vec<String>,
}

impl MerkleFrontier {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends one event hash as a leaf.
    pub fn push(&mut self, event_hash: &[u8; 32]) {
        let mut carry = leaf_hash(event_hash);
        // Each trailing one bit of the old size is a subtree of equal height to merge with.
        let mut size = self.size;
        while size & 1 == 1 {
            if let Some(left) = self.subtrees.pop() {
                carry = node_hash(&left, &carry);
            }
            size >>= 1;
        }
        self.subtrees.push(carry);
        self.size = self.size.saturating_add(1);
    }

    /// The RFC 6962 tree head of all leaves pushed so far.
    pub fn root(&self) -> [u8; 32] {
        let mut iter = self.subtrees.iter().rev();
        let Some(last) = iter.next() else {
            return empty_root();
        };
        // MTH splits off the largest perfect subtree on the left, so fold right to left.
        iter.fold(*last, |acc, left| node_hash(left, &acc))
    }

    /// The tree head as lower-case hex.
    pub fn root_hex(&self) -> String {
        hex::encode(self.root())
    }
}

impl TryFrom<FrontierWire> for MerkleFrontier {
    type Error = ProtocolError;

    fn try_from(wire: FrontierWire) -> Result<Self, Self::Error> {
        if wire.subtrees.len() != wire.size.count_ones() as usize {
            return Err(ProtocolError::Merkle(
                "frontier subtree count does not match its size",
            ));
        }
        let subtrees = wire
            .subtrees
            .iter()
            .map(|h| decode_hex::<32>(h, "merkle subtree root"))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            size: wire.size,
            subtrees,
        })
    }
}

impl From<MerkleFrontier> for FrontierWire {
    fn from(f: MerkleFrontier) -> Self {
        Self {
            size: f.size,
            subtrees: f.subtrees.iter().map(hex::encode).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::tree_root;

    #[test]
    fn frontier_matches_full_tree_for_every_size() {
        let leaves: Vec<[u8; 32]> = (0..70u8).map(|i| [i; 32]).collect();
        let mut f = MerkleFrontier::new();
        assert_eq!(f.root(), empty_root());
        for n in 1..=leaves.len() {
            f.push(&leaves[n - 1]);
            assert_eq!(f.root(), tree_root(&leaves[..n]), "size {n}");
            assert_eq!(f.size(), n as u64);
        }
    }

    #[test]
    fn frontier_round_trips_through_json() {
        let mut f = MerkleFrontier::new();
        for i in 0..5u8 {
            f.push(&[i; 32]);
        }
        let text = serde_json::to_string(&f).unwrap_or_default();
        let back: Result<MerkleFrontier, _> = serde_json::from_str(&text);
        assert_eq!(back.ok(), Some(f));
        let bad: Result<MerkleFrontier, _> = serde_json::from_str(r#"{"size":3,"subtrees":[]}"#);
        assert!(bad.is_err());
    }
}
