//! Time travel through the registry office: an animal as it was after any event or at any
//! time, folded from the events the golden record accepted, for whoever may see it now.
use super::{read_failed, RegistryOffice};
use crate::golden::animal_queries;
use crate::technical_failure::unavailable;
use app::model::{AnimalAsOf, CommandFailure, SignedInUser};
use domain::{state_as_of, EventEnvelope, HistoryPoint};

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
        let rows = animal_queries::event_positions(&self.db, cattle_id)
            .await
            .map_err(read_failed)?;
        let envelopes = rows
            .iter()
            .map(|row| EventEnvelope::from_json_str(&row.envelope.to_string()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| unavailable("An event of the animal could not be read", error))?;
        let folded = state_as_of(&envelopes, point)
            .map_err(|error| unavailable("The animal's events could not be folded", error))?;
        Ok(folded.map(|(state, last)| AnimalAsOf {
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
        }))
    }
}
