//! One probe per engine: whether it answers, and for the log whether it can be written and
//! where each partition ends. Every probe is bounded by a short timeout.
use crate::cache::SharedCache;
use crate::search::SharedSearch;
use app::model::{Engine, EngineHealth, EngineState};
use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::ClientConfig;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use std::collections::BTreeMap;
use std::time::Duration;

/// How long a probe waits for an engine.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// A partition's first and next offsets.
pub type PartitionEnds = BTreeMap<i32, (i64, i64)>;

/// A Kafka client for probes: metadata and watermarks, never a group.
pub struct LogProbe {
    consumer: BaseConsumer,
    admin: AdminClient<DefaultClientContext>,
}

/// One topic's size and settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicFigures {
    /// The topic.
    pub name: String,
    /// Its partitions.
    pub partitions: usize,
    /// Messages it holds (each partition's end less its start).
    pub messages: i64,
}

impl LogProbe {
    /// A probe of the cluster at `brokers`.
    pub fn new(brokers: &str) -> Result<Self, KafkaError> {
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", brokers)
            .set("socket.timeout.ms", "2000")
            .set("reconnect.backoff.max.ms", "1000");
        Ok(Self {
            consumer: config.create()?,
            admin: config.create()?,
        })
    }

    /// Where every partition of `topic` starts and ends; an error in words when the broker
    /// does not answer or a partition has no leader (the log cannot be written). Blocking.
    pub fn log_ends(&self, topic: &str) -> Result<PartitionEnds, String> {
        let metadata = self
            .consumer
            .fetch_metadata(Some(topic), PROBE_TIMEOUT)
            .map_err(|error| format!("the broker does not answer: {error}"))?;
        let described = metadata
            .topics()
            .iter()
            .find(|t| t.name() == topic)
            .ok_or_else(|| format!("the broker does not list {topic}"))?;
        if let Some(error) = described.error() {
            let code = rdkafka::types::RDKafkaErrorCode::from(error);
            return Err(format!("{topic}: {code}"));
        }
        let leaderless: Vec<i32> = described
            .partitions()
            .iter()
            .filter(|p| p.leader() < 0 || p.isr().is_empty())
            .map(|p| p.id())
            .collect();
        if !leaderless.is_empty() {
            return Err(format!(
                "partitions {leaderless:?} of {topic} have no leader"
            ));
        }
        let mut ends = PartitionEnds::new();
        for partition in described.partitions() {
            let id = partition.id();
            let range = self
                .consumer
                .fetch_watermarks(topic, id, PROBE_TIMEOUT)
                .map_err(|error| format!("partition {id} of {topic} does not answer: {error}"))?;
            ends.insert(id, range);
        }
        Ok(ends)
    }

    /// Partitions and messages of each topic of `names` the broker lists. Blocking.
    pub fn topic_figures(&self, names: &[String]) -> Result<Vec<TopicFigures>, KafkaError> {
        let metadata = self.consumer.fetch_metadata(None, PROBE_TIMEOUT)?;
        let mut figures = Vec::new();
        for topic in metadata
            .topics()
            .iter()
            .filter(|t| names.iter().any(|n| n == t.name()))
        {
            let mut messages = 0;
            for partition in topic.partitions() {
                let (low, high) =
                    self.consumer
                        .fetch_watermarks(topic.name(), partition.id(), PROBE_TIMEOUT)?;
                messages += (high - low).max(0);
            }
            figures.push(TopicFigures {
                name: topic.name().to_string(),
                partitions: topic.partitions().len(),
                messages,
            });
        }
        Ok(figures)
    }

    /// Each topic's `retention.ms` and `retention.bytes` (-1: kept for ever).
    pub async fn retention(
        &self,
        names: &[String],
    ) -> Result<BTreeMap<String, (i64, i64)>, KafkaError> {
        let specifiers: Vec<ResourceSpecifier> =
            names.iter().map(|n| ResourceSpecifier::Topic(n)).collect();
        let options = AdminOptions::new().request_timeout(Some(PROBE_TIMEOUT));
        let described = self
            .admin
            .describe_configs(specifiers.iter(), &options)
            .await?;
        let mut retention = BTreeMap::new();
        for (name, result) in names.iter().zip(described) {
            let Ok(resource) = result else { continue };
            let setting = |key: &str| {
                resource
                    .get(key)
                    .and_then(|entry| entry.value.as_deref())
                    .and_then(|value| value.parse().ok())
                    .unwrap_or(-1)
            };
            retention.insert(
                name.clone(),
                (setting("retention.ms"), setting("retention.bytes")),
            );
        }
        Ok(retention)
    }
}

/// The broker's health from the log probe's answer.
pub fn broker_health(log: &Result<PartitionEnds, String>) -> EngineHealth {
    match log {
        Ok(ends) => EngineHealth {
            engine: Engine::Broker,
            state: EngineState::Up,
            detail: format!("the log's {} partitions have leaders", ends.len()),
        },
        Err(why) => EngineHealth {
            engine: Engine::Broker,
            state: EngineState::Down,
            detail: why.clone(),
        },
    }
}

/// Whether the database answers, and the furthest replica's lag when it reports one.
pub async fn database(db: &DatabaseConnection) -> (EngineHealth, Option<f64>) {
    let backend = db.get_database_backend();
    let name = match backend {
        DatabaseBackend::Postgres => "PostgreSQL",
        DatabaseBackend::Sqlite => "SQLite",
        DatabaseBackend::MySql => "MySQL",
    };
    match tokio::time::timeout(PROBE_TIMEOUT, db.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => return (down(Engine::Database, format!("{name}: {error}")), None),
        Err(_) => {
            return (
                down(Engine::Database, format!("{name} does not answer")),
                None,
            )
        }
    }
    let lag = match backend {
        DatabaseBackend::Postgres => postgres_replication_lag(db).await,
        DatabaseBackend::Sqlite | DatabaseBackend::MySql => None,
    };
    let detail = match lag {
        Some(seconds) => format!("{name} answers; replicas {seconds:.1} s behind"),
        None => format!("{name} answers"),
    };
    (up(Engine::Database, detail), lag)
}

/// On a standby, how long ago the last replayed transaction committed on the primary; on a
/// primary, its replicas' largest replay lag; none without replicas.
async fn postgres_replication_lag(db: &DatabaseConnection) -> Option<f64> {
    const LAG: &str = "SELECT (CASE WHEN pg_is_in_recovery() \
        THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp()) \
        ELSE (SELECT extract(epoch FROM max(replay_lag)) FROM pg_stat_replication) END)::float8 AS lag";
    let statement = Statement::from_string(DatabaseBackend::Postgres, LAG);
    match tokio::time::timeout(PROBE_TIMEOUT, db.query_one(statement)).await {
        Ok(Ok(Some(row))) => row.try_get::<Option<f64>>("", "lag").ok().flatten(),
        Ok(Ok(None)) => None,
        Ok(Err(error)) => {
            tracing::debug!(%error, "the database does not report replication");
            None
        }
        Err(_) => None,
    }
}

/// Whether the cache store answers.
pub async fn cache(store: &SharedCache) -> EngineHealth {
    match tokio::time::timeout(PROBE_TIMEOUT, store.ping()).await {
        Ok(Ok(kind)) => up(Engine::Cache, format!("{kind} answers")),
        Ok(Err(error)) => down(Engine::Cache, error.to_string()),
        Err(_) => down(Engine::Cache, "the cache does not answer".into()),
    }
}

/// Whether the search index answers, and how many documents it holds.
pub async fn search(index: &SharedSearch) -> EngineHealth {
    match tokio::time::timeout(PROBE_TIMEOUT, index.ping()).await {
        Ok(Ok(detail)) => up(Engine::Search, detail),
        Ok(Err(error)) => down(Engine::Search, error.to_string()),
        Err(_) => down(Engine::Search, "the search index does not answer".into()),
    }
}

fn up(engine: Engine, detail: String) -> EngineHealth {
    EngineHealth {
        engine,
        state: EngineState::Up,
        detail,
    }
}

fn down(engine: Engine, detail: String) -> EngineHealth {
    EngineHealth {
        engine,
        state: EngineState::Down,
        detail,
    }
}
