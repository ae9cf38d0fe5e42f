//! TRANSFER_OWNERSHIP: move an animal to another client.

use super::data_reader::DataReader;
use super::field_rules::{Checks, MAX_PRICE_CENTS};
use crate::{CattleId, FieldError};
use serde::{Deserialize, Serialize};

/// Transfer an animal to a new owner, optionally recording the price paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransferOwnership {
    /// The animal.
    pub cattle_id: CattleId,
    /// The new owner.
    pub to_client_id: i64,
    /// Price paid, in cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_cents: Option<i64>,
}

impl TransferOwnership {
    pub(crate) fn read(r: &mut DataReader) -> Option<Self> {
        let cattle_id = r.cattle_id("cattleId");
        let to_client_id = r.integer("toClientId");
        let price_cents = r.opt_integer("priceCents");
        Some(Self {
            cattle_id: cattle_id?,
            to_client_id: to_client_id?,
            price_cents: price_cents?,
        })
    }

    /// Format and range checks, naming each bad field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut c = Checks::default();
        c.id("cattleId", self.cattle_id.0);
        c.id("toClientId", self.to_client_id);
        if let Some(price) = self.price_cents {
            c.int_range("priceCents", price, 0, MAX_PRICE_CENTS);
        }
        c.finish()
    }
}
