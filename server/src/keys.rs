//! The server's own signing key, and the public keys the projections accept.
use domain::SigningKeyPair;
use std::collections::BTreeSet;
use std::path::Path;

/// Why the signing key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The configured seed is not 64 hex characters.
    #[error("ICATTLE_SIGNING_SEED is not a valid Ed25519 seed: {0}")]
    BadSeed(String),
    /// The key file could not be read or written.
    #[error("key file {0}: {1}")]
    File(String, std::io::Error),
    /// The operating system gave no randomness.
    #[error("no randomness for a new key: {0}")]
    Randomness(String),
}

/// The server's key: from the configured seed, or from `data_dir/keys/server.seed`,
/// made on first start.
pub fn server_key(seed_hex: Option<&str>, data_dir: &Path) -> Result<SigningKeyPair, KeyError> {
    if let Some(seed) = seed_hex {
        return SigningKeyPair::from_seed_hex(seed.trim())
            .map_err(|e| KeyError::BadSeed(e.to_string()));
    }
    let path = data_dir.join("keys").join("server.seed");
    let shown = path.display().to_string();
    if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|e| KeyError::File(shown.clone(), e))?;
        return SigningKeyPair::from_seed_hex(text.trim())
            .map_err(|e| KeyError::BadSeed(e.to_string()));
    }
    let key = SigningKeyPair::from_seed(random_seed()?);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| KeyError::File(shown.clone(), e))?;
    }
    std::fs::write(&path, key.seed_hex()).map_err(|e| KeyError::File(shown, e))?;
    Ok(key)
}

/// 32 random bytes from the operating system.
pub fn random_seed() -> Result<[u8; 32], KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Randomness(e.to_string()))?;
    Ok(seed)
}

/// The public keys (hex) whose signatures the projections accept.
#[derive(Debug, Clone, Default)]
pub struct TrustedKeys {
    keys: BTreeSet<String>,
}

impl TrustedKeys {
    /// Trusts exactly these keys.
    pub fn new(keys: impl IntoIterator<Item = String>) -> Self {
        Self {
            keys: keys.into_iter().collect(),
        }
    }

    /// Whether `public_key_hex` is one of ours.
    pub fn trusts(&self, public_key_hex: &str) -> bool {
        self.keys.contains(public_key_hex)
    }

    /// Every trusted key, for publication.
    pub fn all(&self) -> impl Iterator<Item = &String> {
        self.keys.iter()
    }
}
