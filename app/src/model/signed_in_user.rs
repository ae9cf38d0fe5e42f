use domain::Role;
use serde::{Deserialize, Serialize};

/// Who is signed in, as the pages see it (credentials and keys stay on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    /// The unique name the user signs in with; events they create carry it as `created_by`.
    pub username: String,
    /// What the user does in the business.
    pub role: Role,
    /// The user's Ed25519 public key (hex), which signs their events.
    pub public_key: String,
    /// The password was made by the registry and printed (the first administrator's): the
    /// user must choose their own before anything else is allowed.
    #[serde(default)]
    pub must_change_password: bool,
}
