//! RECORD_VALUATION: an assessor values an animal.

use super::data_reader::DataReader;
use super::field_rules::{Checks, MAX_PRICE_CENTS};
use crate::{CattleId, FieldError, ValuationMethod};
use serde::{Deserialize, Serialize};

/// Record an assessor's valuation of an animal, in cents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordValuation {
    /// The animal.
    pub cattle_id: CattleId,
    /// The value in cents, 1..=1_000_000_000.
    pub amount_cents: i64,
    /// How it was arrived at.
    pub method: ValuationMethod,
}

impl RecordValuation {
    pub(crate) fn read(r: &mut DataReader) -> Option<Self> {
        let cattle_id = r.cattle_id("cattleId");
        let amount_cents = r.integer("amountCents");
        let method = r.word("method", ValuationMethod::parse, ValuationMethod::allowed());
        Some(Self {
            cattle_id: cattle_id?,
            amount_cents: amount_cents?,
            method: method?,
        })
    }

    /// Format and range checks, naming each bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checks::default();
        c.id("cattleId", self.cattle_id.0);
        c.int_range("amountCents", self.amount_cents, 1, MAX_PRICE_CENTS);
        c.finish()
    }
}
