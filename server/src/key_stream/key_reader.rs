//! Reading the key stream to its end into a `domain::KeyLedger`, from where the last read
//! stopped.
use crate::kafka::partition_leaders::watermarks;
use crate::kafka::reader_config::reader_config;
use domain::{KeyLedger, KeyRecord, KeyRegistry};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::{Message, Offset, TopicPartitionList};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// How long a read to the end may take before it is a failure.
const READ_WITHIN: Duration = Duration::from_secs(15);

/// Why the key stream could not be read to its end.
#[derive(Debug, thiserror::Error)]
pub enum KeyStreamError {
    /// The broker refused a request.
    #[error("key stream: kafka: {0}")]
    Kafka(#[from] KafkaError),
    /// A record on the stream is not one the root key chained: no key after it is trusted.
    #[error("key stream {topic} offset {offset}: {failure}")]
    Broken {
        /// The topic.
        topic: String,
        /// The record's offset.
        offset: i64,
        /// What is wrong with it.
        failure: domain::KeyLogFailure,
    },
    /// The end was not reached in time.
    #[error("key stream {0} was not read to its end within 15 s")]
    Timeout(String),
    /// The reading thread stopped.
    #[error("key stream: the reading thread stopped: {0}")]
    Thread(String),
}

/// The consumer, while one is open, and the offset read next.
#[derive(Default)]
struct Position {
    consumer: Option<BaseConsumer>,
    next: i64,
}

/// The key stream as this process has read it.
pub struct KeyStream {
    brokers: String,
    topic: String,
    position: Mutex<Position>,
    ledger: RwLock<KeyLedger>,
    /// Every record read, in offset order (superseded ones too), as a reader elsewhere
    /// gets them.
    records: RwLock<Vec<KeyRecord>>,
    registry: RwLock<Arc<KeyRegistry>>,
    root_owner: String,
    /// When (Unix ms) the latest read to the end began: every record published before then
    /// was read.
    read_from: AtomicI64,
}

impl std::fmt::Debug for KeyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStream")
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl KeyStream {
    /// The stream on `topic`, chained under `root_key` (hex), whose own entry in the keys it
    /// makes is named `root_owner`. Nothing is read until `read_to_end`.
    pub fn new(brokers: &str, topic: &str, root_key: &str, root_owner: &str) -> Arc<Self> {
        let ledger = KeyLedger::new(root_key);
        let registry = Arc::new(ledger.registry(root_owner));
        Arc::new(Self {
            brokers: brokers.to_string(),
            topic: topic.to_string(),
            position: Mutex::default(),
            ledger: RwLock::new(ledger),
            records: RwLock::default(),
            registry: RwLock::new(registry),
            root_owner: root_owner.to_string(),
            read_from: AtomicI64::new(i64::MIN),
        })
    }

    /// The topic read.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Reads every record published so far, on a blocking thread.
    pub async fn read_to_end(self: &Arc<Self>) -> Result<(), KeyStreamError> {
        let stream = Arc::clone(self);
        tokio::task::spawn_blocking(move || stream.read_blocking())
            .await
            .map_err(|e| KeyStreamError::Thread(e.to_string()))?
    }

    /// When (Unix ms) the latest complete read began; `i64::MIN` before the first.
    pub fn read_from(&self) -> i64 {
        self.read_from.load(Ordering::Acquire)
    }

    /// The keys the records read so far make, the root key among them.
    pub fn registry(&self) -> Arc<KeyRegistry> {
        Arc::clone(&self.registry.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// A copy of the ledger as read so far.
    pub fn ledger(&self) -> KeyLedger {
        self.ledger
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The root key the stream is chained under, hex.
    pub fn root_key(&self) -> String {
        self.ledger
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .root_key()
            .to_string()
    }

    /// Every record read so far, in offset order.
    pub fn records(&self) -> Vec<KeyRecord> {
        self.records
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether the records read so far hold `record` at its place.
    pub fn holds(&self, record: &KeyRecord) -> bool {
        self.ledger
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .holds(record)
    }

    fn read_blocking(&self) -> Result<(), KeyStreamError> {
        // One read at a time: the position and the ledger advance together.
        let mut held = self.position.lock().unwrap_or_else(PoisonError::into_inner);
        let began = chrono::Utc::now().timestamp_millis();
        let consumer = match held.consumer.take() {
            Some(consumer) => consumer,
            None => self.open_reader(held.next)?,
        };
        let outcome = self.read_into(&consumer, held.next);
        held.next = match &outcome {
            Ok(next) => *next,
            Err((next, _)) => *next,
        };
        held.consumer = Some(consumer);
        match outcome {
            Ok(_) => {
                self.read_from.fetch_max(began, Ordering::AcqRel);
                Ok(())
            }
            Err((_, error)) => Err(error),
        }
    }

    /// Lets go of the consumer, so nothing of this process fetches from the topic until the
    /// next read, which opens another where this one stopped. A process closing down calls
    /// it before its topics may be deleted, or librdkafka logs the partition as unknown.
    pub fn close_reader(&self) {
        let mut held = self.position.lock().unwrap_or_else(PoisonError::into_inner);
        held.consumer = None;
    }

    fn open_reader(&self, next: i64) -> Result<BaseConsumer, KafkaError> {
        let group = format!("icattle-keys-{}", uuid::Uuid::new_v4().simple());
        let consumer: BaseConsumer = reader_config(&self.brokers, &group).create()?;
        let from = match next {
            0 => Offset::Beginning,
            next => Offset::Offset(next),
        };
        let mut assignment = TopicPartitionList::new();
        assignment.add_partition_offset(&self.topic, 0, from)?;
        consumer.assign(&assignment)?;
        Ok(consumer)
    }

    /// Reads from `next` to the partition's end; the next offset to read either way.
    fn read_into(&self, consumer: &BaseConsumer, next: i64) -> Result<i64, (i64, KeyStreamError)> {
        let mut next = next;
        let (_, end) = watermarks(consumer, &self.topic, 0).map_err(|e| (next, e.into()))?;
        let started = Instant::now();
        let mut changed = false;
        while next < end {
            if started.elapsed() > READ_WITHIN {
                return Err((next, KeyStreamError::Timeout(self.topic.clone())));
            }
            let Some(message) = consumer.poll(Duration::from_millis(200)) else {
                continue;
            };
            let message = message.map_err(|e| (next, e.into()))?;
            let offset = message.offset();
            let taken = serde_json::from_slice::<KeyRecord>(message.payload().unwrap_or_default())
                .map_err(|e| domain::KeyLogFailure::Unreadable(e.to_string()))
                .and_then(|record| {
                    self.ledger
                        .write()
                        .unwrap_or_else(PoisonError::into_inner)
                        .take(&record)?;
                    self.records
                        .write()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(record);
                    Ok(())
                });
            if let Err(failure) = taken {
                if changed {
                    self.publish_registry();
                }
                // Read again from here next time, so the stream stays refused until mended.
                self.rewind(consumer, offset);
                return Err((
                    offset,
                    KeyStreamError::Broken {
                        topic: self.topic.clone(),
                        offset,
                        failure,
                    },
                ));
            }
            changed = true;
            next = offset + 1;
        }
        if changed {
            self.publish_registry();
        }
        Ok(next)
    }

    /// Makes the keys of the ledger as it stands the ones every check reads.
    fn publish_registry(&self) {
        let registry = Arc::new(
            self.ledger
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .registry(&self.root_owner),
        );
        *self
            .registry
            .write()
            .unwrap_or_else(PoisonError::into_inner) = registry;
    }

    fn rewind(&self, consumer: &BaseConsumer, offset: i64) {
        let mut assignment = TopicPartitionList::new();
        if assignment
            .add_partition_offset(&self.topic, 0, Offset::Offset(offset))
            .is_ok()
        {
            if let Err(error) = consumer.assign(&assignment) {
                tracing::warn!(%error, "could not rewind the key stream's reader");
            }
        }
    }
}
