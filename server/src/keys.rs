//! The server's own signing key, and the public keys the projections accept.
use crate::checked_signatures::CheckedSignatures;
use crate::entity::user;
use domain::{KeyRegistry, KeyScope, SigningKeyPair};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, QuerySelect};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, RwLock};

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
    kept_key(&data_dir.join("keys").join("fraud-detector.seed"))
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
}

/// Every user's public key with the user's id.
async fn all_user_keys(db: &DatabaseConnection) -> Result<Vec<(String, String)>, DbErr> {
    user::Entity::find()
        .select_only()
        .column(user::Column::PublicKey)
        .column(user::Column::UserId)
        .into_tuple()
        .all(db)
        .await
}

/// The owner named for the server's own keys.
pub const SERVER_OWNER: &str = "iCattle server";

/// The owner named for the fraud detector's key.
pub const FRAUD_DETECTOR_OWNER: &str = "iCattle fraud detector";

/// The public keys whose signatures the projections accept: the server's own producers'
/// keys, and every user's key as the `users` table holds it.
#[derive(Debug, Clone, Default)]
pub struct TrustedKeys {
    /// The server's producers' keys, each with its owner's name.
    servers: Arc<BTreeMap<String, String>>,
    users: Arc<RwLock<HashMap<String, String>>>,
    registry: Option<DatabaseConnection>,
    checked: CheckedSignatures,
}

impl TrustedKeys {
    /// Trusts exactly these server keys (and no user until `with_users` is called).
    pub fn new(keys: impl IntoIterator<Item = String>) -> Self {
        Self {
            servers: Arc::new(
                keys.into_iter()
                    .map(|key| (key, SERVER_OWNER.to_string()))
                    .collect(),
            ),
            users: Arc::default(),
            registry: None,
            checked: CheckedSignatures::default(),
        }
    }

    /// Also trusts `key`, a producer of the server's own (such as the fraud detector) that
    /// signs for anyone, published under `owner`.
    pub fn with_producer(mut self, key: String, owner: &str) -> Self {
        Arc::make_mut(&mut self.servers).insert(key, owner.to_string());
        self
    }

    /// The signatures the views sharing these keys have found valid.
    pub fn checked(&self) -> &CheckedSignatures {
        &self.checked
    }

    /// Also trusts each user's key for the events that user created.
    pub fn with_users(mut self, db: DatabaseConnection) -> Self {
        self.registry = Some(db);
        self
    }

    /// Makes sure every one of `keys` that has an owner in the registry is held in memory:
    /// when one is unknown, the owners of all users' keys are read again in one query, so a
    /// batch costs at most one lookup however many events it holds.
    pub async fn learn<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> Result<(), DbErr> {
        if self.registry.is_none() {
            return Ok(());
        }
        let unknown = {
            let users = self
                .users
                .read()
                .map_err(|_| DbErr::Custom("trusted keys lock poisoned".into()))?;
            keys.into_iter()
                .any(|key| !self.servers.contains_key(key) && !users.contains_key(key))
        };
        if !unknown {
            return Ok(());
        }
        self.load_users().await
    }

    /// Whether an event signed by `public_key_hex` and claiming `created_by` is one of ours:
    /// a server key signs for anyone; a user's key only for that user. Answers from memory:
    /// give the keys to `learn` first (a database failure there is an error, never a
    /// refusal, so a passing fault cannot change what a replay decides).
    pub fn accepts_known(&self, public_key_hex: &str, created_by: Option<&str>) -> bool {
        if self.servers.contains_key(public_key_hex) {
            return true;
        }
        let Some(author) = created_by else {
            return false;
        };
        self.users
            .read()
            .ok()
            .and_then(|users| users.get(public_key_hex).map(|owner| owner == author))
            .unwrap_or(false)
    }

    /// Every trusted key with its owner and scope, for publication and for verifying a log,
    /// from memory: the users' keys read at start-up (`load_users`), those created since
    /// (`remember_user`) and those met in the log since (`learn`). A user of another
    /// instance who has signed nothing yet is not listed, and nothing of theirs needs it.
    pub fn published(&self) -> Vec<PublishedKey> {
        let mut keys: Vec<PublishedKey> = self
            .servers
            .iter()
            .map(|(key, owner)| PublishedKey {
                public_key: key.clone(),
                owner: owner.clone(),
                signs_for: KeyScope::Anyone,
            })
            .collect();
        let users = self
            .users
            .read()
            .map(|users| {
                let mut listed: Vec<(String, String)> =
                    users.iter().map(|(k, o)| (k.clone(), o.clone())).collect();
                listed.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
                listed
            })
            .unwrap_or_default();
        keys.extend(users.into_iter().map(|(public_key, owner)| PublishedKey {
            public_key,
            owner,
            signs_for: KeyScope::Owner,
        }));
        keys
    }

    /// The trusted keys as the domain's verifier takes them.
    pub fn registry(&self) -> KeyRegistry {
        let mut keys = KeyRegistry::new();
        for key in self.published() {
            // Our own keys are valid hex; a malformed one would only make verification fail.
            let _ = keys.insert_scoped(&key.public_key, &key.owner, key.signs_for);
        }
        keys
    }

    /// Reads every user's key and id (at start-up, and when `learn` meets an unknown key),
    /// so publishing needs no read. Keys are never reassigned, so what was read stays true.
    pub async fn load_users(&self) -> Result<(), DbErr> {
        let Some(db) = &self.registry else {
            return Ok(());
        };
        let owners = all_user_keys(db).await?;
        let mut users = self
            .users
            .write()
            .map_err(|_| DbErr::Custom("trusted keys lock poisoned".into()))?;
        users.extend(owners);
        Ok(())
    }

    /// Trusts a user's key made on this instance from now on, without a read.
    pub fn remember_user(&self, public_key_hex: &str, user_id: &str) {
        if let Ok(mut users) = self.users.write() {
            users.insert(public_key_hex.to_string(), user_id.to_string());
        }
    }
}
