//! The server's own signing key, and the public keys the projections accept.
use crate::checked_signatures::CheckedSignatures;
use crate::key_stream::{KeyStream, KeyStreamError};
use domain::{KeyRegistry, KeyScope, KeyWindow, Role, SigningKeyPair};
use futures::future::BoxFuture;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

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
    /// The master key is not 64 hex characters.
    #[error("the master key (ICATTLE_MASTER_KEY or keys/master.key) is not valid: {0}")]
    BadMasterKey(String),
}

/// The server's key: from the configured seed, or from `data_dir/keys/server.seed`,
/// made on first start readable by its owner only.
pub fn server_key(seed_hex: Option<&str>, data_dir: &Path) -> Result<SigningKeyPair, KeyError> {
    if let Some(seed) = seed_hex {
        return SigningKeyPair::from_seed_hex(seed.trim())
            .map_err(|e| KeyError::BadSeed(e.to_string()));
    }
    kept_key(&data_dir.join("keys").join("server.seed"))
}

/// The fraud detector's own key, from `data_dir/keys/fraud-detector.seed` (made on first
/// start): its findings are signed apart from the commands the server signs for users.
pub fn fraud_detector_key(data_dir: &Path) -> Result<SigningKeyPair, KeyError> {
    kept_key(&fraud_detector_seed(data_dir))
}

fn fraud_detector_seed(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("keys").join("fraud-detector.seed")
}

/// Whether the fraud detector's key was made by an earlier start.
pub fn fraud_detector_key_exists(data_dir: &Path) -> bool {
    fraud_detector_seed(data_dir).exists()
}

/// The key whose seed is kept at `path`, made there on first use.
fn kept_key(path: &Path) -> Result<SigningKeyPair, KeyError> {
    let shown = path.display().to_string();
    if path.exists() {
        let text = std::fs::read_to_string(path).map_err(|e| KeyError::File(shown.clone(), e))?;
        return SigningKeyPair::from_seed_hex(text.trim())
            .map_err(|e| KeyError::BadSeed(e.to_string()));
    }
    let key = SigningKeyPair::from_seed(random_seed()?);
    write_private(path, &key.seed_hex())?;
    Ok(key)
}

/// Writes `text` to a new file at `path` that only its owner may read.
pub fn write_private(path: &Path, text: &str) -> Result<(), KeyError> {
    let shown = path.display().to_string();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| KeyError::File(shown.clone(), e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| KeyError::File(shown.clone(), e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| KeyError::File(shown, e))
}

/// 32 random bytes from the operating system.
pub fn random_seed() -> Result<[u8; 32], KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Randomness(e.to_string()))?;
    Ok(seed)
}

/// A public key as `GET /api/keys` publishes it, in the shape `icattle verify --keys` reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublishedKey {
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// Who signs with it: a user's id (as events name it in `created_by`), or
    /// `iCattle server`.
    pub owner: String,
    /// Whose events it may sign: anyone's (the server's producers and detector) or only its
    /// owner's.
    pub signs_for: KeyScope,
    /// The owner's role when the key was registered, for a user's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// When it may sign, as the key stream registered and revoked it.
    #[serde(flatten)]
    pub window: KeyWindow,
}

/// The key stream as `GET /api/keys/stream` serves it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyStreamCopy {
    /// The root key the records are signed by, hex.
    pub root_key: String,
    /// Every record, in offset order.
    pub records: Vec<domain::KeyRecord>,
}

/// The owner named for the server's own keys.
pub const SERVER_OWNER: &str = "iCattle server";

/// The owner named for the fraud detector's key.
pub const FRAUD_DETECTOR_OWNER: &str = "iCattle fraud detector";

/// The key stream is read on for any event signed later than this before its latest read
/// began: a revocation is stamped just before it is published, so one published within this
/// margin of its time is read before any view judges an event signed after it.
const REVOCATION_MARGIN_MS: i64 = 10_000;

/// The public keys whose signatures the projections accept: keys given by configuration
/// (the root key), and every key the key stream registered, within its window.
#[derive(Debug, Clone, Default)]
pub struct TrustedKeys {
    /// Keys given by configuration, each with its owner's name: they sign for anyone.
    servers: Arc<BTreeMap<String, String>>,
    stream: Option<Arc<KeyStream>>,
    checked: CheckedSignatures,
}

/// Why the trusted keys could not be brought up to date.
pub type TrustError = KeyStreamError;

impl From<KeyStreamError> for sea_orm::DbErr {
    /// A view's batch fails as a technical failure when the keys cannot be read, and is
    /// tried again; it is never judged with keys it could not read.
    fn from(error: KeyStreamError) -> Self {
        sea_orm::DbErr::Custom(error.to_string())
    }
}

impl TrustedKeys {
    /// Trusts exactly these server keys (and no other until `with_key_stream` is called).
    pub fn new(keys: impl IntoIterator<Item = String>) -> Self {
        Self {
            servers: Arc::new(
                keys.into_iter()
                    .map(|key| (key, SERVER_OWNER.to_string()))
                    .collect(),
            ),
            stream: None,
            checked: CheckedSignatures::default(),
        }
    }

    /// Also trusts `key`, a producer that signs for anyone, published under `owner`, given
    /// by configuration rather than by the key stream.
    pub fn with_producer(mut self, key: String, owner: &str) -> Self {
        Arc::make_mut(&mut self.servers).insert(key, owner.to_string());
        self
    }

    /// The signatures the views sharing these keys have found valid.
    pub fn checked(&self) -> &CheckedSignatures {
        &self.checked
    }

    /// Also trusts every key `stream` registers, within its window.
    pub fn with_key_stream(mut self, stream: Arc<KeyStream>) -> Self {
        self.stream = Some(stream);
        self
    }

    /// The key stream these keys follow, if any.
    pub fn key_stream(&self) -> Option<&Arc<KeyStream>> {
        self.stream.as_ref()
    }

    /// Makes sure the keys held answer for every `(public key, recorded_at)` of a batch: the
    /// key stream is read on when a key is unknown, or an event was signed within the
    /// revocation margin of the latest read (so a revocation published since is seen). A
    /// batch costs at most one read however many events it holds. The signers are looked
    /// at before the returned future is polled, so it holds none of them.
    pub fn learn<'k>(
        &self,
        signers: impl IntoIterator<Item = (&'k str, &'k str)>,
    ) -> BoxFuture<'static, Result<(), TrustError>> {
        let stale = self
            .stream
            .as_ref()
            .filter(|stream| self.needs_reading(stream, signers))
            .cloned();
        Box::pin(async move {
            match stale {
                Some(stream) => stream.read_to_end().await,
                None => Ok(()),
            }
        })
    }

    fn needs_reading<'k>(
        &self,
        stream: &KeyStream,
        signers: impl IntoIterator<Item = (&'k str, &'k str)>,
    ) -> bool {
        let registry = stream.registry();
        let read_from = stream.read_from();
        signers.into_iter().any(|(key, signed_at)| {
            if self.servers.contains_key(key) {
                return false;
            }
            let recent = domain::timestamp_millis(signed_at)
                .is_none_or(|at| at > read_from.saturating_sub(REVOCATION_MARGIN_MS));
            registry.owner(key).is_none() || recent
        })
    }

    /// `learn` for the signers of `envelopes`.
    pub fn learn_envelopes<'e>(
        &self,
        envelopes: impl IntoIterator<Item = &'e domain::EventEnvelope>,
    ) -> BoxFuture<'static, Result<(), TrustError>> {
        self.learn(envelopes.into_iter().map(|envelope| {
            (
                envelope.cryptography.public_key.as_str(),
                envelope.metadata.recorded_at.as_str(),
            )
        }))
    }

    /// `accepts_known` for `envelope`'s signer, author and time.
    pub fn accepts(&self, envelope: &domain::EventEnvelope) -> bool {
        self.accepts_known(
            &envelope.cryptography.public_key,
            envelope.metadata.created_by.as_deref(),
            &envelope.metadata.recorded_at,
        )
    }

    /// Whether an event signed by `public_key_hex` at `signed_at` (its `recorded_at`) and
    /// claiming `created_by` is one of ours: a configured key signs for anyone; a registered
    /// key as its registration says, within its window. Answers from memory: give the keys
    /// to `learn` first (a failure there is an error, never a refusal, so a passing fault
    /// cannot change what a replay decides).
    pub fn accepts_known(
        &self,
        public_key_hex: &str,
        created_by: Option<&str>,
        signed_at: &str,
    ) -> bool {
        if self.servers.contains_key(public_key_hex) {
            return true;
        }
        self.stream.as_ref().is_some_and(|stream| {
            stream
                .registry()
                .check_signer(public_key_hex, created_by, signed_at)
                .is_ok()
        })
    }

    /// Every trusted key with its owner, scope and window, for publication and for
    /// verifying a log: the configured keys, then the key stream's as last read.
    pub fn published(&self) -> Vec<PublishedKey> {
        let mut keys: Vec<PublishedKey> = self
            .servers
            .iter()
            .map(|(key, owner)| PublishedKey {
                public_key: key.clone(),
                owner: owner.clone(),
                signs_for: KeyScope::Anyone,
                role: None,
                window: KeyWindow::always(),
            })
            .collect();
        let Some(stream) = &self.stream else {
            return keys;
        };
        let ledger = stream.ledger();
        if !self.servers.contains_key(ledger.root_key()) {
            keys.push(PublishedKey {
                public_key: ledger.root_key().to_string(),
                owner: SERVER_OWNER.to_string(),
                signs_for: KeyScope::Anyone,
                role: None,
                window: KeyWindow::always(),
            });
        }
        let mut granted: Vec<PublishedKey> = ledger
            .grants()
            .filter(|grant| !self.servers.contains_key(&grant.public_key))
            .map(|grant| PublishedKey {
                public_key: grant.public_key.clone(),
                owner: grant.owner.clone(),
                signs_for: grant.signs_for,
                role: grant.role,
                window: grant.window.clone(),
            })
            .collect();
        granted.sort_by(|a, b| {
            (a.signs_for != KeyScope::Anyone, &a.owner, &a.public_key).cmp(&(
                b.signs_for != KeyScope::Anyone,
                &b.owner,
                &b.public_key,
            ))
        });
        keys.extend(granted);
        keys
    }

    /// The key stream as read so far: its root key and every record, for a verifier that
    /// builds the keys itself; none when the keys are configured only.
    pub fn key_stream_records(&self) -> Option<KeyStreamCopy> {
        self.stream.as_ref().map(|stream| KeyStreamCopy {
            root_key: stream.root_key(),
            records: stream.records(),
        })
    }

    /// The trusted keys as the domain's verifier takes them.
    pub fn registry(&self) -> KeyRegistry {
        let mut keys = KeyRegistry::new();
        for key in self.published() {
            // Our own keys are valid hex; a malformed one would only make verification fail.
            let _ = keys.insert_window(&key.public_key, &key.owner, key.signs_for, key.window);
        }
        keys
    }

    /// Reads the key stream to its end (at start-up, and before listing the keys).
    pub async fn read_key_stream(&self) -> Result<(), TrustError> {
        match &self.stream {
            Some(stream) => stream.read_to_end().await,
            None => Ok(()),
        }
    }
}
