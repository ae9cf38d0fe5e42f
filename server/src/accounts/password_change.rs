//! A user choosing a new password: the current one must be given (and wrong guesses count
//! towards the sign-in throttle, so a stolen session cannot try passwords unhindered); the
//! new one must be long enough and differ. Every other session of the user ends.
use super::{hash_password, password_matches, token_hash, AccountError, Accounts};
use super::{SignedInUser, MIN_PASSWORD_CHARS};
use crate::entity::{session, user};
use domain::FieldError;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

/// What changing a password takes, as received from outside (camelCase JSON).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordChange {
    /// The password the user signs in with now.
    pub current_password: String,
    /// The password they choose.
    pub new_password: String,
}

impl PasswordChange {
    /// The checks that need no stored hash, each naming its field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.new_password.chars().count() < MIN_PASSWORD_CHARS {
            errors.push(FieldError::new(
                "newPassword",
                format!("must be at least {MIN_PASSWORD_CHARS} characters"),
            ));
        } else if self.new_password == self.current_password {
            errors.push(FieldError::new(
                "newPassword",
                "must differ from the current password",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl Accounts {
    /// Sets `user`'s password to `change.new_password` once the current one is confirmed,
    /// clears a required change, and ends every session of the user but `keep_token`'s.
    pub async fn change_password(
        &self,
        user: &SignedInUser,
        change: &PasswordChange,
        keep_token: &str,
    ) -> Result<(), AccountError> {
        change.validate().map_err(AccountError::Invalid)?;
        let username = user.username.as_str();
        let now = std::time::Instant::now();
        if let Some(wait) = self.throttle().wait(username, None, now) {
            return Err(AccountError::Throttled(wait));
        }
        let row = user::Entity::find_by_id(username.to_string())
            .one(&self.db)
            .await?
            .ok_or_else(|| AccountError::UnknownUser(username.to_string()))?;
        let (current, new) = (change.current_password.clone(), change.new_password.clone());
        let stored = row.password_hash.clone();
        let checked = tokio::task::spawn_blocking(move || {
            password_matches(&current, &stored).then(|| hash_password(&new))
        })
        .await
        .map_err(|error| AccountError::Interrupted(error.to_string()))?;
        let Some(hashed) = checked else {
            self.throttle()
                .failed(username, None, std::time::Instant::now());
            return Err(AccountError::Invalid(vec![FieldError::new(
                "currentPassword",
                "is not your current password",
            )]));
        };
        let mut update: user::ActiveModel = row.into();
        update.password_hash = Set(hashed?);
        update.must_change_password = Set(false);
        user::Entity::update(update).exec(&self.db).await?;
        session::Entity::delete_many()
            .filter(session::Column::Username.eq(username))
            .filter(session::Column::TokenHash.ne(token_hash(keep_token)))
            .exec(&self.db)
            .await?;
        // The other sessions' sockets re-check and close.
        let _ = self.signed_out.send(String::new());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_short_or_unchanged_new_password_is_named(current in ".{0,16}", new in ".{0,16}") {
            let change = PasswordChange { current_password: current.clone(), new_password: new.clone() };
            let ok = new.chars().count() >= MIN_PASSWORD_CHARS && new != current;
            match change.validate() {
                Ok(()) => prop_assert!(ok),
                Err(errors) => {
                    prop_assert!(!ok);
                    prop_assert_eq!(errors.len(), 1);
                    prop_assert_eq!(errors[0].field.as_str(), "newPassword");
                }
            }
        }
    }
}
