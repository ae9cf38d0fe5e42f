//! ADD_VERIFICATION: an independent identity check passed.

use super::data_reader::DataReader;
use super::field_rules::Checks;
use crate::{CattleId, FieldError, VerificationKind};
use serde::{Deserialize, Serialize};

/// Record that the animal passed an identity check (NLIS, photo, GPS, biometric, DNA).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddVerification {
    /// The animal.
    pub cattle_id: CattleId,
    /// Which kind of check.
    pub kind: VerificationKind,
    /// The checker's reference (lab report number, photo id, …), 1..=200 characters.
    pub reference: String,
}

impl AddVerification {
    pub(crate) fn read(r: &mut DataReader) -> Option<Self> {
        let cattle_id = r.cattle_id("cattleId");
        let kind = r.word("kind", VerificationKind::parse, VerificationKind::allowed());
        let reference = r.string("reference");
        Some(Self {
            cattle_id: cattle_id?,
            kind: kind?,
            reference: reference?,
        })
    }

    /// Format and range checks, naming each bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checks::default();
        c.id("cattleId", self.cattle_id.0);
        c.text("reference", &self.reference, 1, 200, false);
        c.finish()
    }
}
