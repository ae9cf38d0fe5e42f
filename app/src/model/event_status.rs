use serde::{Deserialize, Serialize};

/// What the golden record decided about an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventVerdict {
    /// Applied: the event is part of its stream.
    Applied,
    /// Refused (bad signature, broken chain, lost race, a rule): never applied.
    Rejected,
    /// The same business fact was applied as another event (`duplicate_of`).
    Duplicate,
    /// Not yet seen by the golden record.
    Pending,
}

/// What became of a published event, as the golden record knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventStatus {
    /// The event.
    pub event_id: String,
    /// Applied, rejected, dropped as a duplicate, or not yet seen by the golden record.
    pub status: EventVerdict,
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
