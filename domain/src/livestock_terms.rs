//! The closed word lists of the cattle business, as they travel on the wire.

use crate::wire_enum::wire_enum;

wire_enum! {
    /// The animal's sex.
    Sex { /** Bull or steer. */ Male = "MALE", /** Cow or heifer. */ Female = "FEMALE" }
}

wire_enum! {
    /// Where an animal stands in its life in the registry.
    CattleStatus {
        /// On the property, can be traded and lent against.
        Active = "ACTIVE",
        /// Sold out of the registry (to a buyer outside iCattle).
        Sold = "SOLD",
        /// Dead; final.
        Deceased = "DECEASED",
        /// Cannot be found; may come back.
        Missing = "MISSING",
        /// Reported stolen; may be recovered.
        Stolen = "STOLEN",
        /// Shipped overseas; final.
        Exported = "EXPORTED",
    }
}

impl CattleStatus {
    /// True for statuses no animal ever leaves (death, export).
    pub fn is_final(&self) -> bool {
        matches!(self, CattleStatus::Deceased | CattleStatus::Exported)
    }
}

wire_enum! {
    /// What kind of health record.
    HealthKind {
        /// A vaccine was given.
        Vaccination = "VACCINATION",
        /// A treatment (drench, antibiotics, …).
        Treatment = "TREATMENT",
        /// A vet's inspection.
        Inspection = "INSPECTION",
        /// The animal was weighed.
        Weighing = "WEIGHING",
        /// An illness was diagnosed.
        Illness = "ILLNESS",
        /// An injury was found.
        Injury = "INJURY",
    }
}

wire_enum! {
    /// How an assessor arrived at a valuation.
    ValuationMethod {
        /// From current saleyard prices.
        Market = "MARKET",
        /// From live weight times a price per kilogram.
        WeightBased = "WEIGHT_BASED",
        /// A professional appraisal.
        Appraisal = "APPRAISAL",
        /// The price of an actual sale.
        Sale = "SALE",
    }
}

wire_enum! {
    /// How an assessor closed a fraud alert.
    FraudResolution {
        /// The fraud was real; the flag stays on the animal's record.
        Confirmed = "CONFIRMED",
        /// A false alarm; the flag is removed.
        Dismissed = "DISMISSED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        assert_eq!(Sex::parse("MALE"), Some(Sex::Male));
        assert_eq!(Sex::parse("male"), None);
        assert_eq!(Sex::allowed(), "MALE, FEMALE");
        assert_eq!(
            serde_json::to_value(CattleStatus::Deceased).ok(),
            Some("DECEASED".into())
        );
        assert_eq!(
            serde_json::from_str::<ValuationMethod>("\"WEIGHT_BASED\"").ok(),
            Some(ValuationMethod::WeightBased)
        );
        assert!(CattleStatus::Exported.is_final() && !CattleStatus::Missing.is_final());
        assert_eq!(HealthKind::ALL.len(), 6);
        assert_eq!(FraudResolution::Dismissed.to_string(), "DISMISSED");
    }
}
