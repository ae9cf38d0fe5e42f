//! REGISTER_CLIENT: a farmer or company that owns cattle.

use super::data_reader::DataReader;
use super::field_rules::Checks;
use crate::{CattleId, FieldError};
use serde::{Deserialize, Serialize};

/// Register a client (cattle owner) at a property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterClient {
    /// The client id to use; when absent it is derived from the PIC (see `resolved_client_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<i64>,
    /// Name, 1..=200 characters.
    pub name: String,
    /// The client's Property Identification Code: 8 upper-case letters or digits.
    pub pic: String,
}

impl RegisterClient {
    pub(crate) fn read(r: &mut DataReader) -> Option<Self> {
        let client_id = r.opt_integer("clientId");
        let name = r.string("name");
        let pic = r.string("pic");
        Some(Self {
            client_id: client_id?,
            name: name?,
            pic: pic?,
        })
    }

    /// The client id: as given, or the id derived from the PIC.
    pub fn resolved_client_id(&self) -> i64 {
        self.client_id
            .unwrap_or_else(|| CattleId::for_client_pic(&self.pic).0)
    }

    /// Format and range checks, naming each bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checks::default();
        if let Some(id) = self.client_id {
            c.id("clientId", id);
        }
        c.text("name", &self.name, 1, 200, false);
        c.pic("pic", &self.pic);
        c.finish()
    }
}
