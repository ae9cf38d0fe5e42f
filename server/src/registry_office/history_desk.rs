//! Time travel through the registry office: an animal as it was after any event or at any
//! time, folded from the events the golden record accepted, for whoever may see it now.
//! From the animal's latest snapshot when the point is at or after the event it covers, so
//! only the events after it are read.
use super::{read_failed, RegistryOffice};
use crate::entity::{cattle_event, cattle_snapshot};
use crate::from_log::opened_snapshot;
use crate::golden::animal_queries;
use crate::technical_failure::unavailable;
use app::model::{AnimalAsOf, CommandFailure, SignedInUser};
use domain::{event_hash, state_as_of, state_as_of_after, EventEnvelope, HistoryPoint};
use sea_orm::EntityTrait;

fn envelopes_of(rows: &[cattle_event::Model]) -> Result<Vec<EventEnvelope>, CommandFailure> {
    rows.iter()
        .map(|row| EventEnvelope::from_json_str(&row.envelope.to_string()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| unavailable("An event of the animal could not be read", error))
}

fn folding_failed(error: impl std::fmt::Display) -> CommandFailure {
    unavailable("The animal's events could not be folded", error)
}

/// The answer for the animal folded up to `last` from the events read, `envelopes`, which
/// hold every event after `last`.
fn answer(
    cattle_id: i64,
    as_of: &str,
    (state, last): (domain::CattleState, &EventEnvelope),
    envelopes: &[EventEnvelope],
    from_snapshot: Option<u64>,
) -> AnimalAsOf {
    AnimalAsOf {
        cattle_id,
        as_of: as_of.to_string(),
        sequence: last.metadata.sequence,
        event_id: last.metadata.event_id.clone(),
        event_type: last.metadata.event_type,
        recorded_at: last.metadata.recorded_at.clone(),
        later_events: envelopes
            .iter()
            .filter(|later| later.metadata.sequence > last.metadata.sequence)
            .count() as u64,
        state,
        from_snapshot,
        events_read: envelopes.len() as u64,
    }
}

impl RegistryOffice {
    /// The animal `cattle_id` at `point` (`as_of` is how the user wrote it); `None` when the
    /// registry holds no event of it by then.
    pub async fn cattle_as_of(
        &self,
        user: &SignedInUser,
        cattle_id: i64,
        point: HistoryPoint,
        as_of: &str,
    ) -> Result<Option<AnimalAsOf>, CommandFailure> {
        self.check_may_see(user, cattle_id).await?;
        if let Some(found) = self.as_of_from_snapshot(cattle_id, point, as_of).await? {
            return Ok(Some(found));
        }
        let rows = animal_queries::event_positions(&self.db, cattle_id)
            .await
            .map_err(read_failed)?;
        let envelopes = envelopes_of(&rows)?;
        let folded = state_as_of(&envelopes, point).map_err(folding_failed)?;
        Ok(folded.map(|folded| answer(cattle_id, as_of, folded, &envelopes, None)))
    }

    /// The animal at `point` folded on from its latest snapshot, reading only the events
    /// from the one it covers; `None` (every event is read instead) when it has none, the
    /// point is before it, or it does not open (a technical failure, logged).
    async fn as_of_from_snapshot(
        &self,
        cattle_id: i64,
        point: HistoryPoint,
        as_of: &str,
    ) -> Result<Option<AnimalAsOf>, CommandFailure> {
        let taken = cattle_snapshot::Entity::find_by_id(cattle_id)
            .one(&self.db)
            .await
            .map_err(read_failed)?;
        let Some(taken) = taken else {
            return Ok(None);
        };
        let rows = animal_queries::events_from(&self.db, cattle_id, taken.sequence)
            .await
            .map_err(read_failed)?;
        let envelopes = envelopes_of(&rows)?;
        let Some((covered, later)) = envelopes.split_first() else {
            return Ok(None);
        };
        if covered.metadata.sequence as i64 != taken.sequence || !point.includes(covered) {
            return Ok(None);
        }
        let snapshot = match opened_snapshot(&self.brokers, &self.trusted, &taken).await {
            Ok(Ok(snapshot)) => snapshot,
            Ok(Err(why)) => {
                tracing::warn!(cattle_id, %why, "a snapshot did not open; reading every event");
                return Ok(None);
            }
            Err(error) => {
                tracing::warn!(cattle_id, %error, "a snapshot could not be read; reading every event");
                return Ok(None);
            }
        };
        if event_hash(covered).ok() != snapshot.head.last_event_hash {
            tracing::warn!(
                cattle_id,
                sequence = taken.sequence,
                "a snapshot covers another event than the golden record's; reading every event"
            );
            return Ok(None);
        }
        let folded =
            state_as_of_after((snapshot.state, covered), later, point).map_err(folding_failed)?;
        let from = Some(covered.metadata.sequence);
        Ok(Some(answer(cattle_id, as_of, folded, &envelopes, from)))
    }
}
