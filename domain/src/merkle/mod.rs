//! RFC 6962 Merkle trees over an animal's event hashes.

mod frontier;
mod proof_check;
mod tree;

pub use frontier::MerkleFrontier;
pub use proof_check::{verify_consistency, verify_inclusion};
pub use tree::{consistency_proof, inclusion_proof, tree_root, MerkleTree};

use sha2::{Digest, Sha256};

/// RFC 6962 leaf hash: SHA-256(0x00 || event hash).
pub fn leaf_hash(event_hash: &[u8; 32]) -> [u8; 32] {
    Sha256::new()
        .chain_update([0u8])
        .chain_update(event_hash)
        .finalize()
        .into()
}

/// RFC 6962 interior node hash: SHA-256(0x01 || left || right).
pub fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    Sha256::new()
        .chain_update([1u8])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// RFC 6962 root of the empty tree: SHA-256 of no bytes.
pub fn empty_root() -> [u8; 32] {
    Sha256::digest([]).into()
}
