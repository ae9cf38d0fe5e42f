//! The identity of one animal's event stream (the aggregate id).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Identifies one aggregate (an animal, or a client's registration stream) in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CattleId(pub i64);

/// Largest id `for_nlis` can produce: 2^52, so ids stay exact in JavaScript numbers.
pub const MAX_DERIVED_ID: i64 = 1 << 52;

impl CattleId {
    /// The deterministic id of the animal with this NLIS id, so a registration needs no lookup.
    pub fn for_nlis(nlis_id: &str) -> CattleId {
        derive_id("icattle:cattle:", nlis_id)
    }

    /// The deterministic id of the client registration stream for this PIC.
    pub fn for_client_pic(pic: &str) -> CattleId {
        derive_id("icattle:client:", pic)
    }

    /// The Kafka message key of this aggregate, as the seed names it.
    pub fn kafka_key(&self) -> String {
        format!("cattle-{}", self.0)
    }
}

/// First 52 bits of SHA-256(prefix || name), plus one so that 0 never occurs.
fn derive_id(prefix: &str, name: &str) -> CattleId {
    let digest = Sha256::new()
        .chain_update(prefix.as_bytes())
        .chain_update(name.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let top52 = u64::from_be_bytes(first) >> 12;
    // top52 < 2^52, so the +1 cannot overflow and the cast is lossless.
    CattleId(top52 as i64 + 1)
}

impl std::fmt::Display for CattleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nlis_ids_are_stable_positive_and_js_safe() {
        let a = CattleId::for_nlis("3ABCD123XBC12345");
        assert_eq!(a, CattleId::for_nlis("3ABCD123XBC12345"));
        assert!(a.0 >= 1 && a.0 <= MAX_DERIVED_ID);
        assert_ne!(a, CattleId::for_nlis("3ABCD123XBC12346"));
        assert_ne!(a, CattleId::for_client_pic("3ABCD123XBC12345"));
    }

    #[test]
    fn serializes_as_a_bare_number() {
        assert_eq!(
            serde_json::to_string(&CattleId(42)).ok().as_deref(),
            Some("42")
        );
        assert_eq!(CattleId(42).kafka_key(), "cattle-42");
    }
}
