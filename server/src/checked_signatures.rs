//! Signatures this process has already checked. Every view verifies every event it takes
//! (the one acceptance rule), and whether a signature is valid depends on nothing but the
//! key, the hash and the signature; so a view reuses the answer another view of the same
//! process got, instead of repeating the curve arithmetic three times per event, and a batch
//! is checked on all cores before it is folded in order.
use domain::{event_hash_bytes, EventEnvelope, PublicKey, SignatureCheck};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Valid signatures beyond this many are forgotten (and checked again when met).
const KEPT: usize = 200_000;

/// Decoded public keys beyond this many are forgotten (and decoded again when met).
const KEYS_KEPT: usize = 10_000;

/// The (key, hash, signature) triples found valid, shared by every view of the process,
/// and the public keys met, decoded once.
#[derive(Debug, Clone, Default)]
pub struct CheckedSignatures {
    valid: Arc<Mutex<HashSet<[u8; 32]>>>,
    keys: Arc<Mutex<HashMap<String, Option<PublicKey>>>>,
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

    /// Remembers the signature of an envelope this process has just sealed: a signature made
    /// with a key is valid for it, so the views that read the event back need not check it
    /// again. The hash is computed here, never taken from the caller, so nothing but the
    /// sealed content is vouched for; bytes altered in between hash differently and are
    /// checked in full.
    pub fn remember_sealed(&self, envelope: &EventEnvelope) {
        let c = &envelope.cryptography;
        self.keep(triple(
            &c.public_key,
            &event_hash_bytes(envelope),
            &c.signature,
        ));
    }

    fn keep(&self, seen: [u8; 32]) {
        if let Ok(mut valid) = self.valid.lock() {
            if valid.len() >= KEPT {
                valid.clear();
            }
            valid.insert(seen);
        }
    }

    fn public_key(&self, public_key_hex: &str) -> Option<PublicKey> {
        if let Some(known) = self.keys.lock().ok()?.get(public_key_hex) {
            return *known;
        }
        let parsed = PublicKey::parse(public_key_hex);
        if let Ok(mut keys) = self.keys.lock() {
            if keys.len() >= KEYS_KEPT {
                keys.clear();
            }
            keys.insert(public_key_hex.to_string(), parsed);
        }
        parsed
    }
}

impl SignatureCheck for CheckedSignatures {
    fn signature_valid(&self, public_key_hex: &str, hash: &[u8; 32], signature_hex: &str) -> bool {
        let seen = triple(public_key_hex, hash, signature_hex);
        if self.valid.lock().is_ok_and(|valid| valid.contains(&seen)) {
            return true;
        }
        let ok = self
            .public_key(public_key_hex)
            .is_some_and(|key| key.signed(hash, signature_hex));
        // Only valid answers are kept: a forged signature costs its checker every time,
        // never anyone else.
        if ok {
            self.keep(seen);
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
        assert!(!checked.signature_valid("not a key", &hash, &signature));
        assert!(!checked.signature_valid(&key.public_key_hex(), &hash, "not a signature"));
    }

    #[test]
    fn a_sealed_signature_is_remembered_for_its_own_hash_only() {
        use domain::{seal, CattleId, ChainHead, EventDraft, EventType, SourceSystem};
        let key = SigningKeyPair::from_seed([5; 32]);
        let draft = EventDraft {
            event_id: "evt_1".into(),
            event_type: EventType::CattleCreated,
            event_ref: "ref".into(),
            cattle_id: CattleId(7),
            occurred_at: "2026-11-30T00:00:00.000Z".into(),
            recorded_at: "2026-11-30T00:00:00.000Z".into(),
            correlation_id: None,
            causation_id: None,
            source_system: SourceSystem::ICattle,
            created_by: None,
            payload: serde_json::json!({}),
            provenance: None,
        };
        let envelope = seal(draft, &ChainHead::default(), &key);
        let hash = event_hash_bytes(&envelope);
        let checked = CheckedSignatures::default();
        checked.remember_sealed(&envelope);
        let c = &envelope.cryptography;
        assert!(checked.signature_valid(&c.public_key, &hash, &c.signature));
        // Bytes changed on the way hash differently and get the full check, which fails.
        let mut altered = envelope.clone();
        altered.metadata.event_ref = "other".into();
        let other = event_hash_bytes(&altered);
        assert!(!checked.signature_valid(&c.public_key, &other, &c.signature));
    }
}
