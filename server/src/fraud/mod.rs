//! The fraud view: `fraud_alerts`, `suspicions` and `risk_scores`, built from FRAUD_DETECTED
//! and FRAUD_ALERT_RESOLVED events and the provenance score every event updates.
pub mod alert_queries;
mod fraud_rows;
mod view;

pub use view::{FraudView, PROJECTION};
