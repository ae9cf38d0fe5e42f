//! The accounts through the registry office: administrators list, create and disable
//! users; every user changes their own password. A user's mistake comes back by field, a
//! technical failure as a short message with the cause logged.
use super::RegistryOffice;
use crate::accounts::password_change::PasswordChange;
use crate::accounts::{AccountError, NewUser};
use crate::technical_failure::unavailable;
use app::model::{CommandFailure, SignedInUser};
use domain::{FieldError, Role};

pub(super) fn admins_only(user: &SignedInUser) -> Result<(), CommandFailure> {
    match user.role {
        Role::Admin => Ok(()),
        Role::Farmer | Role::Assessor => Err(CommandFailure::Forbidden {
            message: "only administrators manage users".into(),
        }),
    }
}

impl RegistryOffice {
    /// Every user with role and public key (administrators only).
    pub async fn users(&self, user: &SignedInUser) -> Result<Vec<SignedInUser>, CommandFailure> {
        admins_only(user)?;
        self.accounts
            .users()
            .await
            .map_err(|error| unavailable("The users could not be read", error))
    }

    /// Disables or enables `username` (administrators only, never their own account).
    pub async fn set_user_disabled(
        &self,
        user: &SignedInUser,
        username: &str,
        disabled: bool,
    ) -> Result<(), CommandFailure> {
        admins_only(user)?;
        if disabled && username == user.username {
            return Err(CommandFailure::Rejected {
                code: "OWN_ACCOUNT".into(),
                message: "an administrator cannot disable their own account".into(),
                field: Some("username".into()),
            });
        }
        match self.accounts.set_disabled(username, disabled).await {
            Ok(()) => Ok(()),
            Err(AccountError::UnknownUser(name)) => Err(CommandFailure::Invalid {
                errors: vec![FieldError {
                    field: "username".into(),
                    message: format!("there is no user {name}"),
                }],
            }),
            Err(error) => Err(unavailable("The account could not be changed", error)),
        }
    }

    /// Creates a user with a fresh signing key (administrators only).
    pub async fn create_user(
        &self,
        user: &SignedInUser,
        new: &NewUser,
    ) -> Result<SignedInUser, CommandFailure> {
        admins_only(user)?;
        match self.accounts.create_user(Some(&user.username), new).await {
            Ok(created) => {
                self.trusted
                    .remember_user(&created.public_key, &created.user_id);
                Ok(created)
            }
            Err(AccountError::Invalid(errors)) => Err(CommandFailure::Invalid { errors }),
            Err(AccountError::Taken(name)) => Err(CommandFailure::Rejected {
                code: "USERNAME_TAKEN".into(),
                message: format!("the username {name} is taken"),
                field: Some("username".into()),
            }),
            Err(error) => Err(unavailable("The user could not be created", error)),
        }
    }

    /// Sets the user's own password once the current one is confirmed; every other session
    /// of theirs ends, the one of `token` stays.
    pub async fn change_password(
        &self,
        user: &SignedInUser,
        change: &PasswordChange,
        token: &str,
    ) -> Result<(), CommandFailure> {
        match self.accounts.change_password(user, change, token).await {
            Ok(()) => Ok(()),
            Err(AccountError::Invalid(errors)) => Err(CommandFailure::Invalid { errors }),
            Err(AccountError::Throttled(wait)) => Err(CommandFailure::TooManyAttempts {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }),
            Err(error) => Err(unavailable("The password could not be changed", error)),
        }
    }
}
