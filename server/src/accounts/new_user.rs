//! The form an administrator fills in to create a user, and its checks.
use domain::{FieldError, Role};
use serde::Deserialize;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// A user to create, as received from outside.
#[derive(Debug, Clone, Deserialize)]
pub struct NewUser {
    /// 3 to 64 of a-z, 0-9, `.`, `_`, `-`.
    pub username: String,
    /// At least `MIN_PASSWORD_CHARS` characters.
    pub password: String,
    /// `FARMER`, `ASSESSOR` or `ADMIN`.
    pub role: String,
}

/// Whether a username is well formed.
pub fn is_valid_username(name: &str) -> bool {
    (3..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

impl NewUser {
    /// The role, or every field error at once.
    pub fn validate(&self) -> Result<Role, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !is_valid_username(&self.username) {
            errors.push(FieldError {
                field: "username".into(),
                message: "must be 3 to 64 characters of a-z, 0-9, '.', '_' or '-'".into(),
            });
        }
        if self.password.chars().count() < MIN_PASSWORD_CHARS {
            errors.push(FieldError {
                field: "password".into(),
                message: format!("must be at least {MIN_PASSWORD_CHARS} characters"),
            });
        }
        let role = Role::parse(&self.role);
        if role.is_none() {
            errors.push(FieldError {
                field: "role".into(),
                message: format!("must be one of {}", Role::allowed()),
            });
        }
        match role {
            Some(role) if errors.is_empty() => Ok(role),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_bad_field_is_named() {
        let bad = NewUser {
            username: "A".into(),
            password: "short".into(),
            role: "OWNER".into(),
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["username", "password", "role"]);
        let good = NewUser {
            username: "jo.farmer".into(),
            password: "long enough pass".into(),
            role: "FARMER".into(),
        };
        assert_eq!(good.validate(), Ok(Role::Farmer));
    }

    proptest! {
        #[test]
        fn validation_never_panics_and_accepts_only_wellformed_names(
            username in ".{0,80}", password in ".{0,20}", role in "[A-Z]{0,10}"
        ) {
            let user = NewUser { username: username.clone(), password, role };
            if user.validate().is_ok() {
                prop_assert!(is_valid_username(&username));
            }
        }
    }
}
