//! The key registry for administrators: the server's own keys (which may sign anyone's
//! events) and every user's (which signs only their own), with whose each is, since when,
//! and whether its holder may still sign anything new.
use super::RegistryOffice;
use crate::keys::PublishedKey;
use app::model::{CommandFailure, KeyReach, SignedInUser, SigningKey, UserAccount};
use domain::KeyScope;

fn server_key(key: PublishedKey) -> SigningKey {
    SigningKey {
        public_key: key.public_key,
        holder: key.owner,
        user_id: None,
        role: None,
        reach: KeyReach::Anyone,
        since: None,
        disabled_since: None,
    }
}

fn user_key(account: UserAccount) -> SigningKey {
    SigningKey {
        public_key: account.public_key,
        holder: account.username,
        user_id: Some(account.user_id),
        role: Some(account.role),
        reach: KeyReach::Holder,
        since: Some(account.created_at),
        disabled_since: account.disabled_at,
    }
}

impl RegistryOffice {
    /// Every key the registry accepts signatures of, the server's first, then the users'
    /// by name (administrators only).
    pub async fn key_registry(
        &self,
        user: &SignedInUser,
    ) -> Result<Vec<SigningKey>, CommandFailure> {
        let accounts = self.users(user).await?;
        let servers = self
            .public_keys()
            .into_iter()
            .filter(|key| key.signs_for == KeyScope::Anyone)
            .map(server_key);
        Ok(servers.chain(accounts.into_iter().map(user_key)).collect())
    }
}
