use serde::{Deserialize, Serialize};

/// A label with a count, for a bar of a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// What is counted (a status, a breed, a risk level).
    pub label: String,
    /// How many.
    pub count: u64,
}

/// The herd's value at the end of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValuePoint {
    /// The day, `YYYY-MM-DD`.
    pub day: String,
    /// Sum of the latest valuations known that day, in cents.
    pub total_cents: i64,
}

/// One event in the live feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedItem {
    /// The event.
    pub event_id: String,
    /// Its type.
    pub event_type: String,
    /// Its animal.
    pub cattle_id: i64,
    /// The animal's NLIS id, when known.
    pub nlis_id: Option<String>,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// Who sent it.
    pub created_by: Option<String>,
}

/// Everything the herd dashboard shows, for the herd the user may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Head count.
    pub head_count: u64,
    /// Head count by status.
    pub by_status: Vec<Tally>,
    /// Head count by breed.
    pub by_breed: Vec<Tally>,
    /// Animals by risk level.
    pub by_risk: Vec<Tally>,
    /// Sum of current valuations, in cents.
    pub herd_value_cents: i64,
    /// The herd's value over time, oldest first.
    pub value_trend: Vec<ValuePoint>,
    /// The latest events, newest first.
    pub feed: Vec<FeedItem>,
}
