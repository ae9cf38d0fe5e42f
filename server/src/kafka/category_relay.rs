//! Feeds the category topics (valuations, fraud, ownership, health) from the cattle log,
//! exactly once: each batch of copies and the relay's consumer offsets are committed in one
//! Kafka transaction (consume-transform-produce). A crash before the commit aborts the copies
//! (readers use `read_committed`, so they never see them) and the offsets stay where they
//! were, so the next run copies the same envelopes once more, and only that once.
use super::envelope_body::decode;
use super::reader_config::follower_config;
use super::topics::{partition_count, Topics};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// The most copies one transaction carries.
const BATCH_MESSAGES: usize = 500;
/// How long a batch waits for more messages after its first one. Each commit writes a marker
/// to every partition the transaction touched (and offsets and transaction state besides):
/// at 20 ms that was most of the broker's work under load, for copies nobody waits on.
const BATCH_WINDOW: Duration = Duration::from_millis(250);
/// How long a transactional call to the broker may take.
const TXN_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a relay session ended (the relay starts a new one).
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The broker refused a read, a write or a transactional call.
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
    /// The cattle log does not exist.
    #[error("topic {0} does not exist")]
    NoTopic(String),
    /// A blocking call ended without an answer (its thread panicked).
    #[error("a transactional call did not finish: {0}")]
    Join(String),
    /// A blocking call outlived its own timeout: librdkafka waits on some transactional
    /// requests with no bound after a broker died mid-commit. The session is given up (its
    /// producer is fenced by the next one) and the call's thread left to end on its own.
    #[error("a transactional call was still waiting after {0:?}")]
    Stuck(Duration),
}

/// The relay into the category topics.
#[derive(Clone)]
pub struct CategoryRelay {
    brokers: String,
    topics: Topics,
}

/// One message of the cattle log, owned so it outlives the consumer's buffer.
struct Copied {
    partition: i32,
    offset: i64,
    key: Option<Vec<u8>>,
    body: Vec<u8>,
    headers: Option<OwnedHeaders>,
}

impl CategoryRelay {
    /// A relay reading the cattle log of `topics` on `brokers`.
    pub fn new(brokers: &str, topics: Topics) -> Self {
        Self {
            brokers: brokers.to_string(),
            topics,
        }
    }

    /// The consumer group whose committed offsets are the relay's position, and the
    /// transactional id that fences an earlier run of the relay.
    pub fn group(&self) -> String {
        self.topics.group("category-relay")
    }

    /// Relays until the task is dropped; a failed session (a broker fault, a fenced
    /// producer) is followed by a new one from the committed offsets.
    pub async fn run(self) {
        let mut backoff = Duration::from_millis(200);
        loop {
            match self.session().await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(%error, "the category relay restarts from its committed offsets");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    async fn session(&self) -> Result<(), RelayError> {
        let group = self.group();
        let consumer = Arc::new(follower_config(&self.brokers, &group).create::<StreamConsumer>()?);
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &self.brokers)
            .set("transactional.id", &group)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("linger.ms", "2")
            .create()?;
        let topic = self.topics.cattle_events();
        {
            let (consumer, producer, topic) = (consumer.clone(), producer.clone(), topic.clone());
            blocking(move || {
                // Fences any earlier run with this id and aborts its open transaction.
                producer.init_transactions(TXN_TIMEOUT)?;
                assign_at_committed(&consumer, &topic)
            })
            .await?;
        }
        tracing::info!(%topic, "category relay started");
        loop {
            let batch = next_batch(&consumer).await?;
            self.relay_batch(&consumer, &producer, &topic, batch)
                .await?;
        }
    }

    async fn relay_batch(
        &self,
        consumer: &Arc<StreamConsumer>,
        producer: &FutureProducer,
        topic: &str,
        batch: Vec<Copied>,
    ) -> Result<(), RelayError> {
        producer.begin_transaction()?;
        let mut deliveries = Vec::new();
        let mut next_offsets: BTreeMap<i32, i64> = BTreeMap::new();
        for message in &batch {
            next_offsets.insert(message.partition, message.offset + 1);
            // Undecodable messages are the golden record's dead letters, not a category's.
            let Some(category) = decode(&message.body)
                .ok()
                .and_then(|envelope| envelope.metadata.event_type.category_topic())
            else {
                continue;
            };
            let target = self.topics.category(category);
            let mut record: FutureRecord<'_, [u8], [u8]> =
                FutureRecord::to(&target).payload(&message.body);
            if let Some(key) = &message.key {
                record = record.key(key);
            }
            if let Some(headers) = &message.headers {
                record = record.headers(headers.clone());
            }
            match producer.send_result(record) {
                Ok(delivery) => deliveries.push(delivery),
                Err((error, _)) => return Err(abort(producer, error.into()).await),
            }
        }
        for delivery in deliveries {
            match delivery.await {
                Ok(Ok(_)) => {}
                Ok(Err((error, _))) => return Err(abort(producer, error.into()).await),
                Err(_) => return Err(abort(producer, KafkaError::Canceled.into()).await),
            }
        }
        let mut offsets = TopicPartitionList::new();
        for (partition, next) in &next_offsets {
            offsets.add_partition_offset(topic, *partition, Offset::Offset(*next))?;
        }
        let metadata = consumer
            .group_metadata()
            .ok_or_else(|| KafkaError::ClientCreation("no consumer group metadata".into()))?;
        let committer = producer.clone();
        let committed = blocking(move || {
            committer.send_offsets_to_transaction(&offsets, &metadata, TXN_TIMEOUT)?;
            committer.commit_transaction(TXN_TIMEOUT)?;
            Ok(())
        })
        .await;
        match committed {
            Ok(()) => Ok(()),
            // The stuck call still holds the producer's transaction: an abort would wait too.
            Err(stuck @ RelayError::Stuck(_)) => Err(stuck),
            Err(error) => Err(abort(producer, error).await),
        }
    }
}

/// Aborts the open transaction (best effort: a fenced producer cannot) and hands back why.
async fn abort(producer: &FutureProducer, why: RelayError) -> RelayError {
    let producer = producer.clone();
    if let Err(error) = blocking(move || Ok(producer.abort_transaction(TXN_TIMEOUT)?)).await {
        tracing::debug!(%error, "could not abort the relay's transaction");
    }
    why
}

/// Assigns every partition of `topic` at the group's committed offset (or its start).
fn assign_at_committed(consumer: &StreamConsumer, topic: &str) -> Result<(), RelayError> {
    let partitions = partition_count(consumer, topic)?;
    if partitions == 0 {
        return Err(RelayError::NoTopic(topic.to_string()));
    }
    let mut wanted = TopicPartitionList::new();
    for partition in 0..partitions {
        wanted.add_partition(topic, partition);
    }
    let committed = consumer.committed_offsets(wanted, Duration::from_secs(10))?;
    let mut assignment = TopicPartitionList::new();
    for partition in 0..partitions {
        let at = match committed
            .find_partition(topic, partition)
            .map(|p| p.offset())
        {
            Some(Offset::Offset(offset)) => Offset::Offset(offset),
            _ => Offset::Beginning,
        };
        assignment.add_partition_offset(topic, partition, at)?;
    }
    consumer.assign(&assignment)?;
    Ok(())
}

/// Waits for one message, then takes what else arrives within the batch window.
async fn next_batch(consumer: &StreamConsumer) -> Result<Vec<Copied>, RelayError> {
    let first = consumer.recv().await?;
    let mut batch = vec![owned(&first)];
    drop(first);
    let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
    while batch.len() < BATCH_MESSAGES {
        match tokio::time::timeout_at(deadline, consumer.recv()).await {
            Ok(message) => batch.push(owned(&message?)),
            Err(_) => break,
        }
    }
    Ok(batch)
}

fn owned(message: &BorrowedMessage<'_>) -> Copied {
    Copied {
        partition: message.partition(),
        offset: message.offset(),
        key: message.key().map(<[u8]>::to_vec),
        body: message.payload().unwrap_or_default().to_vec(),
        headers: message.headers().map(|headers| headers.detach()),
    }
}

/// How long past its own timeout a transactional call is waited for before the session is
/// given up.
const STUCK_AFTER: Duration = Duration::from_secs(10);

/// Runs a blocking Kafka call off the async runtime, on a thread of its own rather than the
/// blocking pool: a call that never returns must not hold up the runtime's shutdown, which
/// waits for the pool's threads.
async fn blocking<T, F>(call: F) -> Result<T, RelayError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, RelayError> + Send + 'static,
{
    let (answer, answered) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("category-relay-txn".into())
        .spawn(move || {
            // The session may have given up waiting: then nobody reads the answer.
            let _ = answer.send(call());
        })
        .map_err(|e| RelayError::Join(e.to_string()))?;
    // Each call does at most two requests bounded by TXN_TIMEOUT.
    let bound = TXN_TIMEOUT * 2 + STUCK_AFTER;
    match tokio::time::timeout(bound, answered).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(_)) => Err(RelayError::Join(
            "the call's thread ended without an answer".into(),
        )),
        Err(_) => Err(RelayError::Stuck(bound)),
    }
}
