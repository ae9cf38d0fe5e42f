//! Rebuilding the golden record blue/green on the real engines: while commands keep
//! arriving and a reader polls an animal every 10 ms, an administrator rebuilds the view;
//! the reader never misses the animal nor sees it older than before, and the rebuilt tables
//! equal a clean replay. A cancelled rebuild leaves the live view alone and its copy gone;
//! a copy an interrupted rebuild left is resumed.
use crate::support;

use support::rebuilds::{followed_to_the_end, rebuild_answer, rebuild_call, schema_exists};

use domain::{CattleId, Role};
use reqwest::Method;
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::{json, Value};
use server::golden::GoldenRecord;
use server::kafka::publisher::{idempotent_producer, EventPublisher};
use server::kafka::topics::end_offsets;
use server::log_catch_up::behind;
use server::rebuild::shadow_store::ShadowStore;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Publishes `count` animals straight to the log, signed with the server's key.
async fn publish_animals(
    server: &server::instance::Instance,
    key: &domain::SigningKeyPair,
    from: u32,
    count: u32,
) {
    let publisher = EventPublisher::new(
        idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.cattle_events(),
    );
    let envelopes: Vec<_> = (from..from + count)
        .map(|n| support::created_envelope(key, n))
        .collect();
    for chunk in envelopes.chunks(500) {
        let sends = chunk.iter().map(|envelope| publisher.publish(envelope));
        for sent in futures::future::join_all(sends).await {
            sent.expect("the broker acknowledges");
        }
    }
}

/// Waits until the golden record in `db` has applied everything the log holds now.
async fn golden_caught_up(db: &DatabaseConnection, brokers: &str, topic: &str, within: Duration) {
    let ends = end_offsets(brokers, topic).expect("the log's ends");
    support::eventually(
        within,
        "the golden record to reach the log's end",
        || async { (behind(db, "golden_record", topic, &ends).await.ok()? == 0).then_some(()) },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_under_load_is_never_seen_half_done_and_equals_a_clean_replay() {
    let settings = support::settings("view_rebuild").await;
    let server_key =
        domain::SigningKeyPair::from_seed_hex(settings.signing_seed.as_deref().expect("a seed"))
            .expect("the key");
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let admin = support::api_client(&support::signed_in(&server, Role::Admin).await);
    let (farmer, _) = support::farmer_with_clients(&server, &[41]).await;
    let assessor = support::api_client(&support::signed_in(&server, Role::Assessor).await);
    let nlis = support::nlis(4100);
    let watched = CattleId::for_nlis(&nlis).0;
    support::applied_command(&server, &farmer,
        json!({"type": "CREATE_CATTLE", "data": {"nlisId": nlis, "breed": "Angus", "sex": "FEMALE", "clientId": 41}})).await;
    // A log long enough for the copy to take a while to replay.
    publish_animals(&server, &server_key, 10_000, 3_000).await;
    golden_caught_up(
        &server.db,
        &server.brokers,
        &server.topics.cattle_events(),
        Duration::from_secs(120),
    )
    .await;

    let stop = Arc::new(AtomicBool::new(false));
    // The load: valuations of the watched animal and new animals, one after the other.
    let load = {
        let (stop, assessor, farmer, base) =
            (stop.clone(), assessor.clone(), farmer.clone(), base.clone());
        tokio::spawn(async move {
            let mut sent = 0u32;
            while !stop.load(Ordering::SeqCst) {
                let command = if sent.is_multiple_of(2) {
                    json!({"type": "RECORD_VALUATION", "data": {"cattleId": watched, "amountCents": 200_000 + sent, "method": "MARKET"}})
                } else {
                    json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(20_000 + sent), "breed": "Wagyu", "sex": "MALE", "clientId": 41}})
                };
                let client = if sent.is_multiple_of(2) {
                    &assessor
                } else {
                    &farmer
                };
                let answer = client
                    .post(format!("{base}/api/commands?wait=applied&timeout_ms=20000"))
                    .json(&command)
                    .send()
                    .await
                    .expect("the API answers");
                assert!(
                    answer.status().is_success(),
                    "{command}: {}",
                    answer.status()
                );
                sent += 1;
            }
            sent
        })
    };
    // The reader: the animal over the API (cache first) and straight from the golden record.
    let polls = Arc::new(AtomicU64::new(0));
    let reader = {
        let (stop, farmer, base, db, polls) = (
            stop.clone(),
            farmer.clone(),
            base.clone(),
            server.db.clone(),
            polls.clone(),
        );
        tokio::spawn(async move {
            let (mut api_seen, mut golden_seen) = (0u64, 0i64);
            while !stop.load(Ordering::SeqCst) {
                let response = farmer
                    .get(format!("{base}/api/cattle/{watched}"))
                    .send()
                    .await
                    .expect("the API answers");
                assert_eq!(response.status(), 200, "the animal is always there");
                let animal: Value = response.json().await.expect("json");
                let sequence = animal["sequence"].as_u64().expect("a sequence");
                assert!(
                    sequence >= api_seen,
                    "the API went back from {api_seen} to {sequence}"
                );
                api_seen = sequence;
                let row = server::entity::cattle::Entity::find_by_id(watched)
                    .one(&db)
                    .await
                    .expect("a query")
                    .expect("the golden record always holds the animal");
                assert!(
                    row.sequence >= golden_seen,
                    "the golden record went back from {golden_seen} to {}",
                    row.sequence
                );
                golden_seen = row.sequence;
                polls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            golden_seen
        })
    };

    let farmer_try = rebuild_call(&farmer, &base, Method::POST, "golden_record").await;
    assert_eq!(farmer_try.status(), 403, "only administrators rebuild");
    let started = rebuild_call(&admin, &base, Method::POST, "golden_record").await;
    assert_eq!(started.status(), 202);
    let again = rebuild_call(&admin, &base, Method::POST, "golden_record").await;
    assert_eq!(again.status(), 409, "one rebuild per view at a time");
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["code"], "REBUILD_RUNNING", "{again}");
    let other = rebuild_answer(&admin, &base, Method::POST, "fraud_detector").await;
    assert_eq!(other["code"], "VIEW_NOT_REBUILDABLE", "{other}");

    let (run, highest) = followed_to_the_end(&admin, &base, "golden_record").await;
    assert_eq!(run["state"], "FINISHED", "{run}");
    assert_eq!(highest, 100, "the progress reached 100 %: {run}");
    assert!(run["done"].as_u64().expect("done") > 3_000, "{run}");
    assert_eq!(run["resumed_from"], 0, "{run}");
    // A little more load after the swap: the live view goes on from the copy's checkpoints.
    let after_swap = polls.load(Ordering::SeqCst) + 20;
    support::eventually(
        Duration::from_secs(30),
        "the reader to poll after the swap",
        || async { (polls.load(Ordering::SeqCst) >= after_swap).then_some(()) },
    )
    .await;
    stop.store(true, Ordering::SeqCst);
    let sent = load.await.expect("the load ran without a failure");
    let seen = reader
        .await
        .expect("the reader never saw the animal missing or older");
    assert!(sent > 10, "commands kept arriving: {sent}");
    assert!(seen > 1, "the reader saw the animal change: {seen}");
    assert!(
        !schema_exists(&server.db, "rebuild_golden_record").await,
        "the copy is dropped"
    );

    // The same log replayed into an empty database.
    golden_caught_up(
        &server.db,
        &server.brokers,
        &server.topics.cattle_events(),
        Duration::from_secs(60),
    )
    .await;
    let clean_url = support::fresh_database("view_rebuild_clean").await;
    let clean = server::database::open(&clean_url, &settings.data_dir)
        .await
        .expect("the clean database");
    let trusted = support::trusted_from_log(&settings);
    let replay = support::views::spawn(
        GoldenRecord::new(clean.clone(), trusted),
        server::views::consumer::ConsumerSource {
            brokers: server.brokers.clone(),
            topic: server.topics.cattle_events(),
            group: server.topics.group("clean-replay"),
            dead_letter_topic: None,
            sharing: server::views::group_turns::Sharing::ReadsAll,
        },
    );
    golden_caught_up(
        &clean,
        &server.brokers,
        &server.topics.cattle_events(),
        Duration::from_secs(120),
    )
    .await;
    replay.abort();
    let rebuilt = support::views::sql_dump(&server.db, support::views::GOLDEN_TABLES).await;
    let replayed = support::views::sql_dump(&clean, support::views::GOLDEN_TABLES).await;
    for table in support::views::GOLDEN_TABLES {
        assert_eq!(
            rebuilt[*table].len(),
            replayed[*table].len(),
            "{table} has as many rows"
        );
        assert!(
            rebuilt[*table] == replayed[*table],
            "{table} equals a clean replay"
        );
    }
    assert!(rebuilt["cattle_events"].len() > 3_000);
    clean.close().await.expect("closed");
    support::drop_database(&clean_url).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_rebuild_leaves_no_copy_and_an_interrupted_one_is_resumed() {
    let settings = support::settings("view_rebuild_resume").await;
    let server_key =
        domain::SigningKeyPair::from_seed_hex(settings.signing_seed.as_deref().expect("a seed"))
            .expect("the key");
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let admin = support::api_client(&support::signed_in(&server, Role::Admin).await);
    let topic = server.topics.cattle_events();
    publish_animals(&server, &server_key, 30_000, 3_000).await;
    golden_caught_up(
        &server.db,
        &server.brokers,
        &topic,
        Duration::from_secs(120),
    )
    .await;
    let live_before = support::views::sql_dump(&server.db, support::views::GOLDEN_TABLES).await;

    let none = rebuild_answer(&admin, &base, Method::DELETE, "golden_record").await;
    assert_eq!(none["code"], "NO_REBUILD_RUNNING", "{none}");
    let unknown = rebuild_call(&admin, &base, Method::POST, "barn").await;
    assert_eq!(unknown.status(), 404);
    let unknown: Value = unknown.json().await.expect("json");
    let said = unknown["error"].as_str().expect("an error");
    assert!(
        said.contains("\"barn\"") && said.contains("golden_record"),
        "{said}"
    );
    // An instance that only serves has no live view to swap.
    let mut serving_only = settings.0.clone();
    serving_only.run_views = false;
    let serving = support::start(&serving_only).await;
    let serving_admin = support::api_client(&support::signed_in(&serving, Role::Admin).await);
    let serving_base = format!("http://{}", serving.addr);
    let refused =
        rebuild_answer(&serving_admin, &serving_base, Method::POST, "golden_record").await;
    assert_eq!(refused["code"], "VIEW_NOT_RUNNING", "{refused}");
    let listed =
        support::json_answer(serving_admin.get(format!("{serving_base}/api/rebuilds"))).await;
    assert_eq!(
        listed["rebuilds"],
        json!([]),
        "nothing to rebuild here: {listed}"
    );
    serving.stop().await;
    let started = rebuild_call(&admin, &base, Method::POST, "golden_record").await;
    assert_eq!(started.status(), 202);
    let cancelled = rebuild_call(&admin, &base, Method::DELETE, "golden_record").await;
    assert_eq!(cancelled.status(), 202);
    let (run, _) = followed_to_the_end(&admin, &base, "golden_record").await;
    assert_eq!(run["state"], "CANCELLED", "{run}");
    assert!(
        !schema_exists(&server.db, "rebuild_golden_record").await,
        "the copy is dropped"
    );
    assert!(
        live_before == support::views::sql_dump(&server.db, support::views::GOLDEN_TABLES).await,
        "the live view is untouched"
    );

    // A copy as a crash leaves it: part of the log replayed into it, then nothing.
    let shadow = ShadowStore::open(
        &server.db,
        &settings.database_url(),
        &settings.data_dir,
        app::model::ViewName::GoldenRecord,
    )
    .await
    .expect("the copy");
    let half = server::entity::cattle_event::Entity::find()
        .all(&server.db)
        .await
        .expect("events")
        .len();
    let trusted = support::trusted_from_log(&settings);
    let copy = GoldenRecord::new(shadow.db().clone(), trusted);
    let mut first_half = Vec::new();
    for (partition, end) in end_offsets(&server.brokers, &topic).expect("ends") {
        first_half.push((partition, end / 2));
    }
    // Fed message by message, so it stops at half of each partition.
    let reader: rdkafka::consumer::StreamConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &server.brokers)
        .set("group.id", server.topics.group("half-copy"))
        .set("enable.auto.commit", "false")
        .create()
        .expect("a consumer");
    let mut assignment = rdkafka::TopicPartitionList::new();
    for (partition, _) in &first_half {
        assignment
            .add_partition_offset(&topic, *partition, rdkafka::Offset::Beginning)
            .expect("assigned");
    }
    rdkafka::consumer::Consumer::assign(&reader, &assignment).expect("assigned");
    let wanted: i64 = first_half.iter().map(|(_, n)| n).sum();
    let mut fed = 0;
    while fed < wanted {
        use rdkafka::Message;
        let message = reader.recv().await.expect("a message");
        let limit = first_half
            .iter()
            .find(|(p, _)| *p == message.partition())
            .map(|(_, n)| *n)
            .unwrap_or(0);
        if message.offset() < limit {
            copy.apply_at(
                &topic,
                message.partition(),
                message.offset(),
                message.payload().unwrap_or_default(),
            )
            .await
            .expect("applied to the copy");
            fed += 1;
        }
    }
    drop(shadow);
    assert!(half > 0);

    let started = rebuild_call(&admin, &base, Method::POST, "golden_record").await;
    assert_eq!(started.status(), 202);
    let (run, _) = followed_to_the_end(&admin, &base, "golden_record").await;
    assert_eq!(run["state"], "FINISHED", "{run}");
    assert_eq!(
        run["resumed_from"].as_i64(),
        Some(wanted),
        "it went on from the copy: {run}"
    );
    assert!(
        !schema_exists(&server.db, "rebuild_golden_record").await,
        "the copy is dropped"
    );
    assert!(
        live_before == support::views::sql_dump(&server.db, support::views::GOLDEN_TABLES).await,
        "the rebuilt view holds what the live one did"
    );
    server.stop().await;
}
