//! The seed's `risk_scores` table (fraud view).
use sea_orm::entity::prelude::*;

/// An animal's current provenance score.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "risk_scores")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cattle_id: i64,
    pub confidence_score: i32,
    pub risk_level: String,
    pub last_updated: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
