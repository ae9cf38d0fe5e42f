//! Ed25519 keys and signatures over event hashes.

use super::protocol_error::{decode_hex, ProtocolError};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// A producer's Ed25519 key pair, built from a 32-byte seed (the domain makes no randomness).
#[derive(Clone)]
pub struct SigningKeyPair {
    key: SigningKey,
}

impl SigningKeyPair {
    /// The key pair whose RFC 8032 secret seed is `seed`.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// The key pair from a 64-character lower-case hex seed.
    pub fn from_seed_hex(seed_hex: &str) -> Result<Self, ProtocolError> {
        decode_hex::<32>(seed_hex, "seed").map(Self::from_seed)
    }

    /// The public key, 64 lower-case hex characters.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    /// The secret seed, 64 lower-case hex characters (for key files; keep it secret).
    pub fn seed_hex(&self) -> String {
        hex::encode(self.key.to_bytes())
    }

    /// Signs a 32-byte event hash; the result is 128 lower-case hex characters.
    pub fn sign_hash(&self, hash: &[u8; 32]) -> String {
        hex::encode(self.key.sign(hash).to_bytes())
    }
}

impl std::fmt::Debug for SigningKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        write!(f, "SigningKeyPair(public {})", self.public_key_hex())
    }
}

/// A public key decoded once, for checking many signatures: decoding a key is a square
/// root on the curve, a fifth of what a whole check costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// The key `public_key_hex` names, if it is 64 hex characters encoding a curve point.
    pub fn parse(public_key_hex: &str) -> Option<Self> {
        let bytes = decode_hex::<32>(public_key_hex, "public_key").ok()?;
        VerifyingKey::from_bytes(&bytes).ok().map(Self)
    }

    /// True if `signature_hex` is a valid strict Ed25519 signature by this key over `hash`.
    pub fn signed(&self, hash: &[u8; 32], signature_hex: &str) -> bool {
        let Ok(sig) = decode_hex::<64>(signature_hex, "signature") else {
            return false;
        };
        // Strict: rejects non-canonical S and small-order keys, so a signature has one spelling.
        self.0
            .verify_strict(hash, &Signature::from_bytes(&sig))
            .is_ok()
    }
}

/// True if `signature_hex` is a valid strict Ed25519 signature by `public_key_hex` over `hash`.
pub fn verify_hash_signature(public_key_hex: &str, hash: &[u8; 32], signature_hex: &str) -> bool {
    PublicKey::parse(public_key_hex).is_some_and(|key| key.signed(hash, signature_hex))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8032 §7.1 TEST 1: the seed gives the published public key.
    #[test]
    fn rfc8032_test_vector_one() {
        let pair = SigningKeyPair::from_seed_hex(
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        );
        assert_eq!(
            pair.map(|p| p.public_key_hex()).ok().as_deref(),
            Some("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        );
    }

    #[test]
    fn signs_and_verifies() {
        let pair = SigningKeyPair::from_seed([7; 32]);
        let hash = [1u8; 32];
        let sig = pair.sign_hash(&hash);
        assert_eq!(sig.len(), 128);
        assert!(verify_hash_signature(&pair.public_key_hex(), &hash, &sig));
        assert!(!verify_hash_signature(
            &pair.public_key_hex(),
            &[2u8; 32],
            &sig
        ));
        assert!(!verify_hash_signature(
            &SigningKeyPair::from_seed([8; 32]).public_key_hex(),
            &hash,
            &sig
        ));
        assert!(!verify_hash_signature("zz", &hash, &sig));
        assert_eq!(pair.seed_hex(), hex::encode([7u8; 32]));
    }
}
