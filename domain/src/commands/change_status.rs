//! CHANGE_STATUS: an animal is sold, dies, goes missing, …

use super::data_reader::DataReader;
use super::field_rules::Checks;
use crate::{CattleId, CattleStatus, FieldError};
use serde::{Deserialize, Serialize};

/// Change an animal's status, saying why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeStatus {
    /// The animal.
    pub cattle_id: CattleId,
    /// The new status.
    pub status: CattleStatus,
    /// Why, 1..=500 characters.
    pub reason: String,
}

impl ChangeStatus {
    pub(crate) fn read(r: &mut DataReader) -> Option<Self> {
        let cattle_id = r.cattle_id("cattleId");
        let status = r.word("status", CattleStatus::parse, CattleStatus::allowed());
        let reason = r.string("reason");
        Some(Self {
            cattle_id: cattle_id?,
            status: status?,
            reason: reason?,
        })
    }

    /// Format and range checks, naming each bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checks::default();
        c.id("cattleId", self.cattle_id.0);
        c.text("reason", &self.reason, 1, 500, true);
        c.finish()
    }
}
