//! A server killed while keyed commands are in flight, started again, and every command
//! retried with its `Idempotency-Key`: each request ends as exactly one event, the retry
//! answers that event's id, and every event id a client was ever given ends `APPLIED`,
//! `REJECTED` or `DUPLICATE` (never `PENDING` for good). The server runs as the real
//! `icattle` binary so it can be killed with SIGKILL, like a crash.
use crate::support;

use serde_json::{json, Value};
use server::accounts::{Accounts, NewUser};
use server::config::Settings;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use support::eventually;
use support::served::{self, free_port, serve};

const WITHIN: Duration = Duration::from_secs(60);
const ANIMALS: usize = 40;
/// Events the dead server leaves for the golden record ahead of the keyed visits, so the
/// restarted one is still catching up when the retries come.
const BACKLOG: u32 = 3000;

/// Publishes `BACKLOG` registrations signed with the server's key, all in flight at once.
async fn publish_backlog(settings: &Settings) {
    publish_backlog_of(settings, BACKLOG).await;
}

/// Publishes `count` registrations signed with the server's key, all in flight at once.
async fn publish_backlog_of(settings: &Settings, count: u32) {
    use server::kafka::publisher::{idempotent_producer, EventPublisher};
    let key = domain::SigningKeyPair::from_seed_hex(
        settings
            .signing_seed
            .as_deref()
            .expect("the test's server key"),
    )
    .expect("a valid seed");
    let publisher = EventPublisher::new(
        idempotent_producer(&support::brokers()).expect("a producer"),
        server::kafka::topics::Topics::new(&settings.topic_prefix).cattle_events(),
    );
    let envelopes: Vec<_> = (0..count)
        .map(|n| support::created_envelope(&key, 100_000 + n))
        .collect();
    let sent = futures::future::join_all(envelopes.iter().map(|e| publisher.publish(e))).await;
    assert!(sent.iter().all(Result::is_ok), "the backlog is published");
}

async fn ready(http: &reqwest::Client, base: &str) {
    served::ready(http, base, WITHIN).await;
}

/// Sends a command; `None` when the server gave no answer (it was killed).
async fn send(
    http: &reqwest::Client,
    base: &str,
    command: &Value,
    key: Option<&str>,
) -> Option<(u16, Value)> {
    let mut request = http.post(format!("{base}/api/commands")).json(command);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let answer = request.send().await.ok()?;
    let status = answer.status().as_u16();
    Some((status, answer.json().await.ok()?))
}

/// Sends a keyed command again as its client is told to: while the restarted registry is
/// still reading the log it answers 503, publishes nothing and asks for the same key again
/// in a moment (how long that takes depends on the machine's load, not on the registry).
async fn send_again(
    http: &reqwest::Client,
    base: &str,
    command: &Value,
    key: &str,
) -> Option<(u16, Value)> {
    let started = std::time::Instant::now();
    loop {
        let answer = send(http, base, command, Some(key)).await;
        match answer {
            Some((503, _)) if started.elapsed() < WITHIN => {
                tokio::time::sleep(Duration::from_millis(250)).await
            }
            answer => return answer,
        }
    }
}

/// What `GET /api/events/{id}/status` says, when the server answers.
async fn status_of(http: &reqwest::Client, base: &str, event_id: &str) -> Option<Value> {
    let answer = http
        .get(format!("{base}/api/events/{event_id}/status"))
        .send()
        .await
        .ok()?;
    answer.json().await.ok()
}

fn health_visit(cattle_id: i64) -> Value {
    json!({"type": "RECORD_HEALTH",
        "data": {"cattleId": cattle_id, "kind": "VACCINATION", "notes": "7-in-1, keyed"}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyed_command_retried_after_a_crash_is_one_event_and_answers_its_id() {
    let settings = support::settings("restart").await;
    let db = support::connect(&settings).await;
    // The vault the server will open too: the master key file in the test's data directory.
    let vault = server::seed_vault::SeedVault::open(None, &settings.data_dir).expect("a vault");
    let accounts = Accounts::new(db.clone(), vault, support::key_registrar(&settings).await);
    accounts
        .create_user(
            None,
            &NewUser {
                username: "keyed-farmer".into(),
                password: "a long test password".into(),
                role: "FARMER".into(),
            },
        )
        .await
        .expect("a farmer");
    let (token, _) = accounts
        .sign_in("keyed-farmer", "a long test password", None)
        .await
        .expect("the farmer signs in");
    let http = support::api_client(&token);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");

    let mut server = serve(&settings, port, true);
    ready(&http, &base).await;
    let client = json!({"type": "REGISTER_CLIENT",
        "data": {"clientId": 7, "name": "Keyed station", "pic": support::pic_of(7)}});
    let (status, _) = send(&http, &base, &client, None).await.expect("answered");
    assert_eq!(status, 202);
    let mut animals = Vec::new();
    for n in 0..ANIMALS as u32 {
        let create = json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(9000 + n),
            "breed": "Angus", "sex": "FEMALE", "clientId": 7}});
        let (status, ack) = send(&http, &base, &create, None).await.expect("answered");
        assert_eq!(status, 202, "{ack}");
        animals.push(ack["cattle_id"].as_i64().expect("a cattle id"));
    }
    eventually(WITHIN, "the herd to be applied", || async {
        (support::count(&db, "cattle").await == ANIMALS as i64).then_some(())
    })
    .await;
    server.kill();

    // A server that runs no views, so nothing it publishes reaches the golden record before
    // it dies: every keyed visit at once, killed when half have been answered.
    let mut server = serve(&settings, port, false);
    ready(&http, &base).await;
    publish_backlog(&settings).await;

    let keys: Vec<String> = (0..ANIMALS)
        .map(|n| format!("visit-{n}-{}", support::unique("k")))
        .collect();
    let (answered_tx, mut answered_rx) = tokio::sync::mpsc::unbounded_channel();
    let in_flight: Vec<_> = animals
        .iter()
        .zip(&keys)
        .map(|(id, key)| {
            let (http, base, key, id) = (http.clone(), base.clone(), key.clone(), *id);
            let answered = answered_tx.clone();
            tokio::spawn(async move {
                let answer = send(&http, &base, &health_visit(id), Some(&key)).await;
                let _ = answered.send(());
                answer
            })
        })
        .collect();
    for _ in 0..ANIMALS / 2 {
        answered_rx.recv().await;
    }
    server.kill();
    let mut first: BTreeMap<usize, String> = BTreeMap::new();
    for (n, attempt) in in_flight.into_iter().enumerate() {
        if let Ok(Some((200 | 202, ack))) = attempt.await {
            first.insert(
                n,
                ack["event_id"].as_str().expect("an event id").to_string(),
            );
        }
    }

    eprintln!(
        "{} of {ANIMALS} keyed visits were answered before the kill",
        first.len()
    );

    // Started again, views and all: every request retried with its key, while the golden
    // record is still catching up with what the dead server published.
    let mut server = serve(&settings, port, true);
    ready(&http, &base).await;
    let mut given: BTreeSet<String> = first.values().cloned().collect();
    let mut retried = Vec::new();
    let mut duplicates = 0;
    for (n, (id, key)) in animals.iter().zip(&keys).enumerate() {
        let (status, ack) = send_again(&http, &base, &health_visit(*id), key)
            .await
            .expect("answered");
        // 202 when published now, 200 DUPLICATE when the first attempt reached the log.
        assert!(status == 202 || status == 200, "retry {n}: {status} {ack}");
        let event_id = ack["event_id"].as_str().expect("an event id").to_string();
        if let Some(original) = first.get(&n) {
            assert_eq!(
                &event_id, original,
                "the retry of request {n} names its first answer"
            );
        }
        given.insert(event_id.clone());
        if ack["status"] == "DUPLICATE" {
            duplicates += 1;
        }
        retried.push(event_id);
    }

    eprintln!("{duplicates} retries found their first attempt in the log");

    // Exactly one visit per animal, and it is the one the retry named.
    for (n, (id, event_id)) in animals.iter().zip(&retried).enumerate() {
        let applied = eventually(WITHIN, "the visit to be applied", || {
            let (http, base, event_id) = (http.clone(), base.clone(), event_id.clone());
            async move {
                let status = status_of(&http, &base, &event_id).await?;
                (status["status"] == "APPLIED").then_some(status)
            }
        })
        .await;
        assert_eq!(applied["sequence"], 2, "request {n}: {applied}");
        let events = support::count(&db, &format!("cattle_events WHERE cattle_id = {id}")).await;
        assert_eq!(
            events, 2,
            "animal {id} has its registration and exactly one visit"
        );
    }
    // Every id ever handed out has an end.
    for event_id in &given {
        eventually(WITHIN, "every given event id to end", || {
            let (http, base, event_id) = (http.clone(), base.clone(), event_id.clone());
            async move {
                let status = status_of(&http, &base, &event_id).await?;
                ["APPLIED", "REJECTED", "DUPLICATE"]
                    .contains(&status["status"].as_str()?)
                    .then_some(())
            }
        })
        .await;
    }
    server.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyed_command_waits_for_the_golden_record_and_says_so_when_it_cannot() {
    use server::kafka::topics::{end_offsets, ensure_topics, Topics};
    let mut settings = support::settings("catchup").await;
    // No views anywhere: the event already in the log is never applied.
    settings.run_views = false;
    ensure_topics(
        &support::brokers(),
        &Topics::new(&settings.topic_prefix),
        settings.topic_layout(),
    )
    .await
    .expect("topics are created");
    publish_backlog_of(&settings, 1).await;
    let server = support::start(&settings).await;
    let token = support::signed_in(&server, domain::Role::Farmer).await;
    let http = support::api_client(&token);
    let base = format!("http://{}", server.addr);

    let (status, answer) = send(
        &http,
        &base,
        &health_visit(12345),
        Some("visit-after-restart"),
    )
    .await
    .expect("answered");
    assert_eq!(status, 503, "{answer}");
    let message = answer["error"].as_str().unwrap_or_default();
    assert!(message.contains("Idempotency-Key"), "{message}");
    assert!(message.contains("nothing was published"), "{message}");
    let topic = server.topics.cattle_events();
    let ends = end_offsets(&support::brokers(), &topic).expect("the log's ends");
    assert_eq!(
        ends.values().sum::<i64>(),
        1,
        "the log still holds only the earlier event"
    );
}
