//! Provenance: how much an animal's identity and history can be trusted.

use crate::wire_enum::wire_enum;
use serde::{Deserialize, Serialize};

wire_enum! {
    /// How risky lending against an animal looks ("LOW" .. "CRITICAL"); ordered by severity.
    RiskLevel {
        /// Nothing suspicious, identity well attested.
        Low = "LOW",
        /// Some doubt: few verifications or a minor flag.
        Medium = "MEDIUM",
        /// Serious flags; an assessor should look.
        High = "HIGH",
        /// Likely fraud; do not lend.
        Critical = "CRITICAL",
    }
}

wire_enum! {
    /// A way an animal's identity was independently checked.
    VerificationKind {
        /// The NLIS database confirms the tag.
        Nlis = "NLIS",
        /// A photo matched the animal's markings.
        Photo = "PHOTO",
        /// A GPS track places it on the owner's property.
        Gps = "GPS",
        /// A biometric (muzzle print) match.
        Biometric = "BIOMETRIC",
        /// A DNA test match.
        Dna = "DNA",
    }
}

wire_enum! {
    /// A fraud flag raised against an animal.
    SuspicionType {
        /// Too many ownership transfers in a short time (laundering through owners).
        RapidOwnershipChanges = "RAPID_OWNERSHIP_CHANGES",
        /// The animal moved faster than cattle can be trucked.
        LocationAnomaly = "LOCATION_ANOMALY",
        /// A valuation jumped far from the last one.
        PriceAnomaly = "PRICE_ANOMALY",
        /// The NLIS tag is claimed by another animal.
        DuplicateNlis = "DUPLICATE_NLIS",
        /// Valuable animal with too few identity checks.
        MissingVerification = "MISSING_VERIFICATION",
        /// A signed event failed verification.
        TamperedRecord = "TAMPERED_RECORD",
        /// Something happened to the animal after it died or left the registry.
        ActivityAfterExit = "ACTIVITY_AFTER_EXIT",
        /// A valuation far outside what the animal's breed and herd are valued at.
        ValuationOutlier = "VALUATION_OUTLIER",
        /// Records signed with one key were refused for tampering again and again.
        RepeatedRefusals = "REPEATED_REFUSALS",
    }
}

impl SuspicionType {
    /// How much this flag lowers confidence, in points out of 100.
    pub fn penalty(&self) -> u8 {
        match self {
            SuspicionType::DuplicateNlis | SuspicionType::TamperedRecord => 50,
            SuspicionType::RapidOwnershipChanges
            | SuspicionType::LocationAnomaly
            | SuspicionType::ActivityAfterExit
            | SuspicionType::RepeatedRefusals => 25,
            SuspicionType::PriceAnomaly | SuspicionType::ValuationOutlier => 15,
            SuspicionType::MissingVerification => 10,
        }
    }
}

/// The seed's provenance block of an envelope: the trust picture when the event was written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// 0..=100; higher is more trustworthy.
    pub confidence_score: u8,
    /// Risk level derived with the confidence score.
    pub risk_level: RiskLevel,
    /// Verifications the animal has passed.
    pub verifications: Vec<VerificationKind>,
    /// Open fraud flags.
    pub suspicions: Vec<SuspicionType>,
}

impl Provenance {
    /// The exact JSON object of this block, as hashed and as sent.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::json!({
            "confidence_score": self.confidence_score,
            "risk_level": self.risk_level.as_str(),
            "verifications": self.verifications.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
            "suspicions": self.suspicions.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        })
    }
}

impl Serialize for Provenance {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // One definition of the wire form: the hashed form is the serialized form.
        self.to_json_value().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde() {
        for v in VerificationKind::ALL.iter().copied() {
            assert_eq!(serde_json::to_value(v).ok(), Some(v.as_str().into()));
        }
        for s in SuspicionType::ALL.iter().copied() {
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
        }
        for r in [
            RiskLevel::Low,
            RiskLevel::Medium,
            RiskLevel::High,
            RiskLevel::Critical,
        ] {
            assert_eq!(serde_json::to_value(r).ok(), Some(r.as_str().into()));
        }
    }

    #[test]
    fn provenance_round_trips() {
        let p = Provenance {
            confidence_score: 80,
            risk_level: RiskLevel::Low,
            verifications: vec![VerificationKind::Nlis, VerificationKind::Dna],
            suspicions: vec![SuspicionType::PriceAnomaly],
        };
        let v = p.to_json_value();
        let back: Result<Provenance, _> = serde_json::from_value(v);
        assert_eq!(back.ok(), Some(p));
    }
}
