//! Refetching at a walking pace: however many live updates arrive, a page asks the server
//! again at most once per pause, and never misses the last change (the first change is
//! fetched at once, later ones together when the pause ends).
use crate::live_bus::LiveBus;
use crate::model::LiveUpdate;
use leptos::prelude::*;
use std::time::Duration;

/// Where a paced refetch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Nothing fetched lately: the next change is fetched at once.
    Idle,
    /// A fetch went out less than a pause ago; `dirty` when a change came since.
    Cooling {
        /// A change is waiting for the pause to end.
        dirty: bool,
    },
}

impl Pace {
    /// A change arrived: the next pace, and whether to fetch now (and start a pause).
    pub fn on_change(self) -> (Pace, bool) {
        match self {
            Pace::Idle => (Pace::Cooling { dirty: false }, true),
            Pace::Cooling { .. } => (Pace::Cooling { dirty: true }, false),
        }
    }

    /// A pause ended: the next pace, and whether to fetch now (and start another pause).
    pub fn on_pause_end(self) -> (Pace, bool) {
        match self {
            Pace::Cooling { dirty: true } => (Pace::Cooling { dirty: false }, true),
            Pace::Idle | Pace::Cooling { dirty: false } => (Pace::Idle, false),
        }
    }
}

/// A counter that moves when an update matching `wanted` arrives, at most once per `pause`:
/// a page's data source tracks it to refetch.
pub fn paced_changes(
    bus: LiveBus,
    wanted: impl Fn(&LiveUpdate) -> bool + Send + Sync + 'static,
    pause: Duration,
) -> RwSignal<u64> {
    let raw = bus.changes(wanted);
    let version = RwSignal::new(0u64);
    let pace = StoredValue::new(Pace::Idle);
    Effect::new(move |seen: Option<u64>| {
        let now = raw.get();
        if seen.is_some_and(|seen| seen != now) {
            let (next, fetch) = pace.get_value().on_change();
            pace.set_value(next);
            if fetch {
                version.update(|v| *v += 1);
                end_pause_later(pace, version, pause);
            }
        }
        now
    });
    version
}

fn end_pause_later(pace: StoredValue<Pace>, version: RwSignal<u64>, pause: Duration) {
    set_timeout(
        move || {
            // The page may have been left during the pause: then there is nothing to fetch.
            let Some((next, fetch)) = pace.try_get_value().map(Pace::on_pause_end) else {
                return;
            };
            pace.try_update_value(|pace| *pace = next);
            if fetch && version.try_update(|v| *v += 1).is_some() {
                end_pause_later(pace, version, pause);
            }
        },
        pause,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Over any mix of changes and pause ends: at most one fetch per pause, a fetch only
        /// after a change, and no change is left unfetched once the pauses run out.
        #[test]
        fn fetches_at_most_once_per_pause_and_never_drop_the_last_change(
            events in proptest::collection::vec(any::<bool>(), 0..200)
        ) {
            let mut pace = Pace::Idle;
            let mut fetches_this_pause = 0;
            let mut unfetched = false;
            for change in events {
                let (next, fetch) = if change {
                    unfetched = true;
                    pace.on_change()
                } else {
                    fetches_this_pause = 0;
                    pace.on_pause_end()
                };
                pace = next;
                if fetch {
                    fetches_this_pause += 1;
                    unfetched = false;
                }
                prop_assert!(fetches_this_pause <= 1);
            }
            while pace != Pace::Idle {
                let (next, fetch) = pace.on_pause_end();
                pace = next;
                unfetched &= !fetch;
            }
            prop_assert!(!unfetched);
        }
    }
}
