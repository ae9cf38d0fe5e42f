//! Verifying a log one envelope at a time, keeping only what the next check needs: per
//! animal the head its accepted events reach and their idempotency keys, and the ids of all
//! accepted events (an event id is unique across the log, not only within an animal).

use super::chain_head::ChainHead;
use super::key_registry::KeyRegistry;
use super::verification::{check_form, verify_next, VerificationFailure};
use crate::{CattleId, EventEnvelope};
use std::collections::{BTreeMap, BTreeSet};

/// What one animal's accepted events have reached.
#[derive(Debug, Default)]
struct AnimalChain {
    head: ChainHead,
    /// idempotency key -> id of the event that carried it.
    accepted_keys: BTreeMap<String, String>,
}

/// A verifier fed a log in order, any mix of animals; memory grows with the animals and
/// their accepted ids, not with the verdicts.
#[derive(Debug, Default)]
pub struct LogVerifier {
    animals: BTreeMap<CattleId, AnimalChain>,
    /// The id of every accepted event, of any animal.
    accepted_ids: BTreeSet<String>,
}

impl LogVerifier {
    /// Judges the next envelope of the log: its form (MALFORMED), then DUPLICATE (an event
    /// id accepted for any animal, or an idempotency key accepted for this one), UNKNOWN_KEY
    /// or NOT_THE_AUTHOR, then `verify_next` against the head of the animal's accepted
    /// events. A failed event is not accepted, so the head never moves past it, exactly as
    /// a consumer refuses it.
    pub fn check(
        &mut self,
        envelope: &EventEnvelope,
        keys: &KeyRegistry,
    ) -> Result<(), VerificationFailure> {
        check_form(envelope).map_err(VerificationFailure::Malformed)?;
        let m = &envelope.metadata;
        let animal = self.animals.entry(m.cattle_id).or_default();
        let earlier = if self.accepted_ids.contains(&m.event_id) {
            Some(m.event_id.clone())
        } else {
            animal.accepted_keys.get(&m.idempotency_key).cloned()
        };
        if let Some(event_id) = earlier {
            return Err(VerificationFailure::Duplicate { event_id });
        }
        keys.check_signer(
            &envelope.cryptography.public_key,
            m.created_by.as_deref(),
            &m.recorded_at,
        )?;
        animal.head = verify_next(envelope, &animal.head)?;
        self.accepted_ids.insert(m.event_id.clone());
        animal
            .accepted_keys
            .insert(m.idempotency_key.clone(), m.event_id.clone());
        Ok(())
    }

    /// The head `cattle_id`'s accepted events reach (the empty head for an unseen animal).
    pub fn head(&self, cattle_id: CattleId) -> ChainHead {
        self.animals
            .get(&cattle_id)
            .map(|animal| animal.head.clone())
            .unwrap_or_default()
    }

    /// Animals seen so far.
    pub fn animals(&self) -> usize {
        self.animals.len()
    }
}
