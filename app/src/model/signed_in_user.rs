use domain::Role;
use serde::{Deserialize, Serialize};

/// Who is signed in, as the pages see it (credentials and keys stay on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    /// The unique name the user signs in with (known to the user and administrators).
    pub username: String,
    /// The user's opaque, stable id: events they create carry it as `created_by`, and the
    /// published keys name their key's owner by it, so neither gives the sign-in name away.
    #[serde(default)]
    pub user_id: String,
    /// What the user does in the business.
    pub role: Role,
    /// The user's Ed25519 public key (hex), which signs their events.
    pub public_key: String,
    /// The password was made by the registry and printed (the first administrator's): the
    /// user must choose their own before anything else is allowed.
    #[serde(default)]
    pub must_change_password: bool,
}
