//! Strong consistency, the seed's option 2: rebuild one animal from its events read back
//! from Kafka (their positions are indexed in `cattle_events`), verify them, and compare
//! the result with the golden record.
use crate::entity::{cattle_event, cattle_snapshot};
use crate::golden::animal_queries;
use crate::kafka::reader_config::reader_config;
use crate::keys::TrustedKeys;
use app::model::CattleRecord;
use domain::{open_snapshot, replay, resume, verify_json_lines, EventEnvelope, Snapshot};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::{Message, Offset, TopicPartitionList};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};
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
    /// The snapshot the rebuild started from, when it had one that opened.
    pub snapshot: Option<SnapshotUsed>,
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
    /// The key stream could not be read.
    #[error(transparent)]
    Keys(#[from] crate::key_stream::KeyStreamError),
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

/// The snapshot a rebuild started from.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotUsed {
    /// The snapshot envelope's id.
    pub event_id: String,
    /// The sequence of the event it covers: only later events were read.
    pub sequence: u64,
}

/// The animal folded from what was read back, and the verifier's words on it.
struct Replayed {
    state: Option<domain::CattleState>,
    verified: bool,
    verification: String,
    events: usize,
    snapshot: Option<SnapshotUsed>,
}

type Position = (String, i32, i64);

fn position_of(event: &cattle_event::Model) -> Position {
    (
        event.kafka_topic.clone(),
        event.kafka_partition,
        event.kafka_offset,
    )
}

async fn read_lines(brokers: &str, positions: Vec<Position>) -> Result<Vec<String>, FromLogError> {
    let brokers = brokers.to_string();
    tokio::task::spawn_blocking(move || read_back(&brokers, &positions))
        .await
        .map_err(|e| FromLogError::Task(e.to_string()))?
}

fn envelopes(lines: &[String]) -> Vec<EventEnvelope> {
    lines
        .iter()
        .filter_map(|line| EventEnvelope::from_json_str(line).ok())
        .collect()
}

/// Every event from the animal's first, verified as one chain.
async fn replay_all(
    brokers: &str,
    trusted: &TrustedKeys,
    indexed: &[cattle_event::Model],
) -> Result<Replayed, FromLogError> {
    let lines = read_lines(brokers, indexed.iter().map(position_of).collect()).await?;
    let text = lines.join("\n");
    let envelopes = envelopes(&lines);
    trusted.learn_envelopes(envelopes.iter()).await?;
    let report = verify_json_lines(&text, &trusted.registry());
    Ok(Replayed {
        state: replay(envelopes.iter()).ok().flatten(),
        verified: report.is_ok(),
        verification: report.to_string(),
        events: lines.len(),
        snapshot: None,
    })
}

/// The snapshot `taken` indexes, read back from the snapshots topic and opened with the
/// trusted keys; `Ok(Err(why))` when it does not open or is not the one the index names.
pub async fn opened_snapshot(
    brokers: &str,
    trusted: &TrustedKeys,
    taken: &cattle_snapshot::Model,
) -> Result<Result<Snapshot, String>, FromLogError> {
    let position = (
        taken.kafka_topic.clone(),
        taken.kafka_partition,
        taken.kafka_offset,
    );
    let line = read_lines(brokers, vec![position]).await?.concat();
    let snapshot = match EventEnvelope::from_json_str(&line) {
        Ok(envelope) => {
            open_snapshot(&envelope, &trusted.registry()).map_err(|f| format!("{}: {f}", f.code()))
        }
        Err(error) => Err(format!("MALFORMED: {error}")),
    };
    Ok(snapshot.and_then(|snapshot| {
        if snapshot.state.cattle_id.0 == taken.cattle_id
            && snapshot.head.sequence as i64 == taken.sequence
        {
            Ok(snapshot)
        } else {
            Err(format!(
                "SNAPSHOT_INCONSISTENT: the index names animal {} after event {}, the snapshot \
                 covers animal {} after event {}",
                taken.cattle_id, taken.sequence, snapshot.state.cattle_id.0, snapshot.head.sequence
            ))
        }
    }))
}

/// The events after the animal's latest snapshot, folded onto it; `Err` with the reason when
/// the snapshot does not open or is not the one the index names (the caller then reads every
/// event, and says why).
async fn replay_from_snapshot(
    brokers: &str,
    trusted: &TrustedKeys,
    taken: &cattle_snapshot::Model,
    indexed: &[cattle_event::Model],
) -> Result<Result<Replayed, String>, FromLogError> {
    let snapshot = match opened_snapshot(brokers, trusted, taken).await? {
        Ok(snapshot) => snapshot,
        Err(why) => return Ok(Err(why)),
    };
    let after: Vec<Position> = indexed
        .iter()
        .filter(|e| e.sequence > taken.sequence)
        .map(position_of)
        .collect();
    let lines = read_lines(brokers, after).await?;
    let envelopes = envelopes(&lines);
    trusted.learn_envelopes(envelopes.iter()).await?;
    let keys = trusted.registry();
    let resumed = resume(&snapshot, &envelopes, &keys);
    let mut verification = format!(
        "snapshot {} after event {}: OK\n",
        snapshot.event_id, snapshot.head.sequence
    );
    for (envelope, (event_id, refusal)) in envelopes.iter().zip(&resumed.verdicts) {
        let verdict = refusal
            .as_ref()
            .map_or("OK".to_string(), |r| format!("{}: {r}", r.code()));
        verification.push_str(&format!(
            "  event {} {event_id}: {verdict}\n",
            envelope.metadata.sequence
        ));
    }
    let unreadable = lines.len() - envelopes.len();
    if unreadable > 0 {
        verification.push_str(&format!("  {unreadable} message(s) are not envelopes\n"));
    }
    Ok(Ok(Replayed {
        verified: resumed.all_applied() && unreadable == 0,
        state: Some(resumed.state),
        verification,
        events: lines.len(),
        snapshot: Some(SnapshotUsed {
            event_id: snapshot.event_id,
            sequence: snapshot.head.sequence,
        }),
    }))
}

/// Rebuilds animal `id` from the log and compares it with the golden record: from its
/// latest snapshot when it has one that opens, else from its first event.
pub async fn rebuild_from_log(
    db: &DatabaseConnection,
    brokers: &str,
    trusted: &TrustedKeys,
    id: i64,
) -> Result<FromLogReport, FromLogError> {
    let indexed = animal_queries::event_positions(db, id).await?;
    let taken = cattle_snapshot::Entity::find_by_id(id).one(db).await?;
    let replayed = match &taken {
        Some(taken) => match replay_from_snapshot(brokers, trusted, taken, &indexed).await? {
            Ok(replayed) => replayed,
            Err(why) => {
                tracing::warn!(cattle_id = id, %why, "a snapshot did not open; reading every event");
                let mut replayed = replay_all(brokers, trusted, &indexed).await?;
                replayed.verification = format!(
                    "snapshot {} refused ({why}); read from the first event\n{}",
                    taken.event_id, replayed.verification
                );
                replayed.verified = false;
                replayed
            }
        },
        None => replay_all(brokers, trusted, &indexed).await?,
    };
    let from_log = replayed
        .state
        .as_ref()
        .map(|state| CattleRecord::from_state(id, state));
    let golden_record = animal_queries::cattle_by_id(db, id).await?;
    let differences = match (&from_log, &golden_record) {
        (Some(a), Some(b)) => differences(a, b),
        (None, None) => Vec::new(),
        _ => vec!["existence".into()],
    };
    Ok(FromLogReport {
        cattle_id: id,
        events: replayed.events,
        snapshot: replayed.snapshot,
        verified: replayed.verified,
        verification: replayed.verification,
        from_log,
        golden_record,
        differences,
    })
}
