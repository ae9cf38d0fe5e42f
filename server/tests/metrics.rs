//! `GET /metrics` on the real engines: after a few commands, the command, publish and view
//! metrics are there with values that follow what happened.
mod support;

use serde_json::{json, Value};
use std::time::Duration;

/// The value of the first sample of `name` whose labels include every one of `labels`.
fn sample(page: &str, name: &str, labels: &[&str]) -> Option<f64> {
    page.lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

/// Sends `body` and waits for the golden record: the status.
async fn send(http: &reqwest::Client, url: &str, body: Value) -> u16 {
    let response = http.post(url).json(&body).send().await.expect("answers");
    response.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_follow_commands_publishes_and_views() {
    let settings = support::settings("metrics").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (farmer, _) = support::farmer_with_clients(&server, &[81]).await;
    let url = format!("{base}/api/commands?wait=applied&timeout_ms=20000");
    let create = json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(8100),
        "breed": "Angus", "sex": "MALE", "clientId": 81}});
    assert_eq!(send(&farmer, &url, create).await, 200);
    let invalid = json!({"type": "CREATE_CATTLE", "data": {"nlisId": "short"}});
    assert_eq!(send(&farmer, &url, invalid).await, 422);
    let valuation = json!({"type": "RECORD_VALUATION",
        "data": {"cattleId": 1, "amountCents": 1, "method": "MARKET"}});
    assert_eq!(send(&farmer, &url, valuation).await, 403);

    let response = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("answers");
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");

    // The golden record has both events (the commands waited for it); the other views
    // follow the log on their own.
    let views = ["golden_record", "cache_view", "fraud_view", "audit_archive"];
    let page = support::eventually(
        Duration::from_secs(20),
        "every view counting both events",
        || async {
            let page = reqwest::get(format!("{base}/metrics"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            let counted = |view: &&str| {
                let label = format!("view=\"{view}\"");
                sample(&page, "icattle_events_processed_total", &[&label]).unwrap_or(0.0) >= 2.0
            };
            views.iter().all(counted).then_some(page)
        },
    )
    .await;

    let commands = "icattle_commands_total";
    for labels in [
        ["type=\"REGISTER_CLIENT\"", "outcome=\"accepted\""],
        ["type=\"CREATE_CATTLE\"", "outcome=\"accepted\""],
        ["type=\"CREATE_CATTLE\"", "outcome=\"validation_error\""],
        ["type=\"RECORD_VALUATION\"", "outcome=\"forbidden\""],
    ] {
        let value = sample(&page, commands, &labels).unwrap_or(0.0);
        assert_eq!(value, 1.0, "{commands} {labels:?}:\n{page}");
    }
    let published = sample(&page, "icattle_events_published_total", &[]).unwrap_or(0.0);
    assert_eq!(published, 2.0, "{page}");
    let timed = sample(&page, "icattle_publish_seconds_count", &[]).unwrap_or(0.0);
    assert_eq!(timed, published, "every publish is timed:\n{page}");
    let errors = sample(&page, "icattle_publish_errors_total", &[]).unwrap_or(0.0);
    assert_eq!(errors, 0.0, "{page}");
    for view in ["golden_record", "cache_view", "fraud_view"] {
        let label = format!("view=\"{view}\"");
        let batches = sample(&page, "icattle_view_batch_seconds_count", &[&label]);
        assert!(batches.is_some_and(|n| n >= 1.0), "{view} batches:\n{page}");
        let refused = sample(&page, "icattle_events_failed_total", &[&label]).unwrap_or(0.0);
        assert_eq!(refused, 0.0, "{view}:\n{page}");
    }
    support::clean_up(&settings).await;
}
