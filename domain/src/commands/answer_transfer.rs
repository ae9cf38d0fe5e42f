//! ACCEPT_TRANSFER and DECLINE_TRANSFER: the answer to a transfer waiting for acceptance.

use super::data_reader::DataReader;
use super::field_rules::Checks;
use crate::{CattleId, FieldError};
use serde::{Deserialize, Serialize};

/// Accept or decline the transfer offered for an animal. The offer itself names the client
/// and the price, so the answer names only the animal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnswerTransfer {
    /// The animal offered.
    pub cattle_id: CattleId,
}

impl AnswerTransfer {
    pub(crate) fn read(r: &mut DataReader) -> Option<Self> {
        let cattle_id = r.cattle_id("cattleId");
        Some(Self {
            cattle_id: cattle_id?,
        })
    }

    /// Format and range checks, naming each bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checks::default();
        c.id("cattleId", self.cattle_id.0);
        c.finish()
    }
}
