use object_store::path::Path;

/// How many offsets one batch object covers: batch k of a partition holds offsets
/// `k * BATCH_OFFSETS .. (k + 1) * BATCH_OFFSETS`, so its boundaries never depend on timing.
pub const BATCH_OFFSETS: i64 = 500;

/// The first offset of the batch holding `offset`.
pub fn batch_start(offset: i64) -> i64 {
    offset.div_euclid(BATCH_OFFSETS) * BATCH_OFFSETS
}

/// Where the batch of `topic`/`partition` starting at `first_offset` is kept: the date is the
/// first envelope's `recorded_at`, so a redelivered batch rewrites the same object.
pub fn object_path(recorded_at: &str, topic: &str, partition: i32, first_offset: i64) -> Path {
    // recorded_at is a verified RFC 3339 timestamp: YYYY-MM-DDTHH:MM:SS.sssZ
    let (year, month, day) = (
        recorded_at.get(0..4).unwrap_or("0000"),
        recorded_at.get(5..7).unwrap_or("00"),
        recorded_at.get(8..10).unwrap_or("00"),
    );
    Path::from(format!(
        "events/{year}/{month}/{day}/{topic}-p{partition:02}-o{first_offset:020}.jsonl"
    ))
}

/// The envelopes of one batch range of one partition, as far as they have been read.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    /// The first offset of the range (see `batch_start`).
    pub first_offset: Option<i64>,
    /// Offset of the last message (archived or skipped).
    pub last_offset: Option<i64>,
    /// recorded_at of the first envelope.
    pub first_recorded_at: Option<String>,
    /// The JSON lines.
    pub lines: Vec<u8>,
    /// How many envelopes.
    pub count: usize,
}

impl Batch {
    /// Adds a message; only envelopes are archived, but every offset moves the batch on.
    pub fn push(&mut self, offset: i64, body: &[u8], recorded_at: Option<&str>) {
        self.first_offset.get_or_insert(batch_start(offset));
        self.last_offset = Some(offset);
        if let Some(recorded_at) = recorded_at {
            if self.first_recorded_at.is_none() {
                self.first_recorded_at = Some(recorded_at.to_string());
            }
            self.lines.extend_from_slice(body);
            self.lines.push(b'\n');
            self.count += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_filed_by_day_and_first_offset() {
        let path = object_path("2026-11-29T10:00:00.000Z", "icattle.cattle.events", 3, 42);
        assert_eq!(
            path.as_ref(),
            "events/2026/11/29/icattle.cattle.events-p03-o00000000000000000042.jsonl"
        );
    }

    #[test]
    fn undecodable_messages_move_the_batch_without_being_archived() {
        let mut batch = Batch::default();
        batch.push(507, b"not an envelope", None);
        batch.push(508, b"{}", Some("2026-01-02T00:00:00.000Z"));
        assert_eq!(batch.first_offset, Some(500));
        assert_eq!(batch.last_offset, Some(508));
        assert_eq!(batch.count, 1);
        assert_eq!(batch.lines, b"{}\n");
    }

    #[test]
    fn batch_ranges_are_fixed_by_offset() {
        assert_eq!(batch_start(0), 0);
        assert_eq!(batch_start(499), 0);
        assert_eq!(batch_start(500), 500);
        assert_eq!(batch_start(1234), 1000);
    }

    #[test]
    fn the_first_undecodable_message_of_a_range_is_skipped_but_counted() {
        let mut batch = Batch::default();
        batch.push(7, b"not an envelope", None);
        batch.push(8, b"{}", Some("2026-01-02T00:00:00.000Z"));
        assert_eq!(batch.first_offset, Some(0));
        assert_eq!(batch.last_offset, Some(8));
    }
}
