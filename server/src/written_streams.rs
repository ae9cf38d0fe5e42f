//! What this instance itself last wrote to each stream, so the command handler builds on its
//! own acknowledged events instead of waiting for the golden record to apply them: an animal
//! registered a moment ago can be moved at once, and two commands on one animal sent to this
//! instance never claim the same sequence. The golden record stays the fallback (and wins
//! when it is further on, e.g. after another instance wrote); the log stays the judge.
use domain::{ChainHead, StreamState};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use tokio::sync::OwnedMutexGuard;

/// Streams beyond this many are forgotten (and read from the golden record again).
const STREAMS_KEPT: usize = 100_000;

/// A stream as this instance left it after its last acknowledged event.
#[derive(Debug, Clone)]
pub struct WrittenStream {
    /// The chain head after that event.
    pub head: ChainHead,
    /// The stream's state after that event.
    pub state: StreamState,
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

    /// Remembers that `username` registered client `client_id` through this instance.
    pub fn registered_client(&self, username: &str, client_id: i64) {
        if let Ok(mut clients) = self.clients_of.lock() {
            clients
                .entry(username.to_string())
                .or_default()
                .insert(client_id);
        }
    }

    /// The clients `username` registered through this instance (the golden record may not
    /// have them yet).
    pub fn clients_registered_by(&self, username: &str) -> Vec<i64> {
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
