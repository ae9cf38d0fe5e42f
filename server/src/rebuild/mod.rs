//! Rebuilding a view without downtime (blue/green): a fresh copy is replayed from offset 0
//! beside the live view while the live one keeps serving; once the copy has caught up with
//! the log's end, the live view's consumer stops, the copy takes the last few messages, and
//! one transaction replaces the live rows and checkpoints by the copy's. The live consumer
//! then goes on from the copy's checkpoints.
pub mod audit_copy;
pub mod cache_copy;
pub mod live_view_slot;
pub mod meili_copy;
pub mod rebuild_lock;
pub mod rebuild_run;
pub mod rebuild_sources;
pub mod row_swap;
pub mod search_copy;
pub mod shadow_store;
pub mod sql_copy;
pub mod view_copy;
pub mod view_rebuilds;

pub use live_view_slot::LiveViewSlot;
pub use rebuild_sources::RebuildSources;
pub use view_rebuilds::{RebuildRefused, ViewRebuilds};
