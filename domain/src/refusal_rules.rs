//! Fraud rules on events the log holds but the animal's chain refused: a second registration
//! of a tag, a record altered after signing, activity after the animal's death or exit.
//!
//! An ordinary race (two writers claiming the same sequence) is refused too, and is not
//! fraud: these rules look only at what a race cannot explain.

use crate::fraud_rules::{finding, FraudFinding};
use crate::payloads::{CattleCreated, EventPayload};
use crate::protocol::{verify_next_with, ChainHead, SignatureCheck, VerificationFailure};
use crate::{ApplyError, CattleState, EventEnvelope, EventType, Rejection, RiskLevel};
use crate::{StreamRefusal, SuspicionType};
use serde_json::json;

/// Runs the rules on `event`, which the chain of the animal in state `before` refused for
/// `refusal`. `check` decides signatures (a second registration counts only when it is
/// genuinely signed). Quiet while an alert of the same suspicion is open.
pub fn detect_refused(
    before: &CattleState,
    event: &EventEnvelope,
    refusal: &StreamRefusal,
    check: &impl SignatureCheck,
) -> Option<FraudFinding> {
    let found = match refusal {
        StreamRefusal::UnknownKey(key) => Some(tampered(
            event,
            &format!("signed by {key}, a key the registry does not know"),
        )),
        StreamRefusal::Verification(failure) => match failure {
            VerificationFailure::SequenceGap { .. } | VerificationFailure::ChainLink { .. } => {
                second_registration(before, event, check)
            }
            VerificationFailure::PayloadHash { .. }
            | VerificationFailure::IdempotencyKey { .. }
            | VerificationFailure::EventHash
            | VerificationFailure::Signature
            | VerificationFailure::MerkleRoot { .. }
            | VerificationFailure::UnknownKey { .. }
            | VerificationFailure::NotTheAuthor { .. } => {
                Some(tampered(event, &failure.to_string()))
            }
            VerificationFailure::Malformed(_) | VerificationFailure::Duplicate { .. } => None,
        },
        StreamRefusal::Rule(ApplyError::Rule(
            Rejection::Deceased | Rejection::FinalStatus { .. },
        )) => Some(after_exit(before, event)),
        StreamRefusal::Rule(_) => None,
    }?;
    let open = before
        .open_alerts
        .iter()
        .any(|alert| alert.suspicion == found.suspicion || alert.alert_id == found.alert_id);
    (!open).then_some(found)
}

/// A CATTLE_CREATED for a tag already registered, signed as a first event, naming another
/// owner: the same tag claimed for two herds. (A copy of the same registration is a
/// duplicate, not a claim.)
fn second_registration(
    before: &CattleState,
    event: &EventEnvelope,
    check: &impl SignatureCheck,
) -> Option<FraudFinding> {
    if event.metadata.event_type != EventType::CattleCreated {
        return None;
    }
    verify_next_with(event, &ChainHead::default(), check).ok()?;
    let claim = CattleCreated::from_payload(&event.payload).ok()?;
    if claim.client_id == before.client_id {
        return None;
    }
    Some(finding(
        event,
        SuspicionType::DuplicateNlis,
        RiskLevel::Critical,
        format!(
            "NLIS tag {} registered again for client {} while it belongs to client {}",
            before.nlis_id, claim.client_id, before.client_id
        ),
        json!({
            "nlisId": before.nlis_id,
            "registeredTo": before.client_id,
            "claimedFor": claim.client_id,
            "claimEventId": event.metadata.event_id,
        }),
    ))
}

/// An event whose signature, hashes or author do not hold up.
fn tampered(event: &EventEnvelope, why: &str) -> FraudFinding {
    let m = &event.metadata;
    finding(
        event,
        SuspicionType::TamperedRecord,
        RiskLevel::Critical,
        format!("a {} record failed verification: {why}", m.event_type),
        json!({"eventId": m.event_id, "eventType": m.event_type.as_str(), "failure": why}),
    )
}

/// An event for an animal that died or left the registry.
fn after_exit(before: &CattleState, event: &EventEnvelope) -> FraudFinding {
    let m = &event.metadata;
    finding(
        event,
        SuspicionType::ActivityAfterExit,
        RiskLevel::High,
        format!(
            "a {} record arrived after the animal was marked {}",
            m.event_type, before.status
        ),
        json!({"eventId": m.event_id, "eventType": m.event_type.as_str(), "status": before.status.as_str()}),
    )
}
