//! The audit archive on the real broker and a local object store: every envelope lands in a
//! dated JSON-lines batch, rebuilding rewrites exactly the same objects, and an administrator
//! rebuilds a damaged archive as a new generation beside the one in use.
use crate::support;

use reqwest::Method;
use server::audit::{open_store, ArchiveGenerations, AuditArchive};
use server::kafka::publisher::{idempotent_producer, EventPublisher};
use server::kafka::topics::{ensure_topics, Topics};
use server::views::consumer::ConsumerSource;
use server::views::group_turns::Sharing;
use std::collections::BTreeSet;
use std::time::Duration;
use support::eventually;
use support::herd_history::herd_history;
use support::rebuilds::{followed_to_the_end, rebuild_call};

const WITHIN: Duration = Duration::from_secs(60);

async fn archived_everything(
    archive: &AuditArchive,
    topic: &str,
    last: &std::collections::BTreeMap<i32, i64>,
) {
    eventually(
        WITHIN,
        "the archive to reach the end of the log",
        || async move {
            for (partition, offset) in last {
                if archive.checkpoint(topic, *partition).await.ok()?? < *offset {
                    return None;
                }
            }
            Some(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_envelope_is_archived_and_a_rebuild_rewrites_the_same_objects() {
    let settings = support::settings("audit").await;
    let topics = Topics::new(&settings.topic_prefix);
    ensure_topics(&support::brokers(), &topics, settings.topic_layout())
        .await
        .expect("topics");
    let publisher = EventPublisher::new(
        idempotent_producer(&support::brokers()).expect("producer"),
        topics.cattle_events(),
    );
    let key = support::test_key();
    let (mut messages, _) = herd_history(&key, &support::test_key(), 40, 8, 5);
    messages.push(support::herd_history::Message {
        key: "cattle-1".into(),
        body: b"{not json".to_vec(),
    });
    let mut last = std::collections::BTreeMap::new();
    let mut published_ids = Vec::new();
    for message in &messages {
        let at = publisher
            .publish_raw(&message.key, &message.body)
            .await
            .expect("acknowledged");
        last.insert(
            at.partition,
            at.offset.max(*last.get(&at.partition).unwrap_or(&0)),
        );
        if let Ok(envelope) = server::kafka::envelope_body::decode(&message.body) {
            published_ids.push(envelope.metadata.event_id);
        }
    }

    let dir = settings.data_dir.join("audit");
    let archive = AuditArchive::new(open_store(dir.to_str().expect("a path")).expect("a store"));
    let source = ConsumerSource {
        brokers: support::brokers(),
        topic: topics.cattle_events(),
        group: topics.group("audit-archive"),
        dead_letter_topic: None,
        sharing: Sharing::ReadsAll,
    };
    let task = tokio::spawn(archive.clone().run(source.clone()));
    archived_everything(&archive, &source.topic, &last).await;
    task.abort();

    let objects = archive.objects().await.expect("listed");
    assert!(!objects.is_empty());
    let mut archived_ids = Vec::new();
    for (path, bytes) in &objects {
        assert!(path.starts_with("events/2026/01/01/"), "{path}");
        assert!(path.ends_with(".jsonl"), "{path}");
        for line in String::from_utf8_lossy(bytes).lines() {
            let envelope =
                domain::EventEnvelope::from_json_str(line).expect("archived lines are envelopes");
            archived_ids.push(envelope.metadata.event_id);
        }
    }
    archived_ids.sort();
    published_ids.sort();
    assert_eq!(
        archived_ids, published_ids,
        "every envelope once per time it was published"
    );
    let distinct: BTreeSet<&String> = archived_ids.iter().collect();
    assert!(
        distinct.len() < archived_ids.len(),
        "the duplicates on the log are archived too"
    );

    // A rebuild from offset 0 writes the very same objects.
    archive.forget_checkpoints().await.expect("forgotten");
    let task = tokio::spawn(archive.clone().run(source.clone()));
    archived_everything(&archive, &source.topic, &last).await;
    task.abort();
    assert_eq!(archive.objects().await.expect("listed"), objects);
}

/// Publishes `messages` to the server's log; answers the last offset of each partition.
async fn published(
    server: &server::instance::Instance,
    messages: &[support::herd_history::Message],
) -> std::collections::BTreeMap<i32, i64> {
    let publisher = EventPublisher::new(
        idempotent_producer(&server.brokers).expect("producer"),
        server.topics.cattle_events(),
    );
    let mut last = std::collections::BTreeMap::new();
    for message in messages {
        let at = publisher
            .publish_raw(&message.key, &message.body)
            .await
            .expect("acknowledged");
        let highest = last.entry(at.partition).or_insert(at.offset);
        *highest = (*highest).max(at.offset);
    }
    last
}

/// Waits until the archive in use has written the log up to `last`; answers it.
async fn in_use_reached(
    generations: &ArchiveGenerations,
    topic: &str,
    last: &std::collections::BTreeMap<i32, i64>,
) -> AuditArchive {
    eventually(
        WITHIN,
        "the archive in use to reach the log's end",
        || async {
            let archive = generations.archive_in_use().await.ok()?;
            let reached = archive.checkpoints(topic).await.ok()?;
            last.iter()
                .all(|(partition, offset)| reached.get(partition) >= Some(offset))
                .then_some(archive)
        },
    )
    .await
}

/// A cancelled rebuild leaves the archive in use as it was, and no copy.
async fn cancelled_leaves_the_archive_as_it_was(
    admin: &reqwest::Client,
    base: &str,
    generations: &ArchiveGenerations,
    root: &std::path::Path,
    objects: &std::collections::BTreeMap<String, Vec<u8>>,
) {
    let started = rebuild_call(admin, base, Method::POST, "audit_archive").await;
    assert_eq!(started.status(), 202);
    let cancelled = rebuild_call(admin, base, Method::DELETE, "audit_archive").await;
    assert_eq!(cancelled.status(), 202);
    let (run, _) = followed_to_the_end(admin, base, "audit_archive").await;
    assert_eq!(run["state"], "CANCELLED", "{run}");
    let in_use = generations.in_use().await.expect("read");
    assert!(in_use.is_root(), "{in_use:?}");
    assert!(
        !root.join("generations").exists() && !root.join("rebuilding").exists(),
        "the copy is removed"
    );
    let archive = generations.archive(in_use);
    assert!(&archive.objects().await.expect("listed") == objects);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_archive_is_rebuilt_as_a_new_generation_that_the_live_archive_goes_on_in() {
    let settings = support::settings("audit_rebuild").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let admin = support::api_client(&support::signed_in(&server, domain::Role::Admin).await);
    let topic = server.topics.cattle_events();
    let generations = ArchiveGenerations::new(open_store(&settings.audit_url()).expect("a store"));
    let key = support::test_key();
    let (messages, _) = herd_history(&key, &support::test_key(), 60, 10, 77);
    let (before, after) = messages.split_at(messages.len() * 3 / 4);

    let last = published(&server, before).await;
    let live = in_use_reached(&generations, &topic, &last).await;
    let undamaged = live.objects().await.expect("listed");
    assert!(undamaged.len() > 1, "{} objects", undamaged.len());
    // The damage: one batch lost, another cut short.
    let mut paths = undamaged.keys();
    let (lost, cut) = (paths.next().expect("one"), paths.next().expect("two"));
    let root = std::path::Path::new(&settings.audit_url()).to_path_buf();
    std::fs::remove_file(root.join(lost)).expect("removed");
    std::fs::write(root.join(cut), b"").expect("cut");
    let damaged = live.objects().await.expect("listed");
    assert_ne!(damaged, undamaged);

    cancelled_leaves_the_archive_as_it_was(&admin, &base, &generations, &root, &damaged).await;

    let started = rebuild_call(&admin, &base, Method::POST, "audit_archive").await;
    assert_eq!(started.status(), 202);
    let (run, highest) = followed_to_the_end(&admin, &base, "audit_archive").await;
    assert_eq!(run["state"], "FINISHED", "{run}");
    assert_eq!(highest, 100, "{run}");

    let rebuilt = generations.in_use().await.expect("read");
    assert!(
        rebuilt.name().starts_with("g-"),
        "a new generation is in use: {rebuilt:?}"
    );
    let archive = generations.archive(rebuilt.clone());
    assert!(
        archive.objects().await.expect("listed") == undamaged,
        "the rebuilt archive holds every batch as it was before the damage"
    );
    assert!(
        !root.join("events").exists() && !root.join("checkpoints").exists(),
        "the replaced archive's objects are removed"
    );
    assert!(!root.join("rebuilding").exists(), "no rebuild is under way");

    // The live archive goes on in the rebuilt generation.
    let mut last_after = last.clone();
    for (partition, offset) in published(&server, after).await {
        last_after.insert(partition, offset);
    }
    let live = in_use_reached(&generations, &topic, &last_after).await;
    let lines: usize = live
        .objects()
        .await
        .expect("listed")
        .values()
        .map(|bytes| bytes.iter().filter(|b| **b == b'\n').count())
        .sum();
    assert_eq!(
        lines,
        messages.len(),
        "every envelope, before and after the swap"
    );
    server.stop().await;
}
