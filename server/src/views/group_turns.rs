//! Views shared across instances. A shared view joins its consumer group and Kafka gives
//! each member some of the partitions. Kafka's rebalance callback only reports the turn;
//! the view's consumer takes it between batches. So a partition is given up only after the
//! batch in flight is applied, and a partition received starts at the view's own checkpoint,
//! read from the view's store, never at the group's committed offset: a store restored or
//! rebuilt behind the group would otherwise skip what it lacks. librdkafka allows this: the
//! application calls assign and unassign after the callback, within the rebalance timeout.
use rdkafka::consumer::{BaseConsumer, ConsumerContext, StreamConsumer};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{ClientConfig, ClientContext, TopicPartitionList};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// How a view's consumer gets its partitions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sharing {
    /// It reads every partition itself (one instance runs the view, or its store is local).
    #[default]
    ReadsAll,
    /// It shares the partitions with the other members of its consumer group.
    ByGroup,
}

/// What the group told a shared view's consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupTurn {
    /// These partitions of the view's topic are the consumer's now.
    Assigned(Vec<i32>),
    /// Every partition the consumer holds is to be given up.
    Revoked,
}

/// The consumer context that passes the group's turns to the view's consumer.
pub struct GroupTurns {
    topic: String,
    turns: UnboundedSender<GroupTurn>,
}

/// A view's consumer.
pub type ViewConsumer = StreamConsumer<GroupTurns>;

impl GroupTurns {
    /// A context for a consumer of `topic`, and where its turns arrive.
    pub fn new(topic: &str) -> (Self, UnboundedReceiver<GroupTurn>) {
        let (turns, arriving) = unbounded_channel();
        let context = Self {
            topic: topic.to_string(),
            turns,
        };
        (context, arriving)
    }
}

impl ClientContext for GroupTurns {}

impl ConsumerContext for GroupTurns {
    fn rebalance(
        &self,
        _consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        let turn = match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => GroupTurn::Assigned(
                tpl.elements_for_topic(&self.topic)
                    .iter()
                    .map(|element| element.partition())
                    .collect(),
            ),
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => GroupTurn::Revoked,
            // librdkafka asks for an unassign to get back in step after a failed rebalance.
            other => {
                tracing::warn!(error = ?other, "a view's group rebalance failed");
                GroupTurn::Revoked
            }
        };
        // The receiver lives as long as the consumer loop that owns this consumer.
        let _ = self.turns.send(turn);
    }
}

/// How long the group waits for a silent member before giving its partitions to the others:
/// Kafka's 45 s default leaves a crashed instance's partitions unread that long.
const SESSION_TIMEOUT_MS: &str = "10000";

/// Heartbeats a third of the session timeout apart, as Kafka advises.
const HEARTBEAT_MS: &str = "3000";

/// Configures a consumer of a shared view: its session, for a prompt handover.
pub fn shared_config(config: &mut ClientConfig) {
    config
        .set("session.timeout.ms", SESSION_TIMEOUT_MS)
        .set("heartbeat.interval.ms", HEARTBEAT_MS);
}
