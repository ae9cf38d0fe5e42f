//! `GET /api/consumer-groups`: the deployment's consumer groups as Kafka sees them. Each
//! view's group is listed, its committed position reaches the log's end once the view has
//! applied everything, and no other deployment's group is shown.
use crate::support;

use domain::Role;
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_views_group_is_listed_and_its_position_reaches_the_logs_end() {
    let settings = support::settings("consumer_groups").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let admin = support::api_client(&support::signed_in(&server, Role::Admin).await);
    let (farmer, _) = support::farmer_with_clients(&server, &[71]).await;
    support::applied_command(
        &server,
        &farmer,
        json!({"type": "CREATE_CATTLE",
        "data": {"nlisId": support::nlis(7101), "breed": "Angus", "sex": "MALE", "clientId": 71}}),
    )
    .await;
    let log_end = support::log_end(&server.topics.cattle_events());
    assert!(log_end >= 2, "a client and an animal: {log_end}");
    // Each view reports its position on its own second, so the fraud view may commit after
    // the golden record: wait for every view's group, not the first one.
    let views: Vec<String> = ["golden-record", "cache-view", "fraud-view", "search-index"]
        .iter()
        .map(|view| server.topics.group(view))
        .collect();

    let groups: Vec<Value> = support::eventually(
        Duration::from_secs(30),
        "every view's group at the log's end",
        || async {
            let answer =
                support::json_answer(admin.get(format!("{base}/api/consumer-groups"))).await;
            let groups = answer["groups"].as_array()?.clone();
            let caught_up = views.iter().all(|view| {
                groups.iter().any(|g| {
                    g["group"] == view.as_str() && g["committed"] == log_end && g["behind"] == 0
                })
            });
            caught_up.then_some(groups)
        },
    )
    .await;
    let prefix = server.topics.group("");
    for group in &groups {
        let name = group["group"].as_str().expect("a name");
        assert!(
            name.starts_with(&prefix),
            "only this deployment's groups: {name}"
        );
        assert_eq!(group["members"], 0, "the views read by assignment: {group}");
    }
    server.stop().await;
}
