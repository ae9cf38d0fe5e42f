//! What the rules make of one event, with what the detector keeps across animals: every
//! animal's latest value (a valuation is judged against its breed and herd) and each key's
//! records refused for tampering (a key refused again and again is suspect itself).
use super::refused_records::{self, RefusedByKey};
use crate::checked_signatures::CheckedSignatures;
use crate::views::stream_heads;
use domain::{
    detect_fraud, detect_refused, detect_repeated_refusals, CattleState, EventEnvelope,
    FraudFinding, RefusedRecord, StreamRefusal, StreamState, ValuationPeers,
};
use sea_orm::{DatabaseConnection, DbErr};

/// The detector's memory across animals, loaded from its own tables at the first batch.
#[derive(Debug, Default)]
pub(super) struct Judging {
    peers: ValuationPeers,
    refused: RefusedByKey,
}

impl Judging {
    /// The values of every animal `projection` keeps a head for, and every refused record.
    pub(super) async fn load(db: &DatabaseConnection, projection: &str) -> Result<Self, DbErr> {
        let mut judging = Judging::default();
        for state in stream_heads::all_states(db, projection).await? {
            if let StreamState::Cattle(animal) = state {
                judging.peers.record(&animal);
            }
        }
        judging.refused = refused_records::all(db).await?;
        Ok(judging)
    }

    /// The findings on `envelope`, which the chain of the animal in state `before` accepted.
    pub(super) fn accepted(
        &self,
        before: &CattleState,
        envelope: &EventEnvelope,
    ) -> Vec<FraudFinding> {
        let mut findings = detect_fraud(before, envelope);
        findings.extend(self.peers.judge(before, envelope));
        findings
    }

    /// Learns the animal's state after an accepted event.
    pub(super) fn learn(&mut self, state: &StreamState) {
        if let StreamState::Cattle(animal) = state {
            self.peers.record(animal);
        }
    }

    /// The findings on `envelope`, which the chain of the animal in state `before` refused
    /// for `refusal`; `record` is its refused record when it shows tampering, which is kept
    /// under its key from then on.
    pub(super) fn refused(
        &mut self,
        before: Option<&CattleState>,
        envelope: &EventEnvelope,
        refusal: &StreamRefusal,
        record: Option<&RefusedRecord>,
        checked: &CheckedSignatures,
    ) -> Vec<FraudFinding> {
        let Some(before) = before else {
            // A forgery against an animal nobody registered has no chain to raise it in.
            return Vec::new();
        };
        let mut findings: Vec<FraudFinding> = detect_refused(before, envelope, refusal, checked)
            .into_iter()
            .collect();
        if let Some(record) = record {
            let key = envelope.cryptography.public_key.clone();
            let earlier = self.refused.entry(key).or_default();
            // A copy of a record already counted adds nothing. Judged again, a copy that
            // arrives after another animal's record crossed the count (partitions are read
            // side by side) would raise the key's alert a second time, on its own animal.
            if !earlier.iter().any(|kept| kept.event_id == record.event_id) {
                findings.extend(detect_repeated_refusals(before, envelope, record, earlier));
                earlier.push(record.clone());
            }
        }
        findings
    }
}
