//! Verifying whole logs: every event of every animal, OK or its exact failure.

use super::chain_head::ChainHead;
use super::key_registry::KeyRegistry;
use super::log_verifier::LogVerifier;
use super::verification::VerificationFailure;
use crate::{CattleId, EventEnvelope, EventType};
use std::collections::BTreeMap;
use std::fmt;

/// The verdict on one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventVerdict {
    /// 0-based position of the event in the input.
    pub index: usize,
    /// The event's id.
    pub event_id: String,
    /// The event's claimed sequence.
    pub sequence: u64,
    /// The event's type.
    pub event_type: EventType,
    /// Owner of the signing key, if the registry names it.
    pub signer: Option<String>,
    /// OK, or the first check it failed.
    pub outcome: Result<(), VerificationFailure>,
}

/// All verdicts for one animal, in input order, and the head its accepted events reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnimalReport {
    /// The animal (aggregate) id.
    pub cattle_id: CattleId,
    /// One verdict per input event of this animal.
    pub events: Vec<EventVerdict>,
    /// The head after the accepted events.
    pub head: ChainHead,
}

/// A line of input that is not an envelope at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableLine {
    /// 0-based position among the input's non-blank lines (as `EventVerdict::index`).
    pub index: usize,
    /// 1-based line number in the text.
    pub line: usize,
    /// Why it could not be read.
    pub reason: String,
}

/// The result of verifying a log, grouped by animal in order of first appearance.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainReport {
    /// One report per animal.
    pub animals: Vec<AnimalReport>,
    /// Input lines that could not be read as envelopes (each counts as a MALFORMED failure).
    pub unreadable: Vec<UnreadableLine>,
}

impl ChainReport {
    /// True if every line was an envelope and every event verified.
    pub fn is_ok(&self) -> bool {
        self.unreadable.is_empty() && self.verdicts().all(|v| v.outcome.is_ok())
    }

    /// Every verdict of every animal.
    pub fn verdicts(&self) -> impl Iterator<Item = &EventVerdict> {
        self.animals.iter().flat_map(|a| a.events.iter())
    }

    /// The failed verdicts, in input order.
    pub fn failures(&self) -> Vec<&EventVerdict> {
        let mut failed: Vec<&EventVerdict> =
            self.verdicts().filter(|v| v.outcome.is_err()).collect();
        failed.sort_by_key(|v| v.index);
        failed
    }

    /// The earliest failure in input order as (index, code), counting unreadable lines.
    pub fn first_failure(&self) -> Option<(usize, &'static str)> {
        let event = self
            .failures()
            .first()
            .map(|v| (v.index, failure_code(&v.outcome)));
        let line = self.unreadable.first().map(|u| (u.index, "MALFORMED"));
        match (event, line) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        }
    }

    /// The outcome code of every input position ("OK" or a failure code), in input order.
    pub fn codes(&self) -> Vec<&'static str> {
        let mut all: Vec<(usize, &'static str)> = self
            .verdicts()
            .map(|v| (v.index, failure_code(&v.outcome)))
            .collect();
        all.extend(self.unreadable.iter().map(|u| (u.index, "MALFORMED")));
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, code)| code).collect()
    }
}

fn failure_code(outcome: &Result<(), VerificationFailure>) -> &'static str {
    match outcome {
        Ok(()) => "OK",
        Err(f) => f.code(),
    }
}

/// Verifies a log of envelopes (any mix of animals, in log order) against the accepted keys.
///
/// Per event, in order: MALFORMED, DUPLICATE (an event id already accepted for any animal,
/// or an idempotency key for this one), UNKNOWN_KEY or NOT_THE_AUTHOR, then `verify_next`
/// against the head of the events accepted so far.
/// A failed event is not accepted, so the head never moves past it, exactly as a consumer
/// refuses it; every later event of that animal is then judged against the same head.
pub fn verify_chain(envelopes: &[EventEnvelope], public_keys: &KeyRegistry) -> ChainReport {
    let mut builder = ReportBuilder::default();
    for (index, envelope) in envelopes.iter().enumerate() {
        builder.check(index, envelope, public_keys);
    }
    builder.finish(Vec::new())
}

/// Reads JSON lines (one envelope per non-blank line) with `EventEnvelope::from_json_str`'s
/// strictness; each entry is (1-based line number, envelope or reason).
pub fn read_json_lines(text: &str) -> Vec<(usize, Result<EventEnvelope, String>)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            (
                i + 1,
                EventEnvelope::from_json_str(line).map_err(|e| e.to_string()),
            )
        })
        .collect()
}

/// Reads and verifies a JSON-lines log in one step; unreadable lines are reported, not fatal.
pub fn verify_json_lines(text: &str, public_keys: &KeyRegistry) -> ChainReport {
    let mut builder = ReportBuilder::default();
    let mut unreadable = Vec::new();
    for (index, (line, read)) in read_json_lines(text).into_iter().enumerate() {
        match read {
            Ok(envelope) => builder.check(index, &envelope, public_keys),
            Err(reason) => unreadable.push(UnreadableLine {
                index,
                line,
                reason,
            }),
        }
    }
    builder.finish(unreadable)
}

#[derive(Default)]
struct ReportBuilder {
    order: Vec<CattleId>,
    verifier: LogVerifier,
    events: BTreeMap<CattleId, Vec<EventVerdict>>,
}

impl ReportBuilder {
    fn check(&mut self, index: usize, envelope: &EventEnvelope, keys: &KeyRegistry) {
        let m = &envelope.metadata;
        if !self.events.contains_key(&m.cattle_id) {
            self.order.push(m.cattle_id);
        }
        let outcome = self.verifier.check(envelope, keys);
        self.events
            .entry(m.cattle_id)
            .or_default()
            .push(EventVerdict {
                index,
                event_id: m.event_id.clone(),
                sequence: m.sequence,
                event_type: m.event_type,
                signer: keys
                    .owner(&envelope.cryptography.public_key)
                    .map(str::to_string),
                outcome,
            });
    }

    fn finish(mut self, unreadable: Vec<UnreadableLine>) -> ChainReport {
        let animals = self
            .order
            .iter()
            .filter_map(|id| {
                self.events.remove(id).map(|events| AnimalReport {
                    cattle_id: *id,
                    events,
                    head: self.verifier.head(*id),
                })
            })
            .collect();
        ChainReport {
            animals,
            unreadable,
        }
    }
}

impl fmt::Display for ChainReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for animal in &self.animals {
            writeln!(
                f,
                "cattle {}: {} events, head sequence {}, merkle root {}",
                animal.cattle_id,
                animal.events.len(),
                animal.head.sequence,
                animal.head.merkle.root_hex()
            )?;
            for v in &animal.events {
                let verdict = match &v.outcome {
                    Ok(()) => "OK".to_string(),
                    Err(e) => format!("{} {e}", e.code()),
                };
                writeln!(
                    f,
                    "  #{} seq {} {} {}: {verdict}",
                    v.index, v.sequence, v.event_type, v.event_id
                )?;
            }
        }
        for u in &self.unreadable {
            writeln!(f, "  #{} line {}: MALFORMED {}", u.index, u.line, u.reason)?;
        }
        let total = self.codes().len();
        match self.first_failure() {
            None => write!(f, "OK: {total} events verified"),
            Some((index, code)) => {
                let failed = self.failures().len() + self.unreadable.len();
                write!(
                    f,
                    "FAILED: {failed} of {total} events; first failure {code} at #{index}"
                )
            }
        }
    }
}
