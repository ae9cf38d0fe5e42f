//! The current state of one animal: what the fold of its events yields.

use crate::Provenance;
use crate::{
    CattleId, CattleStatus, HealthKind, RiskLevel, Sex, SuspicionType, ValuationMethod,
    VerificationKind,
};
use serde::{Deserialize, Serialize};

/// Everything the golden record knows about one animal (snake_case JSON, as stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CattleState {
    /// The animal's aggregate id.
    pub cattle_id: CattleId,
    /// NLIS device id.
    pub nlis_id: String,
    /// Breed.
    pub breed: String,
    /// Sex.
    pub sex: Sex,
    /// Date of birth, if known.
    pub birth_date: Option<String>,
    /// The current owner.
    pub client_id: i64,
    /// Where the animal stands.
    pub status: CattleStatus,
    /// Latest valuation in cents.
    pub current_valuation: Option<i64>,
    /// How the latest valuation was made.
    pub valuation_method: Option<ValuationMethod>,
    /// When the latest valuation was made.
    pub valued_at: Option<String>,
    /// How many health records the animal has.
    pub health_record_count: u32,
    /// The latest health record.
    pub last_health: Option<HealthNote>,
    /// The latest recorded weight in kilograms.
    pub weight_kg: Option<f64>,
    /// The latest GPS fix.
    pub last_location: Option<LocationFix>,
    /// Identity checks passed (sorted, each kind once).
    pub verifications: Vec<VerificationKind>,
    /// Fraud alerts raised and not yet resolved.
    pub open_alerts: Vec<OpenAlert>,
    /// Suspicions an assessor confirmed (they stay).
    pub confirmed_suspicions: Vec<SuspicionType>,
    /// All current suspicions: open alerts' and confirmed ones (sorted, each once).
    pub suspicions: Vec<SuspicionType>,
    /// Provenance confidence 0..=100 (see `score_provenance`).
    pub confidence_score: u8,
    /// Provenance risk level.
    pub risk_level: RiskLevel,
    /// How many times the animal changed owner.
    pub transfer_count: u32,
    /// occurred_at of the latest transfers (at most `RECENT_TRANSFERS_KEPT`), oldest first.
    pub recent_transfers: Vec<String>,
    /// When the animal was registered (occurred_at of CATTLE_CREATED).
    pub created_at: String,
    /// occurred_at of the latest event.
    pub updated_at: String,
    /// Sequence of the latest event applied.
    pub sequence: u64,
    /// A transfer offered to another farmer's client and not yet answered. Absent from
    /// states stored before offers existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_transfer: Option<PendingTransfer>,
    /// The mob the animal runs with, if it is in one. Absent from states stored before mobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mob: Option<String>,
    /// The last day of the longest withholding period of its treatments ("YYYY-MM-DD", UTC):
    /// until then it may not go for slaughter. Absent when it never had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withholding_until: Option<String>,
}

/// How many transfer times the state keeps for the fraud rules.
pub const RECENT_TRANSFERS_KEPT: usize = 10;

/// The gist of one health record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthNote {
    /// What kind.
    pub kind: HealthKind,
    /// When (occurred_at).
    pub at: String,
}

/// One GPS fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationFix {
    /// Latitude in degrees.
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// Property, if known.
    pub pic: Option<String>,
    /// The paddock, by the farm's name for it, when the farmer gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paddock: Option<String>,
    /// When (occurred_at).
    pub at: String,
}

/// A fraud alert not yet resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenAlert {
    /// The alert id.
    pub alert_id: String,
    /// What is suspected.
    pub suspicion: SuspicionType,
    /// How serious.
    pub severity: RiskLevel,
    /// When it was raised (occurred_at).
    pub raised_at: String,
}

/// A transfer waiting for the receiving farmer's acceptance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingTransfer {
    /// The client offered the animal.
    pub to_client_id: i64,
    /// The price asked, in cents, if reported.
    pub price_cents: Option<i64>,
    /// When it was offered (occurred_at).
    pub offered_at: String,
}

impl CattleState {
    /// Derives confidence and risk from the verifications and suspicions, by the scoring
    /// rules (`score_provenance`): they are never facts of their own.
    pub fn rescore(&mut self) {
        let (score, risk) = crate::score_provenance(&self.verifications, &self.suspicions);
        self.confidence_score = score;
        self.risk_level = risk;
    }

    /// The provenance block to put on an event written about this animal now.
    pub fn provenance(&self) -> Provenance {
        Provenance {
            confidence_score: self.confidence_score,
            risk_level: self.risk_level,
            verifications: self.verifications.clone(),
            suspicions: self.suspicions.clone(),
        }
    }

    /// The open alert with this id, if any.
    pub fn open_alert(&self, alert_id: &str) -> Option<&OpenAlert> {
        self.open_alerts.iter().find(|a| a.alert_id == alert_id)
    }
}
