//! Bringing the key stream level with the accounts at start-up: every user's key that the
//! stream has not registered (accounts made before it existed, or a start that stopped
//! between writing the record and the row), every disabled account's key it has not
//! revoked, and the server's own producers' keys.
use super::key_registrar::{KeyRegistrar, KeyRegistrarError};
use crate::entity::user;
use chrono::{DateTime, Utc};
use domain::Role;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};

/// Why the stream could not be brought level.
#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    /// The accounts could not be read.
    #[error("reading the accounts for the key stream: {0}")]
    Database(#[from] DbErr),
    /// A record could not be written.
    #[error(transparent)]
    Registrar(#[from] KeyRegistrarError),
    /// The stream could not be read.
    #[error(transparent)]
    Stream(#[from] super::key_reader::KeyStreamError),
}

/// A key of the server's own that signs for anyone, and since when it exists.
#[derive(Debug, Clone)]
pub struct ProducerKey {
    /// The key, hex.
    pub public_key: String,
    /// Its owner's name.
    pub owner: String,
    /// When it was made.
    pub made_at: DateTime<Utc>,
}

/// Registers what the stream lacks; returns how many records were needed.
pub async fn register_missing(
    registrar: &KeyRegistrar,
    db: &DatabaseConnection,
    producers: &[ProducerKey],
) -> Result<usize, BackfillError> {
    registrar.stream().read_to_end().await?;
    let ledger = registrar.stream().ledger();
    let mut written = 0;
    for producer in producers {
        if ledger.grant(&producer.public_key).is_none() {
            registrar
                .register_producer_key(&producer.public_key, &producer.owner, producer.made_at)
                .await?;
            written += 1;
        }
    }
    for account in user::Entity::find().all(db).await? {
        let grant = ledger.grant(&account.public_key);
        if grant.is_none() {
            // A role the code no longer knows still names a user whose events the log holds.
            let role = Role::parse(&account.role).unwrap_or(Role::Farmer);
            registrar
                .register_user_key(
                    &account.public_key,
                    &account.user_id,
                    role,
                    account.created_at,
                )
                .await?;
            written += 1;
        }
        let revoked = grant.is_some_and(|g| g.window.revoked_from.is_some());
        if let (Some(disabled_at), false) = (account.disabled_at, revoked) {
            registrar.revoke(&account.public_key, disabled_at).await?;
            written += 1;
        }
    }
    if written > 0 {
        tracing::info!(written, "key stream brought level with the accounts");
    }
    Ok(written)
}
