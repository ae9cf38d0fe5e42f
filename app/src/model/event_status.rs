use serde::{Deserialize, Serialize};

/// What became of a published event, as the golden record knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventStatus {
    /// The event.
    pub event_id: String,
    /// `APPLIED`, `REJECTED`, `DUPLICATE` (the same fact was applied as `duplicate_of`), or
    /// `PENDING` (not yet seen by the golden record).
    pub status: String,
    /// The stream it belongs to, once known.
    pub cattle_id: Option<i64>,
    /// Its sequence, once known.
    pub sequence: Option<i64>,
    /// Why it was rejected (`SEQUENCE_GAP` for a lost race, `SIGNATURE`, …).
    pub code: Option<String>,
    /// The rejection in words, or `DUPLICATE of <original>`.
    pub reason: Option<String>,
    /// For a duplicate, the event applied in its place.
    #[serde(default)]
    pub duplicate_of: Option<String>,
}
