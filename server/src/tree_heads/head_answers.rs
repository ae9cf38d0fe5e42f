//! What the heads' endpoints answer, and why they may not.
use super::head_proofs::NoInclusion;
use domain::{InclusionProof, PartitionConsistency, TreeHead};
use serde::Serialize;

/// Two heads and the proof that the later only adds to the earlier.
#[derive(Debug, Clone, Serialize)]
pub struct HeadConsistency {
    /// The earlier head.
    pub from: TreeHead,
    /// The later head.
    pub to: TreeHead,
    /// One proof per partition of the earlier head.
    pub partitions: Vec<PartitionConsistency>,
}

/// An event's inclusion proof with the head it is proven against.
#[derive(Debug, Clone, Serialize)]
pub struct EventInclusion {
    /// The head.
    pub head: TreeHead,
    /// The proof.
    pub proof: InclusionProof,
}

/// A head the asker named that was never signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no tree head #{0} was signed")]
pub struct NoSuchHead(pub u64);

/// Why an inclusion proof is not given: the asker's question, not a failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InclusionRefusal {
    /// No such head (none yet, or not the number named).
    #[error("{0}")]
    NoHead(String),
    /// The event is not in the head.
    #[error(transparent)]
    Event(#[from] NoInclusion),
}

/// The newest head and the proof of the newest of an animal's events it includes: what the
/// animal page's timeline checks. Both absent before the first head; the proof absent while
/// the animal's events are all newer than the head.
#[derive(Debug, Clone, Serialize)]
pub struct AnimalInclusion {
    /// The newest head.
    pub head: Option<TreeHead>,
    /// The proof, against that head.
    pub proof: Option<InclusionProof>,
}
