//! The key registry as administrators see it: every key whose signatures the registry
//! accepts, whose it is, whose events it may sign, since when, and whether its holder may
//! still sign anything new.
use domain::Role;
use serde::{Deserialize, Serialize};

/// Whose events a key may sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KeyReach {
    /// Anyone's: the server's producers and the fraud detector.
    Anyone,
    /// Only its holder's own (`created_by` must name them).
    Holder,
}

/// One key of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKey {
    /// The Ed25519 public key (hex).
    pub public_key: String,
    /// Who holds it: a username, or the server's name for its own keys.
    pub holder: String,
    /// The holder's opaque id, as their events name it in `created_by` (users only).
    pub user_id: Option<String>,
    /// The holder's role (users only).
    pub role: Option<Role>,
    /// Whose events it may sign.
    pub reach: KeyReach,
    /// Since when it signs (RFC 3339, UTC), as the key stream registered it; `None` for a
    /// key given by configuration (the root key).
    pub since: Option<String>,
    /// From when it signs nothing (its revocation on the key stream, when its holder's
    /// account was disabled); the events it signed before still verify.
    pub disabled_since: Option<String>,
}
