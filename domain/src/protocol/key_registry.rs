//! The published public keys a verifier accepts, with who owns each and whose events each
//! may sign.

use super::protocol_error::{decode_hex, ProtocolError};
use super::verification::VerificationFailure;
use crate::timestamp::timestamp_millis;
use crate::wire_enum::wire_enum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

wire_enum! {
    /// Whose events a published key may sign.
    KeyScope {
        /// The registry's own producers and the fraud detector: events of anyone.
        Anyone = "ANYONE",
        /// A user's key: only events whose `created_by` is the key's owner.
        Owner = "OWNER",
    }
}

/// When a key may sign: from `valid_from` (if given) up to, not including, `revoked_from`
/// (if given), judged by an event's `recorded_at`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyWindow {
    /// The first instant it signs for, "YYYY-MM-DDTHH:MM:SS.sssZ".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// The instant from which its signatures are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_from: Option<String>,
}

impl KeyWindow {
    /// Any time at all: a key given by configuration, such as the root key.
    pub fn always() -> Self {
        Self::default()
    }

    /// Why a signature made at `signed_at` falls outside the window, if it does. A time that
    /// cannot be read falls outside a window with any bound.
    fn refuses(&self, public_key_hex: &str, signed_at: &str) -> Option<VerificationFailure> {
        let at = timestamp_millis(signed_at);
        if let Some(from) = &self.valid_from {
            if at.is_none() || at < timestamp_millis(from) {
                return Some(VerificationFailure::KeyNotYetValid {
                    public_key: public_key_hex.to_string(),
                    valid_from: from.clone(),
                });
            }
        }
        if let Some(revoked) = &self.revoked_from {
            if at.is_none() || at >= timestamp_millis(revoked) {
                return Some(VerificationFailure::KeyRevoked {
                    public_key: public_key_hex.to_string(),
                    revoked_from: revoked.clone(),
                });
            }
        }
        None
    }
}

/// A listed key: its owner, whose events it signs, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListedKey {
    owner: String,
    scope: KeyScope,
    window: KeyWindow,
}

/// The set of accepted Ed25519 public keys (hex), their owners, scopes and windows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRegistry {
    keys: BTreeMap<String, ListedKey>,
    accept_unlisted: bool,
}

/// One entry of a key file; other fields (like a vector file's seed) are ignored. An entry
/// without a scope is a producer's key, as key files written before scopes say.
#[derive(Deserialize)]
struct KeyEntry {
    public_key: String,
    #[serde(default)]
    owner: String,
    #[serde(default = "producer")]
    signs_for: KeyScope,
    #[serde(flatten)]
    window: KeyWindow,
}

fn producer() -> KeyScope {
    KeyScope::Anyone
}

/// A key file holds one entry or an array of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum KeyFile {
    One(KeyEntry),
    Many(Vec<KeyEntry>),
}

impl KeyRegistry {
    /// An empty registry that accepts no key.
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry that accepts every well-formed key: checks integrity, not identity
    /// (what a browser does before it has the published key list).
    pub fn accept_any() -> Self {
        Self {
            keys: BTreeMap::new(),
            accept_unlisted: true,
        }
    }

    /// Adds a key (64 lower-case hex characters) that signs for anyone, and its owner.
    pub fn insert(&mut self, public_key_hex: &str, owner: &str) -> Result<(), ProtocolError> {
        self.insert_scoped(public_key_hex, owner, KeyScope::Anyone)
    }

    /// Adds a key (64 lower-case hex characters), its owner and whose events it may sign.
    pub fn insert_scoped(
        &mut self,
        public_key_hex: &str,
        owner: &str,
        scope: KeyScope,
    ) -> Result<(), ProtocolError> {
        self.insert_window(public_key_hex, owner, scope, KeyWindow::always())
    }

    /// Adds a key that signs only within `window`.
    pub fn insert_window(
        &mut self,
        public_key_hex: &str,
        owner: &str,
        scope: KeyScope,
        window: KeyWindow,
    ) -> Result<(), ProtocolError> {
        decode_hex::<32>(public_key_hex, "public_key")?;
        for (name, bound) in [
            ("valid_from", &window.valid_from),
            ("revoked_from", &window.revoked_from),
        ] {
            if bound
                .as_deref()
                .is_some_and(|t| timestamp_millis(t).is_none())
            {
                return Err(ProtocolError::Json(format!(
                    "{name} of key {public_key_hex} is not a timestamp \"YYYY-MM-DDTHH:MM:SS.sssZ\""
                )));
            }
        }
        self.keys.insert(
            public_key_hex.to_string(),
            ListedKey {
                owner: owner.to_string(),
                scope,
                window,
            },
        );
        Ok(())
    }

    /// Reads a key file: `{"public_key": "…", "owner": "…"}` or an array of such objects.
    pub fn from_json(text: &str) -> Result<Self, ProtocolError> {
        let file: KeyFile =
            serde_json::from_str(text).map_err(|e| ProtocolError::Json(e.to_string()))?;
        let entries = match file {
            KeyFile::One(entry) => vec![entry],
            KeyFile::Many(entries) => entries,
        };
        let mut registry = Self::new();
        for entry in entries {
            registry.insert_window(
                &entry.public_key,
                &entry.owner,
                entry.signs_for,
                entry.window,
            )?;
        }
        Ok(registry)
    }

    /// True if signatures by this key are accepted.
    pub fn accepts(&self, public_key_hex: &str) -> bool {
        self.keys.contains_key(public_key_hex) || self.accept_unlisted
    }

    /// The owner of a listed key.
    pub fn owner(&self, public_key_hex: &str) -> Option<&str> {
        self.keys
            .get(public_key_hex)
            .map(|listed| listed.owner.as_str())
    }

    /// Whether an event signed by `public_key_hex` at `signed_at` (its `recorded_at`) and
    /// claiming `created_by` passes: the key is listed (or any key is accepted), a user's key
    /// signs only its owner's events, and only within its window.
    pub fn check_signer(
        &self,
        public_key_hex: &str,
        created_by: Option<&str>,
        signed_at: &str,
    ) -> Result<(), VerificationFailure> {
        match self.keys.get(public_key_hex) {
            Some(listed) => {
                let author = created_by == Some(listed.owner.as_str());
                if listed.scope == KeyScope::Owner && !author {
                    return Err(VerificationFailure::NotTheAuthor {
                        owner: listed.owner.clone(),
                        created_by: created_by.map(str::to_string),
                    });
                }
                match listed.window.refuses(public_key_hex, signed_at) {
                    Some(refusal) => Err(refusal),
                    None => Ok(()),
                }
            }
            None if self.accept_unlisted => Ok(()),
            None => Err(VerificationFailure::UnknownKey {
                public_key: public_key_hex.to_string(),
            }),
        }
    }

    /// Listed keys and owners, sorted by key.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys
            .iter()
            .map(|(k, listed)| (k.as_str(), listed.owner.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: &str = "2026-12-04T08:00:00.000Z";

    #[test]
    fn a_key_signs_only_inside_its_window() {
        let key = "ab".repeat(32);
        let keys = KeyRegistry::from_json(&format!(
            r#"{{"public_key":"{key}","owner":"u1","signs_for":"OWNER","valid_from":"2026-12-01T00:00:00.000Z","revoked_from":"2026-12-04T08:00:00.000Z"}}"#
        ))
        .expect("a key file");
        let at = |t: &str| keys.check_signer(&key, Some("u1"), t).map_err(|f| f.code());
        assert_eq!(at("2026-11-30T23:59:59.999Z"), Err("KEY_NOT_YET_VALID"));
        assert_eq!(at("2026-12-01T00:00:00.000Z"), Ok(()));
        assert_eq!(at("2026-12-04T07:59:59.999Z"), Ok(()));
        assert_eq!(at(AT), Err("KEY_REVOKED"));
        assert_eq!(at("not a time"), Err("KEY_NOT_YET_VALID"));
        assert!(KeyRegistry::from_json(&format!(
            r#"{{"public_key":"{key}","revoked_from":"yesterday"}}"#
        ))
        .is_err());
    }

    #[test]
    fn reads_one_or_many_entries() {
        let key = "ab".repeat(32);
        let one = KeyRegistry::from_json(&format!(
            r#"{{"public_key":"{key}","owner":"a","seed_hex":"x"}}"#
        ));
        assert_eq!(one.as_ref().map(|r| r.accepts(&key)).ok(), Some(true));
        let many = KeyRegistry::from_json(&format!(r#"[{{"public_key":"{key}","owner":"a"}}]"#));
        assert_eq!(
            many.ok().and_then(|r| r.owner(&key).map(str::to_string)),
            Some("a".into())
        );
        assert!(KeyRegistry::from_json(r#"{"public_key":"nothex"}"#).is_err());
        assert!(!KeyRegistry::new().accepts(&key));
        assert!(KeyRegistry::accept_any().accepts(&key));
    }

    #[test]
    fn a_users_key_signs_only_its_owners_events_and_a_producers_anyones() {
        let (user, server) = ("ab".repeat(32), "cd".repeat(32));
        let keys = KeyRegistry::from_json(&format!(
            r#"[{{"public_key":"{user}","owner":"u1","signs_for":"OWNER"}},{{"public_key":"{server}","owner":"iCattle server","signs_for":"ANYONE"}}]"#
        ))
        .expect("a key file");
        assert_eq!(keys.check_signer(&user, Some("u1"), AT), Ok(()));
        assert_eq!(
            keys.check_signer(&user, Some("u2"), AT)
                .map_err(|f| f.code()),
            Err("NOT_THE_AUTHOR")
        );
        assert!(keys.check_signer(&user, None, AT).is_err());
        assert_eq!(keys.check_signer(&server, Some("u2"), AT), Ok(()));
        assert_eq!(keys.check_signer(&server, None, AT), Ok(()));
        assert_eq!(
            keys.check_signer(&"ef".repeat(32), Some("u1"), AT)
                .map_err(|f| f.code()),
            Err("UNKNOWN_KEY")
        );
        assert!(KeyRegistry::from_json(r#"{"public_key":"x","signs_for":"EVERYONE"}"#).is_err());
    }
}
