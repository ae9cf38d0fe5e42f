//! sea-orm entities of the read models (schema in the `migrations` crate).
pub mod cattle;
pub mod cattle_event;
pub mod cattle_snapshot;
pub mod checkpoint;
pub mod claimed_fact;
pub mod client;
pub mod duplicate_event;
pub mod fraud_alert;
pub mod refused_record;
pub mod rejected_event;
pub mod risk_score;
pub mod session;
pub mod suspicion;
pub mod user;
pub mod valuation;
pub mod view_head;
pub mod weighing;
