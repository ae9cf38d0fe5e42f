//! The swap: in one transaction of the live database, a view's rows and checkpoints are
//! replaced by its copy's. Readers see the old view until the commit and the rebuilt one
//! after it, never an empty or half-written one.
use crate::entity::{
    cattle, cattle_event, checkpoint, client, duplicate_event, fraud_alert, refused_record,
    rejected_event, risk_score, suspicion, valuation, view_head, weighing,
};
use crate::views::bulk_rows::insert_rows;
use app::model::ViewName;
use futures::future::BoxFuture;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, IntoActiveModel, Iterable, PaginatorTrait, PrimaryKeyToColumn, QueryFilter,
    QueryOrder,
};

/// Rows read from the copy per query.
const PAGE: u64 = 1000;

/// Replaces one table's rows in the live database by the copy's: how many were copied.
pub type TableSwap = for<'a> fn(
    &'a DatabaseConnection,
    &'a DatabaseTransaction,
) -> BoxFuture<'a, Result<u64, DbErr>>;

/// Empties the rows of table `E` that `owned` picks in `live` and fills them with those of
/// `E` in `copy`, in key order. `owned` keeps a table shared by views (`view_heads`) to the
/// rebuilt view's rows.
async fn replace_rows<E>(
    copy: &DatabaseConnection,
    live: &DatabaseTransaction,
    owned: Condition,
) -> Result<u64, DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send + Sync,
{
    E::delete_many().filter(owned.clone()).exec(live).await?;
    let mut in_order = E::find().filter(owned);
    for key in E::PrimaryKey::iter() {
        in_order = in_order.order_by_asc(key.into_column());
    }
    let mut pages = in_order.paginate(copy, PAGE);
    let mut copied = 0;
    while let Some(rows) = pages.fetch_and_next().await? {
        if rows.is_empty() {
            break;
        }
        copied += rows.len() as u64;
        let rows: Vec<E::ActiveModel> = rows
            .into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect();
        insert_rows(live, rows, None).await?;
    }
    Ok(copied)
}

fn swap<E>() -> TableSwap
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send + Sync,
{
    |copy, live| Box::pin(replace_rows::<E>(copy, live, Condition::all()))
}

/// `view`'s rows of `view_heads`, a table the fraud view and the fraud detector share.
fn heads_of<'a>(
    view: ViewName,
    copy: &'a DatabaseConnection,
    live: &'a DatabaseTransaction,
) -> BoxFuture<'a, Result<u64, DbErr>> {
    let owned = view_head::Column::Projection.eq(view.as_str());
    Box::pin(replace_rows::<view_head::Entity>(
        copy,
        live,
        Condition::all().add(owned),
    ))
}

fn fraud_view_heads() -> TableSwap {
    |copy, live| heads_of(ViewName::FraudView, copy, live)
}

fn fraud_detector_heads() -> TableSwap {
    |copy, live| heads_of(ViewName::FraudDetector, copy, live)
}

/// The tables `view` keeps in SQL, if it is one a rebuild can swap.
pub fn tables_of(view: ViewName) -> Option<Vec<TableSwap>> {
    match view {
        ViewName::GoldenRecord => Some(vec![
            swap::<cattle::Entity>(),
            swap::<client::Entity>(),
            swap::<cattle_event::Entity>(),
            swap::<valuation::Entity>(),
            swap::<weighing::Entity>(),
            swap::<rejected_event::Entity>(),
            swap::<duplicate_event::Entity>(),
        ]),
        ViewName::FraudView => Some(vec![
            swap::<fraud_alert::Entity>(),
            swap::<risk_score::Entity>(),
            swap::<suspicion::Entity>(),
            fraud_view_heads(),
        ]),
        ViewName::FraudDetector => Some(vec![
            swap::<refused_record::Entity>(),
            fraud_detector_heads(),
        ]),
        ViewName::CacheView | ViewName::AuditArchive | ViewName::SearchIndex => None,
    }
}

/// Replaces `view`'s rows and checkpoints in `live` by those of `copy`, inside `live`'s
/// transaction: how many rows were copied.
pub async fn replace_view(
    view: ViewName,
    tables: &[TableSwap],
    copy: &DatabaseConnection,
    live: &DatabaseTransaction,
) -> Result<u64, DbErr> {
    let mut copied = 0;
    for table in tables {
        copied += table(copy, live).await?;
    }
    checkpoint::Entity::delete_many()
        .filter(checkpoint::Column::Projection.eq(view.as_str()))
        .exec(live)
        .await?;
    let reached: Vec<checkpoint::ActiveModel> = checkpoint::Entity::find()
        .filter(checkpoint::Column::Projection.eq(view.as_str()))
        .all(copy)
        .await?
        .into_iter()
        .map(IntoActiveModel::into_active_model)
        .collect();
    insert_rows(live, reached, None).await?;
    Ok(copied)
}
