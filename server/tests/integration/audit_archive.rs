//! The audit archive on the real broker and a local object store: every envelope lands in a
//! dated JSON-lines batch, and rebuilding rewrites exactly the same objects.
use crate::support;

use server::audit::{open_store, AuditArchive};
use server::kafka::publisher::{idempotent_producer, EventPublisher};
use server::kafka::topics::{ensure_topics, Topics};
use server::views::consumer::ConsumerSource;
use server::views::group_turns::Sharing;
use std::collections::BTreeSet;
use std::time::Duration;
use support::eventually;
use support::herd_history::herd_history;

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
