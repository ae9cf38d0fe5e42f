//! One current fraud flag of one animal, as the fraud view folds it.
use sea_orm::entity::prelude::*;

/// An animal suspected of one thing: by an open alert, or confirmed by an assessor.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "suspicions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cattle_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub suspicion_type: String,
    pub confirmed: bool,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
