//! Turns a view's position into time: when each partition's end offset was first seen, so
//! the lag in seconds is how long ago the log had already passed the view's next message
//! (the way kafka-lag-exporter interpolates; no message has to be read to know it).
use std::collections::{BTreeMap, VecDeque};

/// A partition's end offset, and when it was first seen there.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Sighting {
    end: i64,
    seen_at: f64,
}

/// Sightings of every partition's end offset, in seconds on one monotonic clock.
#[derive(Debug, Clone)]
pub struct LagClock {
    partitions: BTreeMap<i32, VecDeque<Sighting>>,
    keep: usize,
}

impl Default for LagClock {
    fn default() -> Self {
        Self::keeping(KEEP_SIGHTINGS)
    }
}

/// An hour of sightings a second: older lags are answered as at least that long.
const KEEP_SIGHTINGS: usize = 3600;

impl LagClock {
    /// A clock keeping at most `keep` sightings per partition.
    pub fn keeping(keep: usize) -> Self {
        Self {
            partitions: BTreeMap::new(),
            keep: keep.max(1),
        }
    }

    /// The log's end on `partition` was `end` at `at`; only a move forward is kept.
    pub fn saw_end(&mut self, partition: i32, end: i64, at: f64) {
        let sightings = self.partitions.entry(partition).or_default();
        if sightings.back().is_some_and(|last| last.end >= end) {
            return;
        }
        sightings.push_back(Sighting { end, seen_at: at });
        while sightings.len() > self.keep {
            sightings.pop_front();
        }
    }

    /// How long, at `now`, the message at offset `next` of `partition` has waited at least:
    /// 0 when the view has reached the end it was last seen at.
    pub fn lag_seconds(&self, partition: i32, next: i64, now: f64) -> f64 {
        let Some(sightings) = self.partitions.get(&partition) else {
            return 0.0;
        };
        // The first sighting past `next` is the earliest moment the message was known
        // written; the real wait can only be longer.
        sightings
            .iter()
            .find(|sighting| sighting.end > next)
            .map_or(0.0, |sighting| (now - sighting.seen_at).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_view_at_the_end_has_no_lag() {
        let mut clock = LagClock::default();
        clock.saw_end(0, 10, 1.0);
        assert_eq!(clock.lag_seconds(0, 10, 50.0), 0.0);
        assert_eq!(clock.lag_seconds(1, 0, 50.0), 0.0, "an unseen partition");
    }

    #[test]
    fn a_stalled_view_falls_behind_by_the_time_the_log_moved_past_it() {
        let mut clock = LagClock::default();
        clock.saw_end(0, 10, 1.0);
        clock.saw_end(0, 10, 2.0);
        clock.saw_end(0, 12, 3.0);
        clock.saw_end(0, 20, 7.0);
        // The view applies offset 10 next: the log held it at 3.0.
        assert_eq!(clock.lag_seconds(0, 10, 15.0), 12.0);
        assert_eq!(clock.lag_seconds(0, 12, 15.0), 8.0);
        assert_eq!(clock.lag_seconds(0, 3, 15.0), 14.0);
    }

    #[test]
    fn forgotten_sightings_leave_a_lower_bound() {
        let mut clock = LagClock::keeping(2);
        for (end, at) in [(1, 1.0), (2, 2.0), (3, 3.0)] {
            clock.saw_end(0, end, at);
        }
        assert_eq!(clock.lag_seconds(0, 0, 10.0), 8.0);
    }

    proptest! {
        #[test]
        fn lag_never_grows_as_the_view_moves_on(
            steps in proptest::collection::vec((0i64..5, 0.0f64..3.0), 1..40),
            a in 0i64..100,
            b in 0i64..100,
        ) {
            let mut clock = LagClock::keeping(16);
            let (mut end, mut at) = (0, 0.0);
            for (grow, wait) in steps {
                end += grow;
                at += wait;
                clock.saw_end(3, end, at);
            }
            let now = at + 1.0;
            let (behind, ahead) = (a.min(b), a.max(b));
            let lag = |next| clock.lag_seconds(3, next, now);
            prop_assert!(lag(behind) >= lag(ahead));
            prop_assert!(lag(behind) <= now);
            prop_assert_eq!(lag(end), 0.0);
        }
    }
}
