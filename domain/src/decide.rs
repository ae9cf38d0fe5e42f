//! decide: a command against the animal's current state yields the events to write.

use crate::cattle_rules::{
    check_no_other_offer, check_not_final, check_offer, check_status_change, check_transfer,
    pending_offer,
};
use crate::payloads::*;
use crate::{
    check_client_registration, CattleState, ClientRegisterFacts, Command, EventType, Rejection,
    TransferOwnership as TransferCommand,
};
use serde_json::Value;

/// One event `decide` (or a fraud rule) wants written, before the shell gives it ids, times
/// and a signature.
#[derive(Debug, Clone, PartialEq)]
pub struct DecidedEvent {
    /// What kind of event it is.
    pub event_type: EventType,
    /// Its payload JSON, as the event type's payload struct serializes.
    pub payload: Value,
    /// The business reference naming the fact, from which its idempotency key is derived
    /// (see `decide` for the forms it takes).
    pub event_ref: String,
}

/// Validates `command` and checks it against `state` (None: the subject has no events yet),
/// returning the events to seal, or why not. Pure: the caller adds ids, times and signatures.
///
/// event_ref: "cattle-created-{NLIS}", "client-registered-{PIC}",
/// "fraud-alert-resolved-{alertId}", else "{event-type-in-kebab-case}-{cattleId}-{next sequence}",
/// so the same command decided twice against the same state gets the same idempotency key.
pub fn decide(
    state: Option<&CattleState>,
    command: &Command,
) -> Result<Vec<DecidedEvent>, Rejection> {
    command.validate().map_err(Rejection::Invalid)?;
    if let Command::CreateCattle(c) = command {
        if state.is_some() {
            return Err(Rejection::AlreadyRegistered {
                nlis_id: c.nlis_id.clone(),
            });
        }
        let payload = CattleCreated {
            nlis_id: c.nlis_id.clone(),
            breed: c.breed.trim().to_string(),
            sex: c.sex,
            client_id: c.client_id,
            birth_date: c.birth_date.clone(),
        };
        return Ok(vec![event(
            &payload,
            format!("cattle-created-{}", c.nlis_id),
        )]);
    }
    if let Command::RegisterClient(c) = command {
        // The client stream's id is derived from the PIC, so any prior event there means the
        // PIC is registered. Whether the client id is taken is the shell's to look up.
        let facts = ClientRegisterFacts {
            pic_registered: state.is_some(),
            client_id_taken: false,
        };
        check_client_registration(&c.pic, c.resolved_client_id(), facts)?;
        let payload = ClientRegistered {
            client_id: c.resolved_client_id(),
            name: c.name.trim().to_string(),
            pic: c.pic.clone(),
        };
        return Ok(vec![event(
            &payload,
            format!("client-registered-{}", c.pic),
        )]);
    }
    let Some(state) = state else {
        return Err(Rejection::NotFound {
            cattle_id: command.cattle_id(),
        });
    };
    let decided = match command {
        Command::TransferOwnership(c) => {
            check_transfer(state, c.to_client_id)?;
            check_no_other_offer(state, c.to_client_id)?;
            transfer(state, c.to_client_id, c.price_cents)
        }
        Command::RecordHealth(c) => {
            let trimmed = |text: &Option<String>| text.as_ref().map(|t| t.trim().to_string());
            let payload = HealthRecorded {
                kind: c.kind,
                notes: c.notes.clone(),
                weight_kg: c.weight_kg,
                product: trimmed(&c.product),
                dose: trimmed(&c.dose),
                route: trimmed(&c.route),
                batch: trimmed(&c.batch),
                withholding_days: c.withholding_days.and_then(|d| u32::try_from(d).ok()),
            };
            event(&payload, sequenced_ref(EventType::HealthRecorded, state))
        }
        Command::RecordLocation(c) => {
            check_not_final(state)?;
            let payload = LocationRecorded {
                latitude: c.latitude,
                longitude: c.longitude,
                pic: c.pic.clone(),
                paddock: c.paddock.as_ref().map(|p| p.trim().to_string()),
            };
            event(&payload, sequenced_ref(EventType::LocationRecorded, state))
        }
        Command::AssignMob(c) => {
            check_not_final(state)?;
            let mob = c.mob_name();
            if state.mob == mob {
                return Err(Rejection::SameMob { mob });
            }
            let payload = MobAssigned { mob };
            event(&payload, sequenced_ref(EventType::MobAssigned, state))
        }
        Command::AddVerification(c) => {
            let payload = VerificationAdded {
                kind: c.kind,
                reference: c.reference.clone(),
            };
            event(&payload, sequenced_ref(EventType::VerificationAdded, state))
        }
        Command::ChangeStatus(c) => {
            check_status_change(state, c.status)?;
            let payload = StatusChanged {
                from: state.status,
                to: c.status,
                reason: c.reason.clone(),
            };
            event(&payload, sequenced_ref(EventType::StatusChanged, state))
        }
        Command::RecordValuation(c) => {
            check_not_final(state)?;
            let payload = ValuationUpdated {
                amount_cents: c.amount_cents,
                method: c.method,
                previous_cents: state.current_valuation,
            };
            event(&payload, sequenced_ref(EventType::ValuationUpdated, state))
        }
        Command::ResolveFraudAlert(c) => {
            if state.open_alert(&c.alert_id).is_none() {
                return Err(Rejection::AlertNotOpen {
                    alert_id: c.alert_id.clone(),
                });
            }
            let payload = FraudAlertResolved {
                alert_id: c.alert_id.clone(),
                resolution: c.resolution,
                notes: c.notes.clone(),
            };
            event(&payload, format!("fraud-alert-resolved-{}", c.alert_id))
        }
        Command::AcceptTransfer(_) => {
            let offer = pending_offer(state)?;
            check_transfer(state, offer.to_client_id)?;
            transfer(state, offer.to_client_id, offer.price_cents)
        }
        Command::DeclineTransfer(_) => {
            let offer = pending_offer(state)?;
            let payload = TransferDeclined {
                to_client_id: offer.to_client_id,
            };
            event(&payload, sequenced_ref(EventType::TransferDeclined, state))
        }
        // Handled above; listed so a new command cannot be forgotten here.
        Command::CreateCattle(_) | Command::RegisterClient(_) => return Ok(vec![]),
    };
    Ok(vec![decided])
}

/// Decides a TRANSFER_OWNERSHIP that must wait for the receiving farmer (see
/// `transfer_needs_acceptance`): a TRANSFER_OFFERED, the animal staying with its owner.
pub fn decide_offer(
    state: Option<&CattleState>,
    transfer: &TransferCommand,
) -> Result<Vec<DecidedEvent>, Rejection> {
    transfer.validate().map_err(Rejection::Invalid)?;
    let Some(state) = state else {
        return Err(Rejection::NotFound {
            cattle_id: transfer.cattle_id,
        });
    };
    check_offer(state, transfer.to_client_id)?;
    let payload = TransferOffered {
        from_client_id: state.client_id,
        to_client_id: transfer.to_client_id,
        price_cents: transfer.price_cents,
    };
    Ok(vec![event(
        &payload,
        sequenced_ref(EventType::TransferOffered, state),
    )])
}

/// The OWNERSHIP_TRANSFER of the animal to `to_client_id` (rules already checked).
fn transfer(state: &CattleState, to_client_id: i64, price_cents: Option<i64>) -> DecidedEvent {
    let payload = OwnershipTransfer {
        from_client_id: state.client_id,
        to_client_id,
        price_cents,
    };
    event(&payload, sequenced_ref(EventType::OwnershipTransfer, state))
}

fn event<P: EventPayload>(payload: &P, event_ref: String) -> DecidedEvent {
    DecidedEvent {
        event_type: P::EVENT_TYPE,
        payload: payload.to_payload(),
        event_ref,
    }
}

/// "{event-type-in-kebab-case}-{cattleId}-{next sequence}".
fn sequenced_ref(event_type: EventType, state: &CattleState) -> String {
    let kebab = event_type.as_str().to_ascii_lowercase().replace('_', "-");
    format!(
        "{kebab}-{}-{}",
        state.cattle_id,
        state.sequence.saturating_add(1)
    )
}
