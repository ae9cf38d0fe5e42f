//! Cache-first reads, counted: hits, misses and a store that did not answer, with the hit
//! rate since the process started as a gauge.
use super::metric_names::{CACHE_HIT_RATIO, CACHE_READS};
use std::sync::atomic::{AtomicU64, Ordering};

static HITS: AtomicU64 = AtomicU64::new(0);
static LOOKUPS: AtomicU64 = AtomicU64::new(0);

/// What one cache-first read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheRead {
    /// The cache held the answer.
    Hit,
    /// The cache did not hold it; the database answered.
    Miss,
    /// The cache did not answer (or held something unreadable); the database answered.
    Failed,
}

impl CacheRead {
    fn label(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
            Self::Failed => "error",
        }
    }
}

/// Counts one read.
pub fn count(read: CacheRead) {
    metrics::counter!(CACHE_READS, "result" => read.label()).increment(1);
    LOOKUPS.fetch_add(1, Ordering::Relaxed);
    if read == CacheRead::Hit {
        HITS.fetch_add(1, Ordering::Relaxed);
    }
}

/// Sets the hit-rate gauge from the counts so far (nothing before the first read).
pub(super) fn set_ratio_gauge() {
    let lookups = LOOKUPS.load(Ordering::Relaxed);
    if lookups > 0 {
        let hits = HITS.load(Ordering::Relaxed);
        metrics::gauge!(CACHE_HIT_RATIO).set(hits as f64 / lookups as f64);
    }
}
