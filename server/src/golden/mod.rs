//! The golden record: the PostgreSQL (or SQLite) view of every animal, written only by
//! its consumer, and the queries that read it.
pub mod consumer;
pub mod entity;
pub mod projection;
pub mod queries;

pub use projection::{Applied, GoldenRecord, PROJECTION};
