//! Topic names (the seed's), and their creation at start-up.
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::ClientConfig;

/// The topic names in force, with the configured prefix.
#[derive(Debug, Clone)]
pub struct Topics {
    prefix: String,
}

impl Topics {
    /// Topics named with `prefix` in front of the seed's names.
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_string(),
        }
    }

    fn named(&self, name: &str) -> String {
        format!("{}{}", self.prefix, name)
    }

    /// Every event of every animal: the log the golden record replays.
    pub fn cattle_events(&self) -> String {
        self.named("icattle.cattle.events")
    }

    /// The category topics (valuations, fraud, ownership, health), fed by the relay.
    pub fn categories(&self) -> Vec<String> {
        CATEGORY_TOPICS
            .iter()
            .map(|name| self.named(name))
            .collect()
    }

    /// A category topic's name in force, from its seed name.
    pub fn category(&self, seed_name: &str) -> String {
        self.named(seed_name)
    }

    /// Per-animal snapshots; compacted, so the newest per key is kept.
    pub fn snapshots(&self) -> String {
        self.named("icattle.cattle.snapshots")
    }

    /// The signed tree heads, in the order they were signed.
    pub fn tree_heads(&self) -> String {
        self.named("icattle.tree.heads")
    }

    /// The key registry: `KEY_REGISTERED` and `KEY_REVOKED` records signed by the root
    /// key, one ordered stream, so it has one partition.
    pub fn key_registry(&self) -> String {
        self.named("icattle.keys.registry")
    }

    /// What no consumer could apply, with the reason.
    pub fn dead_letter(&self) -> String {
        self.named("icattle.deadletter")
    }

    /// A consumer group name, prefixed like the topics.
    pub fn group(&self, view: &str) -> String {
        self.named(&format!("icattle.{view}"))
    }

    /// Every topic created at start-up.
    pub fn all(&self) -> Vec<String> {
        let mut all = vec![
            self.cattle_events(),
            self.dead_letter(),
            self.snapshots(),
            self.tree_heads(),
            self.key_registry(),
        ];
        all.extend(self.categories());
        all
    }
}

/// The seed's category topics, each fed with the envelopes of its event types.
pub const CATEGORY_TOPICS: [&str; 4] = [
    "icattle.valuations.events",
    "icattle.fraud.events",
    "icattle.ownership.events",
    "icattle.health.events",
];

/// The settings every topic of the log must have, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicLayout {
    /// Partitions of every topic (12 in production).
    pub partitions: i32,
    /// Replicas of every partition (3 in production).
    pub replication: i32,
}

impl TopicLayout {
    /// The `min.insync.replicas` a replicated topic needs so that an acknowledged write
    /// survives the loss of one broker; `None` on a single replica, where it cannot apply.
    pub fn min_insync_replicas(&self) -> Option<i32> {
        (self.replication > 1).then(|| (self.replication - 1).clamp(1, 2))
    }

    /// The partitions `topic` must have: the configured number, but one for a stream that
    /// is read in a single order.
    fn partitions_of(&self, topic: &str, topics: &Topics) -> i32 {
        if topic == topics.key_registry() {
            1
        } else {
            self.partitions
        }
    }

    /// The topic-level settings `topic` must carry.
    fn required_configs(&self, topic: &str, topics: &Topics) -> Vec<(&'static str, String)> {
        let mut configs = if topic == topics.snapshots() {
            // The newest snapshot per animal is what matters; older ones may be compacted away.
            vec![("cleanup.policy", "compact".to_string())]
        } else {
            // The log is the source of truth: nothing ever expires from it.
            vec![
                ("retention.ms", "-1".to_string()),
                ("cleanup.policy", "delete".to_string()),
            ]
        };
        if let Some(min) = self.min_insync_replicas() {
            configs.push(("min.insync.replicas", min.to_string()));
        }
        configs
    }
}

/// Why the topics are not fit to be the log.
#[derive(Debug, thiserror::Error)]
pub enum TopicError {
    /// The broker refused a request.
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
    /// A topic could not be created.
    #[error("could not create topic {topic}: {code}")]
    Create {
        /// The topic.
        topic: String,
        /// The broker's answer.
        code: RDKafkaErrorCode,
    },
    /// A partition's leader did not answer for it within 10 s of start-up.
    #[error("{0}")]
    Unanswered(#[from] super::partition_leaders::SilentLeader),
    /// A topic exists with a setting other than the configured one.
    #[error(
        "topic {topic} has {setting} = {found}, but iCattle needs {expected}; \
         fix the topic (or the setting) and start again"
    )]
    Mismatch {
        /// The topic.
        topic: String,
        /// The setting that differs (`partitions`, `replication`, or a topic config).
        setting: String,
        /// What the configuration asks for.
        expected: String,
        /// What the broker reports.
        found: String,
    },
}

/// Creates every missing topic; existing ones are left as they are.
pub async fn ensure_topics(
    brokers: &str,
    topics: &Topics,
    layout: TopicLayout,
) -> Result<(), TopicError> {
    let admin = admin_client(brokers)?;
    let names = topics.all();
    let configs: Vec<Vec<(&str, String)>> = names
        .iter()
        .map(|name| layout.required_configs(name, topics))
        .collect();
    let new_topics: Vec<NewTopic> = names
        .iter()
        .zip(&configs)
        .map(|(name, configs)| {
            configs.iter().fold(
                NewTopic::new(
                    name,
                    layout.partitions_of(name, topics),
                    TopicReplication::Fixed(layout.replication),
                ),
                |topic, (key, value)| topic.set(key, value),
            )
        })
        .collect();
    let results = admin
        .create_topics(new_topics.iter(), &AdminOptions::new())
        .await?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => return Err(TopicError::Create { topic, code }),
        }
    }
    Ok(())
}

/// Checks every topic against the configured layout as the broker describes it, so a topic
/// made by hand (or by an older configuration) is a clear start-up error, not a silent
/// difference in ordering or retention.
pub async fn check_topics(
    brokers: &str,
    topics: &Topics,
    layout: TopicLayout,
) -> Result<(), TopicError> {
    let admin = admin_client(brokers)?;
    let names = topics.all();
    let metadata = visible_metadata(&admin, &names).await?;
    for name in &names {
        let described = metadata.topics().iter().find(|t| t.name() == name);
        let (partitions, replicas) = described
            .map(|t| {
                let replicas = t.partitions().first().map_or(0, |p| p.replicas().len());
                (t.partitions().len() as i32, replicas as i32)
            })
            .unwrap_or((0, 0));
        mismatch(
            name,
            "partitions",
            layout.partitions_of(name, topics),
            partitions,
        )?;
        mismatch(name, "replication", layout.replication, replicas)?;
    }
    for (name, resource) in names.iter().zip(described_configs(&admin, &names).await?) {
        for (setting, expected) in layout.required_configs(name, topics) {
            let found = resource
                .get(setting)
                .and_then(|entry| entry.value.clone())
                .unwrap_or_else(|| "(unset)".into());
            mismatch(name, setting, expected, found)?;
        }
    }
    Ok(super::partition_leaders::leaders_answering(&admin, &metadata, &names).await?)
}

/// The configuration of each topic of `names`, once the broker asked reports every one: on a
/// cluster, a broker that has not yet heard of a topic created a moment ago describes it
/// with no configuration at all.
async fn described_configs(
    admin: &AdminClient<DefaultClientContext>,
    names: &[String],
) -> Result<Vec<rdkafka::admin::ConfigResource>, TopicError> {
    const ATTEMPTS: u32 = 40;
    let specifiers: Vec<ResourceSpecifier> =
        names.iter().map(|n| ResourceSpecifier::Topic(n)).collect();
    let mut attempt = 0;
    loop {
        let described = admin
            .describe_configs(specifiers.iter(), &AdminOptions::new())
            .await?;
        let resources = described
            .into_iter()
            .map(|result| result.map_err(|code| TopicError::Kafka(KafkaError::AdminOp(code))))
            .collect::<Result<Vec<_>, _>>()?;
        attempt += 1;
        if resources.iter().all(|r| !r.entries.is_empty()) || attempt >= ATTEMPTS {
            return Ok(resources);
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// The cluster's metadata once it lists every topic of `names` with its partitions: a topic
/// created a moment ago reaches the metadata of every broker only after a short while.
async fn visible_metadata(
    admin: &AdminClient<DefaultClientContext>,
    names: &[String],
) -> Result<rdkafka::metadata::Metadata, KafkaError> {
    const ATTEMPTS: u32 = 40;
    let mut attempt = 0;
    loop {
        let metadata = admin
            .inner()
            .fetch_metadata(None, std::time::Duration::from_secs(10))?;
        let visible = names.iter().all(|name| {
            metadata
                .topics()
                .iter()
                .any(|t| t.name() == name && !t.partitions().is_empty())
        });
        attempt += 1;
        if visible || attempt >= ATTEMPTS {
            return Ok(metadata);
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

fn mismatch<T: PartialEq + ToString>(
    topic: &str,
    setting: &str,
    expected: T,
    found: T,
) -> Result<(), TopicError> {
    if expected == found {
        return Ok(());
    }
    Err(TopicError::Mismatch {
        topic: topic.to_string(),
        setting: setting.to_string(),
        expected: expected.to_string(),
        found: found.to_string(),
    })
}

fn admin_client(brokers: &str) -> Result<AdminClient<DefaultClientContext>, KafkaError> {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
}

/// How many partitions `topic` has; 0 when the broker does not know it.
pub fn partition_count<C, K>(consumer: &K, topic: &str) -> Result<i32, KafkaError>
where
    C: rdkafka::consumer::ConsumerContext,
    K: rdkafka::consumer::Consumer<C>,
{
    let metadata = consumer.fetch_metadata(Some(topic), std::time::Duration::from_secs(10))?;
    Ok(metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .map(|t| t.partitions().len() as i32)
        .unwrap_or(0))
}

/// The end offset (the next offset to be written) of every partition of `topic`.
pub fn end_offsets(
    brokers: &str,
    topic: &str,
) -> Result<std::collections::BTreeMap<i32, i64>, KafkaError> {
    let consumer: rdkafka::consumer::BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()?;
    let partitions = partition_count(&consumer, topic)?;
    let mut ends = std::collections::BTreeMap::new();
    for partition in 0..partitions {
        let (_, high) = super::partition_leaders::watermarks(&consumer, topic, partition)?;
        ends.insert(partition, high);
    }
    Ok(ends)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(replication: i32) -> TopicLayout {
        TopicLayout {
            partitions: 12,
            replication,
        }
    }

    #[test]
    fn a_replicated_topic_survives_one_broker_lost_and_a_single_replica_needs_nothing() {
        assert_eq!(layout(1).min_insync_replicas(), None);
        assert_eq!(layout(2).min_insync_replicas(), Some(1));
        assert_eq!(layout(3).min_insync_replicas(), Some(2));
        assert_eq!(layout(5).min_insync_replicas(), Some(2));
    }

    #[test]
    fn event_topics_keep_everything_and_snapshots_are_compacted() {
        let topics = Topics::new("t.");
        let events = layout(3).required_configs(&topics.cattle_events(), &topics);
        assert!(events.contains(&("retention.ms", "-1".into())));
        assert!(events.contains(&("cleanup.policy", "delete".into())));
        assert!(events.contains(&("min.insync.replicas", "2".into())));
        let snapshots = layout(1).required_configs(&topics.snapshots(), &topics);
        assert_eq!(snapshots, vec![("cleanup.policy", "compact".to_string())]);
    }
}
