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
    /// The product given (a vaccine, a drench, an antibiotic), 1..=100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// How much ("2 ml", "10 ml/100 kg"), 1..=50 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<String>,
    /// How it was given ("subcutaneous", "pour-on", "oral"), 1..=40 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// The product's batch number, 1..=50 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    /// Days after the treatment before the animal may be slaughtered for meat, 0..=365;
    /// requires the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withholding_days: Option<i64>,
}

/// The longest withholding period accepted, in days.
pub const MAX_WITHHOLDING_DAYS: i64 = 365;

impl RecordHealth {
    pub(crate) fn read(r: &mut DataReader) -> Option<Self> {
        let cattle_id = r.cattle_id("cattleId");
        let kind = r.word("kind", HealthKind::parse, HealthKind::allowed());
        let notes = r.opt_string("notes");
        let weight_kg = r.opt_number("weightKg");
        let product = r.opt_string("product");
        let dose = r.opt_string("dose");
        let route = r.opt_string("route");
        let batch = r.opt_string("batch");
        let withholding_days = r.opt_integer("withholdingDays");
        Some(Self {
            cattle_id: cattle_id?,
            kind: kind?,
            notes: notes?.unwrap_or_default(),
            weight_kg: weight_kg?,
            product: product?,
            dose: dose?,
            route: route?,
            batch: batch?,
            withholding_days: withholding_days?,
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
        for (field, value, max) in [
            ("product", &self.product, 100),
            ("dose", &self.dose, 50),
            ("route", &self.route, 40),
            ("batch", &self.batch, 50),
        ] {
            if let Some(value) = value {
                c.text(field, value, 1, max, false);
            }
        }
        if let Some(days) = self.withholding_days {
            c.int_range("withholdingDays", days, 0, MAX_WITHHOLDING_DAYS);
            if self.product.is_none() {
                c.fail_field("product", "is required with a withholding period");
            }
        }
        if self.kind == HealthKind::Weighing && self.weight_kg.is_none() {
            c.fail_field("weightKg", "is required for a weighing");
        }
        c.finish()
    }
}
