//! The accounts through the registry office: administrators list, create, disable and
//! enable users, reset their passwords and change their roles; every user changes their own
//! password. A user's mistake comes back by field, a technical failure as a short message
//! with the cause logged.
use super::RegistryOffice;
use crate::accounts::password_change::PasswordChange;
use crate::accounts::{AccountError, NewUser};
use crate::technical_failure::unavailable;
use app::model::{CommandFailure, SignedInUser, UserAccount};
use domain::{FieldError, Role};

pub(super) fn admins_only(user: &SignedInUser) -> Result<(), CommandFailure> {
    match user.role {
        Role::Admin => Ok(()),
        Role::Farmer | Role::Assessor => Err(CommandFailure::Forbidden {
            message: "only administrators manage users".into(),
        }),
    }
}

/// Refuses an administrator's action on their own account.
fn not_own_account(user: &SignedInUser, username: &str, what: &str) -> Result<(), CommandFailure> {
    if username == user.username {
        return Err(CommandFailure::Rejected {
            code: "OWN_ACCOUNT".into(),
            message: format!("an administrator cannot {what}"),
            field: Some("username".into()),
        });
    }
    Ok(())
}

/// The answer to a change of an account: a wrong field or an unknown user by field, any
/// other failure as a short message with the cause logged.
fn account_changed(outcome: Result<(), AccountError>, failed: &str) -> Result<(), CommandFailure> {
    match outcome {
        Ok(()) => Ok(()),
        Err(AccountError::Invalid(errors)) => Err(CommandFailure::Invalid { errors }),
        Err(AccountError::UnknownUser(name)) => Err(CommandFailure::Invalid {
            errors: vec![FieldError::new(
                "username",
                format!("there is no user {name}"),
            )],
        }),
        Err(error) => Err(unavailable(failed, error)),
    }
}

impl RegistryOffice {
    /// Every user with role, state and public key (administrators only).
    pub async fn users(&self, user: &SignedInUser) -> Result<Vec<UserAccount>, CommandFailure> {
        admins_only(user)?;
        self.accounts
            .accounts()
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
        if disabled {
            not_own_account(user, username, "disable their own account")?;
        }
        let changed = self.accounts.set_disabled(username, disabled).await;
        account_changed(changed, "The account could not be changed")
    }

    /// Gives `username` a new signing key, revoking the old one from now (administrators
    /// only; their own account too).
    pub async fn rotate_user_key(
        &self,
        user: &SignedInUser,
        username: &str,
    ) -> Result<(), CommandFailure> {
        admins_only(user)?;
        match self.accounts.rotate_key(username).await {
            Err(AccountError::Disabled(name)) => Err(CommandFailure::Rejected {
                code: "ACCOUNT_DISABLED".into(),
                message: format!("{name} is disabled: enabling the account gives it a new key"),
                field: Some("username".into()),
            }),
            changed => account_changed(changed, "The key could not be changed"),
        }
    }

    /// Gives `username` a password chosen by an administrator, to be replaced at their next
    /// sign-in; their sessions end (administrators only; their own goes through the
    /// password page, which asks for the current one).
    pub async fn reset_user_password(
        &self,
        user: &SignedInUser,
        username: &str,
        password: &str,
    ) -> Result<(), CommandFailure> {
        admins_only(user)?;
        not_own_account(user, username, "reset their own password here")?;
        let reset = self.accounts.reset_password(username, password).await;
        account_changed(reset, "The password could not be reset")
    }

    /// Gives `username` the role named `role` (administrators only, never their own, so
    /// the registry always keeps an administrator).
    pub async fn set_user_role(
        &self,
        user: &SignedInUser,
        username: &str,
        role: &str,
    ) -> Result<(), CommandFailure> {
        admins_only(user)?;
        let Some(role) = Role::parse(role.trim()) else {
            return Err(CommandFailure::Invalid {
                errors: vec![FieldError::new(
                    "role",
                    format!("must be one of {}", Role::allowed()),
                )],
            });
        };
        not_own_account(user, username, "change their own role")?;
        let changed = self.accounts.set_role(username, role).await;
        account_changed(changed, "The role could not be changed")
    }

    /// Creates a user with a fresh signing key (administrators only).
    pub async fn create_user(
        &self,
        user: &SignedInUser,
        new: &NewUser,
    ) -> Result<SignedInUser, CommandFailure> {
        admins_only(user)?;
        match self.accounts.create_user(Some(&user.username), new).await {
            Ok(created) => Ok(created),
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
