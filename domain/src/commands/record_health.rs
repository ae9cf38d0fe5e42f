//! RECORD_HEALTH: a vaccination, treatment, inspection, weighing, illness or injury.

use super::data_reader::DataReader;
use super::field_rules::{Checks, MAX_NOTES_CHARS, MAX_WEIGHT_KG};
use crate::{CattleId, FieldError, HealthKind};
use serde::{Deserialize, Serialize};

/// Record a health event, optionally with the animal's weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordHealth {
    /// The animal.
    pub cattle_id: CattleId,
    /// What kind of record.
    pub kind: HealthKind,
    /// Free text, at most 2000 characters (may be empty).
    #[serde(default)]
    pub notes: String,
    /// Live weight in kilograms, 1..=2000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<f64>,
}

impl RecordHealth {
    pub(crate) fn read(r: &mut DataReader) -> Option<Self> {
        let cattle_id = r.cattle_id("cattleId");
        let kind = r.word("kind", HealthKind::parse, HealthKind::allowed());
        let notes = r.opt_string("notes");
        let weight_kg = r.opt_number("weightKg");
        Some(Self {
            cattle_id: cattle_id?,
            kind: kind?,
            notes: notes?.unwrap_or_default(),
            weight_kg: weight_kg?,
        })
    }

    /// Format and range checks, naming each bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checks::default();
        c.id("cattleId", self.cattle_id.0);
        c.text("notes", &self.notes, 0, MAX_NOTES_CHARS, true);
        if let Some(w) = self.weight_kg {
            c.range("weightKg", w, 1.0, MAX_WEIGHT_KG);
        }
        if self.kind == HealthKind::Weighing && self.weight_kg.is_none() {
            c.fail_field("weightKg", "is required for a weighing");
        }
        c.finish()
    }
}
