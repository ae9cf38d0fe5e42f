//! Fraud rules on events the log holds but the animal's chain refused: a second registration
//! of a tag, a record altered after signing, activity after the animal's death or exit.
//!
//! An ordinary race (two writers claiming the same sequence) is refused too, and is not
//! fraud: these rules look only at what a race cannot explain.

use crate::fraud_rules::{finding, finding_on, FraudFinding};
use crate::payloads::{CattleCreated, EventPayload};
use crate::protocol::{verify_next_with, ChainHead, SignatureCheck, VerificationFailure};
use crate::CreateCattle;
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
    if let Some(why) = tampering(refusal) {
        let found = tampered(event, &why);
        return (!found.is_open_on(before)).then_some(found);
    }
    let found = match refusal {
        StreamRefusal::Verification(
            VerificationFailure::SequenceGap { .. } | VerificationFailure::ChainLink { .. },
        ) => second_registration(before, event, check),
        StreamRefusal::Rule(ApplyError::Rule(
            Rejection::Deceased | Rejection::FinalStatus { .. },
        )) => Some(after_exit(before, event)),
        _ => None,
    }?;
    (!found.is_open_on(before)).then_some(found)
}

/// Why `refusal` shows a record altered or forged, when it does: a signature, hash or author
/// that does not hold up, or a key nobody trusts. A race (two writers on one head, and what
/// each then builds on its lost event) breaks only the chain, and is not tampering.
pub fn tampering(refusal: &StreamRefusal) -> Option<String> {
    match refusal {
        StreamRefusal::UnknownKey(key) => {
            Some(format!("signed by {key}, a key the registry does not know"))
        }
        StreamRefusal::Verification(
            failure @ (VerificationFailure::PayloadHash { .. }
            | VerificationFailure::IdempotencyKey { .. }
            | VerificationFailure::EventHash
            | VerificationFailure::Signature
            | VerificationFailure::MerkleRoot { .. }
            | VerificationFailure::UnknownKey { .. }
            | VerificationFailure::NotTheAuthor { .. }),
        ) => Some(failure.to_string()),
        StreamRefusal::Verification(_) | StreamRefusal::Rule(_) => None,
    }
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

/// The finding on a registration the command handler refused because `existing` holds its
/// tag, when the claim names another client: the tag claimed for a second herd, by user
/// `claimed_by`. Its alert id names the animal's head and the claiming client, so the same
/// claim sent again is the same finding. Quiet while such an alert is open.
pub fn detect_rejected_registration(
    existing: &CattleState,
    claim: &CreateCattle,
    claimed_by: &str,
) -> Option<FraudFinding> {
    if claim.client_id == existing.client_id {
        return None;
    }
    let found = finding_on(
        existing.cattle_id,
        &format!("{}-for-{}", existing.sequence, claim.client_id),
        SuspicionType::DuplicateNlis,
        RiskLevel::Critical,
        format!(
            "NLIS tag {} registered again for client {} while it belongs to client {}",
            existing.nlis_id, claim.client_id, existing.client_id
        ),
        json!({
            "nlisId": existing.nlis_id,
            "registeredTo": existing.client_id,
            "claimedFor": claim.client_id,
            "claimedBy": claimed_by,
        }),
    );
    (!found.is_open_on(existing)).then_some(found)
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
