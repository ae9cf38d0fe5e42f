//! The seed's `cattle_events` table: every applied event, with where it sits in the log.
use sea_orm::entity::prelude::*;

/// One applied event.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cattle_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: String,
    pub event_type: String,
    pub cattle_id: i64,
    pub sequence: i64,
    pub occurred_at: ChronoDateTimeUtc,
    pub recorded_at: ChronoDateTimeUtc,
    pub payload: Json,
    pub payload_hash: String,
    pub signature: String,
    pub public_key: String,
    pub previous_hash: Option<String>,
    pub event_hash: String,
    pub merkle_root: Option<String>,
    pub idempotency_key: String,
    pub created_by: Option<String>,
    pub kafka_topic: String,
    pub kafka_partition: i32,
    pub kafka_offset: i64,
    pub envelope: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
