//! The head of one animal's chain: what the next event must link to.

use super::protocol_error::{decode_hex, ProtocolError};
use crate::merkle::MerkleFrontier;
use serde::{Deserialize, Serialize};

/// Where an animal's chain stands: the server stores one per animal to seal the next event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChainHead {
    /// Sequence of the last event; 0 means the animal has no events yet.
    pub sequence: u64,
    /// Event hash (hex) of the last event; None before the first.
    pub last_event_hash: Option<String>,
    /// Merkle tree of all the animal's event hashes so far.
    pub merkle: MerkleFrontier,
}

impl ChainHead {
    /// The head after one more event whose event hash is `event_hash_hex`.
    pub fn after(&self, event_hash_hex: &str) -> Result<ChainHead, ProtocolError> {
        let hash = decode_hex::<32>(event_hash_hex, "event hash")?;
        Ok(self.after_hash(&hash))
    }

    /// The head after one more event with this 32-byte event hash.
    pub fn after_hash(&self, event_hash: &[u8; 32]) -> ChainHead {
        let mut merkle = self.merkle.clone();
        merkle.push(event_hash);
        ChainHead {
            sequence: self.sequence.saturating_add(1),
            last_event_hash: Some(hex::encode(event_hash)),
            merkle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_advances_sequence_hash_and_tree() {
        let head = ChainHead::default();
        let next = head.after(&"ab".repeat(32));
        assert_eq!(next.as_ref().map(|h| h.sequence).ok(), Some(1));
        assert_eq!(next.as_ref().map(|h| h.merkle.size()).ok(), Some(1));
        assert!(head.after("nothex").is_err());
    }
}
