//! The provenance score in words: why an animal has its risk, how its confidence adds up,
//! and which checks would raise it. The rules themselves are the domain's
//! (`domain::risk_reason`, `domain::confidence`); this only says them.
use super::fraud_alert::suspicion_words;
use domain::{
    checks_to_raise_confidence, score_parts, RiskReason, ScorePart, SuspicionType, VerificationKind,
};

/// A check as people name it.
pub fn check_words(kind: VerificationKind) -> &'static str {
    match kind {
        VerificationKind::Nlis => "NLIS database check",
        VerificationKind::Photo => "photo matched to its markings",
        VerificationKind::Gps => "GPS track on the owner's property",
        VerificationKind::Biometric => "muzzle print match",
        VerificationKind::Dna => "DNA test",
    }
}

/// Words with their first letter upper case, to start a line with them.
pub fn capitalised(words: &str) -> String {
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Why the animal has its risk level, in a sentence.
pub fn risk_because(reason: RiskReason) -> String {
    match reason {
        RiskReason::CriticalSuspicion(SuspicionType::DuplicateNlis) => {
            "Another animal carries the same NLIS tag: one of them is not what it claims to be."
                .into()
        }
        RiskReason::CriticalSuspicion(flag) => format!(
            "{}: its history may have been altered.",
            suspicion_words(flag)
        ),
        RiskReason::ConfidenceCollapsed => "Its open fraud alerts took confidence below 30.".into(),
        RiskReason::SuspicionWithLowConfidence(flag) => format!(
            "An open fraud alert ({}) and confidence below 50.",
            suspicion_words(flag)
        ),
        RiskReason::OpenSuspicion(flag) => format!(
            "An open fraud alert ({}); its checks keep confidence at 50 or more.",
            suspicion_words(flag)
        ),
        RiskReason::NotYetChecked => "Nothing is against it, but so far only its tag, read when \
                                      it was registered, vouches for it."
            .into(),
        RiskReason::Checked => "No open fraud alert, and its identity has been checked.".into(),
    }
}

/// How the confidence score adds up, one line per part with its points.
pub fn confidence_parts(
    verifications: &[VerificationKind],
    suspicions: &[SuspicionType],
) -> Vec<(String, i32)> {
    score_parts(verifications, suspicions)
        .into_iter()
        .map(|part| {
            let words = match part {
                ScorePart::TagRead => "Tag read when it was registered".to_string(),
                ScorePart::Check(kind) => capitalised(check_words(kind)),
                ScorePart::Alert(flag) => format!("Open alert: {}", suspicion_words(flag)),
            };
            (words, part.points())
        })
        .collect()
}

/// The checks that would raise confidence, e.g. "an NLIS database check (+20)"; empty when
/// every kind was done.
pub fn checks_that_raise(verifications: &[VerificationKind]) -> Vec<String> {
    checks_to_raise_confidence(verifications)
        .into_iter()
        .map(|(kind, points)| format!("{} (+{points})", check_words(kind)))
        .collect()
}

/// Points as a score line shows them: "+20", "−15".
pub fn signed_points(points: i32) -> String {
    if points < 0 {
        format!("−{}", -points)
    } else {
        format!("+{points}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{confidence, risk_reason};

    #[test]
    fn a_new_animal_is_explained_as_not_yet_checked() {
        let why = risk_because(risk_reason(&[], &[]));
        assert!(why.contains("only its tag"), "{why}");
        assert_eq!(
            confidence_parts(&[], &[]),
            vec![("Tag read when it was registered".to_string(), 40)]
        );
        assert_eq!(checks_that_raise(&[]).len(), VerificationKind::ALL.len());
        assert_eq!(checks_that_raise(&[])[0], "NLIS database check (+20)");
    }

    #[test]
    fn the_parts_add_up_to_the_score() {
        let verified = [
            VerificationKind::Nlis,
            VerificationKind::Photo,
            VerificationKind::Nlis,
        ];
        let suspected = [SuspicionType::PriceAnomaly];
        let parts = confidence_parts(&verified, &suspected);
        let total: i32 = parts.iter().map(|(_, points)| points).sum();
        assert_eq!(total, i32::from(confidence(&verified, &suspected)));
        assert_eq!(parts[1], ("NLIS database check".to_string(), 20));
        assert_eq!(parts[3], ("Open alert: Valuation jump".to_string(), -15));
        assert_eq!(signed_points(-15), "−15");
        assert_eq!(signed_points(20), "+20");
    }

    #[test]
    fn a_duplicate_tag_is_said_as_such() {
        let why = risk_because(risk_reason(&[], &[SuspicionType::DuplicateNlis]));
        assert!(why.contains("same NLIS tag"), "{why}");
    }
}
