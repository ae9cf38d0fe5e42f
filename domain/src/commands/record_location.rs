//! RECORD_LOCATION: a GPS fix of an animal, and the paddock it is in when the farmer says.

use super::data_reader::DataReader;
use super::field_rules::Checks;
use crate::{CattleId, FieldError};
use serde::{Deserialize, Serialize};

/// Record where an animal is (WGS 84 degrees), optionally on which property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordLocation {
    /// The animal.
    pub cattle_id: CattleId,
    /// Latitude, -90..=90.
    pub latitude: f64,
    /// Longitude, -180..=180.
    pub longitude: f64,
    /// The property (PIC) the fix falls on, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pic: Option<String>,
    /// The paddock the animal is in, by the farm's own name for it (1..=40 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paddock: Option<String>,
}

impl RecordLocation {
    pub(crate) fn read(r: &mut DataReader) -> Option<Self> {
        let cattle_id = r.cattle_id("cattleId");
        let latitude = r.number("latitude");
        let longitude = r.number("longitude");
        let pic = r.opt_string("pic");
        let paddock = r.opt_string("paddock");
        Some(Self {
            cattle_id: cattle_id?,
            latitude: latitude?,
            longitude: longitude?,
            pic: pic?,
            paddock: paddock?,
        })
    }

    /// Format and range checks, naming each bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checks::default();
        c.id("cattleId", self.cattle_id.0);
        c.range("latitude", self.latitude, -90.0, 90.0);
        c.range("longitude", self.longitude, -180.0, 180.0);
        if let Some(pic) = &self.pic {
            c.pic("pic", pic);
        }
        if let Some(paddock) = &self.paddock {
            c.text("paddock", paddock, 1, crate::MOB_NAME_MAX, false);
        }
        c.finish()
    }
}
