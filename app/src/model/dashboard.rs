use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A label with a count, for a bar of a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// What is counted (a status, a breed, a risk level).
    pub label: String,
    /// How many.
    pub count: u64,
}

impl Tally {
    /// Counts by label as bars: largest first, then by label.
    pub fn ranked(counts: BTreeMap<String, u64>) -> Vec<Tally> {
        let mut tallies: Vec<Tally> = counts
            .into_iter()
            .map(|(label, count)| Tally { label, count })
            .collect();
        tallies.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
        tallies
    }
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

impl Dashboard {
    /// The head, value and breakdowns, without the trend and the feed.
    pub fn figures(&self) -> super::HerdFigures {
        super::HerdFigures {
            head_count: self.head_count,
            by_status: self.by_status.clone(),
            by_breed: self.by_breed.clone(),
            by_risk: self.by_risk.clone(),
            herd_value_cents: self.herd_value_cents,
        }
    }
}
