//! RESOLVE_FRAUD_ALERT: an assessor closes a fraud alert.

use super::data_reader::DataReader;
use super::field_rules::{Checks, MAX_NOTES_CHARS};
use crate::{CattleId, FieldError, FraudResolution};
use serde::{Deserialize, Serialize};

/// Close an open fraud alert as confirmed or dismissed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResolveFraudAlert {
    /// The animal.
    pub cattle_id: CattleId,
    /// The alert's id (from its FRAUD_DETECTED payload).
    pub alert_id: String,
    /// CONFIRMED or DISMISSED.
    pub resolution: FraudResolution,
    /// The assessor's notes, at most 2000 characters.
    #[serde(default)]
    pub notes: String,
}

impl ResolveFraudAlert {
    pub(crate) fn read(r: &mut DataReader) -> Option<Self> {
        let cattle_id = r.cattle_id("cattleId");
        let alert_id = r.string("alertId");
        let resolution = r.word(
            "resolution",
            FraudResolution::parse,
            FraudResolution::allowed(),
        );
        let notes = r.opt_string("notes");
        Some(Self {
            cattle_id: cattle_id?,
            alert_id: alert_id?,
            resolution: resolution?,
            notes: notes?.unwrap_or_default(),
        })
    }

    /// Format and range checks, naming each bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checks::default();
        c.id("cattleId", self.cattle_id.0);
        c.text("alertId", &self.alert_id, 1, 128, false);
        c.text("notes", &self.notes, 0, MAX_NOTES_CHARS, true);
        c.finish()
    }
}
