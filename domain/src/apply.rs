//! apply: the pure fold of an animal's events into its current state.

use crate::cattle_rules::{
    check_no_other_offer, check_not_final, check_offer, check_status_change, check_transfer,
    pending_offer,
};
use crate::cattle_state::{
    HealthNote, LocationFix, OpenAlert, PendingTransfer, RECENT_TRANSFERS_KEPT,
};
use crate::day_after;
use crate::payloads::*;
use crate::upcast::{upcast, UpcastError};
use crate::{
    CattleId, CattleState, CattleStatus, EventEnvelope, EventType, FraudResolution, Rejection,
};
use serde_json::Value;

/// Why an event cannot be applied to the state it follows.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApplyError {
    /// CATTLE_CREATED for an animal that exists.
    #[error("animal {0} already exists")]
    AlreadyExists(CattleId),
    /// An event for an animal with no CATTLE_CREATED yet.
    #[error("animal {0} does not exist")]
    NotFound(CattleId),
    /// An event of another aggregate (CLIENT_REGISTERED to the cattle fold, or vice versa).
    #[error("{0} does not belong to this aggregate")]
    WrongAggregate(EventType),
    /// The event's cattle_id is not the state's.
    #[error("event is for animal {found}, state is animal {expected}")]
    WrongAnimal {
        /// The state's id.
        expected: CattleId,
        /// The event's id.
        found: CattleId,
    },
    /// The event's sequence is not the state's next.
    #[error("expected sequence {expected}, found {found}")]
    OutOfSequence {
        /// state.sequence + 1 (1 for a new animal).
        expected: u64,
        /// The event's sequence.
        found: u64,
    },
    /// The payload cannot be upcast.
    #[error(transparent)]
    Upcast(#[from] UpcastError),
    /// The payload does not have its event type's shape.
    #[error("malformed payload: {0}")]
    Payload(String),
    /// The event breaks a business rule (consumers refuse it like `decide` would).
    #[error("rule broken: {0}")]
    Rule(#[from] Rejection),
    /// A STATUS_CHANGED whose "from" is not the current status.
    #[error("status change from {claimed} but animal is {actual}")]
    StaleStatus {
        /// The payload's from.
        claimed: CattleStatus,
        /// The state's status.
        actual: CattleStatus,
    },
    /// A FRAUD_DETECTED reusing an open alert id.
    #[error("fraud alert {0} already open")]
    DuplicateAlert(String),
    /// A SNAPSHOT_CREATED inside an animal's chain: snapshots live on the snapshots topic,
    /// beside the chain, so they never take a sequence number of their own.
    #[error("a snapshot belongs on the snapshots topic, not in the animal's chain")]
    SnapshotInChain,
}

/// Folds one envelope into the animal's state (None before its first event).
///
/// The payload is upcast to its current schema first; hashes are never computed from the
/// upcast form. Sequence, animal id and the status rules are enforced, so replaying a log
/// gives the same state, and the same refusals, everywhere.
pub fn apply(
    state: Option<CattleState>,
    envelope: &EventEnvelope,
) -> Result<CattleState, ApplyError> {
    let m = &envelope.metadata;
    if m.event_type == EventType::ClientRegistered {
        return Err(ApplyError::WrongAggregate(m.event_type));
    }
    let expected = state.as_ref().map_or(1, |s| s.sequence.saturating_add(1));
    if m.sequence != expected {
        return Err(ApplyError::OutOfSequence {
            expected,
            found: m.sequence,
        });
    }
    let payload = upcast(m.event_type, m.schema_version, &envelope.payload)?;
    let mut next = match state {
        None if m.event_type == EventType::CattleCreated => {
            created(m.cattle_id, &payload, &m.occurred_at)?
        }
        None => return Err(ApplyError::NotFound(m.cattle_id)),
        Some(s) if m.event_type == EventType::CattleCreated => {
            return Err(ApplyError::AlreadyExists(s.cattle_id))
        }
        Some(s) if s.cattle_id != m.cattle_id => {
            return Err(ApplyError::WrongAnimal {
                expected: s.cattle_id,
                found: m.cattle_id,
            })
        }
        Some(s) => evolve(s, m.event_type, &payload, &m.occurred_at)?,
    };
    next.sequence = m.sequence;
    next.updated_at = m.occurred_at.clone();
    next.rescore();
    Ok(next)
}

/// Folds a whole chain from nothing; stops at the first event that cannot be applied.
pub fn replay<'a>(
    envelopes: impl IntoIterator<Item = &'a EventEnvelope>,
) -> Result<Option<CattleState>, ApplyError> {
    let mut state = None;
    for envelope in envelopes {
        state = Some(apply(state, envelope)?);
    }
    Ok(state)
}

fn read<P: EventPayload>(payload: &Value) -> Result<P, ApplyError> {
    P::from_payload(payload).map_err(ApplyError::Payload)
}

fn created(cattle_id: CattleId, payload: &Value, at: &str) -> Result<CattleState, ApplyError> {
    let p: CattleCreated = read(payload)?;
    Ok(CattleState {
        cattle_id,
        nlis_id: p.nlis_id,
        breed: p.breed,
        sex: p.sex,
        birth_date: p.birth_date,
        client_id: p.client_id,
        status: CattleStatus::Active,
        current_valuation: None,
        valuation_method: None,
        valued_at: None,
        health_record_count: 0,
        last_health: None,
        weight_kg: None,
        last_location: None,
        verifications: Vec::new(),
        open_alerts: Vec::new(),
        confirmed_suspicions: Vec::new(),
        suspicions: Vec::new(),
        confidence_score: 0,
        risk_level: crate::RiskLevel::Critical,
        transfer_count: 0,
        recent_transfers: Vec::new(),
        created_at: at.to_string(),
        updated_at: at.to_string(),
        sequence: 0,
        pending_transfer: None,
        mob: None,
        withholding_until: None,
    })
}

fn evolve(
    mut s: CattleState,
    event_type: EventType,
    payload: &Value,
    at: &str,
) -> Result<CattleState, ApplyError> {
    match event_type {
        EventType::OwnershipTransfer => {
            let p: OwnershipTransfer = read(payload)?;
            check_transfer(&s, p.to_client_id)?;
            check_no_other_offer(&s, p.to_client_id)?;
            s.client_id = p.to_client_id;
            s.pending_transfer = None;
            s.transfer_count = s.transfer_count.saturating_add(1);
            s.recent_transfers.push(at.to_string());
            let excess = s
                .recent_transfers
                .len()
                .saturating_sub(RECENT_TRANSFERS_KEPT);
            s.recent_transfers.drain(..excess);
        }
        EventType::TransferOffered => {
            let p: TransferOffered = read(payload)?;
            check_offer(&s, p.to_client_id)?;
            if p.from_client_id != s.client_id {
                return Err(ApplyError::Payload(format!(
                    "TRANSFER_OFFERED from client {} but the animal belongs to client {}",
                    p.from_client_id, s.client_id
                )));
            }
            s.pending_transfer = Some(PendingTransfer {
                to_client_id: p.to_client_id,
                price_cents: p.price_cents,
                offered_at: at.to_string(),
            });
        }
        EventType::TransferDeclined => {
            let p: TransferDeclined = read(payload)?;
            let offer = pending_offer(&s)?;
            if offer.to_client_id != p.to_client_id {
                return Err(Rejection::TransferPending {
                    to_client_id: offer.to_client_id,
                }
                .into());
            }
            s.pending_transfer = None;
        }
        EventType::ValuationUpdated => {
            let p: ValuationUpdated = read(payload)?;
            check_not_final(&s)?;
            s.current_valuation = Some(p.amount_cents);
            s.valuation_method = Some(p.method);
            s.valued_at = Some(at.to_string());
        }
        EventType::HealthRecorded => {
            let p: HealthRecorded = read(payload)?;
            s.health_record_count = s.health_record_count.saturating_add(1);
            s.last_health = Some(HealthNote {
                kind: p.kind,
                at: at.to_string(),
            });
            if p.weight_kg.is_some() {
                s.weight_kg = p.weight_kg;
            }
            // A later treatment with a shorter period does not end an earlier one's.
            let until = p
                .withholding_days
                .filter(|days| *days > 0)
                .and_then(|days| day_after(at, days));
            if until > s.withholding_until {
                s.withholding_until = until;
            }
        }
        EventType::LocationRecorded => {
            let p: LocationRecorded = read(payload)?;
            check_not_final(&s)?;
            s.last_location = Some(LocationFix {
                latitude: p.latitude,
                longitude: p.longitude,
                pic: p.pic,
                paddock: p.paddock,
                at: at.to_string(),
            });
        }
        EventType::MobAssigned => {
            let p: MobAssigned = read(payload)?;
            check_not_final(&s)?;
            s.mob = p.mob;
        }
        EventType::VerificationAdded => {
            let p: VerificationAdded = read(payload)?;
            if !s.verifications.contains(&p.kind) {
                s.verifications.push(p.kind);
                s.verifications.sort();
            }
        }
        EventType::StatusChanged => {
            let p: StatusChanged = read(payload)?;
            if p.from != s.status {
                return Err(ApplyError::StaleStatus {
                    claimed: p.from,
                    actual: s.status,
                });
            }
            check_status_change(&s, p.to)?;
            s.status = p.to;
        }
        EventType::FraudDetected => {
            let p: FraudDetected = read(payload)?;
            if s.open_alert(&p.alert_id).is_some() {
                return Err(ApplyError::DuplicateAlert(p.alert_id));
            }
            s.open_alerts.push(OpenAlert {
                alert_id: p.alert_id,
                suspicion: p.suspicion,
                severity: p.severity,
                raised_at: at.to_string(),
            });
            refresh_suspicions(&mut s);
        }
        EventType::FraudAlertResolved => {
            let p: FraudAlertResolved = read(payload)?;
            let Some(index) = s.open_alerts.iter().position(|a| a.alert_id == p.alert_id) else {
                return Err(Rejection::AlertNotOpen {
                    alert_id: p.alert_id,
                }
                .into());
            };
            let alert = s.open_alerts.remove(index);
            if p.resolution == FraudResolution::Confirmed
                && !s.confirmed_suspicions.contains(&alert.suspicion)
            {
                s.confirmed_suspicions.push(alert.suspicion);
                s.confirmed_suspicions.sort();
            }
            refresh_suspicions(&mut s);
        }
        EventType::SnapshotCreated => return Err(ApplyError::SnapshotInChain),
        EventType::CattleCreated | EventType::ClientRegistered => {
            return Err(ApplyError::WrongAggregate(event_type))
        }
    }
    Ok(s)
}

/// suspicions = open alerts' suspicions ∪ confirmed ones, sorted, each once.
fn refresh_suspicions(s: &mut CattleState) {
    let mut all: Vec<_> = s.open_alerts.iter().map(|a| a.suspicion).collect();
    all.extend(s.confirmed_suspicions.iter().copied());
    all.sort();
    all.dedup();
    s.suspicions = all;
}
