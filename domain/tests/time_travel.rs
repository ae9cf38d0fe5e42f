//! `state_as_of`: an animal as it was after any event, or at any time; `state_as_of_after`:
//! the same, folded on from a snapshot.
mod support;

use domain::{
    replay, state_as_of, state_as_of_after, timestamp_millis, HistoryPoint, SigningKeyPair,
};
use proptest::prelude::*;

fn chain() -> Vec<domain::EventEnvelope> {
    support::build_chain("3ABCD12345678901", &SigningKeyPair::from_seed([7; 32]))
}

#[test]
fn after_each_event_the_animal_is_the_fold_of_the_events_so_far() {
    let chain = chain();
    assert!(chain.len() > 5, "{} events", chain.len());
    for k in 0..=chain.len() {
        let past = state_as_of(&chain, HistoryPoint::Sequence(k as u64)).expect("folds");
        let expected = replay(&chain[..k]).expect("folds");
        assert_eq!(past.as_ref().map(|(state, _)| state), expected.as_ref());
        assert_eq!(
            past.map(|(_, last)| last.metadata.sequence),
            (k > 0).then_some(k as u64)
        );
    }
    let beyond = state_as_of(&chain, HistoryPoint::Sequence(10_000)).expect("folds");
    assert_eq!(
        beyond.map(|(state, _)| state),
        replay(&chain).expect("folds")
    );
}

#[test]
fn at_the_time_an_event_was_recorded_the_animal_includes_it_and_not_the_next() {
    let chain = chain();
    for (k, envelope) in chain.iter().enumerate() {
        let at = timestamp_millis(&envelope.metadata.recorded_at).expect("a timestamp");
        let past = state_as_of(&chain, HistoryPoint::Millis(at)).expect("folds");
        assert_eq!(
            past.map(|(_, last)| last.metadata.sequence),
            Some(k as u64 + 1)
        );
        let before = state_as_of(&chain, HistoryPoint::Millis(at - 1)).expect("folds");
        assert_eq!(
            before.map(|(_, last)| last.metadata.sequence),
            (k > 0).then_some(k as u64)
        );
    }
}

proptest! {
    /// Any time: the events folded are exactly those recorded by then.
    #[test]
    fn any_time_folds_exactly_the_events_recorded_by_then(offset in -1_000_000_000i64..40 * 86_400_000) {
        let chain = chain();
        let first = timestamp_millis(&chain[0].metadata.recorded_at).expect("a timestamp");
        let at = first + offset;
        let recorded = chain
            .iter()
            .filter(|e| timestamp_millis(&e.metadata.recorded_at).is_some_and(|t| t <= at))
            .count();
        let past = state_as_of(&chain, HistoryPoint::Millis(at)).expect("folds");
        prop_assert_eq!(past.map(|(_, last)| last.metadata.sequence), (recorded > 0).then_some(recorded as u64));
    }
}

proptest! {
    /// From a snapshot after any event k, every point at or after it gives the animal the
    /// fold of every event gives, reading only the events after k.
    #[test]
    fn from_a_snapshot_any_later_point_is_the_fold_of_every_event(k in 1usize..6, extra in 0u64..12, later_ms in 0i64..40 * 86_400_000) {
        let chain = chain();
        let k = k.min(chain.len());
        let snapshot = || (replay(&chain[..k]).expect("folds").expect("an animal"), &chain[k - 1]);
        let covered_at = timestamp_millis(&chain[k - 1].metadata.recorded_at).expect("a timestamp");
        for point in [
            HistoryPoint::Sequence(k as u64 + extra),
            HistoryPoint::Millis(covered_at + later_ms),
        ] {
            let (from_snapshot, last) =
                state_as_of_after(snapshot(), &chain[k..], point).expect("folds");
            let (whole, whole_last) =
                state_as_of(&chain, point).expect("folds").expect("an animal");
            prop_assert_eq!(from_snapshot, whole);
            prop_assert_eq!(&last.metadata.event_id, &whole_last.metadata.event_id);
        }
    }
}
