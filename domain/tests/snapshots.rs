//! Snapshots: sealed and opened, replayed from, and held to the fold of the events they cover.
mod support;

use domain::*;
use proptest::prelude::*;
use support::{producer_registry, PRODUCER_SEED, STRANGER_SEED};

fn chain() -> Vec<EventEnvelope> {
    support::build_chain(
        support::VECTOR_NLIS,
        &SigningKeyPair::from_seed(PRODUCER_SEED),
    )
}

/// The state and head after the first `k` events.
fn folded(chain: &[EventEnvelope], k: usize) -> (CattleState, ChainHead) {
    let mut head = ChainHead::default();
    for envelope in &chain[..k] {
        head = verify_next(envelope, &head).expect("the fixture verifies");
    }
    let state = replay(&chain[..k]).expect("folds").expect("an animal");
    (state, head)
}

fn sealed(state: &CattleState, head: &ChainHead, seed: [u8; 32]) -> EventEnvelope {
    seal_snapshot(
        format!("snap_{}", head.sequence),
        "2024-04-01T00:00:00.000Z".into(),
        state,
        head,
        &SigningKeyPair::from_seed(seed),
    )
}

#[test]
fn from_a_snapshot_after_any_event_the_rest_of_the_chain_folds_to_the_same_animal() {
    let chain = chain();
    let whole = replay(&chain).expect("folds").expect("an animal");
    for k in 1..=chain.len() {
        let (state, head) = folded(&chain, k);
        let envelope = sealed(&state, &head, PRODUCER_SEED);
        assert_eq!(envelope.metadata.sequence, k as u64);
        let snapshot = open_snapshot(&envelope, &producer_registry()).expect("opens");
        assert_eq!(check_covers(&snapshot, &chain), Ok(()));
        let resumed = resume(&snapshot, &chain[k..], &producer_registry());
        assert!(resumed.all_applied(), "{:?}", resumed.verdicts);
        assert_eq!(resumed.verdicts.len(), chain.len() - k);
        assert_eq!(resumed.state, whole);
        assert_eq!(resumed.head, folded(&chain, chain.len()).1);
    }
}

#[test]
fn a_snapshot_travels_as_a_json_line_and_opens_the_same() {
    let chain = chain();
    let (state, head) = folded(&chain, 3);
    let line = sealed(&state, &head, PRODUCER_SEED).to_json_line();
    let read = EventEnvelope::from_json_str(&line).expect("reads back");
    let snapshot = open_snapshot(&read, &producer_registry()).expect("opens");
    assert_eq!((snapshot.state, snapshot.head), (state, head));
}

#[test]
fn a_signed_snapshot_that_lies_about_the_state_opens_but_fails_against_its_events() {
    let chain = chain();
    let (mut state, head) = folded(&chain, 4);
    state.client_id += 1;
    let snapshot = open_snapshot(&sealed(&state, &head, PRODUCER_SEED), &producer_registry())
        .expect("well formed and signed");
    let verdict = check_covers(&snapshot, &chain);
    assert_eq!(verdict, Err(SnapshotFailure::Diverges("the state")));
    assert_eq!(verdict.map_err(|f| f.code()), Err("SNAPSHOT_DIVERGES"));

    let (state, _) = folded(&chain, 4);
    let (_, other_head) = folded(&chain, 3);
    let mut lying = other_head.clone();
    lying.sequence = 4;
    let opened = open_snapshot(&sealed(&state, &lying, PRODUCER_SEED), &producer_registry());
    assert!(
        matches!(opened, Err(SnapshotFailure::Inconsistent(_))),
        "{opened:?}"
    );
}

#[test]
fn an_altered_or_strangers_snapshot_does_not_open() {
    let chain = chain();
    let (state, head) = folded(&chain, 4);
    let mut altered = sealed(&state, &head, PRODUCER_SEED);
    altered.payload["state"]["client_id"] = serde_json::json!(999);
    let opened = open_snapshot(&altered, &producer_registry()).map_err(|f| f.code());
    assert_eq!(opened, Err("PAYLOAD_HASH"));

    let stranger = sealed(&state, &head, STRANGER_SEED);
    let opened = open_snapshot(&stranger, &producer_registry()).map_err(|f| f.code());
    assert_eq!(opened, Err("UNKNOWN_KEY"));

    let opened = open_snapshot(&chain[0], &producer_registry()).map_err(|f| f.code());
    assert_eq!(opened, Err("NOT_A_SNAPSHOT"));
}

#[test]
fn a_snapshot_past_the_end_of_the_log_is_not_covered() {
    let chain = chain();
    let (state, head) = folded(&chain, chain.len());
    let snapshot =
        open_snapshot(&sealed(&state, &head, PRODUCER_SEED), &producer_registry()).expect("opens");
    let verdict = check_covers(&snapshot, &chain[..chain.len() - 1]);
    assert!(
        matches!(verdict, Err(SnapshotFailure::Diverges(_))),
        "{verdict:?}"
    );
}

#[test]
fn a_snapshot_inside_the_chain_is_refused() {
    let chain = chain();
    let (state, head) = folded(&chain, 2);
    let mut inside = sealed(&state, &head, PRODUCER_SEED);
    inside.metadata.sequence = 3;
    assert_eq!(
        apply(Some(state), &inside),
        Err(ApplyError::SnapshotInChain)
    );
}

proptest! {
    /// A forged event after the snapshot is refused, and so is every later one (they no longer
    /// link), so the replay stops at the last honest event.
    #[test]
    fn a_forged_event_after_the_snapshot_stops_the_replay_there(k in 1usize..4, forged in 0usize..3) {
        let chain = chain();
        let (state, head) = folded(&chain, k);
        let snapshot = open_snapshot(&sealed(&state, &head, PRODUCER_SEED), &producer_registry())
            .expect("opens");
        let mut after = chain[k..].to_vec();
        let forged = forged.min(after.len() - 1);
        after[forged].metadata.occurred_at = "2030-01-01T00:00:00.000Z".into();
        let resumed = resume(&snapshot, &after, &producer_registry());
        let refused: Vec<bool> = resumed.verdicts.iter().map(|(_, r)| r.is_some()).collect();
        let expected: Vec<bool> = (0..after.len()).map(|i| i >= forged).collect();
        prop_assert_eq!(refused, expected);
        let honest = replay(&chain[..k + forged]).expect("folds").expect("an animal");
        prop_assert_eq!(resumed.state, honest);
    }
}
