//! The fraud detector: a consumer of the cattle log, kept like a view (its own folds of each
//! animal in `view_heads`, its checkpoints in the same transaction), that runs the domain's
//! fraud rules on every event and raises each finding as a FRAUD_DETECTED event in the
//! animal's chain, signed with its own key.
mod detector;
mod judging;
mod refused_records;

pub use detector::{FraudDetector, PROJECTION};
