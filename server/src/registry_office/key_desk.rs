//! The key registry for administrators, as the key stream makes it: the server's own keys
//! (which may sign anyone's events) and every user's (which signs only their own), with whose
//! each is, since when, and from when it signs nothing (its revocation).
use super::RegistryOffice;
use crate::keys::PublishedKey;
use app::model::{CommandFailure, KeyReach, SignedInUser, SigningKey, UserAccount};
use domain::KeyScope;
use std::collections::HashMap;

fn server_key(key: PublishedKey) -> SigningKey {
    SigningKey {
        public_key: key.public_key,
        holder: key.owner,
        user_id: None,
        role: None,
        reach: KeyReach::Anyone,
        since: key.window.valid_from,
        disabled_since: key.window.revoked_from,
    }
}

/// A user's key as the key stream registered it, named by the account that holds its owner
/// id (the id itself when no account does any more).
fn user_key(key: PublishedKey, accounts: &HashMap<String, UserAccount>) -> SigningKey {
    let account = accounts.get(&key.owner);
    SigningKey {
        public_key: key.public_key,
        holder: account.map_or_else(|| key.owner.clone(), |a| a.username.clone()),
        role: key.role.or(account.map(|a| a.role)),
        user_id: Some(key.owner),
        reach: KeyReach::Holder,
        since: key.window.valid_from,
        disabled_since: key.window.revoked_from,
    }
}

impl RegistryOffice {
    /// Every key the key stream registered, the server's first, then the users' by name and
    /// age, a retired key (revoked, its account since given a new one) among them
    /// (administrators only).
    pub async fn key_registry(
        &self,
        user: &SignedInUser,
    ) -> Result<Vec<SigningKey>, CommandFailure> {
        let accounts: HashMap<String, UserAccount> = self
            .users(user)
            .await?
            .into_iter()
            .map(|account| (account.user_id.clone(), account))
            .collect();
        if let Err(error) = self.trusted.read_key_stream().await {
            tracing::warn!(%error, "listing the keys as the key stream was last read");
        }
        let (servers, users): (Vec<PublishedKey>, Vec<PublishedKey>) = self
            .public_keys()
            .into_iter()
            .partition(|key| key.signs_for == KeyScope::Anyone);
        let mut users: Vec<SigningKey> = users
            .into_iter()
            .map(|key| user_key(key, &accounts))
            .collect();
        users.sort_by(|a, b| (&a.holder, &a.since).cmp(&(&b.holder, &b.since)));
        Ok(servers.into_iter().map(server_key).chain(users).collect())
    }
}
