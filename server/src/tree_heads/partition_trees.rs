//! The partition trees proofs are built from, kept for the heads asked about most. A
//! partition's leaves up to a signed size never change (they lie below the golden record's
//! checkpoint), so a tree read once answers every later proof against that size without
//! reading its leaves again: the browser asks for one on every animal page it opens.
use super::log_leaves::{self, Leaf};
use super::TreeHeadError;
use domain::{MerkleTree, TreeHead};
use sea_orm::ConnectionTrait;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Trees kept: every partition's for the newest heads, with room to spare.
const KEPT: usize = 48;

/// A partition's tree at a signed size, with its leaves' event hashes (hex) in log order.
pub struct SignedTree {
    /// Each leaf's event hash.
    pub event_hashes: Vec<String>,
    /// The tree over them.
    pub tree: MerkleTree,
}

/// The trees kept, by partition and signed size.
type KeptTrees = BTreeMap<(i32, u64), Arc<SignedTree>>;

/// The trees of one log's partitions at the sizes heads signed; clones share them.
#[derive(Clone, Default)]
pub struct PartitionTrees {
    kept: Arc<Mutex<KeptTrees>>,
}

fn hashes(partition: i32, leaves: &[Leaf]) -> Result<Vec<[u8; 32]>, TreeHeadError> {
    leaves
        .iter()
        .map(|leaf| {
            domain::decode_hex::<32>(&leaf.event_hash, "event hash").map_err(|error| {
                TreeHeadError::Leaf {
                    partition,
                    offset: leaf.offset,
                    reason: error.to_string(),
                }
            })
        })
        .collect()
}

/// The leaves of `partition` up to `size`, or an error if the golden record holds fewer.
pub async fn signed_leaves<C: ConnectionTrait>(
    db: &C,
    topic: &str,
    head: &TreeHead,
    partition: i32,
    size: u64,
) -> Result<Vec<Leaf>, TreeHeadError> {
    let leaves = log_leaves::first_leaves(db, topic, partition, size).await?;
    if (leaves.len() as u64) < size {
        return Err(TreeHeadError::Behind {
            number: head.number(),
            partition,
            signed: size,
            applied: leaves.len() as u64,
        });
    }
    Ok(leaves)
}

impl PartitionTrees {
    /// The tree of `partition` at `size` as `head` signed it: kept, or read and kept.
    pub async fn tree<C: ConnectionTrait>(
        &self,
        db: &C,
        topic: &str,
        head: &TreeHead,
        partition: i32,
        size: u64,
    ) -> Result<Arc<SignedTree>, TreeHeadError> {
        if let Some(tree) = self.kept().get(&(partition, size)) {
            return Ok(Arc::clone(tree));
        }
        let leaves = signed_leaves(db, topic, head, partition, size).await?;
        let tree = Arc::new(SignedTree {
            tree: MerkleTree::new(&hashes(partition, &leaves)?),
            event_hashes: leaves.into_iter().map(|leaf| leaf.event_hash).collect(),
        });
        let mut kept = self.kept();
        kept.insert((partition, size), Arc::clone(&tree));
        // The smallest trees are the oldest heads': the least asked about.
        while kept.len() > KEPT {
            let Some(smallest) = kept.keys().min_by_key(|(_, size)| *size).copied() else {
                break;
            };
            kept.remove(&smallest);
        }
        Ok(tree)
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, KeptTrees> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
