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
    fn includes(self, envelope: &EventEnvelope) -> bool {
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
    let mut folded: Option<(CattleState, &EventEnvelope)> = None;
    for envelope in envelopes
        .into_iter()
        .take_while(|envelope| point.includes(envelope))
    {
        let state = apply(folded.map(|(state, _)| state), envelope)?;
        folded = Some((state, envelope));
    }
    Ok(folded)
}
