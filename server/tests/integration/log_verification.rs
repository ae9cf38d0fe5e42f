//! "Verify the whole log" on the real engines: an administrator starts it over the API,
//! follows it to the end, and finds exactly the forged and the unreadable messages among
//! the genuine events, and a snapshot that lies about the events it covers; a second start
//! while one runs is refused, and only administrators may start or read it.
use crate::support;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use server::kafka::publisher::{cattle_key, idempotent_producer, EventPublisher};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_event_and_a_garbled_message_are_found_among_genuine_ones() {
    let mut settings = support::settings("log_verification").await;
    let server_key = support::test_key();
    settings.signing_seed = Some(server_key.seed_hex());
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let admin = support::api_client(&support::signed_in(&server, domain::Role::Admin).await);
    let (farmer, _) = support::farmer_with_clients(&server, &[31]).await;
    let url = format!("{base}/api/commands?wait=applied&timeout_ms=20000");
    for n in 0..3 {
        let create = json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(3100 + n),
            "breed": "Angus", "sex": "MALE", "clientId": 31}});
        let answer = support::json_answer(farmer.post(&url).json(&create)).await;
        assert!(answer["event_id"].is_string(), "{answer}");
    }
    // Straight to Kafka, past the command handler: an event whose breed was changed after
    // it was signed, and bytes that are no envelope at all.
    let publisher = EventPublisher::new(
        idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.cattle_events(),
    );
    // Signed with the server's own key: only the changed payload gives it away.
    let mut forged = support::created_envelope(&server_key, 3200);
    forged.payload["breed"] = json!("Wagyu");
    publisher.publish(&forged).await.expect("published");
    publisher
        .publish_raw(&cattle_key(7), b"{not an envelope")
        .await
        .expect("published");
    // Two snapshots of the first animal, signed with the server's key: one as the golden
    // record folded it, and one that lies about its owner.
    let animal = server::entity::cattle::Entity::find()
        .filter(server::entity::cattle::Column::NlisId.eq(support::nlis(3100)))
        .one(&server.db)
        .await
        .expect("a query")
        .expect("the animal");
    let state: domain::CattleState = serde_json::from_value(animal.state).expect("a state");
    let head: domain::ChainHead = serde_json::from_value(animal.chain_head).expect("a head");
    let snapshots = EventPublisher::new(
        idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.snapshots(),
    );
    let snapshot = |id: &str, state: &domain::CattleState| {
        domain::seal_snapshot(
            id.into(),
            "2026-12-01T00:00:00.000Z".into(),
            state,
            &head,
            &server_key,
        )
    };
    let mut lie = state.clone();
    lie.client_id = 32;
    for envelope in [snapshot("snap_true", &state), snapshot("snap_lie", &lie)] {
        snapshots.publish(&envelope).await.expect("published");
    }

    assert_eq!(
        farmer
            .post(format!("{base}/api/log-verification"))
            .json(&json!({}))
            .send()
            .await
            .expect("answers")
            .status(),
        403
    );
    let started = admin
        .post(format!("{base}/api/log-verification"))
        .json(&json!({}))
        .send()
        .await
        .expect("answers");
    assert_eq!(started.status(), 202);
    let again = admin
        .post(format!("{base}/api/log-verification"))
        .json(&json!({}))
        .send()
        .await
        .expect("answers");
    // The run may already be over on a quiet machine; if not, a second one is refused.
    assert!(
        [202, 409].contains(&again.status().as_u16()),
        "{}",
        again.status()
    );

    let run = support::eventually(Duration::from_secs(30), "the run finished", || async {
        let run = support::json_answer(admin.get(format!("{base}/api/log-verification"))).await;
        (run["state"] == "FINISHED").then_some(run)
    })
    .await;
    // The two snapshots, the farmer's client, three animals, the forgery and the garbled bytes.
    assert_eq!(run["total"], 8, "{run}");
    assert_eq!(run["checked"], 8, "{run}");
    assert_eq!(run["broken_count"], 3, "{run}");
    let broken: Vec<&Value> = run["broken"].as_array().expect("broken").iter().collect();
    let forged_entry = broken
        .iter()
        .find(|b| b["event_id"] == forged.metadata.event_id.as_str())
        .unwrap_or_else(|| panic!("the forgery is listed: {run}"));
    assert_eq!(forged_entry["code"], "PAYLOAD_HASH", "{run}");
    assert_eq!(
        forged_entry["cattle_id"], forged.metadata.cattle_id.0,
        "{run}"
    );
    assert!(
        broken
            .iter()
            .any(|b| b["code"] == "MALFORMED" && b["event_id"].is_null()),
        "{run}"
    );
    let lie_entry = broken
        .iter()
        .find(|b| b["event_id"] == "snap_lie")
        .unwrap_or_else(|| panic!("the lying snapshot is listed: {run}"));
    assert_eq!(lie_entry["code"], "SNAPSHOT_DIVERGES", "{run}");
    assert_eq!(lie_entry["topic"], server.topics.snapshots(), "{run}");
    assert_eq!(lie_entry["cattle_id"], state.cattle_id.0, "{run}");
    assert!(
        !broken.iter().any(|b| b["event_id"] == "snap_true"),
        "{run}"
    );
    support::clean_up(&settings).await;
}
