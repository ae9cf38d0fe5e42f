//! Business facts an instance claimed before publishing the event that carries them.
use sea_orm::entity::prelude::*;

/// One claim: the idempotency key, the event that carries it, and whether the broker
/// acknowledged that event.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "claimed_facts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub idempotency_key: String,
    pub event_id: String,
    pub claimed_at: DateTimeUtc,
    pub published: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
