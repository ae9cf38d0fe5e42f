//! The published public keys a verifier accepts, with who owns each.

use super::protocol_error::{decode_hex, ProtocolError};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The set of accepted Ed25519 public keys (hex) and their owners' names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRegistry {
    keys: BTreeMap<String, String>,
    accept_unlisted: bool,
}

/// One entry of a key file; other fields (like a vector file's seed) are ignored.
#[derive(Deserialize)]
struct KeyEntry {
    public_key: String,
    #[serde(default)]
    owner: String,
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

    /// Adds a key (64 lower-case hex characters) and its owner's name.
    pub fn insert(&mut self, public_key_hex: &str, owner: &str) -> Result<(), ProtocolError> {
        decode_hex::<32>(public_key_hex, "public_key")?;
        self.keys
            .insert(public_key_hex.to_string(), owner.to_string());
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
            registry.insert(&entry.public_key, &entry.owner)?;
        }
        Ok(registry)
    }

    /// True if signatures by this key are accepted.
    pub fn accepts(&self, public_key_hex: &str) -> bool {
        self.keys.contains_key(public_key_hex) || self.accept_unlisted
    }

    /// The owner's name of a listed key.
    pub fn owner(&self, public_key_hex: &str) -> Option<&str> {
        self.keys.get(public_key_hex).map(String::as_str)
    }

    /// Listed keys and owners, sorted by key.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys.iter().map(|(k, o)| (k.as_str(), o.as_str()))
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
}
