//! Many clients at once, each registering animals and updating them straight away: the
//! command handler builds on its own acknowledged events, so no update waits for the golden
//! record, none is refused for an animal "not found", and none accepted is refused later.
use crate::support;

use serde_json::{json, Value};
use std::time::Duration;

const CLIENTS: u32 = 64;
const ANIMALS_EACH: u32 = 2;

async fn send(http: &reqwest::Client, url: &str, command: Value) -> (u16, Value) {
    let response = http
        .post(url)
        .json(&command)
        .send()
        .await
        .expect("the API answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_clients_creating_then_updating_at_once_are_never_refused() {
    let settings = support::settings("concurrent").await;
    let server = support::start(&settings).await;
    let (farmer, _) = support::farmer_with_clients(&server, &[1]).await;
    let url = format!("http://{}/api/commands", server.addr);

    let mut clients = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let (http, url) = (farmer.clone(), url.clone());
        clients.spawn(async move {
            let mut answers = Vec::new();
            for animal in 0..ANIMALS_EACH {
                let nlis = support::nlis(client * 100 + animal);
                let created = send(&http, &url, json!({"type": "CREATE_CATTLE",
                    "data": {"nlisId": nlis, "breed": "Angus", "sex": "FEMALE", "clientId": 1}}))
                .await;
                let id = created.1["cattle_id"].clone();
                answers.push(created);
                for update in [
                    json!({"type": "RECORD_HEALTH", "data": {"cattleId": id, "kind": "VACCINATION", "notes": "7-in-1"}}),
                    json!({"type": "RECORD_LOCATION", "data": {"cattleId": id, "latitude": -27.5, "longitude": 153.0}}),
                    json!({"type": "RECORD_HEALTH", "data": {"cattleId": id, "kind": "INSPECTION", "notes": "sound"}}),
                ] {
                    answers.push(send(&http, &url, update).await);
                }
            }
            answers
        });
    }
    let mut event_ids = Vec::new();
    while let Some(answers) = clients.join_next().await {
        for (status, body) in answers.expect("a client ran") {
            assert_eq!(status, 202, "every command is accepted: {body}");
            event_ids.push(body["event_id"].as_str().expect("an event id").to_string());
        }
    }
    assert_eq!(event_ids.len(), (CLIENTS * ANIMALS_EACH * 4) as usize);

    let listed = event_ids
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    support::eventually(
        Duration::from_secs(180),
        "every accepted event applied",
        || async {
            let applied = support::count(
                &server.db,
                &format!("cattle_events WHERE event_id IN ({listed})"),
            )
            .await;
            (applied == event_ids.len() as i64).then_some(())
        },
    )
    .await;
    assert_eq!(
        support::count(&server.db, "rejected_events").await,
        0,
        "none accepted was refused"
    );
}
