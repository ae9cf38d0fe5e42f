//! Live updates follow the herd rule: over real engines, a farmer's socket hears about their
//! own animals and never another farmer's, an assessor's hears both, and a socket closes
//! when its session is signed out.
use crate::support;

use futures::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const WITHIN: Duration = Duration::from_secs(20);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Creates an animal for `client_id` and waits until it is applied: (event id, cattle id).
async fn create(base: &str, http: &reqwest::Client, client_id: i64, n: u32) -> (String, i64) {
    let response = http
        .post(format!("{base}/api/commands?wait=applied&timeout_ms=20000"))
        .json(
            &json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(n),
            "breed": "Angus", "sex": "FEMALE", "clientId": client_id}}),
        )
        .send()
        .await
        .expect("the API answers");
    assert_eq!(response.status(), 200);
    let ack: Value = response.json().await.expect("an acknowledgement");
    (
        ack["event_id"].as_str().expect("an event id").to_string(),
        ack["cattle_id"].as_i64().expect("a cattle id"),
    )
}

/// Every update `socket` receives up to and including the golden record's for `event_id`.
async fn updates_until(socket: &mut Socket, event_id: &str) -> Vec<Value> {
    tokio::time::timeout(WITHIN, async {
        let mut seen = Vec::new();
        while let Some(Ok(message)) = socket.next().await {
            let Ok(text) = message.to_text() else {
                continue;
            };
            let Ok(update) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            let done = update["event_id"] == event_id && update["view"] == "golden_record";
            seen.push(update);
            if done {
                return seen;
            }
        }
        panic!("the socket closed before the update of {event_id}");
    })
    .await
    .expect("the update arrives in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_farmer_hears_only_their_own_herd_and_is_cut_off_at_sign_out() {
    let settings = support::settings("live_scope").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (ann, ann_token) = support::farmer_with_clients(&server, &[11]).await;
    let (bob, bob_token) = support::farmer_with_clients(&server, &[12]).await;
    let assessor_token = support::signed_in(&server, domain::Role::Assessor).await;
    let mut ann_live = support::live_socket(server.addr, &ann_token).await;
    let mut bob_live = support::live_socket(server.addr, &bob_token).await;
    let mut assessor_live = support::live_socket(server.addr, &assessor_token).await;

    let (bobs_event, bobs_animal) = create(&base, &bob, 12, 1).await;
    updates_until(&mut bob_live, &bobs_event).await;
    updates_until(&mut assessor_live, &bobs_event).await;

    // Bob's update went out before Ann's command was sent: had it reached her socket, it
    // would be among what arrives before her own.
    let (anns_event, _) = create(&base, &ann, 11, 2).await;
    let heard = updates_until(&mut ann_live, &anns_event).await;
    let about_bob: Vec<&Value> = heard
        .iter()
        .filter(|u| u["cattle_id"] == bobs_animal || u["event_id"] == bobs_event.as_str())
        .collect();
    assert!(
        about_bob.is_empty(),
        "Ann heard about Bob's animal: {about_bob:?}"
    );

    let signed_out = ann
        .delete(format!("{base}/api/session"))
        .send()
        .await
        .expect("answers");
    assert_eq!(signed_out.status(), 204);
    let closed = tokio::time::timeout(WITHIN, async {
        loop {
            match ann_live.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                None | Some(Err(_)) => return None,
            }
        }
    })
    .await
    .expect("the socket closes after sign-out");
    assert_eq!(closed, Some(1008));
    support::clean_up(&settings).await;
}
