//! The audit archive: every envelope of the log, copied to object storage as JSON-lines
//! batches under `events/YYYY/MM/DD/`, a local directory by default and S3 by URL.
mod archive;
mod batch;

pub use archive::{open_store, ArchiveError, AuditArchive};
pub use batch::object_path;
