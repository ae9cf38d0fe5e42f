//! An animal as it was at a point of its history (`GET /api/cattle/{id}?as_of=`).

use domain::{CattleState, EventType};
use serde::{Deserialize, Serialize};

/// The animal after the last event recorded by the point asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnimalAsOf {
    /// The animal.
    pub cattle_id: i64,
    /// The point asked for, as given.
    pub as_of: String,
    /// The sequence of the last event folded.
    pub sequence: u64,
    /// That event's id.
    pub event_id: String,
    /// That event's type.
    pub event_type: EventType,
    /// When the registry recorded that event (RFC 3339, UTC).
    pub recorded_at: String,
    /// How many events the animal has after it.
    pub later_events: u64,
    /// The animal as its events up to then describe it.
    pub state: CattleState,
    /// The sequence of the event the snapshot it was folded on from covers; `None` when it
    /// was folded from the first event.
    pub from_snapshot: Option<u64>,
    /// How many of its events were read to answer.
    pub events_read: u64,
}
