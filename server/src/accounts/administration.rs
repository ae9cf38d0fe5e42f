//! What administrators do to other people's accounts: list them, disable and enable them,
//! give them a new signing key, reset a forgotten password and change a role. Roles are checked when a command is sent,
//! never when the log is read, so a new role applies from the user's next request and no
//! event already signed changes meaning.
use super::{hash_password, AccountError, Accounts, MIN_PASSWORD_CHARS};
use crate::entity::{session, user};
use crate::keys::random_seed;
use app::model::UserAccount;
use chrono::{SecondsFormat, Utc};
use domain::{FieldError, Role, SigningKeyPair};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

fn account(row: user::Model) -> Result<UserAccount, AccountError> {
    let role = Role::parse(&row.role).ok_or_else(|| AccountError::Corrupt(row.username.clone()))?;
    Ok(UserAccount {
        role,
        disabled: row.disabled_at.is_some(),
        disabled_at: row
            .disabled_at
            .map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true)),
        must_change_password: row.must_change_password,
        created_at: row.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        created_by: row.created_by,
        public_key: row.public_key,
        user_id: row.user_id,
        username: row.username,
    })
}

impl Accounts {
    /// Every account, by name.
    pub async fn accounts(&self) -> Result<Vec<UserAccount>, AccountError> {
        let rows = user::Entity::find()
            .order_by_asc(user::Column::Username)
            .all(&self.db)
            .await?;
        rows.into_iter().map(account).collect()
    }

    async fn existing(&self, username: &str) -> Result<user::Model, AccountError> {
        user::Entity::find_by_id(username.to_string())
            .one(&self.db)
            .await?
            .ok_or_else(|| AccountError::UnknownUser(username.to_string()))
    }

    /// Ends every session of `username`, and this instance's live sockets on them.
    async fn end_sessions_of(&self, username: &str) -> Result<(), AccountError> {
        session::Entity::delete_many()
            .filter(session::Column::Username.eq(username))
            .exec(&self.db)
            .await?;
        // Every socket re-checks its session; the ended ones close.
        let _ = self.signed_out.send(String::new());
        Ok(())
    }

    /// Disables (`true`) or enables an account. Disabling ends every session of the user
    /// at once, and the open live sockets of this instance with them, and revokes the
    /// user's key on the key stream from that moment. A revoked key never signs again, so
    /// enabling gives the user a new key, registered before the account opens.
    pub async fn set_disabled(&self, username: &str, disabled: bool) -> Result<(), AccountError> {
        let row = self.existing(username).await?;
        let now = Utc::now();
        let public_key = row.public_key.clone();
        let user_id = row.user_id.clone();
        let role = Role::parse(&row.role).ok_or_else(|| AccountError::Corrupt(username.into()))?;
        let was_disabled = row.disabled_at;
        let mut update: user::ActiveModel = row.into();
        match (disabled, was_disabled) {
            (false, None) => return Ok(()),
            // Asked again after a revocation that did not reach the stream: written now.
            (true, Some(since)) => return Ok(self.registrar.revoke(&public_key, since).await?),
            (true, None) => {
                // Closed first, so no command of theirs starts while the revocation is
                // written.
                update.disabled_at = Set(Some(now));
                user::Entity::update(update).exec(&self.db).await?;
                self.end_sessions_of(username).await?;
                return Ok(self.registrar.revoke(&public_key, now).await?);
            }
            (false, Some(since)) => self.registrar.revoke(&public_key, since).await?,
        }
        update.disabled_at = Set(None);
        self.give_new_key(username, &user_id, role, update).await
    }

    /// Gives `username` a new signing key (administrators): registered on the key stream,
    /// taken into the account, then the old key revoked from that moment. What the old key
    /// signed before still verifies; a disabled account gets its new key when enabled.
    pub async fn rotate_key(&self, username: &str) -> Result<(), AccountError> {
        let row = self.existing(username).await?;
        if row.disabled_at.is_some() {
            return Err(AccountError::Disabled(username.to_string()));
        }
        let old_key = row.public_key.clone();
        let user_id = row.user_id.clone();
        let role = Role::parse(&row.role).ok_or_else(|| AccountError::Corrupt(username.into()))?;
        self.give_new_key(username, &user_id, role, row.into())
            .await?;
        Ok(self.registrar.revoke(&old_key, Utc::now()).await?)
    }

    /// Registers a new key for the account and writes it, with `update`'s other changes.
    async fn give_new_key(
        &self,
        username: &str,
        user_id: &str,
        role: Role,
        mut update: user::ActiveModel,
    ) -> Result<(), AccountError> {
        let seed = random_seed()?;
        let key = SigningKeyPair::from_seed(seed);
        self.registrar
            .register_user_key(&key.public_key_hex(), user_id, role, Utc::now())
            .await?;
        update.signing_seed = Set(self.vault.seal(username, &seed)?);
        update.public_key = Set(key.public_key_hex());
        user::Entity::update(update).exec(&self.db).await?;
        Ok(())
    }

    /// Gives `username` the password `password` that an administrator chose for them. Like a
    /// printed password it opens nothing but the choice of a new one, so the administrator
    /// never knows the password the user goes on with; the user's sessions end.
    pub async fn reset_password(&self, username: &str, password: &str) -> Result<(), AccountError> {
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AccountError::Invalid(vec![FieldError::new(
                "password",
                format!("must be at least {MIN_PASSWORD_CHARS} characters"),
            )]));
        }
        let row = self.existing(username).await?;
        let password = password.to_string();
        let hashed = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|error| AccountError::Interrupted(error.to_string()))??;
        let mut update: user::ActiveModel = row.into();
        update.password_hash = Set(hashed);
        update.must_change_password = Set(true);
        user::Entity::update(update).exec(&self.db).await?;
        self.end_sessions_of(username).await
    }

    /// Gives `username` the role `role`, from their next request on.
    pub async fn set_role(&self, username: &str, role: Role) -> Result<(), AccountError> {
        let row = self.existing(username).await?;
        let mut update: user::ActiveModel = row.into();
        update.role = Set(role.as_str().to_string());
        user::Entity::update(update).exec(&self.db).await?;
        Ok(())
    }
}
