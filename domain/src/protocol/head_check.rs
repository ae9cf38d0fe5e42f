//! Checking a copy of the log against a signed tree head and the animal heads it commits
//! to: a copy that lacks an animal's newest events, or holds others in their place, names
//! that animal.

use super::chain_report::read_json_lines;
use super::hashing::event_hash_bytes;
use super::key_registry::KeyRegistry;
use super::log_verifier::LogVerifier;
use super::tree_head::{animals_root, AnimalHead, HeadFailure, TreeHead};
use crate::CattleId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A head with the animal heads it commits to, as `GET /api/heads/latest?animals=true`
/// answers it and `icattle verify --expect-head` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommittedHead {
    /// The signed head.
    pub head: TreeHead,
    /// Every stream's newest accepted event the head covers, sorted by `cattle_id`.
    pub animal_heads: Vec<AnimalHead>,
}

/// Why a copy of the log does not hold what a head commits to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadShortfall {
    /// The head itself is not to be trusted.
    #[error("{0}")]
    Head(#[from] HeadFailure),
    /// The animal heads are not the ones the head signed.
    #[error("the animal heads given are not the ones head #{number} commits to: {reason}")]
    Listing {
        /// The head.
        number: u64,
        /// What differs.
        reason: String,
    },
    /// The log's accepted events of an animal end before the head's.
    #[error(
        "animal {cattle_id}: head #{number} commits to its event {sequence} ({event_hash}), \
         but the log's accepted events of it end at {found}"
    )]
    Missing {
        /// The head.
        number: u64,
        /// The animal.
        cattle_id: i64,
        /// The sequence committed to.
        sequence: u64,
        /// Its hash.
        event_hash: String,
        /// Where the copy ends.
        found: u64,
    },
    /// The log holds another event where the head committed to one.
    #[error(
        "animal {cattle_id}: head #{number} commits to event {sequence} with hash {expected}, \
         the log's has {found}"
    )]
    Replaced {
        /// The head.
        number: u64,
        /// The animal.
        cattle_id: i64,
        /// The sequence.
        sequence: u64,
        /// The hash committed to.
        expected: String,
        /// The log's.
        found: String,
    },
}

impl CommittedHead {
    /// Checks the head (its signature, by `root_key` when given) and that the animal heads
    /// are the ones it signed.
    pub fn check(&self, root_key: Option<&str>) -> Result<(), HeadShortfall> {
        let head = &self.head.statement;
        self.head.check(root_key)?;
        let listing = |reason: String| HeadShortfall::Listing {
            number: head.number,
            reason,
        };
        if self
            .animal_heads
            .windows(2)
            .any(|pair| pair[0].cattle_id >= pair[1].cattle_id)
        {
            return Err(listing("not sorted by cattle_id, one per stream".into()));
        }
        if self.animal_heads.len() as u64 != head.animals {
            return Err(listing(format!(
                "{} given, the head counts {}",
                self.animal_heads.len(),
                head.animals
            )));
        }
        if animals_root(&self.animal_heads) != head.animals_root {
            return Err(listing("their tree's root is not the head's".into()));
        }
        Ok(())
    }

    /// Checks a copy of the log (JSON lines, in log order) against the head: every animal
    /// head the head commits to must be an accepted event of the copy. Every shortfall is
    /// listed, by animal.
    pub fn check_log(
        &self,
        text: &str,
        keys: &KeyRegistry,
        root_key: Option<&str>,
    ) -> Result<usize, Vec<HeadShortfall>> {
        self.check(root_key).map_err(|failure| vec![failure])?;
        let expected: BTreeMap<i64, &AnimalHead> = self
            .animal_heads
            .iter()
            .map(|head| (head.cattle_id, head))
            .collect();
        let mut found: BTreeMap<i64, String> = BTreeMap::new();
        let mut verifier = LogVerifier::default();
        for (_, read) in read_json_lines(text) {
            let Ok(envelope) = read else { continue };
            if verifier.check(&envelope, keys).is_err() {
                continue;
            }
            let m = &envelope.metadata;
            if expected
                .get(&m.cattle_id.0)
                .is_some_and(|head| head.sequence == m.sequence)
            {
                found.insert(m.cattle_id.0, hex::encode(event_hash_bytes(&envelope)));
            }
        }
        let number = self.head.number();
        let shortfalls: Vec<HeadShortfall> = self
            .animal_heads
            .iter()
            .filter_map(|head| match found.get(&head.cattle_id) {
                Some(hash) if hash.eq_ignore_ascii_case(&head.event_hash) => None,
                Some(hash) => Some(HeadShortfall::Replaced {
                    number,
                    cattle_id: head.cattle_id,
                    sequence: head.sequence,
                    expected: head.event_hash.clone(),
                    found: hash.clone(),
                }),
                None => Some(HeadShortfall::Missing {
                    number,
                    cattle_id: head.cattle_id,
                    sequence: head.sequence,
                    event_hash: head.event_hash.clone(),
                    found: verifier.head(CattleId(head.cattle_id)).sequence,
                }),
            })
            .collect();
        if shortfalls.is_empty() {
            Ok(self.animal_heads.len())
        } else {
            Err(shortfalls)
        }
    }
}
