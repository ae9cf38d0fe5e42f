//! A key whose records keep failing verification. One altered record is TAMPERED_RECORD on
//! its animal; the same key's records refused again and again, on one animal or across a
//! herd, point at the key itself: stolen, or its owner forging.
//!
//! Only what a race cannot explain counts (`refusal_rules::tampering`): two writers on one
//! head, and what each then builds on its lost event, break chains innocently.

use crate::fraud_rules::{finding, FraudFinding};
use crate::refusal_rules::tampering;
use crate::{CattleId, CattleState, EventEnvelope, RiskLevel, StreamRefusal, SuspicionType};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeSet;

/// This many refused records from one key raise REPEATED_REFUSALS.
pub const REPEATED_REFUSALS: usize = 3;
/// The evidence names at most this many of the key's refused records.
const EVIDENCE_KEPT: usize = 10;

/// A record refused for tampering, as the fraud detector keeps it under its signing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedRecord {
    /// The record's event id.
    pub event_id: String,
    /// The animal it claimed to be about.
    pub cattle_id: CattleId,
    /// Why it was refused.
    pub failure: String,
}

impl RefusedRecord {
    /// The record of `event`, when `refusal` shows tampering.
    pub fn of(event: &EventEnvelope, refusal: &StreamRefusal) -> Option<Self> {
        Some(Self {
            event_id: event.metadata.event_id.clone(),
            cattle_id: event.metadata.cattle_id,
            failure: tampering(refusal)?,
        })
    }
}

/// REPEATED_REFUSALS on `event`, refused as `this` on the animal in state `before`, when
/// its signing key's records were refused at least `REPEATED_REFUSALS` times counting it
/// (`earlier` are the key's other refused records; a copy of the same record counts once).
/// Quiet while such an alert is open on the animal.
pub fn detect_repeated_refusals(
    before: &CattleState,
    event: &EventEnvelope,
    this: &RefusedRecord,
    earlier: &[RefusedRecord],
) -> Option<FraudFinding> {
    let mut records: Vec<&RefusedRecord> = Vec::new();
    let mut seen = BTreeSet::new();
    for record in earlier.iter().chain([this]) {
        if seen.insert(record.event_id.as_str()) {
            records.push(record);
        }
    }
    if records.len() < REPEATED_REFUSALS {
        return None;
    }
    let animals: BTreeSet<i64> = records.iter().map(|record| record.cattle_id.0).collect();
    let key = &event.cryptography.public_key;
    let latest: Vec<&str> = records
        .iter()
        .rev()
        .take(EVIDENCE_KEPT)
        .map(|record| record.event_id.as_str())
        .collect();
    let found = finding(
        event,
        SuspicionType::RepeatedRefusals,
        RiskLevel::High,
        format!(
            "{} records signed with key {}… were refused for tampering, on {} animal{}",
            records.len(),
            key.get(..16).unwrap_or(key),
            animals.len(),
            if animals.len() == 1 { "" } else { "s" }
        ),
        json!({
            "publicKey": key,
            "refused": records.len(),
            "animals": animals.len(),
            "latestEventIds": latest,
        }),
    );
    (!found.is_open_on(before)).then_some(found)
}
