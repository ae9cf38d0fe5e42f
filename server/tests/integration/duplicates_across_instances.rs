//! The same command sent to two instances at once gives one event (issue 19): the instances
//! share the claims on business facts through the database, so one publishes and the other
//! answers with the first one's event.
use crate::support;

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

const ANIMALS: u32 = 24;

/// Sends `command` to the instance at `addr` (with `key` as its `Idempotency-Key` when
/// given): the status and the answer.
async fn send(
    http: &reqwest::Client,
    addr: std::net::SocketAddr,
    command: &Value,
    key: Option<&str>,
) -> (u16, Value) {
    let mut request = http
        .post(format!("http://{addr}/api/commands"))
        .json(command);
    if let Some(key) = key {
        request = request.header(domain::REQUEST_KEY_HEADER, key);
    }
    let response = request.send().await.expect("the API answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON answer"))
}

/// Sends `command` to both instances at the same moment; asserts that both answers name
/// one event, published by one of them: that event's id.
async fn to_both(
    http: &reqwest::Client,
    first: &server::instance::Instance,
    second: &server::instance::Instance,
    command: Value,
    key: Option<&str>,
) -> String {
    let (one, other) = tokio::join!(
        send(http, first.addr, &command, key),
        send(http, second.addr, &command, key)
    );
    let statuses = BTreeSet::from([one.0, other.0]);
    assert!(
        statuses.contains(&202),
        "one instance published {command}: {one:?} {other:?}"
    );
    assert!(
        statuses.iter().all(|status| [200, 202].contains(status)),
        "the other answered with the first's event: {one:?} {other:?}"
    );
    assert_eq!(
        one.1["event_id"], other.1["event_id"],
        "both answers name one event for {command}"
    );
    one.1["event_id"].as_str().expect("an event id").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_command_sent_to_two_instances_at_once_gives_one_event() {
    let settings = support::settings("duplicates_across").await;
    let views = support::start(&settings).await;
    // Two instances that only serve: neither learns of the other's event from the golden
    // record before deciding its own copy.
    let mut serving = settings.clone();
    serving.run_views = false;
    let first = support::start(&serving).await;
    let second = support::start(&serving).await;
    let (http, _) = support::farmer_with_clients(&views, &[3]).await;

    // Every command at once, each to both instances: the instances are busy, so each
    // decides its copy while the other is deciding or publishing its own.
    let creates = (0..ANIMALS).map(|n| {
        let create = json!({"type": "CREATE_CATTLE",
            "data": {"nlisId": support::nlis(500 + n), "breed": "Angus", "sex": "MALE",
                     "clientId": 3}});
        to_both(&http, &first, &second, create, None)
    });
    let mut events: BTreeSet<String> = futures::future::join_all(creates)
        .await
        .into_iter()
        .collect();
    support::eventually(
        Duration::from_secs(60),
        "every animal registered",
        || async {
            (support::count(&views.db, "cattle").await == i64::from(ANIMALS)).then_some(())
        },
    )
    .await;
    let cattle: Vec<i64> = support::strings(&views.db, "SELECT id::text AS v FROM cattle")
        .await
        .iter()
        .map(|id| id.parse().expect("an id"))
        .collect();
    let keys: Vec<String> = (0..cattle.len()).map(|n| format!("visit-{n}")).collect();
    let visits = cattle.iter().zip(&keys).map(|(cattle_id, key)| {
        let visit = json!({"type": "RECORD_HEALTH",
            "data": {"cattleId": cattle_id, "kind": "VACCINATION", "notes": "7-in-1"}});
        to_both(&http, &first, &second, visit, Some(key))
    });
    events.extend(futures::future::join_all(visits).await);

    // One event per command in the log, each applied, none dropped as a duplicate.
    let topic = views.topics.cattle_events();
    let client_events = 1;
    support::eventually(Duration::from_secs(60), "every event applied", || async {
        let applied = support::count(&views.db, "cattle_events").await;
        (applied == events.len() as i64 + client_events).then_some(())
    })
    .await;
    assert_eq!(
        support::log_end(&topic),
        events.len() as i64 + client_events,
        "the log holds one event per command"
    );
    let dropped = support::strings(&views.db, "SELECT event_id AS v FROM duplicate_events").await;
    assert!(
        dropped.is_empty(),
        "no event dropped as a duplicate: {dropped:?}"
    );
    let refused = support::strings(
        &views.db,
        "SELECT coalesce(event_id, '?') || ' ' || reason_code || ': ' || reason AS v \
         FROM rejected_events",
    )
    .await;
    assert!(refused.is_empty(), "no event refused: {refused:?}");
}

#[tokio::test]
async fn a_claim_is_waited_on_while_published_taken_over_when_lapsed_and_kept_once_published() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
    use server::entity::rejected_event;
    use server::fact_claims::{Claim, FactClaims};
    let settings = support::settings("fact_claims").await;
    let db = support::connect(&settings).await;
    let claims = FactClaims::new(db.clone());
    let held = |event_id: &str| {
        Ok(Claim::Held {
            event_id: event_id.into(),
        })
    };
    let backdate = |key: &str, by: &str| {
        format!(
            "UPDATE claimed_facts SET claimed_at = claimed_at - interval '{by}' \
             WHERE idempotency_key = '{key}'"
        )
    };

    assert_eq!(claims.claim("fact-1", "evt_a").await, Ok(Claim::Ours));
    assert_eq!(claims.claim("fact-1", "evt_a").await, Ok(Claim::Ours));
    // evt_a is being published: another command waits, then is told to send again.
    let waiting = claims.claim("fact-1", "evt_b").await;
    assert!(
        matches!(waiting, Err(app::model::CommandFailure::Unavailable { .. })),
        "{waiting:?}"
    );
    // Once the broker acknowledged evt_a, it answers for the fact.
    claims.published("fact-1", "evt_a").await;
    assert_eq!(claims.claim("fact-1", "evt_b").await, held("evt_a"));
    // Published while the other waits.
    assert_eq!(claims.claim("fact-2", "evt_c").await, Ok(Claim::Ours));
    let (waited, ()) = tokio::join!(claims.claim("fact-2", "evt_d"), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        claims.published("fact-2", "evt_c").await;
    });
    assert_eq!(waited, held("evt_c"));

    // Released by its own event only: its publish failed.
    assert_eq!(claims.claim("fact-3", "evt_e").await, Ok(Claim::Ours));
    claims.release("fact-3", "evt_x").await;
    claims.published("fact-3", "evt_e").await;
    assert_eq!(claims.claim("fact-3", "evt_f").await, held("evt_e"));
    claims.release("fact-3", "evt_e").await;
    assert_eq!(claims.claim("fact-3", "evt_f").await, Ok(Claim::Ours));

    // Its instance died before publishing: the claim lapses and is taken over.
    assert_eq!(claims.claim("fact-4", "evt_g").await, Ok(Claim::Ours));
    db.execute_unprepared(&backdate("fact-4", "21 seconds"))
        .await
        .expect("an older claim");
    assert_eq!(claims.claim("fact-4", "evt_h").await, Ok(Claim::Ours));

    // The golden record refused the claimant: its event never carried the fact.
    rejected_event::ActiveModel {
        kafka_topic: Set("cattle".into()),
        kafka_partition: Set(0),
        kafka_offset: Set(7),
        event_id: Set(Some("evt_a".into())),
        cattle_id: Set(Some(1)),
        sequence: Set(Some(2)),
        reason_code: Set("CHAIN".into()),
        reason: Set("a stale head".into()),
        envelope: Set("{}".into()),
    }
    .insert(&db)
    .await
    .expect("a refusal");
    assert_eq!(claims.claim("fact-1", "evt_i").await, Ok(Claim::Ours));

    // Fresh claims outlive a purge; a claim older than the golden record needs goes.
    assert_eq!(claims.purge_old().await.expect("purged"), 0);
    db.execute_unprepared(&backdate("fact-2", "11 minutes"))
        .await
        .expect("an older claim");
    assert_eq!(claims.purge_old().await.expect("purged"), 1);
    assert_eq!(claims.claim("fact-2", "evt_j").await, Ok(Claim::Ours));
}
