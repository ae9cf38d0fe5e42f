//! Events the golden record dropped as the same business fact as an applied one.
use sea_orm::entity::prelude::*;

/// One dropped duplicate and the event it repeats.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "duplicate_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: String,
    pub original_event_id: String,
    pub cattle_id: i64,
    pub sequence: i64,
    pub kafka_topic: String,
    pub kafka_partition: i32,
    pub kafka_offset: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
