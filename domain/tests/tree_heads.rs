//! Signed tree heads: for any two sizes of any partitions, the later head's consistency
//! proof checks out against the earlier head, and fails once any earlier leaf is changed;
//! an animal-heads listing other than the signed one is refused.

use domain::*;
use proptest::prelude::*;

fn leaves(n: usize, salt: u8) -> Vec<[u8; 32]> {
    (0..n)
        .map(|i| sha256(&[salt, i as u8, (i >> 8) as u8]))
        .collect()
}

fn head(
    number: u64,
    partitions: &[Vec<[u8; 32]>],
    sizes: &[usize],
    key: &SigningKeyPair,
) -> TreeHead {
    let statement = HeadStatement {
        number,
        issued_at: "2026-12-04T00:00:00.000Z".into(),
        partitions: partitions
            .iter()
            .zip(sizes)
            .enumerate()
            .map(|(partition, (leaves, size))| PartitionTree {
                partition: partition as i32,
                size: *size as u64,
                root: hex::encode(tree_root(&leaves[..*size])),
            })
            .collect(),
        animals: 0,
        animals_root: animals_root(&[]),
        previous_head_hash: None,
    };
    TreeHead::sign(statement, key)
}

fn consistency_proofs(
    partitions: &[Vec<[u8; 32]>],
    from: &[usize],
    to: &[usize],
) -> Vec<PartitionConsistency> {
    partitions
        .iter()
        .enumerate()
        .map(|(partition, leaves)| PartitionConsistency {
            partition: partition as i32,
            proof: if from[partition] == 0 || from[partition] == to[partition] {
                Vec::new()
            } else {
                consistency_proof(&leaves[..to[partition]], from[partition])
                    .expect("a proof")
                    .iter()
                    .map(hex::encode)
                    .collect()
            },
        })
        .collect()
}

proptest! {
    #[test]
    fn a_later_head_is_consistent_and_a_rewritten_past_is_not(
        sizes in prop::collection::vec((0usize..40, 0usize..40), 1..4),
        changed in any::<prop::sample::Index>(),
    ) {
        let key = SigningKeyPair::from_seed([3; 32]);
        let from: Vec<usize> = sizes.iter().map(|(a, b)| *a.min(b)).collect();
        let to: Vec<usize> = sizes.iter().map(|(a, b)| *a.max(b)).collect();
        let partitions: Vec<Vec<[u8; 32]>> =
            to.iter().enumerate().map(|(p, n)| leaves(*n, p as u8)).collect();
        let earlier = head(1, &partitions, &from, &key);
        let later = head(2, &partitions, &to, &key);
        earlier.check(Some(&key.public_key_hex())).expect("signed");
        let proofs = consistency_proofs(&partitions, &from, &to);
        prop_assert_eq!(check_consistency(&earlier, &later, &proofs), Ok(()));
        // Shrinking a partition is never consistent.
        prop_assert_eq!(
            check_consistency(&later, &earlier, &proofs).is_ok(),
            from == to
        );

        // Change one leaf the earlier head covers: the later head no longer extends it.
        let covered: Vec<(usize, usize)> = from
            .iter()
            .enumerate()
            .flat_map(|(p, n)| (0..*n).map(move |i| (p, i)))
            .collect();
        if !covered.is_empty() {
            let (p, i) = covered[changed.index(covered.len())];
            let mut rewritten = partitions.clone();
            rewritten[p][i] = sha256(b"another event");
            let rewritten_later = head(2, &rewritten, &to, &key);
            let proofs = consistency_proofs(&rewritten, &from, &to);
            prop_assert!(check_consistency(&earlier, &rewritten_later, &proofs).is_err());
        }
    }
}

#[test]
fn a_head_whose_statement_was_edited_is_refused() {
    let key = SigningKeyPair::from_seed([3; 32]);
    let partitions = vec![leaves(5, 0)];
    let mut head = head(1, &partitions, &[5], &key);
    head.statement.partitions[0].size = 4;
    assert_eq!(head.check(None), Err(HeadFailure::Hash(1)));
}

#[test]
fn animal_heads_other_than_the_signed_ones_are_refused() {
    let key = SigningKeyPair::from_seed([3; 32]);
    let animal_heads = vec![
        AnimalHead {
            cattle_id: 1,
            sequence: 4,
            event_hash: "ab".repeat(32),
        },
        AnimalHead {
            cattle_id: 2,
            sequence: 1,
            event_hash: "cd".repeat(32),
        },
    ];
    let statement = HeadStatement {
        number: 1,
        issued_at: "2026-12-04T00:00:00.000Z".into(),
        partitions: Vec::new(),
        animals: 2,
        animals_root: animals_root(&animal_heads),
        previous_head_hash: None,
    };
    let head = TreeHead::sign(statement, &key);
    let committed = CommittedHead {
        head: head.clone(),
        animal_heads: animal_heads.clone(),
    };
    assert_eq!(committed.check(None), Ok(()));
    let mut fewer = committed.clone();
    fewer.animal_heads[0].sequence = 3;
    assert!(matches!(
        fewer.check(None),
        Err(HeadShortfall::Listing { .. })
    ));
    let mut unsorted = committed;
    unsorted.animal_heads.reverse();
    assert!(matches!(
        unsorted.check(None),
        Err(HeadShortfall::Listing { .. })
    ));
}
