//! RFC 6962 trees: exhaustive inclusion (sizes 1..=257) and consistency (all pairs to 64).

use domain::merkle::*;
use domain::sha256;
use proptest::prelude::*;

fn leaves(n: usize, salt: u8) -> Vec<[u8; 32]> {
    (0..n)
        .map(|i| sha256(&[salt, (i % 256) as u8, (i / 256) as u8]))
        .collect()
}

#[test]
fn inclusion_proofs_verify_for_every_leaf_of_every_size_to_257() {
    let all = leaves(257, 0);
    let mut frontier = MerkleFrontier::new();
    for n in 1..=257 {
        frontier.push(&all[n - 1]);
        let d = &all[..n];
        let tree = MerkleTree::new(d);
        let root = tree.root();
        assert_eq!(frontier.root(), root, "frontier at size {n}");
        for (i, leaf) in d.iter().enumerate() {
            let proof = tree.inclusion_proof(i).expect("in range");
            assert!(
                verify_inclusion(leaf, i as u64, n as u64, &proof, &root),
                "leaf {i} of {n}"
            );
        }
        // One wrong claim per size: another leaf or another index must fail. (A different
        // tree size can share a path shape, which is why the size is part of a signed head.)
        let proof = tree.inclusion_proof(n / 2).expect("in range");
        assert!(!verify_inclusion(
            &sha256(b"other"),
            (n / 2) as u64,
            n as u64,
            &proof,
            &root
        ));
        if n > 1 {
            assert!(!verify_inclusion(
                &d[n / 2],
                ((n / 2 + 1) % n) as u64,
                n as u64,
                &proof,
                &root
            ));
        }
    }
}

#[test]
fn consistency_proofs_verify_for_every_pair_of_sizes_to_64() {
    let all = leaves(64, 1);
    let roots: Vec<[u8; 32]> = (0..=64).map(|n| tree_root(&all[..n])).collect();
    for n in 1..=64 {
        let tree = MerkleTree::new(&all[..n]);
        for m in 1..=n {
            let proof = tree.consistency_proof(m).expect("0 < m <= n");
            assert!(
                verify_consistency(m as u64, n as u64, &roots[m], &roots[n], &proof),
                "{m} -> {n}"
            );
            if m < n {
                // A forked history (different first tree) must not pass.
                assert!(
                    !verify_consistency(m as u64, n as u64, &sha256(b"fork"), &roots[n], &proof),
                    "{m} -> {n} forked"
                );
                let mut bad = proof.clone();
                bad[0][0] ^= 1;
                assert!(
                    !verify_consistency(m as u64, n as u64, &roots[m], &roots[n], &bad),
                    "{m} -> {n} bad proof"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random contents: proofs verify, and a proof never verifies a different leaf.
    #[test]
    fn random_trees_prove_membership(salt in any::<u8>(), n in 1usize..100, pick in any::<prop::sample::Index>()) {
        let d = leaves(n, salt);
        let i = pick.index(n);
        let tree = MerkleTree::new(&d);
        let proof = inclusion_proof(&d, i).expect("in range");
        prop_assert!(verify_inclusion(&d[i], i as u64, n as u64, &proof, &tree.root()));
        prop_assert!(!verify_inclusion(&sha256(&[salt, 0xff, 0xff, 0xff]), i as u64, n as u64, &proof, &tree.root()));
        let m = i + 1;
        let cp = consistency_proof(&d, m).expect("0 < m <= n");
        prop_assert!(verify_consistency(m as u64, n as u64, &tree_root(&d[..m]), &tree.root(), &cp));
    }
}
