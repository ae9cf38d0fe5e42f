//! `users`: who may sign in, their role and their signing key (credentials, not events).
use sea_orm::entity::prelude::*;

/// One user.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub username: String,
    pub role: String,
    pub password_hash: String,
    pub signing_seed: String,
    pub public_key: String,
    pub created_at: ChronoDateTimeUtc,
    pub created_by: Option<String>,
    /// When an administrator disabled the account; `None` while it is active.
    pub disabled_at: Option<ChronoDateTimeUtc>,
    /// The password was made by the registry and printed: choose one before anything else.
    pub must_change_password: bool,
    /// The opaque id events carry as `created_by` (the username, for accounts made before
    /// ids existed).
    pub user_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
