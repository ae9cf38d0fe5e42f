//! The heads the server signed, as `tree_heads` keeps them.
use super::TreeHeadError;
use crate::entity::tree_head;
use domain::TreeHead;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, Set};

fn read(row: tree_head::Model) -> Result<TreeHead, TreeHeadError> {
    serde_json::from_value(row.document).map_err(|error| TreeHeadError::Stored {
        number: row.number,
        reason: error.to_string(),
    })
}

/// The newest head, if one was signed.
pub async fn latest<C: ConnectionTrait>(db: &C) -> Result<Option<TreeHead>, TreeHeadError> {
    tree_head::Entity::find()
        .order_by_desc(tree_head::Column::Number)
        .one(db)
        .await?
        .map(read)
        .transpose()
}

/// Head number `number`, if it was signed.
pub async fn numbered<C: ConnectionTrait>(
    db: &C,
    number: u64,
) -> Result<Option<TreeHead>, TreeHeadError> {
    tree_head::Entity::find_by_id(number as i64)
        .one(db)
        .await?
        .map(read)
        .transpose()
}

/// Keeps `head`, unless a head of its number is kept already.
pub async fn keep<C: ConnectionTrait>(db: &C, head: &TreeHead) -> Result<(), TreeHeadError> {
    let document = serde_json::to_value(head).map_err(|error| TreeHeadError::Stored {
        number: head.number() as i64,
        reason: error.to_string(),
    })?;
    // Kept again after a keeping whose outcome was unknown: the first one stands.
    tree_head::Entity::insert(tree_head::ActiveModel {
        number: Set(head.number() as i64),
        head_hash: Set(head.head_hash.clone()),
        document: Set(document),
    })
    .on_conflict(
        OnConflict::column(tree_head::Column::Number)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}
