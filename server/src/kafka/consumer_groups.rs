//! The consumer groups of this deployment as Kafka sees them (what `kafka-consumer-groups.sh
//! --describe` shows): each group's state and members, and the position it committed on the
//! cattle log against the log's end. The views read by assignment from their own
//! checkpoints and report their position to their group once a second, so a view's group is
//! `Empty` with no members and its committed position trails its checkpoints by at most a
//! second; the log's own checkpoints are the truth the operations page's views table shows.
use super::topics::end_offsets;
use app::model::ConsumerGroupStanding;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use std::time::Duration;

/// How long each question to the broker may take.
const ASK_WITHIN: Duration = Duration::from_secs(5);

/// Every group whose name starts with `prefix`, with its position on `topic`; blocking.
pub fn describe(
    brokers: &str,
    prefix: &str,
    topic: &str,
) -> Result<Vec<ConsumerGroupStanding>, KafkaError> {
    let asking: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()?;
    let ends = end_offsets(brokers, topic)?;
    let log_end: i64 = ends.values().sum();
    let groups = asking.fetch_group_list(None, ASK_WITHIN)?;
    let mut standings = Vec::new();
    for group in groups
        .groups()
        .iter()
        .filter(|g| g.name().starts_with(prefix))
    {
        let committed = committed_on(brokers, group.name(), topic, ends.keys().copied())?;
        standings.push(ConsumerGroupStanding {
            group: group.name().to_string(),
            state: group.state().to_string(),
            members: group.members().len() as u32,
            committed,
            behind: committed.map(|committed| (log_end - committed).max(0)),
        });
    }
    standings.sort_by(|a, b| a.group.cmp(&b.group));
    Ok(standings)
}

/// The sum of the offsets `group` committed on `topic`'s partitions; `None` when it
/// committed none there.
fn committed_on(
    brokers: &str,
    group: &str,
    topic: &str,
    partitions: impl Iterator<Item = i32>,
) -> Result<Option<i64>, KafkaError> {
    let member: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()?;
    let mut asked = TopicPartitionList::new();
    for partition in partitions {
        asked.add_partition(topic, partition);
    }
    let committed = member.committed_offsets(asked, ASK_WITHIN)?;
    let offsets: Vec<i64> = committed
        .elements()
        .iter()
        .filter_map(|element| match element.offset() {
            Offset::Offset(offset) => Some(offset),
            _ => None,
        })
        .collect();
    Ok((!offsets.is_empty()).then(|| offsets.iter().sum()))
}

/// How long an answer is kept: the page asks on every move of the operations, and each
/// answer asks the broker once per group.
const KEPT_FOR: Duration = Duration::from_secs(5);

/// The last answer and when it was asked.
type LastAnswer = Option<(std::time::Instant, Vec<ConsumerGroupStanding>)>;

/// The groups of one deployment, asked of the broker at most every few seconds.
#[derive(Clone)]
pub struct GroupProbe {
    brokers: String,
    prefix: String,
    topic: String,
    last: std::sync::Arc<tokio::sync::Mutex<LastAnswer>>,
}

impl GroupProbe {
    /// The groups named `prefix…` at `brokers`, with their positions on `topic`.
    pub fn new(brokers: &str, prefix: &str, topic: &str) -> Self {
        Self {
            brokers: brokers.to_string(),
            prefix: prefix.to_string(),
            topic: topic.to_string(),
            last: std::sync::Arc::default(),
        }
    }

    /// The groups as last asked, asking again when the answer is older than a few seconds.
    pub async fn standings(&self) -> Result<Vec<ConsumerGroupStanding>, String> {
        let mut last = self.last.lock().await;
        if let Some((at, standings)) = last.as_ref() {
            if at.elapsed() < KEPT_FOR {
                return Ok(standings.clone());
            }
        }
        let (brokers, prefix, topic) = (
            self.brokers.clone(),
            self.prefix.clone(),
            self.topic.clone(),
        );
        let asked = tokio::task::spawn_blocking(move || describe(&brokers, &prefix, &topic))
            .await
            .map_err(|error| error.to_string())?
            .map_err(|error| error.to_string())?;
        *last = Some((std::time::Instant::now(), asked.clone()));
        Ok(asked)
    }
}
