//! `HerdTally`: a herd counted as it was at a point in time, from its animals' streams.
mod support;

use domain::{timestamp_millis, EventEnvelope, HerdTally, HistoryPoint, SigningKeyPair};
use proptest::prelude::*;

const HERD: [&str; 3] = ["3ABCD12345678901", "3ABCD12345678902", "3EFGH12345678903"];

fn chains() -> Vec<Vec<EventEnvelope>> {
    let key = SigningKeyPair::from_seed([7; 32]);
    HERD.iter()
        .map(|nlis| support::build_chain(nlis, &key))
        .collect()
}

fn millis(envelope: &EventEnvelope) -> i64 {
    timestamp_millis(&envelope.metadata.recorded_at).expect("a timestamp")
}

/// The herd of `owner` (every owner when `None`) at `at`.
fn herd_at(chains: &[Vec<EventEnvelope>], at: i64, owner: Option<i64>) -> HerdTally {
    let mut tally = HerdTally::default();
    for chain in chains {
        tally
            .count_stream(chain, HistoryPoint::Millis(at), |state| {
                owner.is_none_or(|owner| state.client_id == owner)
            })
            .expect("folds");
    }
    tally
}

#[test]
fn a_sold_animal_leaves_the_sellers_herd_when_its_transfer_was_recorded() {
    let chains = chains();
    // The fixture life: valued at event 5, sold from client 7 to 8 at 6, missing at 7.
    let valued = millis(&chains[0][4]);
    let sold = millis(&chains[0][5]);
    let missing = millis(&chains[0][6]);

    let sellers = herd_at(&chains, valued, Some(7));
    assert_eq!(sellers.head_count, 3);
    assert_eq!(sellers.value_cents, 3 * 185_000);
    assert_eq!(sellers.by_status.get("ACTIVE"), Some(&3));
    assert_eq!(sellers.by_breed.get("Angus"), Some(&3));
    assert_eq!(herd_at(&chains, valued, Some(8)), HerdTally::default());

    assert_eq!(herd_at(&chains, sold, Some(7)), HerdTally::default());
    assert_eq!(herd_at(&chains, sold, Some(8)).head_count, 3);
    let buyers = herd_at(&chains, missing, Some(8));
    assert_eq!(buyers.by_status.get("MISSING"), Some(&3));
    assert_eq!(buyers.by_status.get("ACTIVE"), None);
}

#[test]
fn before_its_first_event_an_animal_is_not_in_any_herd() {
    let chains = chains();
    let first = millis(&chains[0][0]);
    assert_eq!(herd_at(&chains, first - 1, None), HerdTally::default());
    assert_eq!(herd_at(&chains, first, None).head_count, 3);
}

#[test]
fn a_clients_stream_is_no_animal() {
    let key = SigningKeyPair::from_seed([9; 32]);
    let client = support::build_client_stream(&key);
    let mut tally = HerdTally::default();
    let counted = tally
        .count_stream(&client, HistoryPoint::Millis(i64::MAX), |_| true)
        .expect("passed over");
    assert!(!counted);
    assert_eq!(tally, HerdTally::default());
}

proptest! {
    /// At any time the herd holds every animal registered by then, once, and each of its
    /// breakdowns adds up to the head count.
    #[test]
    fn every_breakdown_adds_up_to_the_head(offset in -86_400_000i64..12 * 86_400_000) {
        let chains = chains();
        let at = millis(&chains[0][0]) + offset;
        let tally = herd_at(&chains, at, None);
        let registered = chains.iter().filter(|chain| millis(&chain[0]) <= at).count() as u64;
        prop_assert_eq!(tally.head_count, registered);
        for breakdown in [&tally.by_status, &tally.by_breed, &tally.by_risk] {
            prop_assert_eq!(breakdown.values().sum::<u64>(), tally.head_count);
        }
        let farmers = herd_at(&chains, at, Some(7)).head_count + herd_at(&chains, at, Some(8)).head_count;
        prop_assert_eq!(farmers, tally.head_count);
    }
}
