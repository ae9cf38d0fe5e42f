//! The broker goes away under a running server: within 10 s `/health` answers 503 and the
//! KAFKA_UNAVAILABLE alert fires; when the broker is back, both clear. The broker is this
//! test's own Apache Kafka, so no other test loses theirs.
use crate::support;

use serde_json::Value;
use server::kafka::embedded_broker::{BrokerLaunch, EmbeddedBroker};
use std::time::Duration;

async fn health(base: &str) -> Option<(u16, Value)> {
    let response = reqwest::get(format!("{base}/health")).await.ok()?;
    let status = response.status().as_u16();
    Some((status, response.json().await.ok()?))
}

/// The state of KAFKA_UNAVAILABLE, as `/api/alerts` answers it.
async fn kafka_alert(http: &reqwest::Client, base: &str) -> Option<String> {
    let alerts: Value = http
        .get(format!("{base}/api/alerts"))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    alerts["alerts"]
        .as_array()?
        .iter()
        .find(|alert| alert["rule"] == "KAFKA_UNAVAILABLE")
        .and_then(|alert| alert["state"].as_str().map(str::to_string))
}

/// The broker's state in a `/health` answer.
fn broker_state(health: &Value) -> &str {
    health["engines"]
        .as_array()
        .and_then(|engines| engines.iter().find(|e| e["engine"] == "BROKER"))
        .and_then(|broker| broker["state"].as_str())
        .unwrap_or("absent")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_the_kafka_alert_follow_the_broker_down_and_up() {
    let mut settings = support::settings("broker_outage").await;
    let launch = BrokerLaunch {
        java: settings.java.clone(),
        libs: settings.kafka_libs(),
        addr: format!("127.0.0.1:{}", support::free_port_pair()),
        data_dir: settings.data_dir.clone(),
    };
    let broker = EmbeddedBroker::start(&launch).await.expect("a broker");
    settings.kafka_brokers = Some(broker.addr.clone());
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let admin = support::api_client(&support::signed_in(&server, domain::Role::Admin).await);

    let (status, answer) = health(&base).await.expect("health answers");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["log_writable"], true, "{answer}");
    let engines: Vec<&str> = answer["engines"]
        .as_array()
        .expect("engines")
        .iter()
        .filter_map(|e| e["engine"].as_str())
        .collect();
    assert_eq!(
        engines,
        ["BROKER", "DATABASE", "CACHE", "SEARCH"],
        "{answer}"
    );
    assert_eq!(broker_state(&answer), "UP", "{answer}");
    let alert = kafka_alert(&admin, &base).await;
    assert_eq!(alert.as_deref(), Some("OK"));

    broker.stop().await;
    let within = Duration::from_secs(10);
    let down = support::eventually(within, "/health 503 with the broker down", || async {
        health(&base)
            .await
            .filter(|(status, answer)| *status == 503 && broker_state(answer) == "DOWN")
    })
    .await;
    assert_eq!(down.1["log_writable"], false, "{}", down.1);
    support::eventually(within, "KAFKA_UNAVAILABLE firing", || async {
        (kafka_alert(&admin, &base).await.as_deref() == Some("FIRING")).then_some(())
    })
    .await;

    let broker = EmbeddedBroker::start(&launch)
        .await
        .expect("the broker again");
    let back = Duration::from_secs(60);
    support::eventually(back, "/health 200 with the broker back", || async {
        health(&base).await.filter(|(status, _)| *status == 200)
    })
    .await;
    support::eventually(back, "KAFKA_UNAVAILABLE cleared", || async {
        (kafka_alert(&admin, &base).await.as_deref() == Some("OK")).then_some(())
    })
    .await;

    server.stop().await;
    broker.stop().await;
    // The topics went with the broker's data directory, which the clean-up removes.
    settings.kafka_brokers = None;
}
