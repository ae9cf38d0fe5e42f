//! The `weighings` table: every weighing of an animal, one row per event.
use sea_orm::entity::prelude::*;

/// One weighing.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "weighings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: String,
    pub cattle_id: i64,
    pub weighed_at: ChronoDateTimeUtc,
    pub weight_kg: f64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
