//! The audit archive: every envelope of the log, copied to object storage as JSON-lines
//! batches under `events/YYYY/MM/DD/`, a local directory by default and S3 by URL; a
//! rebuild writes a new generation beside the one in use (`generations.rs`).
mod archive;
mod archive_generation;
mod batch;
mod flush_schedule;
mod generations;

pub use archive::{open_store, ArchiveError, AuditArchive};
pub use archive_generation::ArchiveGeneration;
pub use batch::object_path;
pub use generations::ArchiveGenerations;
