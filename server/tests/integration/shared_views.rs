//! Views shared by two instances (issue 19). Two `icattle` processes run the views against a
//! three-broker cluster with `ICATTLE_SHARE_VIEWS`, so each view's consumer group gives each
//! of them some of the partitions. Each partition's events are applied by exactly one of
//! them (counted by `icattle_events_applied_total` on each); killing one with SIGKILL moves
//! its partitions to the other; afterwards the golden record's rows and checkpoints equal a
//! clean replay of the log, and a live socket on either instance saw every change.
use crate::support;
use crate::support::kafka_cluster::{KafkaCluster, NODES};
use crate::support::served::{free_port, ready, serve_from, Served};
use crate::support::views::{sql_dump, GOLDEN_TABLES};

use app::model::ViewName;
use futures::StreamExt;
use rdkafka::consumer::{BaseConsumer, Consumer};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};
use server::golden::{GoldenRecord, PROJECTION};
use server::views::consumer::ConsumerSource;
use server::views::group_turns::Sharing;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

const WITHIN: Duration = Duration::from_secs(120);
/// Animals registered while both instances run, then after one is killed.
const BEFORE: u32 = 45;
const AFTER: u32 = 24;
/// The master key both instances seal users' signing seeds with.
const MASTER_KEY: &str = "6d6173746572206b657920666f72207468652073686172656420766965777321";

/// A live socket's updates, gathered in the background: the event ids the golden record
/// announced.
type Seen = std::sync::Arc<std::sync::Mutex<BTreeSet<String>>>;

fn watch_live(
    mut socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> (Seen, tokio::task::JoinHandle<()>) {
    let seen = Seen::default();
    let gathering = seen.clone();
    let task = tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            let Ok(text) = message.to_text() else {
                continue;
            };
            let Ok(update) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            if update["view"] == ViewName::GoldenRecord.as_str() {
                if let Some(id) = update["event_id"].as_str() {
                    gathering.lock().expect("the set").insert(id.to_string());
                }
            }
        }
    });
    (seen, task)
}

/// The group's state and how many members it has, as the cluster tells.
async fn group_members(brokers: &str, group: &str) -> Option<(String, usize)> {
    let (brokers, group) = (brokers.to_string(), group.to_string());
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = rdkafka::ClientConfig::new()
            .set("bootstrap.servers", &brokers)
            .create()
            .ok()?;
        let list = consumer
            .fetch_group_list(Some(&group), Duration::from_secs(5))
            .ok()?;
        let found = list.groups().first()?;
        Some((found.state().to_string(), found.members().len()))
    })
    .await
    .ok()
    .flatten()
}

/// Waits until `group` is stable with `members` members.
async fn group_settles(brokers: &str, group: &str, members: usize) -> Duration {
    let started = Instant::now();
    support::eventually(
        WITHIN,
        &format!("{group} stable with {members}"),
        || async {
            let (state, count) = group_members(brokers, group).await?;
            (state == "Stable" && count == members).then_some(())
        },
    )
    .await;
    started.elapsed()
}

/// `icattle_events_applied_total` of the golden record on the instance at `base`, by
/// partition.
async fn applied_by_partition(base: &str) -> BTreeMap<i32, u64> {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("the metrics answer")
        .text()
        .await
        .expect("metrics text");
    let view = format!("view=\"{}\"", ViewName::GoldenRecord.as_str());
    let mut applied = BTreeMap::new();
    for line in text.lines() {
        if !line.starts_with("icattle_events_applied_total{") || !line.contains(&view) {
            continue;
        }
        let partition = line
            .split("partition=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|p| p.parse::<i32>().ok())
            .expect("a partition label");
        let count = line
            .rsplit(' ')
            .next()
            .and_then(|n| n.parse::<f64>().ok())
            .expect("a count");
        applied.insert(partition, count as u64);
    }
    applied
}

/// Accepted events of the golden record in `db`, by partition.
async fn events_by_partition(db: &DatabaseConnection) -> BTreeMap<i32, u64> {
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT kafka_partition AS p, COUNT(*) AS n FROM cattle_events GROUP BY 1",
        ))
        .await
        .expect("counted");
    rows.iter()
        .map(|row| {
            let partition: i32 = row.try_get("", "p").expect("a partition");
            let count: i64 = row.try_get("", "n").expect("a count");
            (partition, count as u64)
        })
        .collect()
}

/// The golden record's checkpoints in `db`.
async fn golden_checkpoints(db: &DatabaseConnection, topic: &str) -> BTreeMap<i32, i64> {
    server::views::sql_checkpoint::checkpoints(db, PROJECTION.as_str(), topic)
        .await
        .expect("checkpoints")
        .into_iter()
        .collect()
}

/// Registers animal `n` through the instance at `base`: its event id.
async fn register(http: &reqwest::Client, base: &str, n: u32) -> String {
    let answer: Value = support::json_answer(http.post(format!("{base}/api/commands")).json(
        &json!({"type": "CREATE_CATTLE",
                "data": {"nlisId": support::nlis(n), "breed": "Angus", "sex": "FEMALE",
                         "clientId": 7}}),
    ))
    .await;
    answer["event_id"]
        .as_str()
        .unwrap_or_else(|| panic!("animal {n} accepted: {answer}"))
        .to_string()
}

/// Waits until the golden record in `db` has `count` accepted events.
async fn golden_holds(db: &DatabaseConnection, count: u64) {
    support::eventually(WITHIN, &format!("{count} events applied"), || async {
        (events_by_partition(db).await.values().sum::<u64>() == count).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_each_views_partitions_and_one_takes_over_from_a_killed_other() {
    let mut settings = support::settings("shared_views").await;
    let cluster = KafkaCluster::start("shared", settings.kafka_libs()).await;
    let brokers = cluster.bootstrap();
    settings.kafka_brokers = Some(brokers.clone());
    settings.replication = NODES as i32;
    settings.share_views = true;
    settings.master_key = Some(MASTER_KEY.into());
    // Serves no view: it makes the topics and the schema and signs the farmer in.
    let mut office = settings.clone();
    office.run_views = false;
    let office = support::start(&office).await;
    let db = office.db.clone();
    let topic = office.topics.cattle_events();
    let group = office.topics.group("golden-record");
    let token = support::signed_in(&office, domain::Role::Farmer).await;
    let http = support::api_client(&token);

    let (port_a, port_b) = (free_port(), free_port());
    let (base_a, base_b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    let _a: Served = serve_from(&settings, &settings.data_dir.join("a"), port_a, true);
    // As deployed: one of the two also copies the log (relay, snapshots, archive).
    let mut copies_nothing = settings.clone();
    copies_nothing.run_log_copies = false;
    let mut b: Served = serve_from(&copies_nothing, &settings.data_dir.join("b"), port_b, true);
    ready(&http, &base_a, WITHIN).await;
    ready(&http, &base_b, WITHIN).await;
    group_settles(&brokers, &group, 2).await;

    let addr = |port: u16| std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let (seen_a, _watching_a) = watch_live(support::live_socket(addr(port_a), &token).await);
    let (seen_b, _watching_b) = watch_live(support::live_socket(addr(port_b), &token).await);
    let client = json!({"type": "REGISTER_CLIENT",
        "data": {"clientId": 7, "name": "Shared station", "pic": support::pic_of(7)}});
    let answer = http
        .post(format!(
            "{base_a}/api/commands?wait=applied&timeout_ms=60000"
        ))
        .json(&client)
        .send()
        .await
        .expect("the API answers");
    assert_eq!(answer.status(), 200, "the client is applied");

    let mut written = Vec::new();
    for n in 0..BEFORE {
        let base = if n % 2 == 0 { &base_a } else { &base_b };
        written.push(register(&http, base, n).await);
    }
    golden_holds(&db, u64::from(BEFORE) + 1).await;
    let on_a = applied_by_partition(&base_a).await;
    let on_b = applied_by_partition(&base_b).await;
    let in_record = events_by_partition(&db).await;
    println!("applied by partition: A {on_a:?}, B {on_b:?}; the golden record {in_record:?}");
    for (partition, events) in &in_record {
        let (a, b) = (on_a.get(partition), on_b.get(partition));
        assert!(
            a.is_some() != b.is_some(),
            "partition {partition} applied by exactly one instance (A {a:?}, B {b:?})"
        );
        assert_eq!(a.or(b), Some(events), "partition {partition} applied once");
    }
    assert!(
        !on_a.is_empty() && !on_b.is_empty(),
        "both instances share the work"
    );

    let first: BTreeSet<String> = written.iter().cloned().collect();
    for (name, seen) in [("A", &seen_a), ("B", &seen_b)] {
        support::eventually(
            WITHIN,
            &format!("{name}'s socket to see every change"),
            || async {
                let seen = seen.lock().ok()?.clone();
                first.is_subset(&seen).then_some(())
            },
        )
        .await;
    }

    b.kill();
    let killed = Instant::now();
    // Registered while the group hands B's partitions to A: those wait, none is lost.
    let sending = async {
        let mut sent = Vec::new();
        for n in BEFORE..BEFORE + AFTER {
            sent.push(register(&http, &base_a, n).await);
        }
        sent
    };
    let (handed_over, sent) = tokio::join!(group_settles(&brokers, &group, 1), sending);
    written.extend(sent);
    golden_holds(&db, u64::from(BEFORE + AFTER) + 1).await;
    println!(
        "B killed: A held every partition after {:.1} s, had applied everything after {:.1} s \
         (session timeout 10 s)",
        handed_over.as_secs_f64(),
        killed.elapsed().as_secs_f64()
    );
    let taken_over = applied_by_partition(&base_a).await;
    let in_record = events_by_partition(&db).await;
    for (partition, events) in &in_record {
        let before_kill = on_b.get(partition).copied().unwrap_or(0);
        assert_eq!(
            taken_over.get(partition).copied().unwrap_or(0) + before_kill,
            *events,
            "partition {partition} applied once, by B then by A"
        );
    }

    // A clean replay of the log into a database of its own holds the same rows.
    let replay_settings = support::settings("shared_views_replay").await;
    let replay_db = support::connect(&replay_settings).await;
    let replay = GoldenRecord::new(replay_db.clone(), support::trusted_from_log(&settings));
    let source = ConsumerSource {
        brokers: brokers.clone(),
        topic: topic.clone(),
        group: office.topics.group("clean-replay"),
        dead_letter_topic: None,
        sharing: Sharing::ReadsAll,
    };
    let replaying = support::views::spawn(replay, source);
    let live_checkpoints = golden_checkpoints(&db, &topic).await;
    support::eventually(WITHIN, "the clean replay to catch up", || async {
        (golden_checkpoints(&replay_db, &topic).await == live_checkpoints).then_some(())
    })
    .await;
    replaying.abort();
    assert_eq!(
        sql_dump(&replay_db, GOLDEN_TABLES).await,
        sql_dump(&db, GOLDEN_TABLES).await,
        "the shared golden record equals a clean replay"
    );

    // A's socket saw every change, B's partitions' included.
    let all: BTreeSet<String> = written.into_iter().collect();
    support::eventually(WITHIN, "A's socket to see every change", || async {
        let seen = seen_a.lock().ok()?.clone();
        all.is_subset(&seen).then_some(())
    })
    .await;
}
