//! The seed's `clients` table: one row per registered client.
use sea_orm::entity::prelude::*;

/// One client.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub name: String,
    pub pic: String,
    pub aggregate_id: i64,
    pub created_at: ChronoDateTimeUtc,
    pub sequence: i64,
    pub chain_head: Json,
    pub state: Json,
    pub registered_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
