//! The metrics the registry records, their names, labels and help texts.
use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};

/// Commands received, by `type` (the wire name, or `UNREADABLE`) and `outcome`.
pub const COMMANDS: &str = "icattle_commands_total";
/// Findings of the fraud detector, by `suspicion` and `outcome` (raised, already raised,
/// still open, no such animal).
pub const FRAUD_FINDINGS: &str = "icattle_fraud_findings_total";
/// Events published to the log.
pub const EVENTS_PUBLISHED: &str = "icattle_events_published_total";
/// Publishes the broker did not confirm.
pub const PUBLISH_ERRORS: &str = "icattle_publish_errors_total";
/// Seconds from handing an event to the producer to the broker's acknowledgement.
pub const PUBLISH_SECONDS: &str = "icattle_publish_seconds";
/// Log messages a view handled, by `view`.
pub const EVENTS_PROCESSED: &str = "icattle_events_processed_total";
/// Events a view refused (bad signature, broken chain, broken rule), by `view`.
pub const EVENTS_FAILED: &str = "icattle_events_failed_total";
/// Undecodable messages copied to the dead-letter topic, by `view`.
pub const EVENTS_DEAD_LETTERED: &str = "icattle_events_dead_lettered_total";
/// Events a view applied (its rows changed), by `view` and `partition`: summed over the
/// instances sharing a view, each event counts once.
pub const EVENTS_APPLIED: &str = "icattle_events_applied_total";
/// Seconds a view took to apply a batch, by `view`.
pub const BATCH_SECONDS: &str = "icattle_view_batch_seconds";

/// Messages written to a partition and not yet applied by a view, by `view`, `partition`.
pub const CONSUMER_LAG_EVENTS: &str = "icattle_consumer_lag_events";
/// How long the oldest unapplied message of a partition has waited, by `view`, `partition`.
pub const CONSUMER_LAG_SECONDS: &str = "icattle_consumer_lag_seconds";
/// Messages a view handled per second over the last second, by `view`.
pub const PROCESSING_RATE: &str = "icattle_events_processed_per_second";
/// Partitions of a topic, by `topic`.
pub const TOPIC_PARTITIONS: &str = "icattle_topic_partitions";
/// Messages a topic holds, by `topic`.
pub const TOPIC_MESSAGES: &str = "icattle_topic_messages";
/// A topic's `retention.ms` in seconds (-1: kept for ever), by `topic`.
pub const TOPIC_RETENTION_SECONDS: &str = "icattle_topic_retention_seconds";
/// A topic's `retention.bytes` (-1: no limit), by `topic`.
pub const TOPIC_RETENTION_BYTES: &str = "icattle_topic_retention_bytes";
/// Seconds a read-model query took, by `store` and `read`.
pub const READ_SECONDS: &str = "icattle_read_seconds";
/// Cache-first reads, by `result` (hit, miss, error).
pub const CACHE_READS: &str = "icattle_cache_reads_total";
/// Hits over all cache-first reads since the process started.
pub const CACHE_HIT_RATIO: &str = "icattle_cache_hit_ratio";
/// 1 when an engine answered its last probe, by `engine`.
pub const ENGINE_UP: &str = "icattle_engine_up";
/// The furthest database replica's lag in seconds, where the database reports it.
pub const DATABASE_REPLICATION_LAG: &str = "icattle_database_replication_lag_seconds";
/// 1 while an alert fires, by `alert`.
pub const ALERT_FIRING: &str = "icattle_alert_firing";

/// Every metric name above, for checks of what names them elsewhere.
pub const ALL_METRICS: [&str; 22] = [
    COMMANDS,
    EVENTS_PUBLISHED,
    PUBLISH_ERRORS,
    PUBLISH_SECONDS,
    EVENTS_PROCESSED,
    EVENTS_FAILED,
    EVENTS_DEAD_LETTERED,
    EVENTS_APPLIED,
    BATCH_SECONDS,
    CONSUMER_LAG_EVENTS,
    CONSUMER_LAG_SECONDS,
    PROCESSING_RATE,
    TOPIC_PARTITIONS,
    TOPIC_MESSAGES,
    TOPIC_RETENTION_SECONDS,
    TOPIC_RETENTION_BYTES,
    READ_SECONDS,
    CACHE_READS,
    CACHE_HIT_RATIO,
    ENGINE_UP,
    DATABASE_REPLICATION_LAG,
    ALERT_FIRING,
];

/// What became of a command, as the `outcome` label says it.
pub fn outcome_label(
    result: &Result<app::model::CommandAck, app::model::CommandFailure>,
) -> &'static str {
    use app::model::{AckStatus, CommandFailure};
    match result {
        Ok(ack) if ack.status == AckStatus::Duplicate => "duplicate",
        Ok(_) => "accepted",
        Err(CommandFailure::Invalid { .. }) => "validation_error",
        Err(CommandFailure::Rejected { .. }) => "refused",
        Err(CommandFailure::Forbidden { .. } | CommandFailure::SignedOut) => "forbidden",
        Err(CommandFailure::TooManyAttempts { .. }) => "throttled",
        Err(CommandFailure::Unavailable { .. }) => "unavailable",
    }
}

pub(super) fn describe_all() {
    describe_counter!(COMMANDS, "Commands received, by type and outcome");
    describe_counter!(
        FRAUD_FINDINGS,
        "Findings of the fraud detector, by suspicion and outcome"
    );
    describe_counter!(EVENTS_PUBLISHED, "Events published to the log");
    describe_counter!(PUBLISH_ERRORS, "Publishes the broker did not confirm");
    describe_histogram!(
        PUBLISH_SECONDS,
        Unit::Seconds,
        "From handing an event to the producer to the broker's acknowledgement"
    );
    describe_counter!(EVENTS_PROCESSED, "Log messages a view handled, by view");
    describe_counter!(EVENTS_FAILED, "Events a view refused, by view");
    describe_counter!(
        EVENTS_DEAD_LETTERED,
        "Undecodable messages copied to the dead-letter topic, by view"
    );
    describe_counter!(
        EVENTS_APPLIED,
        "Events a view applied, by view and partition (once over all instances)"
    );
    describe_histogram!(
        BATCH_SECONDS,
        Unit::Seconds,
        "Time a view took to apply one batch, by view"
    );
    describe_gauge!(
        CONSUMER_LAG_EVENTS,
        "Messages written and not yet applied, by view and partition"
    );
    describe_gauge!(
        CONSUMER_LAG_SECONDS,
        Unit::Seconds,
        "How long the oldest unapplied message has waited, by view and partition"
    );
    describe_gauge!(
        PROCESSING_RATE,
        "Messages a view handled per second, by view"
    );
    describe_gauge!(TOPIC_PARTITIONS, "Partitions of a topic");
    describe_gauge!(TOPIC_MESSAGES, "Messages a topic holds");
    describe_gauge!(
        TOPIC_RETENTION_SECONDS,
        Unit::Seconds,
        "A topic's retention.ms in seconds (-1: kept for ever)"
    );
    describe_gauge!(
        TOPIC_RETENTION_BYTES,
        Unit::Bytes,
        "A topic's retention.bytes (-1: no limit)"
    );
    describe_histogram!(
        READ_SECONDS,
        Unit::Seconds,
        "Time a read-model query took, by store and read"
    );
    describe_counter!(CACHE_READS, "Cache-first reads, by result");
    describe_gauge!(CACHE_HIT_RATIO, "Cache hits over all cache-first reads");
    describe_gauge!(ENGINE_UP, "1 when the engine answered its last probe");
    describe_gauge!(
        DATABASE_REPLICATION_LAG,
        Unit::Seconds,
        "The furthest database replica's lag"
    );
    describe_gauge!(ALERT_FIRING, "1 while the alert fires");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Prometheus rules file names the server's alerts and only metrics it records.
    #[test]
    fn the_prometheus_rules_name_metrics_that_exist() {
        let rules = include_str!("../../../ops/prometheus/icattle-alerts.yml");
        let alerts: Vec<&str> = rules
            .lines()
            .filter_map(|line| line.trim().strip_prefix("- alert: "))
            .collect();
        assert_eq!(
            alerts,
            [
                "IcattleConsumerLag",
                "IcattleProcessingErrors",
                "IcattleKafkaUnavailable",
                "IcattleDatabaseReplicationLag"
            ]
        );
        let named: Vec<&str> = rules
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|word| word.starts_with("icattle_"))
            .collect();
        assert!(named.len() >= 6, "{named:?}");
        for name in named {
            assert!(
                ALL_METRICS.contains(&name),
                "{name} is not a metric of the server"
            );
        }
    }
}
