//! Start-up checks the topics against the configured layout, as the broker describes them: a
//! topic made by hand with the wrong partition count or retention stops the server with a
//! message naming the topic and the setting.
use crate::support;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::ClientConfig;
use server::kafka::topics::Topics;

async fn create_by_hand(topic: &str, partitions: i32, configs: &[(&str, &str)]) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", support::brokers())
        .create()
        .expect("an admin client");
    let new = configs.iter().fold(
        NewTopic::new(topic, partitions, TopicReplication::Fixed(1)),
        |topic, (key, value)| topic.set(key, value),
    );
    let results = admin
        .create_topics([&new], &AdminOptions::new())
        .await
        .expect("the broker answers");
    for result in results {
        result.expect("the topic is created");
    }
}

async fn start_error(settings: &server::config::Settings) -> String {
    match server::instance::start(
        settings,
        "127.0.0.1:0".parse().unwrap(),
        support::leptos_options(),
    )
    .await
    {
        Ok(_) => panic!("the server started on a topic that does not fit"),
        Err(error) => error.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_with_the_wrong_partition_count_stops_start_up() {
    let settings = support::settings("wrongparts").await;
    let topic = Topics::new(&settings.topic_prefix).cattle_events();
    create_by_hand(
        &topic,
        support::TEST_PARTITIONS + 1,
        &[("retention.ms", "-1")],
    )
    .await;

    let message = start_error(&settings).await;

    assert!(message.contains(&topic), "{message}");
    assert!(message.contains("partitions"), "{message}");
    assert!(
        message.contains(&format!("= {}", support::TEST_PARTITIONS + 1)),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_that_forgets_events_stops_start_up() {
    let settings = support::settings("wrongretention").await;
    let topic = Topics::new(&settings.topic_prefix).category("icattle.health.events");
    create_by_hand(
        &topic,
        support::TEST_PARTITIONS,
        &[("retention.ms", "604800000")],
    )
    .await;

    let message = start_error(&settings).await;

    assert!(message.contains(&topic), "{message}");
    assert!(message.contains("retention.ms = 604800000"), "{message}");
    assert!(message.contains("needs -1"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_topic_that_is_not_compacted_stops_start_up() {
    let settings = support::settings("wrongcompact").await;
    let topic = Topics::new(&settings.topic_prefix).snapshots();
    create_by_hand(&topic, support::TEST_PARTITIONS, &[]).await;

    let message = start_error(&settings).await;

    assert!(message.contains(&topic), "{message}");
    assert!(message.contains("cleanup.policy = delete"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_that_fit_start_and_start_again() {
    let settings = support::settings("fits").await;
    let first = support::start(&settings).await;
    drop(first);
    // The second start finds the topics the first made, and accepts them.
    let _second = support::start(&settings).await;
}
