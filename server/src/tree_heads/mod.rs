//! Signed tree heads over the log (issue 18): what the server vouches the log held, so
//! anyone holding an earlier head can prove the log only grew, and a copy of the log that
//! lost an animal's newest events is caught. The trees' leaves are the golden record's
//! applied events, the events every view accepts by the same rule (`domain::fold_verified`).
pub mod head_answers;
pub mod head_archive;
pub mod head_book;
pub mod head_proofs;
pub mod head_signer;
pub mod log_leaves;
pub mod partition_trees;
pub mod published_heads;
pub mod timestamp_authority;
pub mod timestamp_token;

use crate::kafka::publisher::PublishError;
use sea_orm::DbErr;

/// Why a head could not be signed or a proof given right now.
#[derive(Debug, thiserror::Error)]
pub enum TreeHeadError {
    /// The database refused.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// The broker did not take the head.
    #[error("{0}")]
    Publish(#[from] PublishError),
    /// The heads already published could not be read back.
    #[error("reading the published heads back: {0}")]
    Published(String),
    /// A stored head does not read back.
    #[error("tree head #{number} does not read back: {reason}")]
    Stored {
        /// The head.
        number: i64,
        /// Why.
        reason: String,
    },
    /// An applied event's hash is not hex.
    #[error(
        "the event at offset {offset} of partition {partition} has no readable hash: {reason}"
    )]
    Leaf {
        /// The partition.
        partition: i32,
        /// The offset.
        offset: i64,
        /// Why.
        reason: String,
    },
    /// The golden record has not yet applied every event a head signed (it is catching up).
    #[error(
        "head #{number} signed {signed} events of partition {partition}, the golden record \
         has applied {applied} so far"
    )]
    Behind {
        /// The head.
        number: u64,
        /// The partition.
        partition: i32,
        /// Events signed.
        signed: u64,
        /// Events applied.
        applied: u64,
    },
    /// The golden record's events no longer make the roots a head signed.
    #[error(
        "the golden record no longer holds what head #{number} signed (partition {partition}); \
         no head is signed until an operator looks"
    )]
    Diverged {
        /// The head.
        number: u64,
        /// The partition, -1 for the animal heads.
        partition: i32,
    },
}
