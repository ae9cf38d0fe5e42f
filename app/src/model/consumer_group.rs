//! A consumer group of the deployment as Kafka sees it, for the operations page.
use serde::{Deserialize, Serialize};

/// One group's state, members and committed position on the cattle log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerGroupStanding {
    /// The group's name.
    pub group: String,
    /// Kafka's word for its state (`Stable`, `Empty`, `PreparingRebalance`, `Dead`, …).
    pub state: String,
    /// Members joined now (a view reading by assignment joins none).
    pub members: u32,
    /// The sum of the offsets it committed on the cattle log's partitions; `None` when it
    /// committed none there.
    pub committed: Option<i64>,
    /// Messages of the log past what it committed.
    pub behind: Option<i64>,
}
