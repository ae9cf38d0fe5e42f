//! Proofs against the signed heads, built from the golden record's leaves: an event's
//! inclusion in a head, two heads' consistency, and the animal heads a head commits to.
use super::log_leaves;
use super::partition_trees::{signed_leaves, PartitionTrees};
use super::TreeHeadError;
use domain::{animals_root, AnimalHead, InclusionProof, PartitionConsistency, TreeHead};
use sea_orm::ConnectionTrait;
use std::collections::BTreeMap;

/// Why an inclusion proof cannot be given (the asker's mistake or too early, not a failure).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoInclusion {
    /// The golden record has no such event.
    #[error("animal {cattle_id} has no applied event {sequence}")]
    NoSuchEvent {
        /// The stream.
        cattle_id: i64,
        /// The sequence asked for.
        sequence: i64,
    },
    /// The event came after the head.
    #[error("event {sequence} of animal {cattle_id} is newer than head #{number}; ask again after the next head")]
    NotYetSigned {
        /// The stream.
        cattle_id: i64,
        /// The sequence asked for.
        sequence: i64,
        /// The head.
        number: u64,
    },
}

/// The inclusion proof of event `sequence` of `cattle_id` in `head`.
pub async fn inclusion<C: ConnectionTrait>(
    db: &C,
    trees: &PartitionTrees,
    topic: &str,
    head: &TreeHead,
    cattle_id: i64,
    sequence: i64,
) -> Result<Result<InclusionProof, NoInclusion>, TreeHeadError> {
    let Some(position) = log_leaves::position_of(db, topic, cattle_id, sequence).await? else {
        return Ok(Err(NoInclusion::NoSuchEvent {
            cattle_id,
            sequence,
        }));
    };
    let size = head
        .partition(position.partition)
        .map_or(0, |tree| tree.size);
    if position.index >= size {
        return Ok(Err(NoInclusion::NotYetSigned {
            cattle_id,
            sequence,
            number: head.number(),
        }));
    }
    let signed = trees
        .tree(db, topic, head, position.partition, size)
        .await?;
    let path = signed
        .tree
        .inclusion_proof(position.index as usize)
        .map_err(|error| TreeHeadError::Stored {
            number: head.number() as i64,
            reason: error.to_string(),
        })?;
    Ok(Ok(InclusionProof {
        head: head.number(),
        partition: position.partition,
        leaf_index: position.index,
        event_hash: signed
            .event_hashes
            .get(position.index as usize)
            .cloned()
            .unwrap_or_default(),
        audit_path: path.iter().map(hex::encode).collect(),
    }))
}

/// The inclusion proof of the newest of `cattle_id`'s events that `head` includes, if any:
/// each event's hash covers the one before, so it proves the animal's history up to it.
pub async fn newest_included<C: ConnectionTrait>(
    db: &C,
    trees: &PartitionTrees,
    topic: &str,
    head: &TreeHead,
    cattle_id: i64,
) -> Result<Option<InclusionProof>, TreeHeadError> {
    let Some(partition) = log_leaves::partition_of(db, topic, cattle_id).await? else {
        return Ok(None);
    };
    let size = head.partition(partition).map_or(0, |tree| tree.size);
    if size == 0 {
        return Ok(None);
    }
    let Some(last_signed) = log_leaves::offset_of_leaf(db, topic, partition, size - 1).await?
    else {
        return Err(TreeHeadError::Behind {
            number: head.number(),
            partition,
            signed: size,
            applied: 0,
        });
    };
    let Some(sequence) =
        log_leaves::newest_sequence_until(db, topic, cattle_id, last_signed).await?
    else {
        return Ok(None);
    };
    Ok(inclusion(db, trees, topic, head, cattle_id, sequence)
        .await?
        .ok())
}

/// The consistency proof of every partition of `earlier` into `later`.
pub async fn consistency<C: ConnectionTrait>(
    db: &C,
    trees: &PartitionTrees,
    topic: &str,
    earlier: &TreeHead,
    later: &TreeHead,
) -> Result<Vec<PartitionConsistency>, TreeHeadError> {
    let mut proofs = Vec::new();
    for old in &earlier.statement.partitions {
        let new_size = later.partition(old.partition).map_or(0, |tree| tree.size);
        let proof = if old.size == 0 || old.size >= new_size {
            Vec::new()
        } else {
            trees
                .tree(db, topic, later, old.partition, new_size)
                .await?
                .tree
                .consistency_proof(old.size as usize)
                .map_err(|error| TreeHeadError::Stored {
                    number: later.number() as i64,
                    reason: error.to_string(),
                })?
        };
        proofs.push(PartitionConsistency {
            partition: old.partition,
            proof: proof.iter().map(hex::encode).collect(),
        });
    }
    Ok(proofs)
}

/// Every stream's newest event `head` covers, sorted by stream, checked against the root
/// the head signed.
pub async fn animal_heads<C: ConnectionTrait>(
    db: &C,
    topic: &str,
    head: &TreeHead,
) -> Result<Vec<AnimalHead>, TreeHeadError> {
    let mut newest: BTreeMap<i64, AnimalHead> = BTreeMap::new();
    for tree in &head.statement.partitions {
        for leaf in signed_leaves(db, topic, head, tree.partition, tree.size).await? {
            leaf.note_newest(&mut newest);
        }
    }
    let heads: Vec<AnimalHead> = newest.into_values().collect();
    if animals_root(&heads) != head.statement.animals_root {
        return Err(TreeHeadError::Diverged {
            number: head.number(),
            partition: -1,
        });
    }
    Ok(heads)
}
