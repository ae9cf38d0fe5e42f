//! The chain head and folded state a view other than the golden record keeps per stream,
//! so it verifies every event itself.
use sea_orm::entity::prelude::*;

/// One stream as one view has folded it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "view_heads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub projection: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub aggregate_id: i64,
    pub chain_head: Json,
    pub state: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
