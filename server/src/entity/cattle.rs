//! The seed's `cattle` table: one row per animal, its current state.
use sea_orm::entity::prelude::*;

/// One animal's current state.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cattle")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub nlis_id: String,
    pub breed: String,
    pub sex: String,
    pub client_id: i64,
    pub current_valuation: Option<i64>,
    pub status: String,
    pub confidence_score: i32,
    pub risk_level: String,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    pub sequence: i64,
    pub chain_head: Json,
    pub state: Json,
    /// The client a transfer waiting for acceptance offers the animal to.
    pub offered_to_client: Option<i64>,
    /// The mob the animal runs with, if any.
    pub mob: Option<String>,
    /// The last day its treatments withhold it from slaughter ("YYYY-MM-DD").
    pub withholding_until: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
