//! One alert of the fraud desk, with the animal and owner it concerns.
use domain::{RiskLevel, SuspicionType};
use serde::{Deserialize, Serialize};

/// A fraud alert as the fraud view holds it, with the animal's tag and owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FraudAlert {
    /// The alert's id: its rule, its animal and the sequence of the event that raised it.
    pub alert_id: String,
    /// The animal.
    pub cattle_id: i64,
    /// Its NLIS tag (empty when the golden record does not hold the animal yet).
    pub nlis_id: String,
    /// The owner's name and PIC, when known.
    pub owner: Option<String>,
    /// The rule that raised it.
    pub suspicion: SuspicionType,
    /// How serious.
    pub severity: RiskLevel,
    /// The rule's sentence of evidence.
    pub description: String,
    /// The facts the rule saw.
    pub evidence: serde_json::Value,
    /// When it was raised (RFC 3339).
    pub detected_at: String,
    /// `None` while open; `CONFIRMED` or `DISMISSED` once resolved.
    pub resolution: Option<String>,
    /// When it was resolved.
    pub resolved_at: Option<String>,
}

impl FraudAlert {
    /// Whether it still waits for an assessor.
    pub fn is_open(&self) -> bool {
        self.resolution.is_none()
    }
}

/// The rule behind a suspicion, in the words of the desk.
pub fn suspicion_words(suspicion: SuspicionType) -> &'static str {
    match suspicion {
        SuspicionType::RapidOwnershipChanges => "Ownership churn",
        SuspicionType::LocationAnomaly => "Impossible journey",
        SuspicionType::PriceAnomaly => "Valuation jump",
        SuspicionType::DuplicateNlis => "Tag registered twice",
        SuspicionType::MissingVerification => "High value, unverified",
        SuspicionType::TamperedRecord => "Record failed verification",
        SuspicionType::ActivityAfterExit => "Activity after death or exit",
        SuspicionType::ValuationOutlier => "Value far outside breed and herd",
        SuspicionType::RepeatedRefusals => "One key's records refused again and again",
    }
}

/// Most serious first.
pub fn severity_rank(severity: RiskLevel) -> u8 {
    match severity {
        RiskLevel::Critical => 0,
        RiskLevel::High => 1,
        RiskLevel::Medium => 2,
        RiskLevel::Low => 3,
    }
}
