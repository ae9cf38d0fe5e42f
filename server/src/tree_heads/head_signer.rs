//! Signs a tree head over the golden record's events every `interval` or every `events`
//! events, whichever comes first, and publishes it to the heads topic (key `tree-head`, so
//! heads keep their order) before keeping it in `tree_heads` and copying it into the audit
//! archive.
//!
//! The trees are kept in memory: per partition a frontier (O(log n) nodes), and every
//! stream's newest event. A start first keeps any head the topic has and the table lacks
//! (published, then not kept), so no number is signed twice; then it reads the leaves
//! back, and refuses to sign on if the golden record no longer holds what the newest head
//! signed.
use super::head_archive::HeadArchive;
use super::log_leaves::{self, Leaf};
use super::published_heads::published_after;
use super::timestamp_authority::TimestampAuthority;
use super::{head_book, TreeHeadError};
use crate::kafka::publisher::EventPublisher;
use chrono::{SecondsFormat, Utc};
use domain::{animals_root, AnimalHead, HeadStatement, MerkleFrontier, PartitionTree};
use domain::{SigningKeyPair, TreeHead};
use sea_orm::DatabaseConnection;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the signer looks for newly applied events.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// Leaves read per query.
const PAGE: u64 = 5_000;

/// The key every head is published under.
pub const HEAD_KEY: &str = "tree-head";

/// When a head is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadCadence {
    /// A head once this many events are unsigned...
    pub events: u64,
    /// ...or once the oldest unsigned one waited this long.
    pub interval: Duration,
}

/// One partition's tree as it grows.
#[derive(Debug, Default)]
struct PartitionLeaves {
    frontier: MerkleFrontier,
    last_offset: i64,
}

/// What the signer has read of the golden record.
#[derive(Debug)]
struct Trees {
    partitions: BTreeMap<i32, PartitionLeaves>,
    animals: BTreeMap<i64, AnimalHead>,
    last: Option<TreeHead>,
    /// The newest head published but not yet kept: kept before another is signed.
    unkept: Option<TreeHead>,
    unsigned: u64,
    oldest_unsigned: Option<Instant>,
}

impl Trees {
    fn push(&mut self, partition: i32, leaf: Leaf) -> Result<(), TreeHeadError> {
        let hash = domain::decode_hex::<32>(&leaf.event_hash, "event hash").map_err(|error| {
            TreeHeadError::Leaf {
                partition,
                offset: leaf.offset,
                reason: error.to_string(),
            }
        })?;
        let tree = self.partitions.entry(partition).or_insert(PartitionLeaves {
            frontier: MerkleFrontier::new(),
            last_offset: -1,
        });
        tree.frontier.push(&hash);
        tree.last_offset = leaf.offset;
        leaf.note_newest(&mut self.animals);
        self.unsigned += 1;
        self.oldest_unsigned.get_or_insert_with(Instant::now);
        Ok(())
    }

    fn statement(&self) -> HeadStatement {
        let heads: Vec<AnimalHead> = self.animals.values().cloned().collect();
        HeadStatement {
            number: self.last.as_ref().map_or(1, |head| head.number() + 1),
            issued_at: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
            partitions: self
                .partitions
                .iter()
                .map(|(partition, tree)| PartitionTree {
                    partition: *partition,
                    size: tree.frontier.size(),
                    root: tree.frontier.root_hex(),
                })
                .collect(),
            animals: heads.len() as u64,
            animals_root: animals_root(&heads),
            previous_head_hash: self.last.as_ref().map(|head| head.head_hash.clone()),
        }
    }
}

/// Signs and publishes tree heads.
#[derive(Clone)]
pub struct HeadSigner {
    db: DatabaseConnection,
    publisher: EventPublisher,
    log_topic: String,
    heads: HeadsTopic,
    key: Arc<SigningKeyPair>,
    cadence: HeadCadence,
    tsa: Option<TimestampAuthority>,
    archive: Option<HeadArchive>,
}

/// Where the heads are published, to read back the ones a start must keep.
#[derive(Debug, Clone)]
pub struct HeadsTopic {
    /// The Kafka bootstrap servers.
    pub brokers: String,
    /// The heads topic.
    pub topic: String,
}

impl HeadSigner {
    /// A signer over the golden record's events of `log_topic`, publishing with `publisher`
    /// (bound to the heads topic, `heads`) and signing with the root `key`.
    pub fn new(
        db: DatabaseConnection,
        publisher: EventPublisher,
        heads: HeadsTopic,
        log_topic: String,
        key: Arc<SigningKeyPair>,
        cadence: HeadCadence,
    ) -> Self {
        Self {
            db,
            publisher,
            log_topic,
            heads,
            key,
            cadence,
            tsa: None,
            archive: None,
        }
    }

    /// The signer, copying each head into the audit archive's store too.
    pub fn archived_in(mut self, archive: HeadArchive) -> Self {
        self.archive = Some(archive);
        self
    }

    /// The signer, asking `tsa` for a timestamp token over each head it signs.
    pub fn timestamped_by(mut self, tsa: TimestampAuthority) -> Self {
        self.tsa = Some(tsa);
        self
    }

    /// Signs heads until the task is dropped.
    pub async fn run(self) {
        let mut trees = loop {
            match self.resume().await {
                Ok(trees) => break trees,
                Err(error) => tracing::warn!(%error, "tree heads wait; trying again"),
            }
            tokio::time::sleep(LOOK_EVERY * 5).await;
        };
        loop {
            tokio::time::sleep(LOOK_EVERY).await;
            match self.step(&mut trees).await {
                Ok(Some(head)) => tracing::debug!(number = head.number(), "tree head signed"),
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, "tree heads are behind; trying again"),
            }
        }
    }

    /// Keeps the heads the topic has and the table lacks: each must be the root key's and
    /// follow the one before; the first that does not ends the adoption, with a warning.
    async fn keep_published(&self) -> Result<(), TreeHeadError> {
        let kept = head_book::latest(&self.db).await?;
        let mut number = kept.as_ref().map_or(0, TreeHead::number);
        let mut previous = kept.map(|head| head.head_hash);
        let heads = self.heads.clone();
        let published = tokio::task::spawn_blocking(move || {
            published_after(&heads.brokers, &heads.topic, number)
        })
        .await
        .map_err(|error| TreeHeadError::Published(error.to_string()))??;
        let root = self.key.public_key_hex();
        for head in published {
            let follows = head.number() == number + 1
                && head.statement.previous_head_hash == previous
                && head.check(Some(&root)).is_ok();
            if !follows {
                tracing::warn!(
                    number = head.number(),
                    "a head on the topic does not follow the kept ones; not kept"
                );
                break;
            }
            head_book::keep(&self.db, &head).await?;
            tracing::info!(
                number = head.number(),
                "kept a head found only on the topic"
            );
            number = head.number();
            previous = Some(head.head_hash);
        }
        Ok(())
    }

    /// Copies into the archive the newest kept heads it lacks (all of them, the first time
    /// an archive is given), newest first.
    async fn archive_missing(&self, newest: Option<&TreeHead>) {
        let (Some(archive), Some(newest)) = (&self.archive, newest) else {
            return;
        };
        for number in (1..=newest.number()).rev() {
            match archive.holds(number).await {
                Ok(true) => return,
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(number, %error, "the archive's heads could not be read");
                    return;
                }
            }
            match head_book::numbered(&self.db, number).await {
                Ok(Some(head)) => self.copy_to_archive(&head).await,
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(number, %error, "a kept head could not be read");
                    return;
                }
            }
        }
    }

    /// Copies `head` into the archive; a store that refuses is logged, and the head is
    /// copied at the next start (the topic and the table have it meanwhile).
    async fn copy_to_archive(&self, head: &TreeHead) {
        if let Some(archive) = &self.archive {
            if let Err(error) = archive.copy(head).await {
                tracing::warn!(number = head.number(), %error, "the head is not archived yet");
            }
        }
    }

    /// Reads the leaves the newest head signed back and checks they still make its roots.
    async fn resume(&self) -> Result<Trees, TreeHeadError> {
        self.keep_published().await?;
        let last = head_book::latest(&self.db).await?;
        self.archive_missing(last.as_ref()).await;
        let mut trees = Trees {
            partitions: BTreeMap::new(),
            animals: BTreeMap::new(),
            last: None,
            unkept: None,
            unsigned: 0,
            oldest_unsigned: None,
        };
        if let Some(head) = &last {
            for signed in &head.statement.partitions {
                let leaves = log_leaves::first_leaves(
                    &self.db,
                    &self.log_topic,
                    signed.partition,
                    signed.size,
                )
                .await?;
                if (leaves.len() as u64) < signed.size {
                    return Err(TreeHeadError::Behind {
                        number: head.number(),
                        partition: signed.partition,
                        signed: signed.size,
                        applied: leaves.len() as u64,
                    });
                }
                for leaf in leaves {
                    trees.push(signed.partition, leaf)?;
                }
                let root = trees
                    .partitions
                    .get(&signed.partition)
                    .map(|tree| tree.frontier.root_hex());
                if root.as_deref() != Some(signed.root.as_str()) {
                    return Err(TreeHeadError::Diverged {
                        number: head.number(),
                        partition: signed.partition,
                    });
                }
            }
        }
        trees.unsigned = 0;
        trees.oldest_unsigned = None;
        trees.last = last;
        Ok(trees)
    }

    /// Reads what the golden record applied since, and signs a head if one is due.
    async fn step(&self, trees: &mut Trees) -> Result<Option<TreeHead>, TreeHeadError> {
        if let Some(head) = trees.unkept.clone() {
            head_book::keep(&self.db, &head).await?;
            self.copy_to_archive(&head).await;
            trees.unkept = None;
        }
        for (partition, applied) in log_leaves::applied_up_to(&self.db, &self.log_topic).await? {
            loop {
                let after = trees
                    .partitions
                    .get(&partition)
                    .map_or(-1, |tree| tree.last_offset);
                let leaves = log_leaves::leaves_between(
                    &self.db,
                    &self.log_topic,
                    partition,
                    after,
                    applied,
                    PAGE,
                )
                .await?;
                let full = leaves.len() as u64 == PAGE;
                for leaf in leaves {
                    trees.push(partition, leaf)?;
                }
                if !full {
                    break;
                }
            }
        }
        let waited = trees
            .oldest_unsigned
            .is_some_and(|since| since.elapsed() >= self.cadence.interval);
        if trees.unsigned == 0 || (trees.unsigned < self.cadence.events && !waited) {
            return Ok(None);
        }
        let mut head = TreeHead::sign(trees.statement(), &self.key);
        if let Some(tsa) = &self.tsa {
            // A TSA that does not answer must not stop the heads: this one goes without.
            match tsa.timestamp(&head.head_hash).await {
                Ok(token) => head.timestamp_token = Some(token),
                Err(error) => tracing::warn!(
                    number = head.number(),
                    %error,
                    "the head is published without a timestamp"
                ),
            }
        }
        let body = serde_json::to_vec(&head).map_err(|error| TreeHeadError::Stored {
            number: head.number() as i64,
            reason: error.to_string(),
        })?;
        self.publisher.publish_record(HEAD_KEY, &body).await?;
        trees.last = Some(head.clone());
        trees.unkept = Some(head.clone());
        trees.unsigned = 0;
        trees.oldest_unsigned = None;
        head_book::keep(&self.db, &head).await?;
        trees.unkept = None;
        self.copy_to_archive(&head).await;
        Ok(Some(head))
    }
}
