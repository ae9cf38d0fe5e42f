//! The whole-log verification's check of snapshots: each snapshot on the snapshots topic is
//! opened (signature, key, state hash, self-consistency), then held to the fold of the events
//! it covers as the cattle log is read, keeping a fold only for the animals with snapshots.
use crate::kafka::log_reader::TopicMessage;
use app::model::BrokenEvent;
use domain::{open_snapshot, CattleId, EventEnvelope, FoldToSnapshot, KeyRegistry, Snapshot};
use std::collections::{BTreeMap, HashMap};

/// A snapshot waiting for the log to reach the event it covers.
struct Pending {
    snapshot: Snapshot,
    partition: i32,
    offset: i64,
}

/// The snapshots read so far and the folds that will judge them.
pub struct SnapshotAudit {
    topic: String,
    /// Per animal, its snapshots by the sequence they cover.
    pending: HashMap<CattleId, BTreeMap<u64, Vec<Pending>>>,
    folds: HashMap<CattleId, FoldToSnapshot>,
}

impl SnapshotAudit {
    /// An audit of the snapshots on `topic`.
    pub fn new(topic: String) -> Self {
        Self {
            topic,
            pending: HashMap::new(),
            folds: HashMap::new(),
        }
    }

    fn broken(
        &self,
        at: (i32, i64),
        snapshot: Option<(&str, CattleId)>,
        code: &str,
        reason: String,
    ) -> BrokenEvent {
        BrokenEvent {
            topic: self.topic.clone(),
            partition: at.0,
            offset: at.1,
            event_id: snapshot.map(|(id, _)| id.to_string()),
            cattle_id: snapshot.map(|(_, animal)| animal.0),
            code: code.to_string(),
            reason,
        }
    }

    /// Opens one message of the snapshots topic: a snapshot that opens waits for its events;
    /// one that does not is broken now.
    pub fn open(&mut self, keys: &KeyRegistry, message: TopicMessage<'_>) -> Option<BrokenEvent> {
        let at = (message.partition, message.offset);
        let envelope = match std::str::from_utf8(message.body)
            .map_err(|e| e.to_string())
            .and_then(|text| EventEnvelope::from_json_str(text).map_err(|e| e.to_string()))
        {
            Ok(envelope) => envelope,
            Err(reason) => return Some(self.broken(at, None, "MALFORMED", reason)),
        };
        let m = &envelope.metadata;
        match open_snapshot(&envelope, keys) {
            Ok(snapshot) => {
                self.folds.entry(m.cattle_id).or_default();
                self.pending
                    .entry(m.cattle_id)
                    .or_default()
                    .entry(snapshot.head.sequence)
                    .or_default()
                    .push(Pending {
                        snapshot,
                        partition: at.0,
                        offset: at.1,
                    });
                None
            }
            Err(failure) => Some(self.broken(
                at,
                Some((&m.event_id, m.cattle_id)),
                failure.code(),
                failure.to_string(),
            )),
        }
    }

    /// Follows one event the verifier accepted; answers the snapshots it settles that differ
    /// from the fold.
    pub fn follow(&mut self, envelope: &EventEnvelope) -> Vec<BrokenEvent> {
        let id = envelope.metadata.cattle_id;
        let Some(fold) = self.folds.get_mut(&id) else {
            return Vec::new();
        };
        if !fold.push(envelope) {
            return Vec::new();
        }
        let sequence = fold.sequence();
        let verdicts: Vec<_> = self
            .pending
            .get_mut(&id)
            .and_then(|by_sequence| by_sequence.remove(&sequence))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|pending| fold.judge(&pending.snapshot).err().map(|f| (pending, f)))
            .collect();
        verdicts
            .into_iter()
            .map(|(pending, failure)| {
                self.broken(
                    (pending.partition, pending.offset),
                    Some((&pending.snapshot.event_id, id)),
                    failure.code(),
                    failure.to_string(),
                )
            })
            .collect()
    }

    /// The snapshots whose events the log never reached (or refused): none of them is the
    /// fold of the animal's events.
    pub fn unreached(self) -> Vec<BrokenEvent> {
        let mut broken = Vec::new();
        for (id, by_sequence) in &self.pending {
            let reached = self.folds.get(id).map_or(0, FoldToSnapshot::sequence);
            for (sequence, snapshots) in by_sequence {
                for pending in snapshots {
                    broken.push(self.broken(
                        (pending.partition, pending.offset),
                        Some((&pending.snapshot.event_id, *id)),
                        "SNAPSHOT_DIVERGES",
                        format!(
                            "the snapshot covers event {sequence}, but the animal's accepted \
                             events end at {reached}"
                        ),
                    ));
                }
            }
        }
        broken.sort_by_key(|b| (b.partition, b.offset));
        broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{seal_snapshot, ChainHead, SigningKeyPair};

    fn message(body: &[u8], offset: i64) -> TopicMessage<'_> {
        TopicMessage {
            partition: 2,
            offset,
            body,
        }
    }

    #[test]
    fn bytes_that_are_no_envelope_are_broken_on_the_snapshots_topic() {
        let mut audit = SnapshotAudit::new("t.snapshots".into());
        let broken = audit
            .open(&KeyRegistry::accept_any(), message(b"{not json", 7))
            .expect("listed");
        assert_eq!(
            (broken.topic.as_str(), broken.partition, broken.offset),
            ("t.snapshots", 2, 7)
        );
        assert_eq!(broken.code, "MALFORMED");
        assert_eq!(broken.event_id, None);
        assert!(audit.unreached().is_empty());
    }

    #[test]
    fn a_snapshot_of_an_animal_the_log_never_reaches_is_listed_at_the_end() {
        let key = SigningKeyPair::from_seed([3; 32]);
        // A snapshot claiming event 1 of an animal whose events never appear.
        let state: domain::CattleState = serde_json::from_value(serde_json::json!({
            "cattle_id": 42, "nlis_id": "TST0000000000042", "breed": "Angus", "sex": "FEMALE",
            "birth_date": null, "client_id": 1, "status": "ACTIVE", "current_valuation": null,
            "valuation_method": null, "valued_at": null, "health_record_count": 0,
            "last_health": null, "weight_kg": null, "last_location": null, "verifications": [],
            "open_alerts": [], "confirmed_suspicions": [], "suspicions": [],
            "confidence_score": 40, "risk_level": "HIGH", "transfer_count": 0,
            "recent_transfers": [], "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z", "sequence": 1
        }))
        .expect("a state");
        let head = ChainHead::default()
            .after(&"ab".repeat(32))
            .expect("a head");
        let envelope = seal_snapshot(
            "snap_far".into(),
            "2026-01-02T00:00:00.000Z".into(),
            &state,
            &head,
            &key,
        );
        let body = envelope.to_json_line();
        let mut audit = SnapshotAudit::new("t.snapshots".into());
        assert_eq!(
            audit.open(&KeyRegistry::accept_any(), message(body.as_bytes(), 0)),
            None
        );
        let unreached = audit.unreached();
        assert_eq!(unreached.len(), 1);
        assert_eq!(unreached[0].code, "SNAPSHOT_DIVERGES");
        assert_eq!(unreached[0].event_id.as_deref(), Some("snap_far"));
        assert_eq!(unreached[0].cattle_id, Some(42));
    }
}
