//! Property tests of chain verification: tampering, dropping, duplicating and reordering.

mod support;

use domain::*;
use proptest::prelude::*;
use std::sync::OnceLock;
use support::*;

fn chain() -> &'static Vec<EventEnvelope> {
    static CHAIN: OnceLock<Vec<EventEnvelope>> = OnceLock::new();
    CHAIN.get_or_init(|| build_chain(VECTOR_NLIS, &SigningKeyPair::from_seed(PRODUCER_SEED)))
}

fn lines() -> &'static Vec<String> {
    static LINES: OnceLock<Vec<String>> = OnceLock::new();
    LINES.get_or_init(|| {
        chain()
            .iter()
            .map(|e| canonical_json(&e.to_json_value()))
            .collect()
    })
}

fn legacy() -> &'static Vec<EventEnvelope> {
    static LEGACY: OnceLock<Vec<EventEnvelope>> = OnceLock::new();
    LEGACY.get_or_init(|| build_legacy_chain(&SigningKeyPair::from_seed(PRODUCER_SEED)))
}

fn keys() -> &'static KeyRegistry {
    static KEYS: OnceLock<KeyRegistry> = OnceLock::new();
    KEYS.get_or_init(producer_registry)
}

fn report_of(chain: &[EventEnvelope]) -> ChainReport {
    verify_chain(chain, keys())
}

/// Dropping any event but the last is reported as a sequence gap where it was. (Dropping the
/// last is only visible against a published head: compare `AnimalReport::head`.)
#[test]
fn dropping_any_event_is_reported() {
    for drop in 0..6 {
        let mut c = chain().clone();
        c.remove(drop);
        assert_eq!(
            report_of(&c).first_failure(),
            Some((drop, "SEQUENCE_GAP")),
            "drop {drop}"
        );
    }
}

/// A copy of any event inserted at any position is reported.
#[test]
fn duplicating_any_event_anywhere_is_reported() {
    for copy in 0..7 {
        for at in 0..=7 {
            let mut c = chain().clone();
            c.insert(at, chain()[copy].clone());
            let expected = if at > copy {
                (at, "DUPLICATE")
            } else if at == copy {
                (at + 1, "DUPLICATE")
            } else {
                (at, "SEQUENCE_GAP")
            };
            assert_eq!(
                report_of(&c).first_failure(),
                Some(expected),
                "copy {copy} at {at}"
            );
        }
    }
}

/// Swapping any two events is reported at the first of them.
#[test]
fn swapping_any_two_events_is_reported() {
    for i in 0..7 {
        for j in i + 1..7 {
            let mut c = chain().clone();
            c.swap(i, j);
            assert_eq!(
                report_of(&c).first_failure(),
                Some((i, "SEQUENCE_GAP")),
                "swap {i} {j}"
            );
        }
    }
}

#[test]
fn the_untouched_chain_verifies() {
    assert!(report_of(chain()).is_ok());
    assert!(verify_json_lines(&lines().join("\n"), keys()).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Any change to any byte of any event (signed fields, payload, or the Merkle root)
    /// makes verification fail, or makes the line unreadable.
    #[test]
    fn any_changed_byte_fails(event in 0usize..7, position in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let original = &lines()[event];
        let mut bytes = original.clone().into_bytes();
        let at = position.index(bytes.len());
        prop_assume!(bytes[at] != byte);
        bytes[at] = byte;
        let Ok(mutated) = String::from_utf8(bytes) else { return Ok(()) };
        // Only a change of meaning counts; a re-spelling of the same JSON is not tampering.
        let same = serde_json::from_str::<serde_json::Value>(&mutated).ok()
            == serde_json::from_str::<serde_json::Value>(original).ok();
        prop_assume!(!same);
        let mut all = lines().clone();
        all[event] = mutated;
        let report = verify_json_lines(&all.join("\n"), keys());
        prop_assert!(!report.is_ok());
        prop_assert_eq!(report.first_failure().map(|(i, _)| i), Some(event));
    }

    /// Flipping any single bit of any hash, key or signature is caught at that event.
    #[test]
    fn any_flipped_bit_in_cryptography_fails(event in 0usize..7, field in 0usize..5, bit in 0usize..512) {
        let mut tampered = chain().clone();
        let e = &mut tampered[event];
        let target = match field {
            0 => &mut e.cryptography.payload_hash,
            1 => &mut e.cryptography.signature,
            2 => &mut e.cryptography.public_key,
            3 => &mut e.metadata.idempotency_key,
            _ => e.cryptography.merkle_root.get_or_insert_with(String::new),
        };
        let mut raw = hex::decode(&*target).unwrap_or_default();
        let bit = bit % (raw.len() * 8);
        raw[bit / 8] ^= 1 << (bit % 8);
        *target = hex::encode(raw);
        let report = report_of(&tampered);
        prop_assert_eq!(report.first_failure().map(|(i, _)| i), Some(event));
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any non-identity shuffle fails; interleaving two animals' chains in order does not.
    #[test]
    fn shuffles_fail_and_interleavings_pass(order in Just((0..7).collect::<Vec<usize>>()).prop_shuffle(), picks in prop::collection::vec(any::<bool>(), 9)) {
        let shuffled: Vec<EventEnvelope> = order.iter().map(|&i| chain()[i].clone()).collect();
        let identity = order.iter().enumerate().all(|(i, &o)| i == o);
        prop_assert_eq!(report_of(&shuffled).is_ok(), identity);

        let (mut a, mut b) = (chain().iter(), legacy().iter());
        let mut mixed = Vec::new();
        for pick in picks {
            let next = if pick { a.next().or_else(|| b.next()) } else { b.next().or_else(|| a.next()) };
            mixed.extend(next.cloned());
        }
        mixed.extend(a.cloned());
        mixed.extend(b.cloned());
        let report = report_of(&mixed);
        prop_assert!(report.is_ok(), "{}", report);
        prop_assert_eq!(report.animals.len(), 2);
    }
}
