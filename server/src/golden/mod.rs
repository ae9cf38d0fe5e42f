//! The golden record: the PostgreSQL (or SQLite) view of every animal, written only by
//! its consumer, and the queries that read it.
pub mod animal_queries;
pub mod chain_heads;
pub mod dashboard_queries;
pub mod event_pages;
pub mod event_status;
pub mod herd_queries;
pub mod known_streams;
pub mod projection;
pub mod row_codec;
pub mod rows;
pub mod stream_owner;
pub mod transfer_offers;

pub use crate::views::Applied;
pub use projection::{GoldenRecord, PROJECTION};
