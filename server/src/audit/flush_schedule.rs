//! When the archive writes the unfinished batches it holds: all of them after a quiet
//! moment, and under a steady load each one at least every few seconds, so its checkpoints
//! keep up (a rebuild's copy reaches the log's end) without rewriting a growing object on
//! every tick.
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How often the schedule is asked what is due.
pub const TICK: Duration = Duration::from_millis(500);
/// The longest a read message waits to be written while messages keep coming.
pub const WRITE_AT_LEAST_EVERY: Duration = Duration::from_secs(5);

/// The partitions read since their batch was last written, and since when.
#[derive(Debug, Default)]
pub struct FlushSchedule {
    unwritten: BTreeMap<i32, Instant>,
    read_since_tick: bool,
}

impl FlushSchedule {
    /// A message of `partition` was read at `now`.
    pub fn read(&mut self, partition: i32, now: Instant) {
        self.unwritten.entry(partition).or_insert(now);
        self.read_since_tick = true;
    }

    /// The batch of `partition` was written as far as it was read.
    pub fn written(&mut self, partition: i32) {
        self.unwritten.remove(&partition);
    }

    /// At a tick at `now`: the partitions whose batches are due, each then counted as
    /// written. After a tick with nothing read, every one; otherwise those waiting for
    /// `WRITE_AT_LEAST_EVERY`.
    pub fn due(&mut self, now: Instant) -> Vec<i32> {
        let quiet = !std::mem::take(&mut self.read_since_tick);
        let due: Vec<i32> = self
            .unwritten
            .iter()
            .filter(|(_, since)| quiet || now.duration_since(**since) >= WRITE_AT_LEAST_EVERY)
            .map(|(partition, _)| *partition)
            .collect();
        for partition in &due {
            self.unwritten.remove(partition);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiet_tick_writes_everything_read() {
        let start = Instant::now();
        let mut schedule = FlushSchedule::default();
        schedule.read(3, start);
        schedule.read(1, start);
        assert_eq!(
            schedule.due(start + TICK),
            Vec::<i32>::new(),
            "still reading"
        );
        assert_eq!(schedule.due(start + TICK * 2), vec![1, 3]);
        assert_eq!(schedule.due(start + TICK * 3), Vec::<i32>::new());
    }

    #[test]
    fn under_a_steady_load_each_partition_is_written_every_few_seconds() {
        let start = Instant::now();
        let mut schedule = FlushSchedule::default();
        let mut writes = Vec::new();
        for tick in 1..=24u32 {
            let now = start + TICK * tick;
            schedule.read(0, now);
            if tick > 12 {
                schedule.read(1, now);
            }
            for partition in schedule.due(now) {
                writes.push((tick, partition));
            }
        }
        // Each is written 5 s after the first message it has not written yet.
        assert_eq!(writes, vec![(11, 0), (22, 0), (23, 1)]);
    }

    #[test]
    fn a_batch_written_early_starts_its_wait_again() {
        let start = Instant::now();
        let mut schedule = FlushSchedule::default();
        schedule.read(0, start);
        schedule.written(0);
        schedule.read(0, start + WRITE_AT_LEAST_EVERY);
        assert_eq!(
            schedule.due(start + WRITE_AT_LEAST_EVERY + TICK),
            Vec::<i32>::new()
        );
    }
}
