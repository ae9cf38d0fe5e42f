//! Signatures this process has already checked. Every view verifies every event it takes
//! (the one acceptance rule), and whether a signature is valid depends on nothing but the
//! key, the hash and the signature; so a view reuses the answer another view of the same
//! process got, instead of repeating the curve arithmetic three times per event, and a batch
//! is checked on all cores before it is folded in order.
use domain::{event_hash_bytes, verify_hash_signature, EventEnvelope, SignatureCheck};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Valid signatures beyond this many are forgotten (and checked again when met).
const KEPT: usize = 200_000;

/// The (key, hash, signature) triples found valid, shared by every view of the process.
#[derive(Debug, Clone, Default)]
pub struct CheckedSignatures {
    valid: Arc<Mutex<HashSet<[u8; 32]>>>,
}

fn triple(public_key_hex: &str, hash: &[u8; 32], signature_hex: &str) -> [u8; 32] {
    let mut digest = Sha256::new();
    digest.update(public_key_hex.as_bytes());
    digest.update([0]);
    digest.update(hash);
    digest.update([0]);
    digest.update(signature_hex.as_bytes());
    digest.finalize().into()
}

impl CheckedSignatures {
    /// Checks an envelope's signature over its own event hash now, so that folding it later
    /// (on its chain head, in log order) finds the answer.
    pub fn check_ahead(&self, envelope: &EventEnvelope) {
        let c = &envelope.cryptography;
        self.signature_valid(&c.public_key, &event_hash_bytes(envelope), &c.signature);
    }
}

impl SignatureCheck for CheckedSignatures {
    fn signature_valid(&self, public_key_hex: &str, hash: &[u8; 32], signature_hex: &str) -> bool {
        let seen = triple(public_key_hex, hash, signature_hex);
        if self.valid.lock().is_ok_and(|valid| valid.contains(&seen)) {
            return true;
        }
        let ok = verify_hash_signature(public_key_hex, hash, signature_hex);
        // Only valid answers are kept: a forged signature costs its checker every time,
        // never anyone else.
        if ok {
            if let Ok(mut valid) = self.valid.lock() {
                if valid.len() >= KEPT {
                    valid.clear();
                }
                valid.insert(seen);
            }
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::SigningKeyPair;

    #[test]
    fn a_remembered_answer_is_the_answer_ed25519_gives() {
        let key = SigningKeyPair::from_seed([3; 32]);
        let hash = [9u8; 32];
        let signature = key.sign_hash(&hash);
        let checked = CheckedSignatures::default();
        for _ in 0..2 {
            assert!(checked.signature_valid(&key.public_key_hex(), &hash, &signature));
        }
        let other = [8u8; 32];
        assert!(!checked.signature_valid(&key.public_key_hex(), &other, &signature));
        let stranger = SigningKeyPair::from_seed([4; 32]).public_key_hex();
        assert!(!checked.signature_valid(&stranger, &hash, &signature));
    }
}
