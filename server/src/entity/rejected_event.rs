//! Events a projection refused, with the reason: never applied, always visible.
use sea_orm::entity::prelude::*;

/// One refused message of the log.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rejected_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kafka_topic: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kafka_partition: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kafka_offset: i64,
    pub event_id: Option<String>,
    pub cattle_id: Option<i64>,
    pub sequence: Option<i64>,
    pub reason_code: String,
    pub reason: String,
    pub envelope: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
