//! Claims on business facts, written in batches: commands claiming at once are each
//! answered, and one fact claimed by many events at once goes to exactly one of them, whose
//! event the others are told once it is published.
use crate::support;
use server::fact_claims::{Claim, FactClaims};
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facts_claimed_at_once_are_each_answered_and_one_fact_goes_to_one_event() {
    let settings = support::settings("claims").await;
    let claims = FactClaims::new(support::connect(&settings).await);

    // Two hundred different facts at once: each is its own event's.
    let distinct: Vec<_> = (0..200)
        .map(|n| {
            let claims = claims.clone();
            tokio::spawn(async move {
                let (key, event) = (format!("fact-{n}"), format!("evt-{n}"));
                let claim = claims.claim(&key, &event).await;
                claims.published(&key, &event).await;
                claim
            })
        })
        .collect();
    for (n, task) in distinct.into_iter().enumerate() {
        let claim = task.await.expect("the claim ran").expect("an answer");
        assert_eq!(claim, Claim::Ours, "fact-{n}");
    }
    // Claimed again by another event, a published fact names its first.
    assert_eq!(
        claims
            .claim("fact-7", "evt-again")
            .await
            .expect("an answer"),
        Claim::Held {
            event_id: "evt-7".into()
        }
    );

    // One fact sent as twenty events at once: one claims it and publishes; the others are
    // told that event.
    let contenders: Vec<_> = (0..20)
        .map(|n| {
            let claims = claims.clone();
            tokio::spawn(async move {
                let event = format!("evt-same-{n}");
                let claim = claims.claim("the-same-fact", &event).await;
                if claim == Ok(Claim::Ours) {
                    claims.published("the-same-fact", &event).await;
                }
                (event, claim)
            })
        })
        .collect();
    let (mut winners, mut named) = (Vec::new(), BTreeSet::new());
    for task in contenders {
        let (event, claim) = task.await.expect("the claim ran");
        match claim.expect("an answer within the wait") {
            Claim::Ours => winners.push(event),
            Claim::Held { event_id } => {
                named.insert(event_id);
            }
        }
    }
    assert_eq!(winners.len(), 1, "one event holds the fact: {winners:?}");
    assert_eq!(named, BTreeSet::from([winners[0].clone()]));
}
