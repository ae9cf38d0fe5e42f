//! The live updates of the one WebSocket the app keeps open, shared with every page.
use crate::model::LiveUpdate;
use leptos::prelude::*;

/// How many recent updates are kept for pages that look for their own event.
const KEPT: usize = 64;

/// Recent updates, newest last, and how many arrived in all.
#[derive(Clone, Copy)]
pub struct LiveBus {
    recent: RwSignal<Vec<LiveUpdate>>,
    arrived: RwSignal<u64>,
}

impl LiveBus {
    /// An empty bus.
    pub fn new() -> Self {
        Self {
            recent: RwSignal::new(Vec::new()),
            arrived: RwSignal::new(0),
        }
    }

    /// Records one pushed update.
    pub fn push(&self, update: LiveUpdate) {
        self.recent.update(|recent| {
            recent.push(update);
            if recent.len() > KEPT {
                recent.remove(0);
            }
        });
        self.arrived.update(|n| *n += 1);
    }

    /// The kept updates, oldest first (tracked).
    pub fn recent(&self) -> Vec<LiveUpdate> {
        self.recent.get()
    }

    /// How many updates arrived in all (tracked).
    pub fn arrived(&self) -> u64 {
        self.arrived.get()
    }

    /// The kept updates after the first `seen` ones (untracked).
    pub fn since(&self, seen: u64) -> Vec<LiveUpdate> {
        let arrived = self.arrived.get_untracked();
        let fresh = arrived.saturating_sub(seen) as usize;
        self.recent
            .with_untracked(|recent| recent[recent.len().saturating_sub(fresh)..].to_vec())
    }

    /// A counter that moves whenever an update matching `wanted` arrives: a page's data
    /// source tracks it to refetch.
    pub fn changes(
        &self,
        wanted: impl Fn(&LiveUpdate) -> bool + Send + Sync + 'static,
    ) -> RwSignal<u64> {
        let version = RwSignal::new(0u64);
        let bus = *self;
        let seen = StoredValue::new(bus.arrived.get_untracked());
        Effect::new(move |_| {
            let now = bus.arrived();
            let fresh = bus.since(seen.get_value());
            seen.set_value(now);
            if fresh.iter().any(&wanted) {
                version.update(|v| *v += 1);
            }
        });
        version
    }
}

impl Default for LiveBus {
    fn default() -> Self {
        Self::new()
    }
}

/// The app's live bus from context (a fresh, silent one outside the app).
pub fn use_live_bus() -> LiveBus {
    use_context::<LiveBus>().unwrap_or_default()
}
