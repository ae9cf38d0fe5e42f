//! The key registry as a stream of the log: `KEY_REGISTERED` and `KEY_REVOKED` records,
//! chained and signed by the root key, from which every verifier builds the keys it trusts.
//! With the records and the root public key alone, a replay accepts exactly the events the
//! registry accepted, whatever became of the accounts behind the keys.

use super::hashing::statement_hash;
use super::key_registry::{KeyRegistry, KeyScope, KeyWindow};
use super::signing::{verify_hash_signature, SigningKeyPair};
use crate::authorization::Role;
use crate::timestamp::timestamp_millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What one record changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum KeyChange {
    /// A key may sign from `valid_from` on.
    #[serde(rename = "KEY_REGISTERED")]
    Registered {
        /// Ed25519 public key, 64 hex characters.
        public_key: String,
        /// Who signs with it: a user's id (as events name it in `created_by`), or the name
        /// of one of the server's producers.
        owner: String,
        /// The owner's role when the key was registered; none for the server's producers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<Role>,
        /// Whose events it signs.
        signs_for: KeyScope,
        /// The first instant it signs for.
        valid_from: String,
    },
    /// A key signs nothing from `revoked_from` on.
    #[serde(rename = "KEY_REVOKED")]
    Revoked {
        /// The key revoked.
        public_key: String,
        /// The instant from which its signatures are refused.
        revoked_from: String,
    },
}

impl KeyChange {
    /// The key the change is about.
    pub fn public_key(&self) -> &str {
        match self {
            KeyChange::Registered { public_key, .. } | KeyChange::Revoked { public_key, .. } => {
                public_key
            }
        }
    }
}

/// What a record states, before it is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyStatement {
    /// 1 for the first record, then one more each time.
    pub sequence: u64,
    /// The `record_hash` of the record before; none for the first.
    pub previous_hash: Option<String>,
    /// The change.
    #[serde(flatten)]
    pub change: KeyChange,
}

/// One record of the key stream, as published on its topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// What is signed.
    #[serde(flatten)]
    pub statement: KeyStatement,
    /// SHA-256 (hex) of the statement's canonical JSON.
    pub record_hash: String,
    /// The key that signed the record (the root key), hex.
    pub signed_by: String,
    /// Ed25519 over the 32 bytes of `record_hash`, hex.
    pub signature: String,
}

impl KeyRecord {
    /// Signs `statement` with the root key.
    pub fn sign(statement: KeyStatement, root: &SigningKeyPair) -> Self {
        let hash = statement_hash(&statement);
        Self {
            statement,
            record_hash: hex::encode(hash),
            signed_by: root.public_key_hex(),
            signature: root.sign_hash(&hash),
        }
    }

    /// The record's place in the stream.
    pub fn sequence(&self) -> u64 {
        self.statement.sequence
    }
}

/// Why a record cannot be taken into the ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyLogFailure {
    /// The text is not a record.
    #[error("not a key record: {0}")]
    Unreadable(String),
    /// `record_hash` is not the hash of the statement.
    #[error("key record {0}: record_hash is not the hash of what it states")]
    Hash(u64),
    /// Not signed by the root key, or the signature does not verify.
    #[error("key record {sequence}: {reason}")]
    Signature {
        /// The record.
        sequence: u64,
        /// What is wrong.
        reason: String,
    },
    /// The record skips a place, or does not follow the record before it.
    #[error("key record {sequence}: {reason}")]
    Chain {
        /// The record.
        sequence: u64,
        /// What is wrong.
        reason: String,
    },
    /// The change does not fit the keys as they stand.
    #[error("key record {sequence}: {reason}")]
    Change {
        /// The record.
        sequence: u64,
        /// What is wrong.
        reason: String,
    },
}

/// A key as the stream has made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyGrant {
    /// The key, hex.
    pub public_key: String,
    /// Who signs with it.
    pub owner: String,
    /// The owner's role at registration, if a user.
    pub role: Option<Role>,
    /// Whose events it signs.
    pub signs_for: KeyScope,
    /// When it may sign.
    #[serde(flatten)]
    pub window: KeyWindow,
}

/// What a taken record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRecordTaken {
    /// It extended the chain.
    Applied,
    /// Its place was already taken by a record read earlier, so it changes nothing: two
    /// writers raced for the place, and the loser writes its change again after the winner.
    Superseded,
}

/// The keys a stream of records makes, under one root key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLedger {
    root_key: String,
    length: u64,
    last_hash: Option<String>,
    /// Each applied record's hash, by sequence.
    hashes: Vec<String>,
    grants: BTreeMap<String, KeyGrant>,
}

impl KeyLedger {
    /// No records yet, under `root_key` (hex).
    pub fn new(root_key: &str) -> Self {
        Self {
            root_key: root_key.to_ascii_lowercase(),
            length: 0,
            last_hash: None,
            hashes: Vec::new(),
            grants: BTreeMap::new(),
        }
    }

    /// The root key every record must be signed by.
    pub fn root_key(&self) -> &str {
        &self.root_key
    }

    /// How many records extend the chain.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// The statement that would put `change` next in the chain.
    pub fn next(&self, change: KeyChange) -> KeyStatement {
        KeyStatement {
            sequence: self.length + 1,
            previous_hash: self.last_hash.clone(),
            change,
        }
    }

    /// Whether the chain holds `record` at its place, so its writer knows it won the place.
    pub fn holds(&self, record: &KeyRecord) -> bool {
        usize::try_from(record.sequence())
            .ok()
            .and_then(|sequence| sequence.checked_sub(1))
            .and_then(|at| self.hashes.get(at))
            .is_some_and(|hash| hash.eq_ignore_ascii_case(&record.record_hash))
    }

    /// Reads one record from its JSON text and takes it.
    pub fn take_json(&mut self, text: &[u8]) -> Result<KeyRecordTaken, KeyLogFailure> {
        let record: KeyRecord =
            serde_json::from_slice(text).map_err(|e| KeyLogFailure::Unreadable(e.to_string()))?;
        self.take(&record)
    }

    /// Takes the next record read from the stream: checked (hash, root signature, chain,
    /// change) and applied, or skipped when a record read earlier took its place.
    pub fn take(&mut self, record: &KeyRecord) -> Result<KeyRecordTaken, KeyLogFailure> {
        let sequence = record.sequence();
        let hash = statement_hash(&record.statement);
        if !hex::encode(hash).eq_ignore_ascii_case(&record.record_hash) {
            return Err(KeyLogFailure::Hash(sequence));
        }
        if !record.signed_by.eq_ignore_ascii_case(&self.root_key) {
            return Err(KeyLogFailure::Signature {
                sequence,
                reason: format!(
                    "signed by {}, not by the root key {}",
                    record.signed_by, self.root_key
                ),
            });
        }
        if !verify_hash_signature(&self.root_key, &hash, &record.signature) {
            return Err(KeyLogFailure::Signature {
                sequence,
                reason: "the signature does not verify".into(),
            });
        }
        if sequence >= 1 && sequence <= self.length {
            return Ok(KeyRecordTaken::Superseded);
        }
        if sequence != self.length + 1 {
            return Err(KeyLogFailure::Chain {
                sequence,
                reason: format!(
                    "the record after {} should be {}",
                    self.length,
                    self.length + 1
                ),
            });
        }
        if record.statement.previous_hash != self.last_hash {
            return Err(KeyLogFailure::Chain {
                sequence,
                reason: "previous_hash is not the record_hash of the record before".into(),
            });
        }
        self.apply(sequence, &record.statement.change)?;
        self.length = sequence;
        let hash = record.record_hash.to_ascii_lowercase();
        self.hashes.push(hash.clone());
        self.last_hash = Some(hash);
        Ok(KeyRecordTaken::Applied)
    }

    fn apply(&mut self, sequence: u64, change: &KeyChange) -> Result<(), KeyLogFailure> {
        let refuse = |reason: String| KeyLogFailure::Change { sequence, reason };
        match change {
            KeyChange::Registered {
                public_key,
                owner,
                role,
                signs_for,
                valid_from,
            } => {
                if self.grants.contains_key(public_key) || public_key == &self.root_key {
                    return Err(refuse(format!("key {public_key} is already registered")));
                }
                if owner.is_empty() {
                    return Err(refuse("a key needs an owner".into()));
                }
                let window = KeyWindow {
                    valid_from: Some(valid_from.clone()),
                    revoked_from: None,
                };
                check_key_and_times(public_key, &window).map_err(refuse)?;
                self.grants.insert(
                    public_key.clone(),
                    KeyGrant {
                        public_key: public_key.clone(),
                        owner: owner.clone(),
                        role: *role,
                        signs_for: *signs_for,
                        window,
                    },
                );
            }
            KeyChange::Revoked {
                public_key,
                revoked_from,
            } => {
                let Some(grant) = self.grants.get_mut(public_key) else {
                    return Err(refuse(format!("key {public_key} was never registered")));
                };
                if let Some(earlier) = &grant.window.revoked_from {
                    return Err(refuse(format!(
                        "key {public_key} was already revoked from {earlier}"
                    )));
                }
                if timestamp_millis(revoked_from).is_none() {
                    return Err(refuse(format!(
                        "revoked_from {revoked_from:?} is not a timestamp"
                    )));
                }
                grant.window.revoked_from = Some(revoked_from.clone());
            }
        }
        Ok(())
    }

    /// Whether the chain already says `change` (a retry after a crash, or another writer's
    /// backfill of the same account), or why `change` contradicts it: a key is registered
    /// to one owner only.
    pub fn already_says(&self, change: &KeyChange) -> Result<bool, String> {
        let Some(grant) = self.grants.get(change.public_key()) else {
            return Ok(false);
        };
        match change {
            KeyChange::Registered { owner, .. } if owner == &grant.owner => Ok(true),
            KeyChange::Registered { owner, .. } => Err(format!(
                "key {} is registered to {}, not {owner}",
                grant.public_key, grant.owner
            )),
            KeyChange::Revoked { .. } => Ok(grant.window.revoked_from.is_some()),
        }
    }

    /// Every key the stream registered, by key.
    pub fn grants(&self) -> impl Iterator<Item = &KeyGrant> {
        self.grants.values()
    }

    /// The key registered as `public_key`, if any.
    pub fn grant(&self, public_key: &str) -> Option<&KeyGrant> {
        self.grants.get(public_key)
    }

    /// The keys a verifier accepts: the root key (for anyone, always, named `root_owner`)
    /// and every registered key within its window.
    pub fn registry(&self, root_owner: &str) -> KeyRegistry {
        let mut keys = KeyRegistry::new();
        // Every key here was checked when its record was taken.
        let _ = keys.insert_scoped(&self.root_key, root_owner, KeyScope::Anyone);
        for grant in self.grants.values() {
            let _ = keys.insert_window(
                &grant.public_key,
                &grant.owner,
                grant.signs_for,
                grant.window.clone(),
            );
        }
        keys
    }
}

fn check_key_and_times(public_key: &str, window: &KeyWindow) -> Result<(), String> {
    KeyRegistry::new()
        .insert_window(public_key, "-", KeyScope::Owner, window.clone())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> SigningKeyPair {
        SigningKeyPair::from_seed([7; 32])
    }

    fn user_key(n: u8) -> String {
        SigningKeyPair::from_seed([n; 32]).public_key_hex()
    }

    fn registered(n: u8, owner: &str) -> KeyChange {
        KeyChange::Registered {
            public_key: user_key(n),
            owner: owner.into(),
            role: Some(Role::Farmer),
            signs_for: KeyScope::Owner,
            valid_from: "2026-12-01T00:00:00.000Z".into(),
        }
    }

    fn append(ledger: &mut KeyLedger, change: KeyChange) -> KeyRecord {
        let record = KeyRecord::sign(ledger.next(change), &root());
        assert_eq!(ledger.take(&record), Ok(KeyRecordTaken::Applied));
        record
    }

    #[test]
    fn registered_keys_sign_for_their_owner_until_revoked() {
        let mut ledger = KeyLedger::new(&root().public_key_hex());
        let first = append(&mut ledger, registered(1, "u1"));
        append(
            &mut ledger,
            KeyChange::Revoked {
                public_key: user_key(1),
                revoked_from: "2026-12-03T00:00:00.000Z".into(),
            },
        );
        assert!(ledger.holds(&first));
        assert_eq!(ledger.already_says(&registered(1, "u1")), Ok(true));
        assert!(ledger.already_says(&registered(1, "u2")).is_err());
        assert_eq!(ledger.already_says(&registered(2, "u2")), Ok(false));
        let keys = ledger.registry("root");
        let key = user_key(1);
        let at = |t: &str| keys.check_signer(&key, Some("u1"), t).map_err(|f| f.code());
        assert_eq!(at("2026-12-02T00:00:00.000Z"), Ok(()));
        assert_eq!(at("2026-12-03T00:00:00.000Z"), Err("KEY_REVOKED"));
        assert_eq!(
            keys.check_signer(&root().public_key_hex(), None, "2020-01-01T00:00:00.000Z"),
            Ok(())
        );
    }

    #[test]
    fn a_record_out_of_place_or_not_from_the_root_is_refused() {
        let mut ledger = KeyLedger::new(&root().public_key_hex());
        let stranger = SigningKeyPair::from_seed([9; 32]);
        let forged = KeyRecord::sign(ledger.next(registered(1, "u1")), &stranger);
        assert!(matches!(
            ledger.take(&forged),
            Err(KeyLogFailure::Signature { .. })
        ));
        let mut edited = KeyRecord::sign(ledger.next(registered(1, "u1")), &root());
        edited.statement.change = registered(2, "u1");
        assert_eq!(ledger.take(&edited), Err(KeyLogFailure::Hash(1)));
        let mut skipping = ledger.next(registered(1, "u1"));
        skipping.sequence = 2;
        assert!(matches!(
            ledger.take(&KeyRecord::sign(skipping, &root())),
            Err(KeyLogFailure::Chain { .. })
        ));
        let revoking_unknown = KeyRecord::sign(
            ledger.next(KeyChange::Revoked {
                public_key: user_key(3),
                revoked_from: "2026-12-03T00:00:00.000Z".into(),
            }),
            &root(),
        );
        assert!(matches!(
            ledger.take(&revoking_unknown),
            Err(KeyLogFailure::Change { .. })
        ));
        assert_eq!(ledger.length(), 0, "nothing refused was applied");
    }

    #[test]
    fn the_loser_of_a_race_for_a_place_is_superseded_and_not_held() {
        let mut ledger = KeyLedger::new(&root().public_key_hex());
        let statement = ledger.next(registered(1, "u1"));
        let winner = KeyRecord::sign(statement.clone(), &root());
        let loser = KeyRecord::sign(ledger.next(registered(2, "u2")), &root());
        assert_eq!(ledger.take(&winner), Ok(KeyRecordTaken::Applied));
        assert_eq!(ledger.take(&loser), Ok(KeyRecordTaken::Superseded));
        assert!(ledger.holds(&winner) && !ledger.holds(&loser));
        assert!(ledger.grant(&user_key(2)).is_none());
        let again = append(&mut ledger, registered(2, "u2"));
        assert_eq!(again.sequence(), 2);
    }

    #[test]
    fn a_record_reads_back_from_its_json() {
        let mut ledger = KeyLedger::new(&root().public_key_hex());
        let record = KeyRecord::sign(ledger.next(registered(1, "u1")), &root());
        let text = serde_json::to_vec(&record).expect("json");
        let value: serde_json::Value = serde_json::from_slice(&text).expect("json");
        assert_eq!(value["type"], "KEY_REGISTERED");
        assert_eq!(value["role"], "FARMER");
        assert_eq!(ledger.take_json(&text), Ok(KeyRecordTaken::Applied));
        assert!(matches!(
            ledger.take_json(b"{}"),
            Err(KeyLogFailure::Unreadable(_))
        ));
    }
}
