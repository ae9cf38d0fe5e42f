//! Users' signing seeds at rest: sealed with XChaCha20-Poly1305 under a master key that is
//! not in the database (`ICATTLE_MASTER_KEY`, or `keys/master.key` under the data directory,
//! readable by its owner only), so a dump of the `users` table cannot sign. Each seed is
//! bound to its username, so a sealed seed copied onto another row does not open there.
use crate::keys::{random_seed, write_private, KeyError};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::path::Path;
use std::sync::Arc;

/// What a sealed seed starts with, naming the scheme (so another can follow).
const SEALED: &str = "xchacha20poly1305:";

/// Nonce length of XChaCha20-Poly1305: long enough to draw at random for every seal.
const NONCE_BYTES: usize = 24;

/// Why a stored seed did not open.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Not a sealed seed this vault understands.
    #[error("the stored seed is not sealed in a known form")]
    Unreadable,
    /// Sealed under another master key, for another user, or altered.
    #[error("the stored seed does not open with this master key")]
    WrongKey,
}

/// Seals and opens users' seeds under the master key.
#[derive(Clone)]
pub struct SeedVault {
    cipher: Arc<XChaCha20Poly1305>,
}

fn parse_master(text: &str) -> Result<[u8; 32], KeyError> {
    let bytes =
        hex::decode(text.trim()).map_err(|e| KeyError::BadMasterKey(format!("not hex: {e}")))?;
    bytes
        .try_into()
        .map_err(|bytes: Vec<u8>| KeyError::BadMasterKey(format!("{} bytes, not 32", bytes.len())))
}

impl SeedVault {
    /// The vault of the configured master key (hex), or of `data_dir/keys/master.key`,
    /// made on first start.
    pub fn open(master_hex: Option<&str>, data_dir: &Path) -> Result<Self, KeyError> {
        let master = match master_hex {
            Some(text) => parse_master(text)?,
            None => {
                let path = data_dir.join("keys").join("master.key");
                if path.exists() {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| KeyError::File(path.display().to_string(), e))?;
                    parse_master(&text)?
                } else {
                    let master = random_seed()?;
                    write_private(&path, &hex::encode(master))?;
                    master
                }
            }
        };
        Ok(Self::with_key(&master))
    }

    /// The vault of this master key.
    pub fn with_key(master: &[u8; 32]) -> Self {
        Self {
            cipher: Arc::new(XChaCha20Poly1305::new(master.into())),
        }
    }

    /// `seed` sealed for `username`, as stored.
    pub fn seal(&self, username: &str, seed: &[u8; 32]) -> Result<String, KeyError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|e| KeyError::Randomness(e.to_string()))?;
        let payload = Payload {
            msg: seed,
            aad: username.as_bytes(),
        };
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .map_err(|_| KeyError::Randomness("the seed could not be sealed".into()))?;
        Ok(format!(
            "{SEALED}{}{}",
            hex::encode(nonce),
            hex::encode(sealed)
        ))
    }

    /// Whether `stored` is sealed (else it is a plain seed from before sealing).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(SEALED)
    }

    /// The seed `stored` holds for `username`.
    pub fn open_seed(&self, username: &str, stored: &str) -> Result<[u8; 32], VaultError> {
        let text = stored.strip_prefix(SEALED).ok_or(VaultError::Unreadable)?;
        let bytes = hex::decode(text).map_err(|_| VaultError::Unreadable)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(VaultError::Unreadable);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let payload = Payload {
            msg: sealed,
            aad: username.as_bytes(),
        };
        let seed = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), payload)
            .map_err(|_| VaultError::WrongKey)?;
        seed.try_into().map_err(|_| VaultError::Unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_seed_opens_for_its_user_under_its_key_only() {
        let vault = SeedVault::with_key(&[1; 32]);
        let sealed = vault.seal("ann", &[7; 32]).expect("sealed");
        assert!(SeedVault::is_sealed(&sealed));
        assert!(!sealed.contains(&hex::encode([7u8; 32])));
        assert_eq!(vault.open_seed("ann", &sealed).expect("opens"), [7; 32]);
        assert!(matches!(
            vault.open_seed("bob", &sealed),
            Err(VaultError::WrongKey)
        ));
        let other = SeedVault::with_key(&[2; 32]);
        assert!(matches!(
            other.open_seed("ann", &sealed),
            Err(VaultError::WrongKey)
        ));
    }

    #[test]
    fn a_master_key_file_is_made_once_and_private() {
        let dir = std::env::temp_dir().join(format!("icattle-vault-{}", std::process::id()));
        let first = SeedVault::open(None, &dir).expect("made");
        let sealed = first.seal("ann", &[3; 32]).expect("sealed");
        let again = SeedVault::open(None, &dir).expect("read back");
        assert_eq!(again.open_seed("ann", &sealed).expect("opens"), [3; 32]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("keys").join("master.key"))
                .expect("the key file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_bad_master_key_is_named_and_refused() {
        let dir = std::env::temp_dir().join(format!("icattle-badkey-{}", std::process::id()));
        for bad in ["not hex at all", "abcd", &"00".repeat(33)] {
            let error = SeedVault::open(Some(bad), &dir)
                .err()
                .expect("refused")
                .to_string();
            assert!(error.contains("ICATTLE_MASTER_KEY"), "{bad}: {error}");
        }
        // Nothing was written for a configured key, good or bad.
        assert!(!dir.exists());
        assert!(SeedVault::open(Some(&"ab".repeat(32)), &dir).is_ok());
    }

    proptest! {
        #[test]
        fn stored_text_never_panics_and_only_a_seal_opens(stored in ".{0,120}") {
            let vault = SeedVault::with_key(&[9; 32]);
            prop_assert!(vault.open_seed("ann", &stored).is_err());
        }

        #[test]
        fn any_changed_byte_is_refused(at in 0usize..112, flip in 1u8..=255) {
            let vault = SeedVault::with_key(&[9; 32]);
            let sealed = vault.seal("ann", &[5; 32]).expect("sealed");
            let text = sealed.strip_prefix(SEALED).expect("prefix");
            let mut bytes = hex::decode(text).expect("hex");
            let at = at % bytes.len();
            bytes[at] ^= flip;
            let altered = format!("{SEALED}{}", hex::encode(bytes));
            prop_assert!(vault.open_seed("ann", &altered).is_err());
        }
    }
}
