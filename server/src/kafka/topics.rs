//! Topic names (the seed's), and their creation at start-up.
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
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
        let mut all = vec![self.cattle_events(), self.dead_letter(), self.snapshots()];
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

/// Creates every missing topic; existing ones are left as they are.
pub async fn ensure_topics(
    brokers: &str,
    topics: &Topics,
    partitions: i32,
    replication: i32,
) -> Result<(), KafkaError> {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()?;
    let names = topics.all();
    let snapshots = topics.snapshots();
    let new_topics: Vec<NewTopic> = names
        .iter()
        .map(|name| {
            let topic = NewTopic::new(name, partitions, TopicReplication::Fixed(replication))
                // The log is the source of truth: nothing ever expires from it.
                .set("retention.ms", "-1");
            if *name == snapshots {
                topic.set("cleanup.policy", "compact")
            } else {
                topic
            }
        })
        .collect();
    let results = admin
        .create_topics(new_topics.iter(), &AdminOptions::new())
        .await?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => {
                return Err(KafkaError::AdminOp(code)).inspect_err(|_| {
                    tracing::error!(topic = %name, ?code, "could not create topic");
                })
            }
        }
    }
    Ok(())
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
