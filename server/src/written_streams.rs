//! What this instance itself last wrote to each stream, so the command handler builds on its
//! own acknowledged events instead of waiting for the golden record to apply them: an animal
//! registered a moment ago can be moved at once, and two commands on one animal sent to this
//! instance never claim the same sequence. The golden record stays the fallback (and wins
//! when it is further on, e.g. after another instance wrote); the log stays the judge.
use app::model::LiveUpdate;
use domain::{ChainHead, StreamState};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, OwnedMutexGuard};

/// Streams beyond this many are forgotten (and read from the golden record again).
const STREAMS_KEPT: usize = 100_000;

/// How long a written head is built on without the golden record confirming it: after that
/// the golden record is asked again, in case no announcement reaches this instance (it runs
/// no views and has no Redis) or another instance wrote the stream since.
const TRUSTED_FOR: Duration = Duration::from_secs(30);

/// A stream as this instance left it after its last acknowledged event.
#[derive(Debug, Clone)]
pub struct WrittenStream {
    /// The chain head after that event.
    pub head: ChainHead,
    /// The stream's state after that event.
    pub state: StreamState,
    /// When the broker acknowledged it.
    pub written_at: Instant,
    /// The command that wrote it, as sent: the user, the hash of its canonical JSON, and the
    /// last event it gave.
    pub sent: SentCommand,
}

/// A command as this instance received it, to recognise it when it comes again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentCommand {
    /// Who sent it.
    pub author: String,
    /// SHA-256 of the command's canonical JSON.
    pub fingerprint: String,
    /// The last event it was accepted as.
    pub event_id: String,
}

/// The exclusive right to write one stream from this instance, with what it last wrote.
pub type StreamTurn = OwnedMutexGuard<Option<WrittenStream>>;

/// One stream's lock, guarding what this instance last wrote to it.
type StreamLock = Arc<tokio::sync::Mutex<Option<WrittenStream>>>;

/// Every stream this instance wrote recently, one lock each.
#[derive(Clone, Default)]
pub struct WrittenStreams {
    streams: Arc<Mutex<HashMap<i64, StreamLock>>>,
    /// The last event of each stream the golden record has decided (applied, refused or
    /// dropped as a duplicate), kept apart from the streams' locks so no verdict is missed
    /// while a command holds its stream.
    decided: Arc<Mutex<HashMap<i64, String>>>,
    /// When this instance last missed announcements: heads written before it are no longer
    /// built on without asking the golden record.
    missed_since: Arc<Mutex<Option<Instant>>>,
    clients_of: Arc<Mutex<HashMap<String, BTreeSet<i64>>>>,
    /// Client registrations published but not yet decided: event id → (user, client id).
    registering: Arc<Mutex<HashMap<String, (String, i64)>>>,
}

impl WrittenStreams {
    /// Waits for this instance's turn on stream `id`: commands on one stream are decided
    /// and published one after the other, each on the head the previous one left.
    pub async fn turn(&self, id: i64) -> StreamTurn {
        let lock = match self.streams.lock() {
            Ok(mut streams) => {
                if streams.len() >= STREAMS_KEPT {
                    // Holders of a forgotten lock keep it; only new turns start afresh.
                    streams.clear();
                }
                streams.entry(id).or_default().clone()
            }
            // A poisoned map only loses the memory, never correctness: a lone lock still
            // serialises this call, and the golden record supplies the head.
            Err(_) => Arc::default(),
        };
        lock.lock_owned().await
    }

    /// Whether this instance may build on `written` (its last event on stream `id`) without
    /// asking the golden record: written lately, no announcement missed since, and not yet
    /// decided by the golden record (which, once it has decided, knows as much or better).
    pub fn usable(&self, id: i64, written: &WrittenStream) -> bool {
        let missed = self
            .missed_since
            .lock()
            .map(|missed| missed.is_some_and(|at| written.written_at <= at))
            .unwrap_or(true);
        written.written_at.elapsed() < TRUSTED_FOR && !missed && !self.decided(id, written)
    }

    /// Whether the golden record has decided `written`'s event (applied, refused or dropped).
    pub fn decided(&self, id: i64, written: &WrittenStream) -> bool {
        self.decided
            .lock()
            .map(|decided| decided.get(&id) == Some(&written.sent.event_id))
            .unwrap_or(true)
    }

    /// The golden record decided `event_id` on stream `id`.
    pub fn settled(&self, id: i64, event_id: &str) {
        if let Ok(mut decided) = self.decided.lock() {
            if decided.len() >= STREAMS_KEPT {
                decided.clear();
            }
            decided.insert(id, event_id.to_string());
        }
    }

    /// The golden record refused (or dropped) `event_id`: a client registration it carried
    /// does not make the client its sender's.
    fn refused(&self, event_id: &str) {
        let registration = self
            .registering
            .lock()
            .ok()
            .and_then(|mut registering| registering.remove(event_id));
        if let (Some((user_id, client_id)), Ok(mut clients)) =
            (registration, self.clients_of.lock())
        {
            if let Some(ids) = clients.get_mut(&user_id) {
                ids.remove(&client_id);
            }
        }
    }

    /// Settles streams as the golden record's announcements arrive, until the hub closes.
    pub async fn follow(self, mut updates: broadcast::Receiver<LiveUpdate>) {
        loop {
            match updates.recv().await {
                Ok(LiveUpdate::CattleChanged {
                    view,
                    cattle_id,
                    event_id,
                    ..
                }) if view == crate::golden::PROJECTION => {
                    if let Ok(mut registering) = self.registering.lock() {
                        registering.remove(&event_id);
                    }
                    self.settled(cattle_id, &event_id);
                }
                Ok(LiveUpdate::EventRejected {
                    event_id: Some(event_id),
                    cattle_id,
                    ..
                }) => {
                    self.refused(&event_id);
                    if let Some(cattle_id) = cattle_id {
                        self.settled(cattle_id, &event_id);
                    }
                }
                Ok(LiveUpdate::EventDuplicate {
                    event_id,
                    cattle_id,
                    ..
                }) => {
                    self.refused(&event_id);
                    if let Some(cattle_id) = cattle_id {
                        self.settled(cattle_id, &event_id);
                    }
                }
                Ok(_) => {}
                // Verdicts were missed: nothing written so far is built on unasked.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if let Ok(mut missed) = self.missed_since.lock() {
                        *missed = Some(Instant::now());
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// Remembers that user `user_id` registered client `client_id` with event `event_id`
    /// through this instance; forgotten again if the golden record refuses the event.
    pub fn registered_client(&self, user_id: &str, client_id: i64, event_id: &str) {
        if let Ok(mut registering) = self.registering.lock() {
            if registering.len() >= STREAMS_KEPT {
                registering.clear();
            }
            registering.insert(event_id.to_string(), (user_id.to_string(), client_id));
        }
        self.remember_clients(user_id, &[client_id]);
    }

    /// Remembers that clients `ids` are user `user_id`'s: registered through this instance
    /// (the golden record may not have them yet) or read from the golden record. A client
    /// never changes hands, so what the golden record said stays true.
    pub fn remember_clients(&self, user_id: &str, ids: &[i64]) {
        if let Ok(mut clients) = self.clients_of.lock() {
            clients
                .entry(user_id.to_string())
                .or_default()
                .extend(ids.iter().copied());
        }
    }

    /// The clients known to be user `user_id`'s.
    pub fn clients_of(&self, user_id: &str) -> Vec<i64> {
        self.clients_of
            .lock()
            .ok()
            .and_then(|clients| {
                clients
                    .get(user_id)
                    .map(|ids| ids.iter().copied().collect())
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(event_id: &str) -> WrittenStream {
        WrittenStream {
            head: ChainHead::default(),
            state: StreamState::Client(domain::ClientState {
                aggregate_id: domain::CattleId(7),
                client_id: 1,
                name: "Station".into(),
                pic: "QABC0001".into(),
                registered_at: "2026-11-30T00:00:00.000Z".into(),
                sequence: 1,
            }),
            written_at: Instant::now(),
            sent: SentCommand {
                author: "jo".into(),
                fingerprint: "f".into(),
                event_id: event_id.into(),
            },
        }
    }

    #[test]
    fn a_head_is_built_on_until_the_golden_record_decides_its_event() {
        let streams = WrittenStreams::default();
        let mine = written("evt_2");
        assert!(streams.usable(7, &mine));
        streams.settled(7, "evt_1");
        assert!(
            streams.usable(7, &mine),
            "an earlier verdict changes nothing"
        );
        streams.settled(7, "evt_2");
        assert!(!streams.usable(7, &mine));
        assert!(streams.decided(7, &mine));
    }

    #[test]
    fn a_refused_registration_does_not_make_the_client_its_senders() {
        let streams = WrittenStreams::default();
        streams.registered_client("jo", 5, "evt_reg");
        assert_eq!(streams.clients_of("jo"), vec![5]);
        streams.refused("evt_reg");
        assert!(streams.clients_of("jo").is_empty());
    }
}
