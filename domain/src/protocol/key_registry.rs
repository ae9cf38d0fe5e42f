//! The published public keys a verifier accepts, with who owns each and whose events each
//! may sign.

use super::protocol_error::{decode_hex, ProtocolError};
use super::verification::VerificationFailure;
use crate::wire_enum::wire_enum;
use serde::Deserialize;
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

/// The set of accepted Ed25519 public keys (hex), their owners and scopes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRegistry {
    keys: BTreeMap<String, (String, KeyScope)>,
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
        decode_hex::<32>(public_key_hex, "public_key")?;
        self.keys
            .insert(public_key_hex.to_string(), (owner.to_string(), scope));
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
            registry.insert_scoped(&entry.public_key, &entry.owner, entry.signs_for)?;
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
            .map(|(owner, _)| owner.as_str())
    }

    /// Whether an event signed by `public_key_hex` and claiming `created_by` passes: the key
    /// is listed (or any key is accepted), and a user's key signs only its owner's events.
    pub fn check_signer(
        &self,
        public_key_hex: &str,
        created_by: Option<&str>,
    ) -> Result<(), VerificationFailure> {
        match self.keys.get(public_key_hex) {
            Some((_, KeyScope::Anyone)) => Ok(()),
            Some((owner, KeyScope::Owner)) if created_by == Some(owner.as_str()) => Ok(()),
            Some((owner, KeyScope::Owner)) => Err(VerificationFailure::NotTheAuthor {
                owner: owner.clone(),
                created_by: created_by.map(str::to_string),
            }),
            None if self.accept_unlisted => Ok(()),
            None => Err(VerificationFailure::UnknownKey {
                public_key: public_key_hex.to_string(),
            }),
        }
    }

    /// Listed keys and owners, sorted by key.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys.iter().map(|(k, (o, _))| (k.as_str(), o.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(keys.check_signer(&user, Some("u1")), Ok(()));
        assert_eq!(
            keys.check_signer(&user, Some("u2")).map_err(|f| f.code()),
            Err("NOT_THE_AUTHOR")
        );
        assert!(keys.check_signer(&user, None).is_err());
        assert_eq!(keys.check_signer(&server, Some("u2")), Ok(()));
        assert_eq!(keys.check_signer(&server, None), Ok(()));
        assert_eq!(
            keys.check_signer(&"ef".repeat(32), Some("u1"))
                .map_err(|f| f.code()),
            Err("UNKNOWN_KEY")
        );
        assert!(KeyRegistry::from_json(r#"{"public_key":"x","signs_for":"EVERYONE"}"#).is_err());
    }
}
