//! The operations page live over the WebSocket: when this instance's views move (an operator
//! pauses one, events are applied), its administrators' sockets are told at once, and no
//! farmer's or assessor's socket ever is.
use crate::support;

use domain::Role;
use futures::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;

const WITHIN: Duration = Duration::from_secs(20);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Every update `socket` receives until one `ends` it (that one included).
async fn updates_until(socket: &mut Socket, ends: impl Fn(&Value) -> bool) -> Vec<Value> {
    tokio::time::timeout(WITHIN, async {
        let mut seen = Vec::new();
        while let Some(Ok(message)) = socket.next().await {
            let Ok(update) = serde_json::from_str::<Value>(message.to_text().unwrap_or_default())
            else {
                continue;
            };
            let done = ends(&update);
            seen.push(update);
            if done {
                return seen;
            }
        }
        panic!("the socket closed first");
    })
    .await
    .expect("the update arrives in time")
}

fn operations(update: &Value) -> bool {
    update["kind"] == "operations_changed"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_hear_that_the_operations_moved_and_nobody_else_does() {
    let settings = support::settings("operations_live").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let admin_token = support::signed_in(&server, Role::Admin).await;
    let admin = support::api_client(&admin_token);
    let assessor_token = support::signed_in(&server, Role::Assessor).await;
    let (farmer, farmer_token) = support::farmer_with_clients(&server, &[31]).await;
    let mut admin_live = support::live_socket(server.addr, &admin_token).await;
    let mut assessor_live = support::live_socket(server.addr, &assessor_token).await;
    let mut farmer_live = support::live_socket(server.addr, &farmer_token).await;

    let paused = admin
        .post(format!("{base}/api/views/cache_view/paused"))
        .json(&json!({"paused": true}))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(paused.status(), 204);
    updates_until(&mut admin_live, operations).await;

    let answer = support::json_answer(
        farmer
            .post(format!("{base}/api/commands?wait=applied&timeout_ms=20000"))
            .json(
                &json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(3101),
                "breed": "Angus", "sex": "FEMALE", "clientId": 31}}),
            ),
    )
    .await;
    let event_id = answer["event_id"]
        .as_str()
        .expect("an event id")
        .to_string();
    let applied = |update: &Value| {
        update["event_id"] == event_id.as_str() && update["view"] == "golden_record"
    };
    // The pause and the new animal both moved the views: the administrator hears it again.
    let heard = updates_until(&mut admin_live, |u| operations(u) || applied(u)).await;
    if !heard.iter().any(operations) {
        updates_until(&mut admin_live, operations).await;
    }
    // The views table says how fast each view handled messages over the last second, here
    // while a farmer keeps registering animals.
    let sending = tokio::spawn({
        let (farmer, base) = (farmer.clone(), base.clone());
        async move {
            for n in 3102..3200 {
                let _ = farmer
                    .post(format!("{base}/api/commands"))
                    .json(
                        &json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(n),
                        "breed": "Angus", "sex": "MALE", "clientId": 31}}),
                    )
                    .send()
                    .await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    });
    support::eventually(WITHIN, "the golden record's rate", || async {
        let views = support::json_answer(admin.get(format!("{base}/api/views"))).await;
        let golden = views["views"]
            .as_array()?
            .iter()
            .find(|v| v["view"] == "golden_record")?
            .clone();
        (golden["per_second"].as_f64()? > 0.0).then_some(())
    })
    .await;
    sending.abort();
    for (who, socket) in [
        ("assessor", &mut assessor_live),
        ("farmer", &mut farmer_live),
    ] {
        let heard = updates_until(socket, applied).await;
        assert!(
            !heard.iter().any(operations),
            "the {who} heard of the operations: {heard:?}"
        );
    }
    admin
        .post(format!("{base}/api/views/cache_view/paused"))
        .json(&json!({"paused": false}))
        .send()
        .await
        .expect("the API answers");
    server.stop().await;
}
