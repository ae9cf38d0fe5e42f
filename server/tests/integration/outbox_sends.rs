//! The forms' server function on the real engines, as the browser's outbox uses it: a command
//! sent again under the command id the browser made is the same fact (one event, the retry
//! answered with the original), a new id is a new fact, and an unfit id is named.
use crate::support;

use app::server_fns::SubmitCommand;
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use std::time::Duration;

/// Calls `submit_command` as `http`'s user: the answer's `Ok` or `Err` body.
async fn send(base: &str, http: &reqwest::Client, command: &Value, command_id: &str) -> Value {
    let response = http
        .post(format!("{base}{}", SubmitCommand::PATH))
        .json(&json!({ "command": command, "command_id": command_id }))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200);
    response.json().await.expect("a JSON answer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_sent_again_under_its_browser_id_is_one_event() {
    let settings = support::settings("outbox").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (farmer, _) = support::farmer_with_clients(&server, &[31]).await;
    let nlis = support::nlis(3101);
    support::applied_command(
        &server,
        &farmer,
        json!({"type": "CREATE_CATTLE", "data": {"nlisId": nlis, "breed": "Angus",
            "sex": "FEMALE", "clientId": 31}}),
    )
    .await;
    let cattle_id = domain::CattleId::for_nlis(&nlis).0;
    let health = json!({"type": "RECORD_HEALTH", "data": {"cattleId": cattle_id,
        "kind": "TREATMENT", "notes": "foot rot"}});

    let first = send(&base, &farmer, &health, "browser-1").await;
    assert_eq!(first["Ok"]["status"], "PUBLISHED", "{first}");
    // The answer was lost; the outbox sends it again, here and from a second tab.
    for _ in 0..2 {
        let again = send(&base, &farmer, &health, "browser-1").await;
        assert_eq!(again["Ok"]["status"], "DUPLICATE", "{again}");
        assert_eq!(again["Ok"]["event_id"], first["Ok"]["event_id"], "{again}");
    }
    // The same words made again in another form are another health record.
    let second = send(&base, &farmer, &health, "browser-2").await;
    assert_eq!(second["Ok"]["status"], "PUBLISHED", "{second}");
    assert_ne!(second["Ok"]["event_id"], first["Ok"]["event_id"]);

    let unfit = send(&base, &farmer, &health, "has a space").await;
    assert_eq!(unfit["Err"]["kind"], "INVALID", "{unfit}");
    assert_eq!(unfit["Err"]["errors"][0]["field"], "commandId", "{unfit}");

    // The log holds the registration and the two health records, nothing else.
    let from_log = support::eventually(Duration::from_secs(20), "three events", || async {
        let from_log = farmer.get(format!("{base}/api/cattle/{cattle_id}/from-log"));
        let report = support::json_if_answered(from_log).await?;
        (report["events"] == 3).then_some(report)
    })
    .await;
    let verification = from_log["verification"].as_str().unwrap_or_default();
    assert_eq!(
        verification.matches("HEALTH_RECORDED").count(),
        2,
        "{verification}"
    );
    support::clean_up(&settings).await;
}
