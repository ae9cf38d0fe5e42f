//! Where an animal's latest snapshot sits on the snapshots topic.
use sea_orm::entity::prelude::*;

/// The latest snapshot taken of one animal.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cattle_snapshots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cattle_id: i64,
    /// The sequence of the animal's event it covers.
    pub sequence: i64,
    /// The snapshot envelope's id.
    pub event_id: String,
    pub kafka_topic: String,
    pub kafka_partition: i32,
    pub kafka_offset: i64,
    pub taken_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
