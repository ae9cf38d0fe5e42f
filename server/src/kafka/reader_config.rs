//! How every reader of the log is configured.
use rdkafka::ClientConfig;

/// A consumer configuration for `group` that never commits on its own (positions come from
/// each reader's own checkpoints), sees only committed transactions (the category topics are
/// written in Kafka transactions), and answers within tens of milliseconds when idle.
pub fn reader_config(brokers: &str, group: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("isolation.level", "read_committed")
        // librdkafka waits up to 500 ms for data by default: every read-back would pay it.
        .set("fetch.wait.max.ms", "20");
    config
}

/// A reader that follows the log as it grows (a view, the relay, the archive): besides
/// `reader_config`, the broker holds each fetch until 64 KiB are ready or the 20 ms wait is
/// over. Without it every fetch under load came back with a message or two, and the broker
/// spent a fifth of the machine answering the followers' fetches; the wait bounds what it
/// adds to publish → applied.
pub fn follower_config(brokers: &str, group: &str) -> ClientConfig {
    let mut config = reader_config(brokers, group);
    config.set("fetch.min.bytes", "65536");
    config
}
