//! The metrics the registry records, their names, labels and help texts.
use metrics::{describe_counter, describe_histogram, Unit};

/// Commands received, by `type` (the wire name, or `UNREADABLE`) and `outcome`.
pub const COMMANDS: &str = "icattle_commands_total";
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
/// Seconds a view took to apply a batch, by `view`.
pub const BATCH_SECONDS: &str = "icattle_view_batch_seconds";

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
    describe_histogram!(
        BATCH_SECONDS,
        Unit::Seconds,
        "Time a view took to apply one batch, by view"
    );
}
