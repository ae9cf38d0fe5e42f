//! Time travel: an animal as it was at a point of its history, folded from its events up
//! to that point.

use crate::apply::{apply, ApplyError};
use crate::cattle_state::CattleState;
use crate::envelope::EventEnvelope;
use crate::timestamp::timestamp_millis;

/// A point in an animal's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryPoint {
    /// After the event of this sequence (0: before the first).
    Sequence(u64),
    /// When the registry had recorded every event up to this time, in milliseconds since
    /// the epoch (events count by their `recorded_at`).
    Millis(i64),
}

impl HistoryPoint {
    /// Whether `envelope` had happened at this point.
    pub fn includes(self, envelope: &EventEnvelope) -> bool {
        let meta = &envelope.metadata;
        match self {
            Self::Sequence(sequence) => meta.sequence <= sequence,
            Self::Millis(millis) => {
                timestamp_millis(&meta.recorded_at).is_some_and(|at| at <= millis)
            }
        }
    }
}

/// The animal at `point`, from its accepted events in sequence order: the fold of every
/// event up to the point, and the last event folded. `None` when the animal did not exist
/// yet.
pub fn state_as_of<'a>(
    envelopes: impl IntoIterator<Item = &'a EventEnvelope>,
    point: HistoryPoint,
) -> Result<Option<(CattleState, &'a EventEnvelope)>, ApplyError> {
    fold_up_to(None, envelopes, point)
}

/// The animal at `point`, folded on from `start`: the state after an event `point`
/// includes (a snapshot's) and that event, then the animal's later events in sequence
/// order. Equal to `state_as_of` over every event, for every point at or after the start.
pub fn state_as_of_after<'a>(
    start: (CattleState, &'a EventEnvelope),
    later: impl IntoIterator<Item = &'a EventEnvelope>,
    point: HistoryPoint,
) -> Result<(CattleState, &'a EventEnvelope), ApplyError> {
    let folded = fold_up_to(Some(start.clone()), later, point)?;
    Ok(folded.unwrap_or(start))
}

fn fold_up_to<'a>(
    start: Option<(CattleState, &'a EventEnvelope)>,
    envelopes: impl IntoIterator<Item = &'a EventEnvelope>,
    point: HistoryPoint,
) -> Result<Option<(CattleState, &'a EventEnvelope)>, ApplyError> {
    let mut folded = start;
    for envelope in envelopes
        .into_iter()
        .take_while(|envelope| point.includes(envelope))
    {
        let state = apply(folded.map(|(state, _)| state), envelope)?;
        folded = Some((state, envelope));
    }
    Ok(folded)
}
