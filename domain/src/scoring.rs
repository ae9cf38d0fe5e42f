//! Provenance scoring: confidence 0–100 and a risk level from verifications and suspicions.

use crate::{RiskLevel, SuspicionType, VerificationKind};

/// Confidence every registered animal starts with: its NLIS tag was read at registration.
pub const BASE_CONFIDENCE: u8 = 40;

/// Points a passed verification of this kind adds (each kind counts once).
pub fn verification_weight(kind: VerificationKind) -> u8 {
    match kind {
        VerificationKind::Nlis | VerificationKind::Dna => 20,
        VerificationKind::Biometric => 15,
        VerificationKind::Photo | VerificationKind::Gps => 10,
    }
}

/// Scores an animal: 40 + the weight of each distinct verification, minus the penalty of
/// each distinct suspicion (`SuspicionType::penalty`), clamped to 0..=100. Risk: CRITICAL if
/// a duplicate NLIS or tampered record is suspected or the score is below 30; otherwise
/// HIGH below 50, MEDIUM below 70 or with any open suspicion, else LOW.
pub fn score_provenance(
    verifications: &[VerificationKind],
    suspicions: &[SuspicionType],
) -> (u8, RiskLevel) {
    let mut kinds = verifications.to_vec();
    kinds.sort();
    kinds.dedup();
    let mut flags = suspicions.to_vec();
    flags.sort();
    flags.dedup();
    let gained: i32 = kinds
        .iter()
        .map(|k| i32::from(verification_weight(*k)))
        .sum();
    let lost: i32 = flags.iter().map(|s| i32::from(s.penalty())).sum();
    let score = (i32::from(BASE_CONFIDENCE) + gained - lost).clamp(0, 100);
    let critical_flag = flags.iter().any(|s| {
        matches!(
            s,
            SuspicionType::DuplicateNlis | SuspicionType::TamperedRecord
        )
    });
    let risk = if critical_flag || score < 30 {
        RiskLevel::Critical
    } else if score < 50 {
        RiskLevel::High
    } else if score < 70 || !flags.is_empty() {
        RiskLevel::Medium
    } else {
        RiskLevel::Low
    };
    // score is clamped to 0..=100 above, so it fits in a u8.
    (score as u8, risk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use VerificationKind::*;

    #[test]
    fn new_animal_is_high_risk_until_verified() {
        assert_eq!(score_provenance(&[], &[]), (40, RiskLevel::High));
        assert_eq!(score_provenance(&[Nlis], &[]), (60, RiskLevel::Medium));
        assert_eq!(
            score_provenance(&[Nlis, Photo, Nlis], &[]),
            (70, RiskLevel::Low)
        );
        assert_eq!(
            score_provenance(VerificationKind::ALL, &[]),
            (100, RiskLevel::Low)
        );
    }

    #[test]
    fn suspicions_lower_the_score_and_raise_the_risk() {
        let all = VerificationKind::ALL;
        assert_eq!(
            score_provenance(all, &[SuspicionType::PriceAnomaly]),
            (100, RiskLevel::Medium)
        );
        assert_eq!(
            score_provenance(all, &[SuspicionType::DuplicateNlis]).1,
            RiskLevel::Critical
        );
        assert_eq!(
            score_provenance(&[], SuspicionType::ALL),
            (0, RiskLevel::Critical)
        );
    }
}
