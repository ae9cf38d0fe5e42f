//! `fold_verified`: the one rule every view applies before it takes an event.
mod support;

use domain::{fold_verified, ChainHead, SigningKeyPair, StreamRefusal, StreamState};

fn key() -> SigningKeyPair {
    SigningKeyPair::from_seed([7; 32])
}

#[test]
fn a_genuine_chain_folds_event_by_event() {
    let chain = support::build_chain("3ABCD12345678901", &key());
    let mut head = ChainHead::default();
    let mut state = None;
    for envelope in &chain {
        let folded = fold_verified(envelope, &head, state.take(), true).expect("folds");
        head = folded.head;
        state = Some(folded.state);
    }
    assert_eq!(head.sequence, chain.len() as u64);
    assert!(matches!(state, Some(StreamState::Cattle(ref c)) if c.sequence == chain.len() as u64));
}

#[test]
fn an_untrusted_key_is_refused_before_anything_else() {
    let chain = support::build_chain("3ABCD12345678901", &key());
    let refusal =
        fold_verified(&chain[0], &ChainHead::default(), None, false).expect_err("refused");
    assert_eq!(refusal.code(), "UNKNOWN_KEY");
}

#[test]
fn a_replayed_event_is_refused_by_the_chain_not_applied_twice() {
    let chain = support::build_chain("3ABCD12345678901", &key());
    let first = fold_verified(&chain[0], &ChainHead::default(), None, true).expect("folds");
    let again = fold_verified(&chain[0], &first.head, Some(first.state.clone()), true)
        .expect_err("refused");
    assert!(matches!(again, StreamRefusal::Verification(_)), "{again:?}");
}

#[test]
fn a_cattle_event_on_a_client_stream_breaks_the_rules() {
    let chain = support::build_chain("3ABCD12345678901", &key());
    let client = domain::ClientState {
        aggregate_id: chain[0].metadata.cattle_id,
        client_id: 1,
        name: "Station".into(),
        pic: "QABC0001".into(),
        registered_at: chain[0].metadata.occurred_at.clone(),
        sequence: 0,
    };
    let refusal = fold_verified(
        &chain[0],
        &ChainHead::default(),
        Some(StreamState::Client(client)),
        true,
    )
    .expect_err("refused");
    assert_eq!(refusal.code(), "RULE");
}

/// What the command handler folds after sealing is exactly what every view folds after
/// verifying, for every event of a life with every kind of event in it.
#[test]
fn a_freshly_sealed_event_folds_as_the_views_fold_it() {
    for nlis in ["3ABCD12345678901", "3ZYXW98765432100", "NAUS0000000000AA"] {
        let chain = support::build_chain(nlis, &key());
        let mut head = ChainHead::default();
        let mut state = None;
        for envelope in &chain {
            let verified = fold_verified(envelope, &head, state.clone(), true).expect("folds");
            let sealed = domain::fold_sealed(envelope, &head, state.take()).expect("folds");
            assert_eq!(sealed, verified);
            head = verified.head;
            state = Some(verified.state);
        }
    }
}
