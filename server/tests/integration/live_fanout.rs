//! Live push across instances through Redis pub/sub: a browser on one instance sees a change
//! that another instance's consumer applied.
use crate::support;

use futures::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_applied_on_one_instance_reaches_browsers_on_another() {
    let settings = support::settings("fanout").await;
    let worker = support::start(&settings).await;
    let mut web_only = settings.clone();
    web_only.run_views = false;
    let web = support::start(&web_only).await;

    let (http, token) = support::farmer_with_clients(&worker, &[4]).await;
    let mut live = support::live_socket(web.addr, &token).await;
    // The subscription to the channel may take a moment after start-up.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let response = http
        .post(format!("http://{}/api/commands", worker.addr))
        .json(&json!({"type": "CREATE_CATTLE",
                      "data": {"nlisId": support::nlis(31), "breed": "Angus", "sex": "MALE", "clientId": 4}}))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(response.status(), 202);
    let ack: Value = response.json().await.expect("an acknowledgement");

    let pushed = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(message)) = live.next().await {
            if let Ok(text) = message.to_text() {
                let update: Value = serde_json::from_str(text).expect("JSON updates");
                if update["event_id"] == ack["event_id"] && update["view"] == "golden_record" {
                    return update;
                }
            }
        }
        panic!("the WebSocket closed before the update");
    })
    .await
    .expect("the other instance's update arrives");
    assert_eq!(pushed["cattle_id"], ack["cattle_id"]);
}
