//! A command's trace in JSON logs: the request's span holds the command's, which carries
//! its event id through validation, sealing and publishing, and the golden record's apply and the live push
//! name the same event, so one id finds every step of it.
use crate::support;

use serde_json::{json, Value};
use std::time::Duration;

/// The JSON log lines that mention `event_id` in their fields or their spans.
fn lines_about(log: &str, event_id: &str) -> Vec<Value> {
    log.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line.to_string().contains(event_id))
        .collect()
}

fn message(line: &Value) -> &str {
    line["fields"]["message"].as_str().unwrap_or_default()
}

/// The names of the spans a line was logged in, outermost first.
fn spans(line: &Value) -> Vec<&str> {
    line["spans"]
        .as_array()
        .map(|spans| spans.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_event_id_follows_a_command_from_request_to_live_push() {
    let log = support::log_capture::Captured::default();
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .with_env_filter("info,server=debug,tower_http=info")
        .with_writer(log.clone())
        .init();
    let settings = support::settings("command_traces").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (farmer, _) = support::farmer_with_clients(&server, &[91]).await;
    let create = json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(9100),
        "breed": "Angus", "sex": "MALE", "clientId": 91}});
    let url = format!("{base}/api/commands?wait=applied&timeout_ms=20000");
    let ack = support::json_answer(farmer.post(url).json(&create)).await;
    let event_id = ack["event_id"].as_str().expect("an event id").to_string();

    let traced = support::eventually(Duration::from_secs(10), "the live push logged", || {
        let lines = lines_about(&log.text(), &event_id);
        async move {
            lines
                .iter()
                .any(|line| message(line) == "live update pushed")
                .then_some(lines)
        }
    })
    .await;
    let published = traced
        .iter()
        .find(|line| message(line) == "event published")
        .expect("the publish is logged");
    assert_eq!(
        spans(published),
        ["request", "command", "publish"],
        "{published}"
    );
    assert_eq!(
        published["spans"][0]["uri"],
        "/api/commands?wait=applied&timeout_ms=20000"
    );
    assert_eq!(
        published["spans"][1]["kind"], "CREATE_CATTLE",
        "{published}"
    );
    assert_eq!(
        published["spans"][1]["event_id"],
        event_id.as_str(),
        "{published}"
    );
    let handled = traced
        .iter()
        .find(|line| message(line) == "command handled")
        .expect("the command's end is logged");
    assert_eq!(handled["span"]["outcome"], "accepted", "{handled}");
    let applied_by: Vec<&str> = traced
        .iter()
        .filter(|line| message(line) == "event applied")
        .filter_map(|line| line["span"]["view"].as_str())
        .collect();
    assert!(applied_by.contains(&"golden_record"), "{applied_by:?}");
    let pushed = traced
        .iter()
        .find(|line| message(line) == "live update pushed")
        .expect("the push is logged");
    assert_eq!(spans(pushed), ["apply"], "{pushed}");
    support::clean_up(&settings).await;
}
