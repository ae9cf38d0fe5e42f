//! Reads of the herd for the web app: a filtered, sorted page, and the clients.
//! `visible` is `None` for users who see every herd, or the client ids a farmer manages.
use super::row_codec::to_record;
use crate::entity::{cattle, client, weighing};
use app::model::{CattleRecord, ClientSummary, HerdPage, HerdQuery, MobGain};
use chrono::SecondsFormat;
use domain::{average_daily_gain, mob_average_daily_gain, Weighing};
use sea_orm::sea_query::NullOrdering;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};
use std::collections::BTreeMap;

fn visible_cattle(visible: Option<&[i64]>) -> Select<cattle::Entity> {
    let query = cattle::Entity::find();
    match visible {
        Some(clients) => query.filter(cattle::Column::ClientId.is_in(clients.to_vec())),
        None => query,
    }
}

/// The sort column and direction a sort key names; unknown keys sort by last change.
fn sort_of(key: &str) -> (cattle::Column, Order) {
    let (reverse, name) = match key.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, key),
    };
    let (column, natural) = match name {
        "nlis" => (cattle::Column::NlisId, Order::Asc),
        "breed" => (cattle::Column::Breed, Order::Asc),
        "value" => (cattle::Column::CurrentValuation, Order::Desc),
        "risk" => (cattle::Column::ConfidenceScore, Order::Asc),
        _ => (cattle::Column::UpdatedAt, Order::Desc),
    };
    let order = match (natural, reverse) {
        (Order::Asc, true) => Order::Desc,
        (Order::Desc, true) => Order::Asc,
        (order, _) => order,
    };
    (column, order)
}

/// Today's UTC day, on which a withholding period is judged.
fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// The filters of `query` as one condition, withholding judged on `today` ("YYYY-MM-DD").
fn filters_of(query: &HerdQuery, today: &str) -> Condition {
    let mut filter = Condition::all();
    if let Some(breed) = &query.breed {
        filter = filter.add(cattle::Column::Breed.eq(breed.clone()));
    }
    if let Some(owner) = query.owner {
        filter = filter.add(cattle::Column::ClientId.eq(owner));
    }
    if let Some(status) = &query.status {
        filter = filter.add(cattle::Column::Status.eq(status.clone()));
    }
    if let Some(risk) = &query.risk {
        filter = filter.add(cattle::Column::RiskLevel.eq(risk.clone()));
    }
    if let Some(mob) = &query.mob {
        filter = filter.add(cattle::Column::Mob.eq(mob.clone()));
    }
    if query.in_withholding {
        filter = filter.add(cattle::Column::WithholdingUntil.gte(today));
    }
    filter
}

/// One page of the visible herd.
pub async fn herd_page(
    db: &DatabaseConnection,
    visible: Option<&[i64]>,
    query: &HerdQuery,
) -> Result<HerdPage, DbErr> {
    let (column, order) = sort_of(&query.sort);
    let page = query.page.max(1);
    let page_size = query.page_size();
    let paginator = visible_cattle(visible)
        .filter(filters_of(query, &today()))
        // Unvalued animals go last whichever way values are sorted.
        .order_by_with_nulls(column, order, NullOrdering::Last)
        .order_by_asc(cattle::Column::Id)
        .paginate(db, u64::from(page_size));
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(u64::from(page - 1)).await?;
    let breeds: Vec<String> = visible_cattle(visible)
        .select_only()
        .column(cattle::Column::Breed)
        .distinct()
        .order_by_asc(cattle::Column::Breed)
        .into_tuple()
        .all(db)
        .await?;
    let mobs: Vec<String> = visible_cattle(visible)
        .filter(cattle::Column::Mob.is_not_null())
        .select_only()
        .column(cattle::Column::Mob)
        .distinct()
        .order_by_asc(cattle::Column::Mob)
        .into_tuple()
        .all(db)
        .await?;
    let owners = clients(db, visible).await?;
    let mob_gain = match &query.mob {
        Some(mob) => Some(mob_gain(db, visible, mob).await?),
        None => None,
    };
    Ok(HerdPage {
        rows: rows.into_iter().map(to_record).collect(),
        total,
        page,
        page_size,
        breeds,
        owners: owners.into_iter().filter(|c| c.mine).collect(),
        mobs,
        mob_gain,
    })
}

/// How the visible animals of `mob` are growing, from their weighings.
pub async fn mob_gain(
    db: &DatabaseConnection,
    visible: Option<&[i64]>,
    mob: &str,
) -> Result<MobGain, DbErr> {
    let in_mob = || visible_cattle(visible).filter(cattle::Column::Mob.eq(mob));
    let animals = in_mob().count(db).await?;
    // A subquery, not a list of ids: a mob may hold more animals than a statement has
    // parameters.
    let ids = in_mob()
        .select_only()
        .column(cattle::Column::Id)
        .into_query();
    let weighed = weighing::Entity::find()
        .filter(weighing::Column::CattleId.in_subquery(ids))
        .all(db)
        .await?;
    let mut by_animal: BTreeMap<i64, Vec<Weighing>> = BTreeMap::new();
    for row in weighed {
        by_animal.entry(row.cattle_id).or_default().push(Weighing {
            at: row.weighed_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            kg: row.weight_kg,
        });
    }
    let gaining = by_animal
        .values()
        .filter(|w| average_daily_gain(w).is_some())
        .count();
    Ok(MobGain {
        mob: mob.to_string(),
        average_daily_gain_kg: mob_average_daily_gain(by_animal.values().map(Vec::as_slice)),
        animals_gaining: u32::try_from(gaining).unwrap_or(u32::MAX),
        animals: u32::try_from(animals).unwrap_or(u32::MAX),
    })
}

/// Every visible animal matching `query`'s filters (not its page), in its order, at most
/// `limit`: what a bulk action on "every animal matching" acts on.
pub async fn herd_matching(
    db: &DatabaseConnection,
    visible: Option<&[i64]>,
    query: &HerdQuery,
    limit: u64,
) -> Result<Vec<CattleRecord>, DbErr> {
    let (column, order) = sort_of(&query.sort);
    let rows = visible_cattle(visible)
        .filter(filters_of(query, &today()))
        .order_by_with_nulls(column, order, NullOrdering::Last)
        .order_by_asc(cattle::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(to_record).collect())
}

/// The clients in `visible` (every client for users who see all herds): a farmer learns
/// nothing of other farmers' clients here.
pub async fn clients(
    db: &DatabaseConnection,
    visible: Option<&[i64]>,
) -> Result<Vec<ClientSummary>, DbErr> {
    let query = match visible {
        Some(own) => client::Entity::find().filter(client::Column::Id.is_in(own.to_vec())),
        None => client::Entity::find(),
    };
    let rows = query
        .order_by_asc(client::Column::Name)
        .order_by_asc(client::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| ClientSummary {
            mine: visible.is_none_or(|own| own.contains(&row.id)),
            id: row.id,
            name: row.name,
            pic: row.pic,
        })
        .collect())
}
