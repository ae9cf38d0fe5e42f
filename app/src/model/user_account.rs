use domain::Role;
use serde::{Deserialize, Serialize};

/// A user as administrators see them on the users page and in `GET /api/users`: who they
/// are, what they do, and whether they may sign in (credentials stay on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccount {
    /// The name the user signs in with.
    pub username: String,
    /// The opaque id their events carry as `created_by`.
    pub user_id: String,
    /// What the user does in the business.
    pub role: Role,
    /// The user's Ed25519 public key (hex), which signs their events.
    pub public_key: String,
    /// An administrator disabled the account: it cannot sign in.
    pub disabled: bool,
    /// When it was disabled (RFC 3339, UTC).
    #[serde(default)]
    pub disabled_at: Option<String>,
    /// The user must choose a new password at their next sign-in (the registry printed it,
    /// or an administrator reset it).
    pub must_change_password: bool,
    /// When the account was made (RFC 3339, UTC).
    pub created_at: String,
    /// The administrator who made it; `None` for the first administrator.
    pub created_by: Option<String>,
}
