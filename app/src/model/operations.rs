//! What an operator reads of the running registry: the state of each engine, the seed's
//! alerts, and how far each view has read the log.
use super::ViewName;
use serde::{Deserialize, Serialize};

/// An engine the registry depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Engine {
    /// Apache Kafka: the log, the only source of truth.
    Broker,
    /// The golden record's database (PostgreSQL or SQLite).
    Database,
    /// The cache view's store (Redis or in process).
    Cache,
    /// The search index.
    Search,
}

impl Engine {
    /// The name on the wire, e.g. `BROKER`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Broker => "BROKER",
            Self::Database => "DATABASE",
            Self::Cache => "CACHE",
            Self::Search => "SEARCH",
        }
    }
}

/// How an engine answered the last probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EngineState {
    /// It answered.
    Up,
    /// It did not answer, or answered that it cannot serve.
    Down,
    /// This instance runs without it.
    NotConfigured,
}

/// One engine's state, with what the probe saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineHealth {
    /// The engine.
    pub engine: Engine,
    /// Its state.
    pub state: EngineState,
    /// What the probe saw, in words.
    pub detail: String,
}

/// `GET /health`: whether the log can be written, and each engine's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// Commands can be accepted: the broker answers and every partition of the log has a
    /// leader. `/health` answers 503 when this is false.
    pub log_writable: bool,
    /// Each engine's state.
    pub engines: Vec<EngineHealth>,
    /// When the engines were last probed (RFC 3339).
    pub checked_at: String,
}

/// The seed's alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlertRule {
    /// A view is more than 10 s behind the log.
    ConsumerLag,
    /// More than 1 % of the events a view handled in the last 5 minutes failed.
    ProcessingErrors,
    /// The broker does not answer, or the log has a partition without a leader.
    KafkaUnavailable,
    /// A database replica is more than 5 s behind (where the database reports it).
    DatabaseReplicationLag,
}

impl AlertRule {
    /// The name on the wire, e.g. `KAFKA_UNAVAILABLE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ConsumerLag => "CONSUMER_LAG",
            Self::ProcessingErrors => "PROCESSING_ERRORS",
            Self::KafkaUnavailable => "KAFKA_UNAVAILABLE",
            Self::DatabaseReplicationLag => "DATABASE_REPLICATION_LAG",
        }
    }
}

/// Whether an alert fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlertState {
    /// The condition holds.
    Firing,
    /// The condition does not hold.
    Ok,
    /// What the rule needs is not reported here (a database without replicas).
    NotReported,
}

/// One alert as the server last evaluated it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The rule.
    pub rule: AlertRule,
    /// Whether it fires.
    pub state: AlertState,
    /// What was measured, in words.
    pub summary: String,
    /// Since when it fires (RFC 3339), while it does.
    pub since: Option<String>,
}

/// One partition of the log as a view stands on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionLag {
    /// The partition.
    pub partition: i32,
    /// The offset the view applies next.
    pub next_offset: i64,
    /// The offset the log will give its next message (its end), when the broker answered.
    pub end_offset: Option<i64>,
    /// Messages written and not yet applied.
    pub lag_events: i64,
    /// How long the oldest of them has waited, in seconds.
    pub lag_seconds: f64,
}

/// How far one view has read the log, and whether an operator paused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewStanding {
    /// The view.
    pub view: ViewName,
    /// Paused by an operator: it reads nothing until resumed.
    pub paused: bool,
    /// Messages handled since the process started.
    pub processed: u64,
    /// Of those, the ones that failed (refused or undecodable).
    pub failed: u64,
    /// Messages handled per second since the watch's previous reading (about a second).
    #[serde(default)]
    pub per_second: f64,
    /// Each partition's position and lag.
    pub partitions: Vec<PartitionLag>,
}

impl ViewStanding {
    /// The view's largest lag in seconds over its partitions.
    pub fn lag_seconds(&self) -> f64 {
        self.partitions
            .iter()
            .map(|p| p.lag_seconds)
            .fold(0.0, f64::max)
    }

    /// Messages not yet applied, over every partition.
    pub fn lag_events(&self) -> i64 {
        self.partitions.iter().map(|p| p.lag_events).sum()
    }
}

/// What the operations page shows an administrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationsReport {
    /// Each engine's state.
    pub health: Health,
    /// The seed's alerts.
    pub alerts: Vec<Alert>,
    /// Each view's standing.
    pub views: Vec<ViewStanding>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_the_serialised_names() {
        for engine in [
            Engine::Broker,
            Engine::Database,
            Engine::Cache,
            Engine::Search,
        ] {
            let wire = serde_json::to_value(engine).unwrap();
            assert_eq!(wire, engine.as_str());
        }
        for rule in [
            AlertRule::ConsumerLag,
            AlertRule::ProcessingErrors,
            AlertRule::KafkaUnavailable,
            AlertRule::DatabaseReplicationLag,
        ] {
            assert_eq!(serde_json::to_value(rule).unwrap(), rule.as_str());
        }
    }
}
