//! Signs a tree head over the golden record's events every `interval` or every `events`
//! events, whichever comes first, and publishes it to the heads topic (key `tree-head`, so
//! heads keep their order) before keeping it in `tree_heads`.
//!
//! The trees are kept in memory: per partition a frontier (O(log n) nodes), and every
//! stream's newest event. A start reads the leaves back, and refuses to sign on if the
//! golden record no longer holds what the newest head signed.
use super::log_leaves::{self, Leaf};
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
    key: Arc<SigningKeyPair>,
    cadence: HeadCadence,
    tsa: Option<TimestampAuthority>,
}

impl HeadSigner {
    /// A signer over the golden record's events of `log_topic`, publishing with `publisher`
    /// (bound to the heads topic) and signing with the root `key`.
    pub fn new(
        db: DatabaseConnection,
        publisher: EventPublisher,
        log_topic: String,
        key: Arc<SigningKeyPair>,
        cadence: HeadCadence,
    ) -> Self {
        Self {
            db,
            publisher,
            log_topic,
            key,
            cadence,
            tsa: None,
        }
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

    /// Reads the leaves the newest head signed back and checks they still make its roots.
    async fn resume(&self) -> Result<Trees, TreeHeadError> {
        let last = head_book::latest(&self.db).await?;
        let mut trees = Trees {
            partitions: BTreeMap::new(),
            animals: BTreeMap::new(),
            last: None,
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
        trees.unsigned = 0;
        trees.oldest_unsigned = None;
        head_book::keep(&self.db, &head).await?;
        Ok(Some(head))
    }
}
