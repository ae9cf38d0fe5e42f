//! The seed's `fraud_alerts` table (fraud view).
use sea_orm::entity::prelude::*;

/// One fraud alert, open or resolved.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fraud_alerts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub cattle_id: i64,
    pub suspicion_type: String,
    pub severity: String,
    pub description: String,
    pub evidence: Json,
    pub detected_at: ChronoDateTimeUtc,
    pub resolved: bool,
    pub resolution: Option<String>,
    pub resolved_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
