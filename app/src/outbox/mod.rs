//! The signed-in user's outbox: commands their forms made that the registry does not hold
//! yet. With no connection a form keeps its command here (in IndexedDB) under a command id
//! made in the browser; the queue is sent in order when the browser is back online, every
//! little while while something waits, and when the user asks. The registry takes the
//! command id as the idempotency key, so a send repeated after a lost answer, or from two
//! tabs, gives one event. A command refused on arrival stays with the reason until the user
//! discards it.
#[cfg(feature = "hydrate")]
mod browser_store;

use crate::model::{CommandAck, OutboxEntry};
use leptos::prelude::*;

/// How often a waiting queue is tried again while the browser believes it is online (an
/// answer lost on a weak signal raises no `online` event).
#[cfg(feature = "hydrate")]
const RETRY_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

/// The outbox of the signed-in user; copies share it.
#[derive(Clone, Copy)]
pub struct Outbox {
    entries: RwSignal<Vec<OutboxEntry>>,
    // Only the browser opens an outbox for a user.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    user: RwSignal<Option<String>>,
    sending: RwSignal<bool>,
    problem: RwSignal<Option<String>>,
    delivered: RwSignal<Vec<(String, CommandAck)>>,
}

impl Default for Outbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Outbox {
    /// An outbox nobody opened yet.
    pub fn new() -> Self {
        Self {
            entries: RwSignal::new(Vec::new()),
            user: RwSignal::new(None),
            sending: RwSignal::new(false),
            problem: RwSignal::new(None),
            delivered: RwSignal::new(Vec::new()),
        }
    }

    /// The user's entries, oldest first (tracked).
    pub fn entries(&self) -> Vec<OutboxEntry> {
        self.entries.get()
    }

    /// How many entries wait to be sent (tracked).
    pub fn waiting(&self) -> usize {
        self.entries
            .with(|entries| entries.iter().filter(|e| e.waiting()).count())
    }

    /// Whether the queue is being sent now (tracked).
    pub fn sending(&self) -> bool {
        self.sending.get()
    }

    /// What keeps the outbox from working or sending, for people (tracked).
    pub fn problem(&self) -> Option<String> {
        self.problem.get()
    }

    /// The registry's answer to the command `command_id` once the outbox delivered it
    /// (tracked), so the form that made it can follow it to APPLIED.
    pub fn delivered(&self, command_id: &str) -> Option<CommandAck> {
        self.delivered.with(|delivered| {
            delivered
                .iter()
                .find(|(id, _)| id == command_id)
                .map(|(_, ack)| ack.clone())
        })
    }
}

/// A new command id, made in the browser: the command's name wherever it is sent from.
/// The server renders forms but sends none of their commands, so it makes none.
pub fn new_command_id() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let uuid = window()
            .crypto()
            .map(|crypto| crypto.random_uuid())
            // Without Web Crypto (an old browser) the time and a random number still make
            // a name no other command of this user shares.
            .unwrap_or_else(|_| format!("{}-{}", js_sys::Date::now(), js_sys::Math::random()));
        Some(format!("browser-{uuid}"))
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// A new bulk action id, made in the browser like a command id: the `correlation_id` of
/// every event the action causes.
pub fn new_action_id() -> Option<String> {
    let id = new_command_id()?;
    let id: String = id
        .replacen("browser-", "bulk-", 1)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Some(id)
}

/// Whether the browser believes it has a connection (the server always has).
pub fn online() -> bool {
    #[cfg(feature = "hydrate")]
    return window().navigator().on_line();
    #[cfg(not(feature = "hydrate"))]
    true
}

#[cfg(feature = "hydrate")]
mod sending;

// Pages call these from effects and event handlers, which run only in the browser; on the
// server, where there is no browser storage, they compile and do nothing.
#[cfg(not(feature = "hydrate"))]
impl Outbox {
    /// Opens a user's outbox (in the browser).
    pub fn open_for(&self, _username: String) {}
    /// Sends the waiting entries (in the browser).
    pub fn send_now(&self) {}
    /// Forgets an entry (in the browser).
    pub fn discard(&self, _command_id: String) {}
    /// Keeps a command (in the browser).
    pub async fn keep(
        &self,
        _command: serde_json::Value,
        _command_id: String,
    ) -> Result<(), String> {
        Err("the server keeps no outbox".into())
    }
}
