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

/// Confidence at or above which an animal with no open suspicion is LOW risk: one strong
/// check (NLIS database or DNA) or two lighter ones on top of the tag read at registration.
pub const CHECKED_CONFIDENCE: u8 = 60;

/// Why an animal has its risk level, in the order the rules are tried; the animal page says
/// each in words and the scoring page lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskReason {
    /// CRITICAL: the tag is claimed by another animal, or a record failed verification.
    CriticalSuspicion(SuspicionType),
    /// CRITICAL: open suspicions took confidence below 30.
    ConfidenceCollapsed,
    /// HIGH: a suspicion is open and confidence is below 50.
    SuspicionWithLowConfidence(SuspicionType),
    /// MEDIUM: a suspicion is open (confidence 50 or more).
    OpenSuspicion(SuspicionType),
    /// MEDIUM: no suspicion, but nothing beyond the tag read at registration (and perhaps
    /// one light check) vouches for the animal yet.
    NotYetChecked,
    /// LOW: no suspicion and enough checks.
    Checked,
}

impl RiskReason {
    /// The risk level this reason gives.
    pub fn level(&self) -> RiskLevel {
        match self {
            RiskReason::CriticalSuspicion(_) | RiskReason::ConfidenceCollapsed => {
                RiskLevel::Critical
            }
            RiskReason::SuspicionWithLowConfidence(_) => RiskLevel::High,
            RiskReason::OpenSuspicion(_) | RiskReason::NotYetChecked => RiskLevel::Medium,
            RiskReason::Checked => RiskLevel::Low,
        }
    }
}

fn distinct<T: Copy + Ord>(items: &[T]) -> Vec<T> {
    let mut items = items.to_vec();
    items.sort();
    items.dedup();
    items
}

/// One part of an animal's confidence score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScorePart {
    /// The NLIS tag read when it was registered (`BASE_CONFIDENCE`).
    TagRead,
    /// A kind of check it passed (`verification_weight`).
    Check(VerificationKind),
    /// An open suspicion (`SuspicionType::penalty`, taken off).
    Alert(SuspicionType),
}

impl ScorePart {
    /// The points this part adds (negative for an alert).
    pub fn points(&self) -> i32 {
        match self {
            ScorePart::TagRead => i32::from(BASE_CONFIDENCE),
            ScorePart::Check(kind) => i32::from(verification_weight(*kind)),
            ScorePart::Alert(flag) => -i32::from(flag.penalty()),
        }
    }
}

/// The parts of the score: the tag, each distinct check, each distinct open suspicion.
pub fn score_parts(
    verifications: &[VerificationKind],
    suspicions: &[SuspicionType],
) -> Vec<ScorePart> {
    std::iter::once(ScorePart::TagRead)
        .chain(distinct(verifications).into_iter().map(ScorePart::Check))
        .chain(distinct(suspicions).into_iter().map(ScorePart::Alert))
        .collect()
}

/// Confidence: the sum of the [`score_parts`], clamped to 0..=100.
pub fn confidence(verifications: &[VerificationKind], suspicions: &[SuspicionType]) -> u8 {
    let sum: i32 = score_parts(verifications, suspicions)
        .iter()
        .map(ScorePart::points)
        .sum();
    // Clamped to 0..=100, so it fits in a u8.
    sum.clamp(0, 100) as u8
}

/// Why the animal has the risk it has. Suspicions decide first: a duplicate tag or a record
/// that failed verification is CRITICAL, as is confidence below 30; any other suspicion is
/// HIGH below 50 confidence and MEDIUM above. With no suspicion the animal is MEDIUM until
/// its confidence reaches 60 (one NLIS or DNA check), then LOW: an animal with a tag and an
/// owner is not suspect, only not yet checked.
pub fn risk_reason(verifications: &[VerificationKind], suspicions: &[SuspicionType]) -> RiskReason {
    let score = confidence(verifications, suspicions);
    let flags = distinct(suspicions);
    // The most serious suspicion (the largest penalty) is the one named.
    let worst = flags.iter().copied().max_by_key(SuspicionType::penalty);
    match worst {
        Some(flag @ (SuspicionType::DuplicateNlis | SuspicionType::TamperedRecord)) => {
            RiskReason::CriticalSuspicion(flag)
        }
        Some(_) if score < 30 => RiskReason::ConfidenceCollapsed,
        Some(flag) if score < 50 => RiskReason::SuspicionWithLowConfidence(flag),
        Some(flag) => RiskReason::OpenSuspicion(flag),
        None if score < CHECKED_CONFIDENCE => RiskReason::NotYetChecked,
        None => RiskReason::Checked,
    }
}

/// Scores an animal: its [`confidence`] and the level of its [`risk_reason`].
pub fn score_provenance(
    verifications: &[VerificationKind],
    suspicions: &[SuspicionType],
) -> (u8, RiskLevel) {
    (
        confidence(verifications, suspicions),
        risk_reason(verifications, suspicions).level(),
    )
}

/// The checks not yet passed, each with the points it would add, most first: what would
/// raise the animal's confidence.
pub fn checks_to_raise_confidence(
    verifications: &[VerificationKind],
) -> Vec<(VerificationKind, u8)> {
    let mut missing: Vec<(VerificationKind, u8)> = VerificationKind::ALL
        .iter()
        .filter(|k| !verifications.contains(k))
        .map(|k| (*k, verification_weight(*k)))
        .collect();
    missing.sort_by_key(|(_, points)| std::cmp::Reverse(*points));
    missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use VerificationKind::*;

    #[test]
    fn a_new_animal_is_not_yet_checked_not_suspect() {
        assert_eq!(score_provenance(&[], &[]), (40, RiskLevel::Medium));
        assert_eq!(risk_reason(&[], &[]), RiskReason::NotYetChecked);
        assert_eq!(score_provenance(&[Photo], &[]), (50, RiskLevel::Medium));
        assert_eq!(score_provenance(&[Nlis], &[]), (60, RiskLevel::Low));
        assert_eq!(score_provenance(&[Photo, Gps], &[]), (60, RiskLevel::Low));
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
        assert_eq!(
            risk_reason(&[Photo], &[SuspicionType::PriceAnomaly]),
            RiskReason::SuspicionWithLowConfidence(SuspicionType::PriceAnomaly)
        );
        assert_eq!(
            risk_reason(
                &[Nlis],
                &[SuspicionType::LocationAnomaly, SuspicionType::PriceAnomaly]
            ),
            RiskReason::ConfidenceCollapsed
        );
        assert_eq!(
            risk_reason(&[Nlis, Dna], &[SuspicionType::MissingVerification]),
            RiskReason::OpenSuspicion(SuspicionType::MissingVerification)
        );
    }

    #[test]
    fn what_would_raise_confidence_leaves_out_what_was_done() {
        let missing = checks_to_raise_confidence(&[Nlis, Photo]);
        assert_eq!(missing, vec![(Dna, 20), (Biometric, 15), (Gps, 10)]);
        assert!(checks_to_raise_confidence(VerificationKind::ALL).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn the_reason_gives_the_level_and_a_suspicion_is_never_low(
            verified in proptest::collection::vec(proptest::sample::select(VerificationKind::ALL.to_vec()), 0..6),
            suspected in proptest::collection::vec(proptest::sample::select(SuspicionType::ALL.to_vec()), 0..4),
        ) {
            let (score, level) = score_provenance(&verified, &suspected);
            proptest::prop_assert_eq!(level, risk_reason(&verified, &suspected).level());
            proptest::prop_assert!(score <= 100);
            if !suspected.is_empty() {
                proptest::prop_assert_ne!(level, RiskLevel::Low);
            }
            if suspected.is_empty() {
                proptest::prop_assert!(level == RiskLevel::Low || level == RiskLevel::Medium);
            }
        }
    }
}
