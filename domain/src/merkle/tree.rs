//! A whole RFC 6962 tree: tree head, inclusion proofs and consistency proofs.

use super::{empty_root, leaf_hash, node_hash};
use crate::protocol::ProtocolError;
use std::collections::BTreeMap;

/// A whole RFC 6962 tree with every subtree root of its decomposition computed once, so
/// any number of proofs cost O(log n) each.
#[derive(Debug, Clone)]
pub struct MerkleTree {
    size: usize,
    /// MTH(D[start .. start + len]) for every subtree of the RFC's recursive split.
    nodes: BTreeMap<(usize, usize), [u8; 32]>,
}

impl MerkleTree {
    /// Builds the tree over `event_hashes` as leaves.
    pub fn new(event_hashes: &[[u8; 32]]) -> Self {
        let mut nodes = BTreeMap::new();
        if !event_hashes.is_empty() {
            build(event_hashes, 0, &mut nodes);
        }
        Self {
            size: event_hashes.len(),
            nodes,
        }
    }

    /// Number of leaves.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The tree head (MTH); SHA-256 of nothing for the empty tree.
    pub fn root(&self) -> [u8; 32] {
        self.node(0, self.size)
    }

    fn node(&self, start: usize, len: usize) -> [u8; 32] {
        self.nodes
            .get(&(start, len))
            .copied()
            .unwrap_or_else(empty_root)
    }

    /// The audit path PATH(index, D[n]) for leaf `index`.
    pub fn inclusion_proof(&self, index: usize) -> Result<Vec<[u8; 32]>, ProtocolError> {
        if index >= self.size {
            return Err(ProtocolError::Merkle("leaf index outside the tree"));
        }
        let mut proof = Vec::new();
        self.path(index, 0, self.size, &mut proof);
        Ok(proof)
    }

    fn path(&self, m: usize, start: usize, n: usize, out: &mut Vec<[u8; 32]>) {
        if n <= 1 {
            return;
        }
        let k = split_point(n);
        if m < k {
            self.path(m, start, k, out);
            out.push(self.node(start + k, n - k));
        } else {
            self.path(m - k, start + k, n - k, out);
            out.push(self.node(start, k));
        }
    }

    /// The proof PROOF(m, D[n]) that the tree of the first `m` leaves is a prefix of this one
    /// (empty when m == n).
    pub fn consistency_proof(&self, m: usize) -> Result<Vec<[u8; 32]>, ProtocolError> {
        if m == 0 || m > self.size {
            return Err(ProtocolError::Merkle("consistency needs 0 < m <= n"));
        }
        let mut proof = Vec::new();
        self.subproof(m, 0, self.size, true, &mut proof);
        Ok(proof)
    }

    fn subproof(&self, m: usize, start: usize, n: usize, whole: bool, out: &mut Vec<[u8; 32]>) {
        if m == n {
            if !whole {
                out.push(self.node(start, n));
            }
            return;
        }
        let k = split_point(n);
        if m <= k {
            self.subproof(m, start, k, whole, out);
            out.push(self.node(start + k, n - k));
        } else {
            self.subproof(m - k, start + k, n - k, false, out);
            out.push(self.node(start, k));
        }
    }
}

/// Computes and records MTH of `d` (whose first leaf is number `start`) and its subtrees.
fn build(d: &[[u8; 32]], start: usize, nodes: &mut BTreeMap<(usize, usize), [u8; 32]>) -> [u8; 32] {
    let root = if d.len() == 1 {
        leaf_hash(&d[0])
    } else {
        let k = split_point(d.len());
        let left = build(&d[..k], start, nodes);
        let right = build(&d[k..], start + k, nodes);
        node_hash(&left, &right)
    };
    nodes.insert((start, d.len()), root);
    root
}

/// The largest power of two strictly less than `n` (n >= 2).
fn split_point(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The RFC 6962 tree head (MTH) over `event_hashes` as leaves.
pub fn tree_root(event_hashes: &[[u8; 32]]) -> [u8; 32] {
    MerkleTree::new(event_hashes).root()
}

/// The audit path PATH(index, D[n]) proving leaf `index` is in the tree of all `event_hashes`.
pub fn inclusion_proof(
    event_hashes: &[[u8; 32]],
    index: usize,
) -> Result<Vec<[u8; 32]>, ProtocolError> {
    MerkleTree::new(event_hashes).inclusion_proof(index)
}

/// The proof PROOF(m, D[n]) that the tree of the first `m` hashes is a prefix of the whole.
pub fn consistency_proof(
    event_hashes: &[[u8; 32]],
    m: usize,
) -> Result<Vec<[u8; 32]>, ProtocolError> {
    MerkleTree::new(event_hashes).consistency_proof(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{verify_consistency, verify_inclusion};

    fn leaves(n: usize) -> Vec<[u8; 32]> {
        (0..n).map(|i| [i as u8; 32]).collect()
    }

    #[test]
    fn small_trees_have_the_rfc_shape() {
        let d = leaves(3);
        let expected = node_hash(
            &node_hash(&leaf_hash(&d[0]), &leaf_hash(&d[1])),
            &leaf_hash(&d[2]),
        );
        assert_eq!(tree_root(&d), expected);
    }

    #[test]
    fn inclusion_and_consistency_round_trip_on_a_small_tree() {
        let d = leaves(7);
        let root = tree_root(&d);
        for i in 0..7 {
            let p = inclusion_proof(&d, i).unwrap_or_default();
            assert!(verify_inclusion(&d[i], i as u64, 7, &p, &root));
            assert!(!verify_inclusion(&d[(i + 1) % 7], i as u64, 7, &p, &root));
        }
        for m in 1..=7 {
            let p = consistency_proof(&d, m).unwrap_or_default();
            assert!(
                verify_consistency(m as u64, 7, &tree_root(&d[..m]), &root, &p),
                "m {m}"
            );
        }
        assert!(inclusion_proof(&d, 7).is_err());
        assert!(consistency_proof(&d, 0).is_err());
    }
}
