//! Fraud rules: pure checks of a new event against the animal's state before it.
//!
//! The fraud detector (a consumer) runs these and publishes FRAUD_DETECTED events signed
//! with its own key; replays read those events rather than re-running the rules.

use crate::payloads::{
    EventPayload, FraudDetected, LocationRecorded, OwnershipTransfer, ValuationUpdated,
};
use crate::{
    dollars, timestamp_millis, CattleId, CattleState, DecidedEvent, EventEnvelope, EventType,
    RiskLevel, SuspicionType,
};
use serde_json::{json, Value};

/// More than this many transfers within `RAPID_TRANSFER_WINDOW_DAYS` is suspicious.
pub const RAPID_TRANSFER_LIMIT: usize = 3;
/// The window of the rapid-transfer rule, in days.
pub const RAPID_TRANSFER_WINDOW_DAYS: i64 = 30;
/// Faster than a cattle truck on a highway, in km/h.
pub const MAX_PLAUSIBLE_SPEED_KMH: f64 = 120.0;
/// A valuation moving more than this fraction from the previous one is suspicious.
pub const PRICE_JUMP_FRACTION: f64 = 0.5;
/// Valuations from this many cents up need at least `MIN_VERIFICATIONS_FOR_VALUE` checks.
pub const HIGH_VALUE_CENTS: i64 = 1_000_000;
/// Identity checks a high-value animal should have.
pub const MIN_VERIFICATIONS_FOR_VALUE: usize = 2;

/// One rule that fired: what it suspects and why.
#[derive(Debug, Clone, PartialEq)]
pub struct FraudFinding {
    /// Deterministic alert id: "{suspicion}-{cattle_id}-{sequence of the triggering event}",
    /// or "{suspicion}-{cattle_id}-{head sequence}-for-{client}" for a registration refused
    /// at the door.
    pub alert_id: String,
    /// What is suspected.
    pub suspicion: SuspicionType,
    /// How serious.
    pub severity: RiskLevel,
    /// Human-readable explanation.
    pub description: String,
    /// The facts the rule saw.
    pub evidence: Value,
}

impl FraudFinding {
    /// Whether the animal has this alert, or one of its suspicion, open: one problem raises
    /// one alert until an assessor resolves it.
    pub fn is_open_on(&self, animal: &CattleState) -> bool {
        animal
            .open_alerts
            .iter()
            .any(|open| open.alert_id == self.alert_id || open.suspicion == self.suspicion)
    }

    /// The FRAUD_DETECTED event to publish (event_ref "fraud-detected-{alert_id}").
    pub fn to_event(&self) -> DecidedEvent {
        let payload = FraudDetected {
            alert_id: self.alert_id.clone(),
            suspicion: self.suspicion,
            severity: self.severity,
            description: self.description.clone(),
            evidence: self.evidence.clone(),
        };
        DecidedEvent {
            event_type: EventType::FraudDetected,
            payload: payload.to_payload(),
            event_ref: format!("fraud-detected-{}", self.alert_id),
        }
    }
}

/// Runs every rule for `event` against `before` (the animal's state before it). A rule whose
/// suspicion already has an open alert stays quiet, so one problem raises one alert.
pub fn detect_fraud(before: &CattleState, event: &EventEnvelope) -> Vec<FraudFinding> {
    let m = &event.metadata;
    let findings = match m.event_type {
        EventType::OwnershipTransfer => rapid_transfers(before, event).into_iter().collect(),
        EventType::LocationRecorded => location_jump(before, event).into_iter().collect(),
        EventType::ValuationUpdated => [price_jump(before, event), unverified_value(before, event)]
            .into_iter()
            .flatten()
            .collect(),
        _ => Vec::new(),
    };
    findings
        .into_iter()
        .filter(|f: &FraudFinding| !f.is_open_on(before))
        .collect()
}

pub(crate) fn finding(
    event: &EventEnvelope,
    suspicion: SuspicionType,
    severity: RiskLevel,
    description: String,
    evidence: Value,
) -> FraudFinding {
    let m = &event.metadata;
    finding_on(
        m.cattle_id,
        &m.sequence.to_string(),
        suspicion,
        severity,
        description,
        evidence,
    )
}

/// A finding on animal `cattle_id` whose alert id ends in `tail` (what raised it).
pub(crate) fn finding_on(
    cattle_id: CattleId,
    tail: &str,
    suspicion: SuspicionType,
    severity: RiskLevel,
    description: String,
    evidence: Value,
) -> FraudFinding {
    FraudFinding {
        alert_id: format!(
            "{}-{}-{tail}",
            suspicion.as_str().to_ascii_lowercase(),
            cattle_id,
        ),
        suspicion,
        severity,
        description,
        evidence,
    }
}

fn rapid_transfers(before: &CattleState, event: &EventEnvelope) -> Option<FraudFinding> {
    OwnershipTransfer::from_payload(&event.payload).ok()?;
    let now = timestamp_millis(&event.metadata.occurred_at)?;
    let window = RAPID_TRANSFER_WINDOW_DAYS * 86_400_000;
    let recent = before
        .recent_transfers
        .iter()
        .filter_map(|t| timestamp_millis(t))
        .filter(|t| now - t <= window)
        .count()
        + 1;
    (recent > RAPID_TRANSFER_LIMIT).then(|| {
        finding(
            event,
            SuspicionType::RapidOwnershipChanges,
            RiskLevel::High,
            format!("{recent} ownership transfers within {RAPID_TRANSFER_WINDOW_DAYS} days"),
            json!({"transfersInWindow": recent, "windowDays": RAPID_TRANSFER_WINDOW_DAYS}),
        )
    })
}

fn location_jump(before: &CattleState, event: &EventEnvelope) -> Option<FraudFinding> {
    let last = before.last_location.as_ref()?;
    let fix = LocationRecorded::from_payload(&event.payload).ok()?;
    let km = distance_km(last.latitude, last.longitude, fix.latitude, fix.longitude);
    let hours = (timestamp_millis(&event.metadata.occurred_at)? - timestamp_millis(&last.at)?)
        as f64
        / 3_600_000.0;
    // A fix at the same instant (or earlier) may only differ by GPS noise.
    let implausible = if hours <= 0.0 {
        km > 1.0
    } else {
        km / hours > MAX_PLAUSIBLE_SPEED_KMH
    };
    implausible.then(|| {
        let speed = if hours > 0.0 { (km / hours).round() } else { f64::INFINITY };
        finding(
            event,
            SuspicionType::LocationAnomaly,
            RiskLevel::High,
            format!("moved {:.0} km in {:.1} h", km, hours.max(0.0)),
            json!({"distanceKm": km.round(), "hours": hours, "speedKmh": if speed.is_finite() { json!(speed) } else { Value::Null }}),
        )
    })
}

fn price_jump(before: &CattleState, event: &EventEnvelope) -> Option<FraudFinding> {
    let previous = before.current_valuation.filter(|p| *p > 0)?;
    let v = ValuationUpdated::from_payload(&event.payload).ok()?;
    let change = (v.amount_cents as f64 - previous as f64) / previous as f64;
    (change.abs() > PRICE_JUMP_FRACTION).then(|| {
        finding(
            event,
            SuspicionType::PriceAnomaly,
            RiskLevel::Medium,
            format!(
                "valuation moved {:+.0}% from the previous one",
                change * 100.0
            ),
            json!({"previousCents": previous, "amountCents": v.amount_cents}),
        )
    })
}

fn unverified_value(before: &CattleState, event: &EventEnvelope) -> Option<FraudFinding> {
    let v = ValuationUpdated::from_payload(&event.payload).ok()?;
    (v.amount_cents >= HIGH_VALUE_CENTS && before.verifications.len() < MIN_VERIFICATIONS_FOR_VALUE)
        .then(|| {
            finding(
                event,
                SuspicionType::MissingVerification,
                RiskLevel::Medium,
                format!(
                    "valued at {} with {} identity checks",
                    dollars(v.amount_cents),
                    before.verifications.len()
                ),
                json!({"amountCents": v.amount_cents, "verifications": before.verifications}),
            )
        })
}

/// Great-circle distance in kilometres (haversine, mean Earth radius 6371 km).
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().min(1.0).asin()
}
