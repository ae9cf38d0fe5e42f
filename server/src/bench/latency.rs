//! Latency samples and the percentiles the report shows.
use hdrhistogram::Histogram;
use serde::Serialize;
use std::time::Duration;

/// The slowest sample kept apart from the rest (a minute, in microseconds).
const SLOWEST_US: u64 = 60_000_000;

/// Samples of one measurement, in microseconds.
pub struct Latencies(Histogram<u64>);

/// Percentiles of a set of samples, in milliseconds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Percentiles {
    /// How many samples.
    pub count: u64,
    /// Median.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

impl Latencies {
    /// No samples yet.
    pub fn new() -> Self {
        Self(
            Histogram::new_with_bounds(1, SLOWEST_US, 3)
                .expect("constant bounds: 1 µs to a minute, three significant digits"),
        )
    }

    /// Adds one sample.
    pub fn record(&mut self, took: Duration) {
        let micros = u64::try_from(took.as_micros()).unwrap_or(SLOWEST_US);
        self.0.saturating_record(micros.clamp(1, SLOWEST_US));
    }

    /// Adds every sample of `other`.
    pub fn merge(&mut self, other: &Latencies) {
        // Both have the same bounds, so nothing can be refused.
        let _ = self.0.add(&other.0);
    }

    /// The percentiles of every sample so far.
    pub fn percentiles(&self) -> Percentiles {
        let ms = |micros: u64| micros as f64 / 1000.0;
        Percentiles {
            count: self.0.len(),
            p50_ms: ms(self.0.value_at_quantile(0.50)),
            p95_ms: ms(self.0.value_at_quantile(0.95)),
            p99_ms: ms(self.0.value_at_quantile(0.99)),
            max_ms: ms(self.0.max()),
        }
    }
}

impl std::fmt::Display for Percentiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "p50 {:.2} / p99 {:.2} ms", self.p50_ms, self.p99_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_samples() {
        let mut samples = Latencies::new();
        for ms in 1..=100 {
            samples.record(Duration::from_millis(ms));
        }
        let p = samples.percentiles();
        assert_eq!(p.count, 100);
        assert!((p.p50_ms - 50.0).abs() < 0.1, "{p:?}");
        assert!((p.p99_ms - 99.0).abs() < 0.1, "{p:?}");
        assert!((p.max_ms - 100.0).abs() < 0.1, "{p:?}");
    }
}
