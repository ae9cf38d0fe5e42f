//! Every signed tree head the server published, by number.
use sea_orm::entity::prelude::*;

/// One signed tree head.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tree_heads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: i64,
    /// SHA-256 (hex) of what the head states.
    pub head_hash: String,
    /// The whole signed head, as published.
    pub document: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
