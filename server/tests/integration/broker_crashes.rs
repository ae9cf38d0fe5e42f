//! A crash campaign against a three-broker cluster (issue 19): under a steady load of
//! commands, one broker at a time is killed with SIGKILL at a random moment and started
//! again, ten times. Every command answered 202 must be in the log and applied exactly once
//! in the golden record, and the registry takes commands afterwards. The test prints the
//! publish p99 over the campaign and the longest time a command waited.
use crate::support;
use crate::support::kafka_cluster::{KafkaCluster, NODES};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CRASHES: usize = 10;
const SENDERS: u32 = 4;
/// A 503 says the outcome is unknown and that sending again with the same key is safe.
const SENDS_PER_COMMAND: usize = 6;

/// What became of one command.
struct Outcome {
    status: u16,
    event_id: Option<String>,
    /// From the first send to the last answer, retries included.
    waited: Duration,
}

/// Sends one CREATE_CATTLE under its own `Idempotency-Key`, again on a 503.
async fn create(http: &reqwest::Client, url: &str, nlis: &str) -> Outcome {
    let started = Instant::now();
    let mut last = (0, Value::Null);
    for _ in 0..SENDS_PER_COMMAND {
        let sent = http
            .post(url)
            .header(domain::REQUEST_KEY_HEADER, format!("crash-{nlis}"))
            .timeout(Duration::from_secs(60))
            .json(&json!({"type": "CREATE_CATTLE",
                "data": {"nlisId": nlis, "breed": "Angus", "sex": "FEMALE", "clientId": 1}}))
            .send()
            .await;
        last = match sent {
            Ok(response) => {
                let status = response.status().as_u16();
                (status, response.json().await.unwrap_or(Value::Null))
            }
            Err(error) => panic!("the app answers within a minute: {error}"),
        };
        if last.0 != 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Outcome {
        status: last.0,
        event_id: last.1["event_id"].as_str().map(str::to_string),
        waited: started.elapsed(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_broker_crashes_under_load_lose_no_accepted_command_and_apply_each_once() {
    let mut settings = support::settings("broker_crashes").await;
    let mut cluster = KafkaCluster::start("crashes", settings.kafka_libs()).await;
    settings.kafka_brokers = Some(cluster.bootstrap());
    settings.replication = NODES as i32;
    // The campaign is about commands and the golden record. With the log's copies running
    // too (the category relay, the snapshot taker, the archive) it passed as well, with the
    // relay at the log's end afterwards, but the cluster took twice as long to be back in
    // sync after each kill on two cores (a 211 s campaign alone instead of 81–92 s; the test
    // took 615 s in a CI run).
    settings.run_log_copies = false;
    let server = support::start(&settings).await;
    let (farmer, _) = support::farmer_with_clients(&server, &[1]).await;
    let url = format!("http://{}/api/commands", server.addr);
    let topic = server.topics.cattle_events();

    let sending = Arc::new(AtomicBool::new(true));
    let mut senders = tokio::task::JoinSet::new();
    for sender in 0..SENDERS {
        let (http, url, sending) = (farmer.clone(), url.clone(), sending.clone());
        senders.spawn(async move {
            let mut outcomes = Vec::new();
            let mut n = 0;
            while sending.load(Ordering::Relaxed) {
                let nlis = support::nlis(sender * 1_000_000 + n);
                outcomes.push((nlis.clone(), create(&http, &url, &nlis).await));
                n += 1;
            }
            outcomes
        });
    }

    // A new campaign each run; the seed is printed so a failing one can be run again.
    let seed = std::env::var("ICATTLE_CRASH_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| u64::from(std::process::id()) ^ 0x1ca7_71e5);
    println!("crash campaign seed {seed} (ICATTLE_CRASH_SEED to repeat it)");
    let mut rng = SmallRng::seed_from_u64(seed);
    let campaign = Instant::now();
    for crash in 1..=CRASHES {
        tokio::time::sleep(Duration::from_millis(rng.random_range(300..1500))).await;
        let node = rng.random_range(0..NODES);
        cluster.kill(node).await;
        tokio::time::sleep(Duration::from_millis(rng.random_range(300..1500))).await;
        cluster.restart(node).await;
        // Two copies must stand before the next crash, or min.insync.replicas refuses writes.
        cluster.await_in_sync(Duration::from_secs(90)).await;
        println!("crash {crash}: node {} killed and back in sync", node + 1);
    }
    sending.store(false, Ordering::Relaxed);
    let campaign = campaign.elapsed();
    let mut outcomes = Vec::new();
    while let Some(sent) = senders.join_next().await {
        outcomes.extend(sent.expect("a sender ran"));
    }

    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for (_, outcome) in &outcomes {
        *statuses.entry(outcome.status).or_default() += 1;
    }
    assert!(
        statuses.keys().all(|status| [202, 503].contains(status)),
        "accepted, or unknown after {SENDS_PER_COMMAND} sends: {statuses:?}"
    );
    let accepted: Vec<&str> = outcomes
        .iter()
        .filter(|(_, outcome)| outcome.status == 202)
        .map(|(_, outcome)| outcome.event_id.as_deref().expect("a 202 names its event"))
        .collect();
    assert!(accepted.len() >= 100, "a steady load: {statuses:?}");
    let mut waits: Vec<Duration> = outcomes
        .iter()
        .filter(|(_, outcome)| outcome.status == 202)
        .map(|(_, outcome)| outcome.waited)
        .collect();
    waits.sort();
    let p99 = waits[(waits.len() * 99).div_ceil(100) - 1];
    let longest = outcomes
        .iter()
        .map(|(_, o)| o.waited)
        .max()
        .unwrap_or_default();
    println!(
        "{} commands over {:.0} s and {CRASHES} crashes: {statuses:?}; publish p99 {} ms, longest wait {} ms",
        outcomes.len(),
        campaign.as_secs_f64(),
        p99.as_millis(),
        longest.as_millis()
    );

    // The registry came through: a command after the campaign is accepted.
    let after = create(&farmer, &url, &support::nlis(9_999_999)).await;
    assert_eq!(after.status, 202, "a command after the campaign");
    println!(
        "a command after the campaign accepted in {} ms",
        after.waited.as_millis()
    );

    let listed = accepted
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    support::eventually(
        Duration::from_secs(120),
        "every accepted command applied",
        || async {
            let applied = support::count(
                &server.db,
                &format!("cattle_events WHERE event_id IN ({listed})"),
            )
            .await;
            (applied == accepted.len() as i64).then_some(())
        },
    )
    .await;
    println!("every accepted command applied");
    let twice = support::count(
        &server.db,
        "(SELECT cattle_id FROM cattle_events GROUP BY cattle_id HAVING count(*) > 1) AS twice",
    )
    .await;
    assert_eq!(twice, 0, "no animal registered twice in the golden record");

    let brokers = cluster.bootstrap();
    let log = tokio::task::spawn_blocking(move || {
        server::kafka::log_reader::read_topic(&brokers, &topic, Duration::from_secs(60))
    })
    .await
    .expect("the log is read")
    .expect("the whole log");
    let mut in_log: BTreeMap<String, usize> = BTreeMap::new();
    for line in log.lines() {
        let envelope = domain::EventEnvelope::from_json_str(line).expect("an envelope");
        *in_log.entry(envelope.metadata.event_id).or_default() += 1;
    }
    println!("{} events in the log", in_log.len());
    for id in &accepted {
        assert!(
            in_log.contains_key(*id),
            "{id} was answered 202 but is not in the log"
        );
    }
    tokio::time::timeout(Duration::from_secs(60), server.stop())
        .await
        .expect("the server stops within a minute after the campaign");
    // The test's topics go with the cluster's directories; the clean-up has no broker to ask.
    settings.kafka_brokers = None;
}
