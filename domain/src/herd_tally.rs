//! A herd as it was at a point in time: its animals' streams folded up to that point and
//! counted the way the dashboard counts the herd today (head, value, status, breed, risk).

use crate::apply::ApplyError;
use crate::cattle_state::CattleState;
use crate::envelope::EventEnvelope;
use crate::event_type::EventType;
use crate::history_point::{state_as_of, HistoryPoint};
use std::collections::BTreeMap;

/// Head counts and value of the animals counted so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HerdTally {
    /// Animals counted.
    pub head_count: u64,
    /// Sum of their latest valuations, in cents (an animal never valued adds nothing).
    pub value_cents: i64,
    /// Head by status (`ACTIVE`, `SOLD`, …).
    pub by_status: BTreeMap<String, u64>,
    /// Head by breed.
    pub by_breed: BTreeMap<String, u64>,
    /// Head by risk level.
    pub by_risk: BTreeMap<String, u64>,
}

impl HerdTally {
    /// Counts one animal as it stands in `state`.
    pub fn count(&mut self, state: &CattleState) {
        self.head_count += 1;
        self.value_cents = self
            .value_cents
            .saturating_add(state.current_valuation.unwrap_or(0));
        *self
            .by_status
            .entry(state.status.as_str().to_string())
            .or_default() += 1;
        *self.by_breed.entry(state.breed.clone()).or_default() += 1;
        *self
            .by_risk
            .entry(state.risk_level.as_str().to_string())
            .or_default() += 1;
    }

    /// Folds one stream's accepted events (in sequence order) up to `point` and counts the
    /// animal when it existed by then and `belongs` says it is in the herd as it was then
    /// (a farmer's herd is the animals their clients owned at that point). A client's
    /// stream is no animal and is passed over. Answers whether the animal was counted.
    pub fn count_stream(
        &mut self,
        envelopes: &[EventEnvelope],
        point: HistoryPoint,
        belongs: impl Fn(&CattleState) -> bool,
    ) -> Result<bool, ApplyError> {
        let is_client = envelopes
            .first()
            .is_some_and(|first| first.metadata.event_type == EventType::ClientRegistered);
        if is_client {
            return Ok(false);
        }
        match state_as_of(envelopes, point)? {
            Some((state, _)) if belongs(&state) => {
                self.count(&state);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
