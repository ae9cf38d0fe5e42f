//! What the browser makes of the signed tree heads it is shown: a head must be signed by
//! the root key, and must extend every head this browser saw before (it remembers the
//! newest); an animal's events are included in a head if the newest of them the head covers
//! has an inclusion proof that leads to the head's root (each event's hash covers the one
//! before, so the whole history up to it is included).
use domain::{
    check_consistency, check_inclusion, event_hash, EventEnvelope, InclusionProof,
    PartitionConsistency, TreeHead,
};

/// The owner `/api/keys` names the server's root key by.
pub const ROOT_KEY_OWNER: &str = "iCattle server";

/// What a served head means to this browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadJudgement {
    /// To be trusted; `remember` is the newest head this browser has now seen.
    Trusted {
        /// The head to keep in the browser.
        remember: TreeHead,
    },
    /// Not signed by the root key, or not the hash of what it states.
    Unsigned(String),
    /// It does not extend a head this browser saw before (or the server could not show that
    /// it does): the log's history may have been rewritten.
    Inconsistent {
        /// The head this browser saw before.
        seen: u64,
        /// The head served now.
        served: u64,
        /// Why.
        reason: String,
    },
}

/// Which consistency proof the browser needs to judge `served` against `seen`: (from, to).
pub fn proof_needed(seen: &TreeHead, served: &TreeHead) -> Option<(u64, u64)> {
    let (seen, served) = (seen.number(), served.number());
    match seen.cmp(&served) {
        std::cmp::Ordering::Equal => None,
        std::cmp::Ordering::Less => Some((seen, served)),
        std::cmp::Ordering::Greater => Some((served, seen)),
    }
}

/// Judges `served` against the root key and the head this browser remembers, with the
/// consistency proofs the server gave for `proof_needed` (None when it gave none).
pub fn judge_head(
    served: &TreeHead,
    root_key: &str,
    remembered: Option<&TreeHead>,
    proofs: Option<&[PartitionConsistency]>,
) -> HeadJudgement {
    if let Err(failure) = served.check(Some(root_key)) {
        return HeadJudgement::Unsigned(failure.to_string());
    }
    let Some(seen) = remembered else {
        return HeadJudgement::Trusted {
            remember: served.clone(),
        };
    };
    let inconsistent = |reason: String| HeadJudgement::Inconsistent {
        seen: seen.number(),
        served: served.number(),
        reason,
    };
    let (earlier, later) = match seen.number().cmp(&served.number()) {
        std::cmp::Ordering::Equal if seen.head_hash == served.head_hash => {
            return HeadJudgement::Trusted {
                remember: served.clone(),
            }
        }
        std::cmp::Ordering::Equal => {
            return inconsistent("it is another head under the same number".into())
        }
        std::cmp::Ordering::Less => (seen, served),
        std::cmp::Ordering::Greater => (served, seen),
    };
    let Some(proofs) = proofs else {
        return inconsistent("the server did not show that one extends the other".into());
    };
    match check_consistency(earlier, later, proofs) {
        Ok(()) => HeadJudgement::Trusted {
            remember: later.clone(),
        },
        Err(domain::HeadFailure::Inconsistent { reason, .. }) => inconsistent(reason),
        Err(failure) => inconsistent(failure.to_string()),
    }
}

/// The sequence up to which `envelopes` (one animal's, in order) are included in `head`:
/// that of the event `proof` is for, once the proof leads to the head's root; an error in
/// words when it does not, or is for an event not among them.
pub fn included_up_to(
    head: &TreeHead,
    envelopes: &[EventEnvelope],
    proof: &InclusionProof,
) -> Result<u64, String> {
    let envelope = envelopes
        .iter()
        .find(|e| event_hash(e).is_ok_and(|hash| hash.eq_ignore_ascii_case(&proof.event_hash)))
        .ok_or_else(|| "the proof is for an event not in this animal's history".to_string())?;
    check_inclusion(head, &proof.event_hash, proof)
        .map(|()| envelope.metadata.sequence)
        .map_err(|failure| failure.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{animals_root, tree_root, HeadStatement, PartitionTree, SigningKeyPair};

    fn head(number: u64, leaves: &[[u8; 32]], key: &SigningKeyPair) -> TreeHead {
        TreeHead::sign(
            HeadStatement {
                number,
                issued_at: "2026-12-04T00:00:00.000Z".into(),
                partitions: vec![PartitionTree {
                    partition: 0,
                    size: leaves.len() as u64,
                    root: hex::encode(tree_root(leaves)),
                }],
                animals: 0,
                animals_root: animals_root(&[]),
                previous_head_hash: None,
            },
            key,
        )
    }

    fn leaves(n: u8) -> Vec<[u8; 32]> {
        (0..n).map(|i| [i; 32]).collect()
    }

    fn proof(all: &[[u8; 32]], m: usize) -> Vec<PartitionConsistency> {
        vec![PartitionConsistency {
            partition: 0,
            proof: domain::consistency_proof(all, m)
                .expect("a proof")
                .iter()
                .map(hex::encode)
                .collect(),
        }]
    }

    #[test]
    fn a_head_that_extends_the_one_seen_is_remembered_and_a_rewrite_is_flagged() {
        let key = SigningKeyPair::from_seed([1; 32]);
        let root = key.public_key_hex();
        let all = leaves(9);
        let seen = head(1, &all[..5], &key);
        let later = head(2, &all, &key);
        assert_eq!(proof_needed(&seen, &later), Some((1, 2)));
        assert_eq!(
            judge_head(&later, &root, Some(&seen), Some(&proof(&all, 5))),
            HeadJudgement::Trusted {
                remember: later.clone()
            }
        );
        // A lagging server's older head is fine, and the newer one stays remembered.
        assert_eq!(
            judge_head(&seen, &root, Some(&later), Some(&proof(&all, 5))),
            HeadJudgement::Trusted {
                remember: later.clone()
            }
        );
        let mut rewritten = all.clone();
        rewritten[2] = [99; 32];
        let forged = head(2, &rewritten, &key);
        assert!(matches!(
            judge_head(&forged, &root, Some(&seen), Some(&proof(&rewritten, 5))),
            HeadJudgement::Inconsistent {
                seen: 1,
                served: 2,
                ..
            }
        ));
        assert!(matches!(
            judge_head(&forged, &root, Some(&later), None),
            HeadJudgement::Inconsistent { .. }
        ));
        assert!(matches!(
            judge_head(&later, &root, Some(&seen), None),
            HeadJudgement::Inconsistent { .. }
        ));
        let stranger = SigningKeyPair::from_seed([2; 32]);
        assert!(matches!(
            judge_head(&head(3, &all, &stranger), &root, Some(&seen), None),
            HeadJudgement::Unsigned(_)
        ));
    }
}
