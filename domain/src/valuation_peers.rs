//! A valuation judged against the animal's peers: the latest values of the other animals of
//! its breed, and of its herd (the owning client). A value far outside both ranges, with
//! fewer than two independent identity checks behind it, is suspicious, whatever the
//! animal's own last value was: inflating in steps small enough to pass the valuation-jump
//! rule still ends far from what animals like it are worth.
//!
//! The ranges are robust: the median, and the median absolute deviation scaled to a standard
//! deviation, so a handful of stud animals or of frauds does not move them.

use crate::fraud_rules::{finding, FraudFinding, MIN_VERIFICATIONS_FOR_VALUE};
use crate::payloads::{EventPayload, ValuationUpdated};
use crate::{dollars, CattleState, CattleStatus, EventEnvelope, RiskLevel, SuspicionType};
use serde_json::json;
use std::collections::BTreeMap;

/// A range is judged only with at least this many peers valued.
pub const MIN_PEERS: usize = 30;
/// Farther than this many spreads from the median is outside the range.
pub const OUTLIER_SPREADS: f64 = 6.0;
/// A spread is never taken narrower than this fraction of the median: peers all valued alike
/// would otherwise make any other value an outlier.
pub const MIN_SPREAD_FRACTION: f64 = 0.05;
/// Scales a median absolute deviation to a normal distribution's standard deviation.
const MAD_TO_SIGMA: f64 = 1.4826;

/// The latest valuation of every active animal, as the detector has read the log, also
/// grouped by breed and by herd so a judgement reads only the peers it compares with.
#[derive(Debug, Clone, Default)]
pub struct ValuationPeers {
    animals: BTreeMap<i64, Valued>,
    by_breed: BTreeMap<String, BTreeMap<i64, i64>>,
    by_herd: BTreeMap<i64, BTreeMap<i64, i64>>,
}

#[derive(Debug, Clone)]
struct Valued {
    breed: String,
    client_id: i64,
}

/// Where a group of peers' values lie.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueRange {
    /// The median value, in cents.
    pub median: f64,
    /// The robust spread, in cents.
    pub spread: f64,
    /// How many peers it was taken from.
    pub peers: usize,
}

impl ValueRange {
    /// The range of `values`, or None with fewer than `MIN_PEERS`.
    pub fn of(mut values: Vec<f64>) -> Option<Self> {
        if values.len() < MIN_PEERS {
            return None;
        }
        let median = median_of(&mut values);
        let mut deviations: Vec<f64> = values.iter().map(|v| (v - median).abs()).collect();
        let mad = median_of(&mut deviations);
        Some(Self {
            median,
            spread: (mad * MAD_TO_SIGMA).max(median.abs() * MIN_SPREAD_FRACTION),
            peers: values.len(),
        })
    }

    /// How many spreads `cents` lies from the median.
    pub fn distance(&self, cents: i64) -> f64 {
        if self.spread <= 0.0 {
            return 0.0;
        }
        (cents as f64 - self.median).abs() / self.spread
    }

    /// Whether `cents` lies outside the range.
    pub fn excludes(&self, cents: i64) -> bool {
        self.distance(cents) > OUTLIER_SPREADS
    }
}

fn median_of(values: &mut [f64]) -> f64 {
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    let (_, upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        return upper;
    }
    let lower = values[..n / 2]
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    (lower + upper) / 2.0
}

/// A range as evidence, in whole cents.
fn range_facts(range: &ValueRange) -> serde_json::Value {
    json!({
        "medianCents": range.median.round() as i64,
        "spreadCents": range.spread.round() as i64,
        "peers": range.peers,
    })
}

/// Breeds are compared as people write them, without case or surrounding spaces.
fn breed_key(breed: &str) -> String {
    breed.trim().to_lowercase()
}

impl ValuationPeers {
    /// Keeps the animal's latest value as `state` holds it; an animal without a value, or
    /// no longer active, is nobody's peer. Recording the same state again changes nothing.
    pub fn record(&mut self, state: &CattleState) {
        let id = state.cattle_id.0;
        if let Some(old) = self.animals.remove(&id) {
            let emptied = |group: Option<&mut BTreeMap<i64, i64>>| {
                group.is_some_and(|group| {
                    group.remove(&id);
                    group.is_empty()
                })
            };
            if emptied(self.by_breed.get_mut(&old.breed)) {
                self.by_breed.remove(&old.breed);
            }
            if emptied(self.by_herd.get_mut(&old.client_id)) {
                self.by_herd.remove(&old.client_id);
            }
        }
        let Some(cents) = state.current_valuation else {
            return;
        };
        if state.status != CattleStatus::Active {
            return;
        }
        let valued = Valued {
            breed: breed_key(&state.breed),
            client_id: state.client_id,
        };
        self.by_breed
            .entry(valued.breed.clone())
            .or_default()
            .insert(id, cents);
        self.by_herd
            .entry(valued.client_id)
            .or_default()
            .insert(id, cents);
        self.animals.insert(id, valued);
    }

    /// How many animals are held.
    pub fn len(&self) -> usize {
        self.animals.len()
    }

    /// Whether no animal is held.
    pub fn is_empty(&self) -> bool {
        self.animals.is_empty()
    }

    /// The range of the other animals of `breed`, and of those of client `client_id`.
    pub fn ranges(&self, of: &CattleState) -> (Option<ValueRange>, Option<ValueRange>) {
        let id = of.cattle_id.0;
        let others = |group: Option<&BTreeMap<i64, i64>>| {
            let values = group.into_iter().flatten();
            values
                .filter(|(other, _)| **other != id)
                .map(|(_, cents)| *cents as f64)
                .collect()
        };
        let breed = others(self.by_breed.get(&breed_key(&of.breed)));
        let herd = others(self.by_herd.get(&of.client_id));
        (ValueRange::of(breed), ValueRange::of(herd))
    }

    /// The VALUATION_OUTLIER finding on `event` (a valuation of the animal in state
    /// `before`), when its value lies outside its breed's range and outside its herd's range
    /// (where the herd has enough valued animals to have one) and fewer than
    /// `MIN_VERIFICATIONS_FOR_VALUE` identity checks back it. Quiet while such an alert is open.
    pub fn judge(&self, before: &CattleState, event: &EventEnvelope) -> Option<FraudFinding> {
        let value = ValuationUpdated::from_payload(&event.payload).ok()?;
        if before.verifications.len() >= MIN_VERIFICATIONS_FOR_VALUE {
            return None;
        }
        let cents = value.amount_cents;
        let (breed, herd) = self.ranges(before);
        let breed = breed.filter(|range| range.excludes(cents))?;
        if herd.is_some_and(|range| !range.excludes(cents)) {
            return None;
        }
        let found = finding(
            event,
            SuspicionType::ValuationOutlier,
            RiskLevel::Medium,
            format!(
                "valued at {}, {:.0} spreads from the median of {} other {} animals ({})",
                dollars(cents),
                breed.distance(cents),
                breed.peers,
                before.breed.trim(),
                dollars(breed.median.round() as i64)
            ),
            json!({
                "amountCents": cents,
                "breed": range_facts(&breed),
                "herd": herd.as_ref().map(range_facts),
                "verifications": before.verifications.len(),
            }),
        );
        (!found.is_open_on(before)).then_some(found)
    }
}
