//! `sessions`: signed-in browsers and API clients, by the SHA-256 of their token.
use sea_orm::entity::prelude::*;

/// One session.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub username: String,
    pub expires_at: ChronoDateTimeUtc,
    /// Unused until then, the session has ended; each use moves it on.
    pub idle_until: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
