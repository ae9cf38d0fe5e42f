//! The seed's `valuations` table: every valuation ever made, one row per event.
use sea_orm::entity::prelude::*;

/// One valuation.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "valuations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: String,
    pub cattle_id: i64,
    pub amount_cents: i64,
    pub method: String,
    pub valued_at: ChronoDateTimeUtc,
    pub created_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
