//! Replaying from a snapshot, and checking that a snapshot is what its events fold to.
//!
//! A replay from a snapshot continues the animal's chain from the snapshot's head with the
//! same acceptance rule as every view (`fold_verified`), so it reads only the events after
//! the snapshot. Whether a snapshot is honest is a separate question, answered by folding the
//! events it covers ([`FoldToSnapshot`]): the whole-log verifier asks it, once per snapshot.

use crate::protocol::{verify_next, ChainHead, KeyRegistry, Snapshot, SnapshotFailure};
use crate::{apply, fold_verified, CattleState, EventEnvelope, StreamRefusal, StreamState};

/// What a replay from a snapshot found.
#[derive(Debug, Clone, PartialEq)]
pub struct Resumed {
    /// The animal after every event that continued the chain.
    pub state: CattleState,
    /// The chain head those events reach.
    pub head: ChainHead,
    /// Each event after the snapshot, by id, with why it was refused (None: applied).
    pub verdicts: Vec<(String, Option<StreamRefusal>)>,
}

impl Resumed {
    /// Whether every event after the snapshot continued the chain.
    pub fn all_applied(&self) -> bool {
        self.verdicts.iter().all(|(_, refusal)| refusal.is_none())
    }
}

/// Folds the events `after` a snapshot onto it, in order, each checked as the next link of
/// the chain (sequence, hashes, signature, Merkle root, a key `keys` accept for its author).
/// A refused event changes nothing, so the events after it are judged against the same head,
/// exactly as a consumer refuses it.
pub fn resume<'a>(
    snapshot: &Snapshot,
    after: impl IntoIterator<Item = &'a EventEnvelope>,
    keys: &KeyRegistry,
) -> Resumed {
    let mut head = snapshot.head.clone();
    let mut state = snapshot.state.clone();
    let mut verdicts = Vec::new();
    for envelope in after {
        let m = &envelope.metadata;
        let trusted = keys
            .check_signer(
                &envelope.cryptography.public_key,
                m.created_by.as_deref(),
                &m.recorded_at,
            )
            .is_ok();
        let before = Some(StreamState::Cattle(state.clone()));
        let refusal = match fold_verified(envelope, &head, before, trusted) {
            Ok(folded) => match folded.state {
                StreamState::Cattle(next) => {
                    head = folded.head;
                    state = next;
                    None
                }
                StreamState::Client(_) => Some(StreamRefusal::Rule(
                    crate::ApplyError::WrongAggregate(m.event_type),
                )),
            },
            Err(refusal) => Some(refusal),
        };
        verdicts.push((m.event_id.clone(), refusal));
    }
    Resumed {
        state,
        head,
        verdicts,
    }
}

/// The fold of an animal's events from its first, kept only as far as a snapshot needs:
/// fed the animal's events in log order, it tells whether a snapshot equals the state and
/// head they reach at the snapshot's sequence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FoldToSnapshot {
    head: ChainHead,
    state: Option<CattleState>,
}

impl FoldToSnapshot {
    /// The sequence the accepted events reach.
    pub fn sequence(&self) -> u64 {
        self.head.sequence
    }

    /// Folds the next event of the animal when it continues the chain and its rules allow
    /// it; answers whether it did. Signers are the verifier's question, not this fold's.
    pub fn push(&mut self, envelope: &EventEnvelope) -> bool {
        let Ok(head) = verify_next(envelope, &self.head) else {
            return false;
        };
        let Ok(state) = apply(self.state.take(), envelope) else {
            return false;
        };
        self.head = head;
        self.state = Some(state);
        true
    }

    /// Whether `snapshot` is exactly what the events folded so far reach; call it when
    /// [`sequence`](Self::sequence) is the snapshot's.
    pub fn judge(&self, snapshot: &Snapshot) -> Result<(), SnapshotFailure> {
        if self.head.sequence != snapshot.head.sequence {
            return Err(SnapshotFailure::Diverges(
                "the log does not reach the covered sequence",
            ));
        }
        if self.head != snapshot.head {
            return Err(SnapshotFailure::Diverges("the chain head"));
        }
        if self.state.as_ref() != Some(&snapshot.state) {
            return Err(SnapshotFailure::Diverges("the state"));
        }
        Ok(())
    }
}

/// Whether `snapshot` equals the fold of `covered`, the animal's events from its first
/// (events past the snapshot's sequence are ignored).
pub fn check_covers<'a>(
    snapshot: &Snapshot,
    covered: impl IntoIterator<Item = &'a EventEnvelope>,
) -> Result<(), SnapshotFailure> {
    let mut fold = FoldToSnapshot::default();
    for envelope in covered {
        if fold.sequence() == snapshot.head.sequence {
            break;
        }
        fold.push(envelope);
    }
    fold.judge(snapshot)
}
