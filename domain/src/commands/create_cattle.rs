//! CREATE_CATTLE: register a new animal.

use super::data_reader::DataReader;
use super::field_rules::Checks;
use crate::{is_valid_date, FieldError, Sex};
use serde::{Deserialize, Serialize};

/// Register an animal under its NLIS tag, owned by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCattle {
    /// The NLIS device id: 16 upper-case letters or digits.
    pub nlis_id: String,
    /// Breed name, 1..=100 characters.
    pub breed: String,
    /// MALE or FEMALE.
    pub sex: Sex,
    /// The owning client.
    pub client_id: i64,
    /// Date of birth "YYYY-MM-DD", if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
}

impl CreateCattle {
    pub(crate) fn read(r: &mut DataReader) -> Option<Self> {
        let nlis_id = r.string("nlisId");
        let breed = r.string("breed");
        let sex = r.word("sex", Sex::parse, Sex::allowed());
        let client_id = r.integer("clientId");
        let birth_date = r.opt_string("birthDate");
        Some(Self {
            nlis_id: nlis_id?,
            breed: breed?,
            sex: sex?,
            client_id: client_id?,
            birth_date: birth_date?,
        })
    }

    /// Format and range checks, naming each bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checks::default();
        c.nlis_id("nlisId", &self.nlis_id);
        c.text("breed", &self.breed, 1, 100, false);
        c.id("clientId", self.client_id);
        if let Some(date) = &self.birth_date {
            if !is_valid_date(date) {
                c.fail_field(
                    "birthDate",
                    "must be a date YYYY-MM-DD between 1980 and 2100",
                );
            }
        }
        c.finish()
    }
}
