//! Users, their roles, passwords and signing keys, and sessions. Credentials are not domain
//! events (DESIGN §6): they live in their own tables and never reach Kafka. The public half
//! of each signing key does: it is registered on the key stream before the account exists,
//! and revoked there when the account is disabled.
mod administration;
mod new_user;
mod password;
pub mod password_change;
mod sign_in_throttle;

pub use new_user::{is_valid_username, NewUser, MIN_PASSWORD_CHARS};
pub use password::{hash_password, password_matches, HashError};
pub use sign_in_throttle::{SignInThrottle, FAILURES_ALLOWED};

use crate::entity::{client, session, user};
use crate::key_stream::{KeyRegistrar, KeyRegistrarError};
use crate::keys::{random_seed, KeyError};
use crate::seed_vault::SeedVault;
use app::model::SignedInUser;
use chrono::{Duration, Utc};
use domain::{FieldError, Role, SigningKeyPair};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

/// How long a session lasts after signing in.
pub const SESSION_HOURS: i64 = 12;

/// How long a session may go unused before it ends, unless configured otherwise.
pub const SESSION_IDLE_MINUTES: i64 = 120;

/// The username of the administrator made on first start.
pub const FIRST_ADMIN: &str = "admin";

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The user's input is wrong; each error names its field.
    #[error("{} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// The username is taken.
    #[error("the username {0} is taken")]
    Taken(String),
    /// Wrong username or password (which of the two is not said).
    #[error("unknown username or wrong password")]
    BadCredentials,
    /// The account was disabled by an administrator.
    #[error("the account {0} is disabled")]
    Disabled(String),
    /// No such user.
    #[error("there is no user {0}")]
    UnknownUser(String),
    /// Too many failed sign-ins for the account or from the address; try again after this.
    #[error("too many failed sign-ins; wait {0:?}")]
    Throttled(std::time::Duration),
    /// The database refused.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// No randomness for a key or token.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// The key stream did not take the account's key.
    #[error(transparent)]
    KeyStream(#[from] KeyRegistrarError),
    /// The password check on the blocking pool did not finish.
    #[error("the password check did not finish: {0}")]
    Interrupted(String),
    /// A stored account does not decode (its role or its signing key).
    #[error("the account of {0} is corrupt")]
    Corrupt(String),
    /// A user's sealed seed does not open (another master key, or altered).
    #[error("the signing key of {0}: {1}")]
    Sealed(String, crate::seed_vault::VaultError),
}

/// A signed-in user with the key their events are signed with.
#[derive(Clone)]
pub struct Actor {
    /// Who they are.
    pub user: SignedInUser,
    /// Their signing key.
    pub key: Arc<SigningKeyPair>,
}

/// The user table and sessions.
#[derive(Clone)]
pub struct Accounts {
    db: DatabaseConnection,
    vault: SeedVault,
    registrar: KeyRegistrar,
    idle: Duration,
    throttle: Arc<Mutex<SignInThrottle>>,
    signed_out: broadcast::Sender<String>,
}

/// Sign-outs on this instance as they happen, for what holds a session open (the live
/// socket). Other instances' sign-outs are found by re-checking the session.
pub struct SignOuts(broadcast::Receiver<String>);

impl SignOuts {
    /// Waits for the next sign-out (of any session, or a missed one): the holder then
    /// checks whether its own session is still live.
    pub async fn next(&mut self) {
        if let Err(broadcast::error::RecvError::Closed) = self.0.recv().await {
            std::future::pending::<()>().await;
        }
    }
}

/// SHA-256 of a session token, hex: only this is stored, so a leaked table opens no session.
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A seed stored in plain hex, as versions before sealing wrote it.
fn plain_seed(row: &user::Model) -> Result<[u8; 32], AccountError> {
    hex::decode(row.signing_seed.trim())
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| AccountError::Corrupt(row.username.clone()))
}

/// A fresh user id: `u` and 16 random hex digits, unrelated to the username.
fn new_user_id() -> Result<String, KeyError> {
    Ok(format!("u{}", hex::encode(&random_seed()?[..8])))
}

fn profile(row: &user::Model) -> Result<SignedInUser, AccountError> {
    let role = Role::parse(&row.role).ok_or_else(|| AccountError::Corrupt(row.username.clone()))?;
    Ok(SignedInUser {
        username: row.username.clone(),
        role,
        public_key: row.public_key.clone(),
        must_change_password: row.must_change_password,
        user_id: row.user_id.clone(),
    })
}

impl Accounts {
    /// The accounts kept in `db`, their signing seeds sealed in `vault`, their public keys
    /// registered through `registrar`.
    pub fn new(db: DatabaseConnection, vault: SeedVault, registrar: KeyRegistrar) -> Self {
        Self {
            db,
            vault,
            registrar,
            idle: Duration::minutes(SESSION_IDLE_MINUTES),
            throttle: Arc::default(),
            signed_out: broadcast::channel(64).0,
        }
    }

    /// The same accounts, ending sessions unused for `idle`.
    pub fn with_idle_timeout(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// Sign-outs from now on.
    pub fn sign_outs(&self) -> SignOuts {
        SignOuts(self.signed_out.subscribe())
    }

    fn throttle(&self) -> MutexGuard<'_, SignInThrottle> {
        // The throttle's counts stay meaningful even if a holder panicked.
        self.throttle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Creates the first administrator when there is no user at all. Returns the password
    /// made for it (to be shown once), or `None` when users exist or `password` was given.
    pub async fn ensure_first_admin(
        &self,
        password: Option<&str>,
    ) -> Result<Option<String>, AccountError> {
        if user::Entity::find().count(&self.db).await? > 0 {
            return Ok(None);
        }
        let made = match password {
            Some(_) => None,
            None => Some(hex::encode(&random_seed()?[..12])),
        };
        let chosen = password
            .map(str::to_string)
            .or_else(|| made.clone())
            .unwrap_or_default();
        let new = NewUser {
            username: FIRST_ADMIN.into(),
            password: chosen,
            role: Role::Admin.as_str().into(),
        };
        // A printed password is known to whoever saw the console: it opens nothing but the
        // choice of a new one.
        match self.insert_user(None, &new, made.is_some()).await {
            Ok(_) => Ok(made),
            // Another instance made it first.
            Err(AccountError::Taken(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Creates a user with a fresh Ed25519 key pair.
    pub async fn create_user(
        &self,
        created_by: Option<&str>,
        new: &NewUser,
    ) -> Result<SignedInUser, AccountError> {
        self.insert_user(created_by, new, false).await
    }

    async fn insert_user(
        &self,
        created_by: Option<&str>,
        new: &NewUser,
        must_change_password: bool,
    ) -> Result<SignedInUser, AccountError> {
        let role = new.validate().map_err(AccountError::Invalid)?;
        if user::Entity::find_by_id(new.username.clone())
            .one(&self.db)
            .await?
            .is_some()
        {
            return Err(AccountError::Taken(new.username.clone()));
        }
        let seed = random_seed()?;
        let key = SigningKeyPair::from_seed(seed);
        let user_id = new_user_id()?;
        let created_at = Utc::now();
        // On the stream first: a key whose account was never written registers nobody who
        // can sign, while an account whose key is not registered could sign nothing valid.
        self.registrar
            .register_user_key(&key.public_key_hex(), &user_id, role, created_at)
            .await?;
        let row = user::ActiveModel {
            username: Set(new.username.clone()),
            role: Set(role.as_str().into()),
            password_hash: Set(hash_password(&new.password)?),
            signing_seed: Set(self.vault.seal(&new.username, &seed)?),
            public_key: Set(key.public_key_hex()),
            created_at: Set(created_at),
            created_by: Set(created_by.map(str::to_string)),
            disabled_at: Set(None),
            must_change_password: Set(must_change_password),
            user_id: Set(user_id.clone()),
        };
        // A concurrent insert of the same name fails on the primary key: report it as taken.
        if let Err(error) = user::Entity::insert(row).exec(&self.db).await {
            let exists = user::Entity::find_by_id(new.username.clone())
                .one(&self.db)
                .await?
                .is_some();
            return Err(if exists {
                AccountError::Taken(new.username.clone())
            } else {
                AccountError::Database(error)
            });
        }
        Ok(SignedInUser {
            username: new.username.clone(),
            role,
            public_key: key.public_key_hex(),
            must_change_password,
            user_id,
        })
    }

    /// Checks the password and opens a session; returns its token. Failures are counted per
    /// account and per `source` address; too many in a minute lock both out for a while.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        source: Option<IpAddr>,
    ) -> Result<(String, SignedInUser), AccountError> {
        let started = std::time::Instant::now();
        if let Some(wait) = self.throttle().wait(username, source, started) {
            return Err(AccountError::Throttled(wait));
        }
        let row = user::Entity::find_by_id(username.to_string())
            .one(&self.db)
            .await?;
        let candidate = password.to_string();
        // An unknown name costs the same hashing, on the same blocking pool, as a known
        // one: timing does not reveal names, and a flood does not stall the runtime.
        let stored = row.as_ref().map(|row| row.password_hash.clone());
        let matches = tokio::task::spawn_blocking(move || match stored {
            Some(hash) => password_matches(&candidate, &hash),
            None => {
                let _ = hash_password(&candidate);
                false
            }
        })
        .await
        .unwrap_or(false);
        let row = match row {
            Some(row) if matches => row,
            _ => {
                self.throttle()
                    .failed(username, source, std::time::Instant::now());
                return Err(AccountError::BadCredentials);
            }
        };
        self.throttle().succeeded(username);
        if row.disabled_at.is_some() {
            return Err(AccountError::Disabled(row.username));
        }
        let token = hex::encode(random_seed()?);
        session::Entity::insert(session::ActiveModel {
            token_hash: Set(token_hash(&token)),
            username: Set(row.username.clone()),
            expires_at: Set(Utc::now() + Duration::hours(SESSION_HOURS)),
            idle_until: Set(Some(Utc::now() + self.idle)),
        })
        .exec(&self.db)
        .await?;
        Ok((token, profile(&row)?))
    }

    /// Ends a session; an unknown token is already ended.
    pub async fn sign_out(&self, token: &str) -> Result<(), AccountError> {
        session::Entity::delete_by_id(token_hash(token))
            .exec(&self.db)
            .await?;
        // Nobody listening is fine: no socket holds the session open.
        let _ = self.signed_out.send(token_hash(token));
        Ok(())
    }

    /// The user a live session belongs to; a request on the session, so its idle timeout
    /// starts again.
    pub async fn session_user(&self, token: &str) -> Result<Option<SignedInUser>, AccountError> {
        self.open_session(token, true).await
    }

    /// The user a live session belongs to, asked without using the session (an open live
    /// page re-checking it must not keep an unattended session alive).
    pub async fn session_holder(&self, token: &str) -> Result<Option<SignedInUser>, AccountError> {
        self.open_session(token, false).await
    }

    async fn open_session(
        &self,
        token: &str,
        used: bool,
    ) -> Result<Option<SignedInUser>, AccountError> {
        let Some(open) = session::Entity::find_by_id(token_hash(token))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let now = Utc::now();
        if open.expires_at < now || open.idle_until.is_some_and(|idle| idle < now) {
            self.sign_out(token).await?;
            return Ok(None);
        }
        // Moved on at most about once a minute, not written at every request.
        let step = (self.idle / 4).min(Duration::minutes(1));
        if used
            && open
                .idle_until
                .is_none_or(|idle| idle < now + self.idle - step)
        {
            let mut update: session::ActiveModel = open.clone().into();
            update.idle_until = Set(Some(now + self.idle));
            session::Entity::update(update).exec(&self.db).await?;
        }
        match user::Entity::find_by_id(open.username)
            .one(&self.db)
            .await?
        {
            Some(row) if row.disabled_at.is_none() => Ok(Some(profile(&row)?)),
            Some(_) | None => Ok(None),
        }
    }

    /// Deletes the sessions that expired or went idle: how many. Run now and then, so the
    /// table holds live sessions only.
    pub async fn purge_ended_sessions(&self) -> Result<u64, AccountError> {
        let now = Utc::now();
        let purged = session::Entity::delete_many()
            .filter(
                session::Column::ExpiresAt
                    .lt(now)
                    .or(session::Column::IdleUntil.lt(now)),
            )
            .exec(&self.db)
            .await?;
        Ok(purged.rows_affected)
    }

    fn signing_key(&self, row: &user::Model) -> Result<SigningKeyPair, AccountError> {
        if SeedVault::is_sealed(&row.signing_seed) {
            let seed = self
                .vault
                .open_seed(&row.username, &row.signing_seed)
                .map_err(|error| AccountError::Sealed(row.username.clone(), error))?;
            Ok(SigningKeyPair::from_seed(seed))
        } else {
            // Written before seeds were sealed; `seal_plain_seeds` seals it at the next start.
            plain_seed(row).map(SigningKeyPair::from_seed)
        }
    }

    /// Seals the seeds stored in plain text by versions before sealing: the number sealed.
    pub async fn seal_plain_seeds(&self) -> Result<usize, AccountError> {
        let rows = user::Entity::find().all(&self.db).await?;
        let mut sealed = 0;
        for row in rows {
            if SeedVault::is_sealed(&row.signing_seed) {
                continue;
            }
            let seed = plain_seed(&row)?;
            let mut update: user::ActiveModel = row.clone().into();
            update.signing_seed = Set(self.vault.seal(&row.username, &seed)?);
            user::Entity::update(update).exec(&self.db).await?;
            sealed += 1;
        }
        Ok(sealed)
    }

    /// The user with their signing key, to act for them.
    pub async fn actor(&self, who: &SignedInUser) -> Result<Actor, AccountError> {
        let row = user::Entity::find_by_id(who.username.clone())
            .one(&self.db)
            .await?
            .ok_or_else(|| AccountError::Corrupt(who.username.clone()))?;
        let key = self.signing_key(&row)?;
        Ok(Actor {
            user: profile(&row)?,
            key: Arc::new(key),
        })
    }

    /// The clients a farmer manages: those they registered (`user_id` signed the events).
    pub async fn own_clients(&self, user_id: &str) -> Result<Vec<i64>, DbErr> {
        let rows = client::Entity::find()
            .filter(client::Column::RegisteredBy.eq(user_id))
            .order_by_asc(client::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|row| row.id).collect())
    }
}
