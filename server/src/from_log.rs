//! Strong consistency, the seed's option 2: rebuild one animal from its events read back
//! from Kafka (their positions are indexed in `cattle_events`), verify them, and compare
//! the result with the golden record.
use crate::golden::animal_queries;
use crate::kafka::reader_config::reader_config;
use crate::keys::TrustedKeys;
use app::model::CattleRecord;
use domain::{read_json_lines, replay, verify_json_lines};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::{Message, Offset, TopicPartitionList};
use sea_orm::{DatabaseConnection, DbErr};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

/// What reading an animal back from the log found.
#[derive(Debug, Clone, Serialize)]
pub struct FromLogReport {
    /// The animal.
    pub cattle_id: i64,
    /// How many of its events were read back from Kafka.
    pub events: usize,
    /// Whether every event verified (hashes, signatures, chain, Merkle roots, keys).
    pub verified: bool,
    /// The verifier's report, one line per event.
    pub verification: String,
    /// The animal as its events alone describe it.
    pub from_log: Option<CattleRecord>,
    /// The animal as the golden record holds it.
    pub golden_record: Option<CattleRecord>,
    /// The fields where the two differ (empty when they agree).
    pub differences: Vec<String>,
}

/// Why the animal could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum FromLogError {
    /// The golden record could not be read.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// Kafka refused.
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
    /// An indexed message did not come back in time.
    #[error("the message at {topic}/{partition}/{offset} could not be read back")]
    Missing {
        /// Its topic.
        topic: String,
        /// Its partition.
        partition: i32,
        /// Its offset.
        offset: i64,
    },
    /// The blocking reader task failed.
    #[error("reader task: {0}")]
    Task(String),
}

/// Reading on past this many unwanted messages costs more than a seek.
const READ_THROUGH: i64 = 500;

/// How long one indexed message may take to come back.
const READ_WITHIN: Duration = Duration::from_secs(10);

/// Reads each (topic, partition, offset) back from Kafka, answering them in the given order.
/// An animal's events share one partition (its key), so they come back in one forward pass:
/// the reader seeks only across a gap longer than `READ_THROUGH` messages, never per event.
fn read_back(brokers: &str, positions: &[(String, i32, i64)]) -> Result<Vec<String>, FromLogError> {
    let group = format!("icattle-from-log-{}", uuid::Uuid::new_v4().simple());
    let consumer: BaseConsumer = reader_config(brokers, &group).create()?;
    let mut wanted: BTreeMap<(String, i32), BTreeSet<i64>> = BTreeMap::new();
    for (topic, partition, offset) in positions {
        wanted
            .entry((topic.clone(), *partition))
            .or_default()
            .insert(*offset);
    }
    let mut found: HashMap<(String, i32, i64), String> = HashMap::new();
    for ((topic, partition), offsets) in &wanted {
        let mut at: Option<i64> = None;
        for offset in offsets {
            if at.is_none_or(|next| *offset < next || *offset - next > READ_THROUGH) {
                let mut assignment = TopicPartitionList::new();
                assignment.add_partition_offset(topic, *partition, Offset::Offset(*offset))?;
                consumer.assign(&assignment)?;
            }
            let missing = || FromLogError::Missing {
                topic: topic.clone(),
                partition: *partition,
                offset: *offset,
            };
            let deadline = Instant::now() + READ_WITHIN;
            loop {
                if Instant::now() > deadline {
                    return Err(missing());
                }
                let Some(message) = consumer.poll(Duration::from_millis(100)) else {
                    continue;
                };
                let message = message?;
                at = Some(message.offset() + 1);
                if message.offset() > *offset {
                    return Err(missing());
                }
                if message.offset() == *offset {
                    let body = message.payload().unwrap_or_default();
                    let line = String::from_utf8_lossy(body).into_owned();
                    found.insert((topic.clone(), *partition, *offset), line);
                    break;
                }
            }
        }
    }
    positions
        .iter()
        .map(|(topic, partition, offset)| {
            found
                .get(&(topic.clone(), *partition, *offset))
                .cloned()
                .ok_or_else(|| FromLogError::Missing {
                    topic: topic.clone(),
                    partition: *partition,
                    offset: *offset,
                })
        })
        .collect()
}

/// The names of the fields where two records differ.
fn differences(a: &CattleRecord, b: &CattleRecord) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return vec!["record".into()];
    };
    a.iter()
        .filter(|(field, value)| b.get(*field) != Some(value))
        .map(|(field, _)| field.clone())
        .collect()
}

/// Rebuilds animal `id` from the log and compares it with the golden record.
pub async fn rebuild_from_log(
    db: &DatabaseConnection,
    brokers: &str,
    trusted: &TrustedKeys,
    id: i64,
) -> Result<FromLogReport, FromLogError> {
    let indexed = animal_queries::event_positions(db, id).await?;
    let positions: Vec<(String, i32, i64)> = indexed
        .iter()
        .map(|e| (e.kafka_topic.clone(), e.kafka_partition, e.kafka_offset))
        .collect();
    let brokers = brokers.to_string();
    let lines = tokio::task::spawn_blocking(move || read_back(&brokers, &positions))
        .await
        .map_err(|e| FromLogError::Task(e.to_string()))??;
    let text = lines.join("\n");

    let signers: Vec<String> = read_json_lines(&text)
        .into_iter()
        .filter_map(|(_, e)| e.ok().map(|e| e.cryptography.public_key))
        .collect();
    trusted.learn(signers.iter().map(String::as_str)).await?;
    let report = verify_json_lines(&text, &trusted.registry());
    let envelopes: Vec<_> = read_json_lines(&text)
        .into_iter()
        .filter_map(|(_, e)| e.ok())
        .collect();
    let from_log = match replay(envelopes.iter()) {
        Ok(Some(state)) => Some(CattleRecord::from_state(id, &state)),
        _ => None,
    };
    let golden_record = animal_queries::cattle_by_id(db, id).await?;
    let differences = match (&from_log, &golden_record) {
        (Some(a), Some(b)) => differences(a, b),
        (None, None) => Vec::new(),
        _ => vec!["existence".into()],
    };
    Ok(FromLogReport {
        cattle_id: id,
        events: lines.len(),
        verified: report.is_ok(),
        verification: report.to_string(),
        from_log,
        golden_record,
        differences,
    })
}
