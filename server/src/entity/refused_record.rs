//! A record the fraud detector saw refused for tampering, under the key that signed it.
use sea_orm::entity::prelude::*;

/// One refused record of one key.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "refused_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub public_key: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: String,
    pub cattle_id: i64,
    pub failure: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
