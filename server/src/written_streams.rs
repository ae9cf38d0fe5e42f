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

impl WrittenStream {
    /// Whether it is recent enough to build on without asking the golden record.
    pub fn is_fresh(&self) -> bool {
        self.written_at.elapsed() < TRUSTED_FOR
    }
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
    clients_of: Arc<Mutex<HashMap<String, BTreeSet<i64>>>>,
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

    /// The golden record applied or refused `event_id` on stream `id`: when that is the last
    /// event this instance wrote there, the golden record now knows as much as this instance
    /// (or knows better, after a refusal), so it is asked again next time. A stream whose
    /// turn is taken is left alone: its holder is writing a later event.
    pub fn settled(&self, id: i64, event_id: &str) {
        let lock = match self.streams.lock() {
            Ok(streams) => streams.get(&id).cloned(),
            Err(_) => None,
        };
        let Some(lock) = lock else { return };
        let Ok(mut written) = lock.try_lock() else {
            return;
        };
        if written
            .as_ref()
            .is_some_and(|stream| stream.sent.event_id == event_id)
        {
            *written = None;
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
                }) if view == crate::golden::PROJECTION => self.settled(cattle_id, &event_id),
                Ok(LiveUpdate::EventRejected {
                    event_id: Some(event_id),
                    cattle_id: Some(cattle_id),
                    ..
                }) => self.settled(cattle_id, &event_id),
                Ok(_) => {}
                // Missed announcements only leave entries to age out.
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// Remembers that clients `ids` are `username`'s: registered through this instance (the
    /// golden record may not have them yet) or read from the golden record. A client never
    /// changes hands, so what is remembered stays true.
    pub fn remember_clients(&self, username: &str, ids: &[i64]) {
        if let Ok(mut clients) = self.clients_of.lock() {
            clients
                .entry(username.to_string())
                .or_default()
                .extend(ids.iter().copied());
        }
    }

    /// The clients known to be `username`'s.
    pub fn clients_of(&self, username: &str) -> Vec<i64> {
        self.clients_of
            .lock()
            .ok()
            .and_then(|clients| {
                clients
                    .get(username)
                    .map(|ids| ids.iter().copied().collect())
            })
            .unwrap_or_default()
    }
}
