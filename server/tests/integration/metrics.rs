//! `GET /metrics` on the real engines: after a few commands, the command, publish and view
//! metrics are there with values that follow what happened.
use crate::support;

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

    // One read of the animal, cache-first.
    let id = domain::CattleId::for_nlis(&support::nlis(8100)).0;
    let created = support::json_answer(farmer.get(format!("{base}/api/cattle/{id}"))).await;
    assert_eq!(created["breed"], "Angus", "{created}");

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
            let topic_counted = page.lines().any(|line| {
                line.starts_with("icattle_topic_messages{")
                    && line.contains("icattle.cattle.events")
                    && !line.ends_with(" 0")
            });
            (views.iter().all(counted) && topic_counted).then_some(page)
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
    // Every other metric the seed lists is there too.
    for name in [
        "icattle_consumer_lag_events",
        "icattle_consumer_lag_seconds",
        "icattle_events_processed_per_second",
        "icattle_topic_partitions",
        "icattle_topic_messages",
        "icattle_topic_retention_seconds",
        "icattle_topic_retention_bytes",
        "icattle_read_seconds_count",
        "icattle_cache_reads_total",
        "icattle_cache_hit_ratio",
        "icattle_engine_up",
        "icattle_alert_firing",
    ] {
        assert!(
            sample(&page, name, &[]).is_some(),
            "{name} missing:\n{page}"
        );
    }
    let partitions = format!("topic=\"{}icattle.cattle.events\"", settings.topic_prefix);
    let count = sample(&page, "icattle_topic_partitions", &[&partitions]);
    assert_eq!(count, Some(f64::from(support::TEST_PARTITIONS)), "{page}");
    assert_eq!(
        sample(&page, "icattle_engine_up", &["engine=\"broker\""]),
        Some(1.0)
    );
    let reads = sample(&page, "icattle_read_seconds_count", &["read=\"cattle\""]);
    assert!(reads.is_some_and(|n| n >= 1.0), "{page}");
    let looked_up: f64 = ["hit", "miss"]
        .iter()
        .filter_map(|result| {
            let label = format!("result=\"{result}\"");
            sample(&page, "icattle_cache_reads_total", &[&label])
        })
        .sum();
    assert!(looked_up >= 1.0, "{page}");
    for rule in ["consumer_lag", "processing_errors", "kafka_unavailable"] {
        let label = format!("alert=\"{rule}\"");
        assert_eq!(
            sample(&page, "icattle_alert_firing", &[&label]),
            Some(0.0),
            "{page}"
        );
    }
    support::clean_up(&settings).await;
}

/// The sum of `name` over every sample whose labels include `label`.
fn total(page: &str, name: &str, label: &str) -> f64 {
    page.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")) && line.contains(label))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_view_falls_behind_and_catches_up_when_resumed() {
    let settings = support::settings("metrics_lag").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let admin = support::api_client(&support::signed_in(&server, domain::Role::Admin).await);
    let (farmer, _) = support::farmer_with_clients(&server, &[82]).await;
    let pause = |paused: bool| {
        let admin = admin.clone();
        let url = format!("{base}/api/views/fraud_view/paused");
        async move {
            let response = admin
                .post(url)
                .json(&json!({ "paused": paused }))
                .send()
                .await
                .expect("answers");
            assert_eq!(response.status(), 204);
        }
    };
    // The clients' events are in the log; the view must have read them before it is
    // paused, or they would wait beside the five animals (a loaded machine is slow).
    let log_end = support::log_end(&server.topics.cattle_events());
    support::eventually(
        Duration::from_secs(20),
        "the fraud view at the log's end",
        || async {
            let views = support::json_if_answered(admin.get(format!("{base}/api/views"))).await?;
            let fraud = views["views"]
                .as_array()?
                .iter()
                .find(|v| v["view"] == "fraud_view")?;
            let next: i64 = fraud["partitions"]
                .as_array()?
                .iter()
                .filter_map(|p| p["next_offset"].as_i64())
                .sum();
            (next == log_end).then_some(())
        },
    )
    .await;
    pause(true).await;
    let url = format!("{base}/api/commands?wait=applied&timeout_ms=20000");
    for n in 0..5 {
        let create = json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(8200 + n),
            "breed": "Angus", "sex": "FEMALE", "clientId": 82}});
        assert_eq!(send(&farmer, &url, create).await, 200);
    }
    let fraud = "view=\"fraud_view\"";
    let golden = "view=\"golden_record\"";
    let metrics = || async {
        reqwest::get(format!("{base}/metrics"))
            .await
            .ok()?
            .text()
            .await
            .ok()
    };
    // The five animals wait for the paused view; their wait grows by the second.
    let page = support::eventually(Duration::from_secs(20), "the fraud view's lag", || async {
        let page = metrics().await?;
        let behind = total(&page, "icattle_consumer_lag_events", fraud) == 5.0
            && total(&page, "icattle_consumer_lag_seconds", fraud) >= 2.0;
        behind.then_some(page)
    })
    .await;
    assert_eq!(
        total(&page, "icattle_consumer_lag_events", golden),
        0.0,
        "{page}"
    );
    // The page answers the watch's last finished round; the gauges above may come from the
    // round still finishing, so it says the same a round later at most.
    let standing = support::eventually(Duration::from_secs(20), "the views page's lag", || {
        let views = admin.get(format!("{base}/api/views"));
        async move {
            let views = support::json_answer(views).await;
            let standing = views["views"]
                .as_array()?
                .iter()
                .find(|v| v["view"] == "fraud_view")?
                .clone();
            let waiting: i64 = standing["partitions"]
                .as_array()?
                .iter()
                .filter_map(|p| p["lag_events"].as_i64())
                .sum();
            (waiting == 5).then_some(standing)
        }
    })
    .await;
    assert_eq!(standing["paused"], true, "{standing}");

    pause(false).await;
    support::eventually(
        Duration::from_secs(20),
        "the fraud view caught up",
        || async {
            let page = metrics().await?;
            let caught_up = total(&page, "icattle_consumer_lag_events", fraud) == 0.0
                && total(&page, "icattle_consumer_lag_seconds", fraud) == 0.0;
            caught_up.then_some(())
        },
    )
    .await;
    support::clean_up(&settings).await;
}
