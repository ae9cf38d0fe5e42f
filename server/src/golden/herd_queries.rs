//! Reads of the herd for the web app: a filtered, sorted page, and the dashboard's figures.
//! `visible` is `None` for users who see every herd, or the client ids a farmer manages.
use super::row_codec::to_record;
use crate::entity::{cattle, cattle_event, client, valuation};
use app::model::{
    ClientSummary, Dashboard, FeedItem, HerdPage, HerdQuery, Tally, ValuePoint, HERD_PAGE_SIZE,
};
use chrono::SecondsFormat;
use sea_orm::sea_query::NullOrdering;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Events the live feed shows.
pub const FEED_LENGTH: u64 = 12;
/// Days the value trend covers at most.
pub const TREND_POINTS: usize = 30;

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

/// One page of the visible herd.
pub async fn herd_page(
    db: &DatabaseConnection,
    visible: Option<&[i64]>,
    query: &HerdQuery,
) -> Result<HerdPage, DbErr> {
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
    let (column, order) = sort_of(&query.sort);
    let page = query.page.max(1);
    let paginator = visible_cattle(visible)
        .filter(filter)
        // Unvalued animals go last whichever way values are sorted.
        .order_by_with_nulls(column, order, NullOrdering::Last)
        .order_by_asc(cattle::Column::Id)
        .paginate(db, u64::from(HERD_PAGE_SIZE));
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
    let owners = clients(db, visible).await?;
    Ok(HerdPage {
        rows: rows.into_iter().map(to_record).collect(),
        total,
        page,
        page_size: HERD_PAGE_SIZE,
        breeds,
        owners: owners.into_iter().filter(|c| c.mine).collect(),
    })
}

/// Every client; `mine` marks those in `visible` (all of them for users who see all herds).
pub async fn clients(
    db: &DatabaseConnection,
    visible: Option<&[i64]>,
) -> Result<Vec<ClientSummary>, DbErr> {
    let rows = client::Entity::find()
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

fn tallies(values: impl Iterator<Item = String>) -> Vec<Tally> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    let mut tallies: Vec<Tally> = counts
        .into_iter()
        .map(|(label, count)| Tally { label, count })
        .collect();
    tallies.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    tallies
}

/// The dashboard's figures for the visible herd.
pub async fn dashboard(
    db: &DatabaseConnection,
    visible: Option<&[i64]>,
) -> Result<Dashboard, DbErr> {
    let herd: Vec<(i64, String, String, String, Option<i64>, String)> = visible_cattle(visible)
        .select_only()
        .column(cattle::Column::Id)
        .column(cattle::Column::Status)
        .column(cattle::Column::Breed)
        .column(cattle::Column::RiskLevel)
        .column(cattle::Column::CurrentValuation)
        .column(cattle::Column::NlisId)
        .into_tuple()
        .all(db)
        .await?;
    let ids: HashSet<i64> = herd.iter().map(|row| row.0).collect();
    let nlis: HashMap<i64, String> = herd.iter().map(|row| (row.0, row.5.clone())).collect();
    let herd_value_cents = herd.iter().filter_map(|row| row.4).sum();

    let valuations = valuation::Entity::find()
        .order_by_asc(valuation::Column::ValuedAt)
        .all(db)
        .await?;
    let mut latest: HashMap<i64, i64> = HashMap::new();
    let mut by_day: BTreeMap<String, i64> = BTreeMap::new();
    // Running sum of each animal's latest valuation, as of each day's last valuation.
    let mut total = 0i64;
    for row in valuations
        .into_iter()
        .filter(|v| ids.contains(&v.cattle_id))
    {
        let before = latest.insert(row.cattle_id, row.amount_cents).unwrap_or(0);
        total += row.amount_cents - before;
        by_day.insert(row.valued_at.format("%Y-%m-%d").to_string(), total);
    }
    let mut value_trend: Vec<ValuePoint> = by_day
        .into_iter()
        .map(|(day, total_cents)| ValuePoint { day, total_cents })
        .collect();
    if value_trend.len() > TREND_POINTS {
        value_trend.drain(..value_trend.len() - TREND_POINTS);
    }

    let mut feed_query = cattle_event::Entity::find();
    if visible.is_some() {
        feed_query = feed_query.filter(cattle_event::Column::CattleId.is_in(ids.iter().copied()));
    }
    let feed = feed_query
        .filter(cattle_event::Column::EventType.ne("CLIENT_REGISTERED"))
        .order_by_desc(cattle_event::Column::RecordedAt)
        .order_by_desc(cattle_event::Column::Sequence)
        .limit(FEED_LENGTH)
        .all(db)
        .await?
        .into_iter()
        .map(|event| FeedItem {
            nlis_id: nlis.get(&event.cattle_id).cloned(),
            event_id: event.event_id,
            event_type: event.event_type,
            cattle_id: event.cattle_id,
            recorded_at: event
                .recorded_at
                .to_rfc3339_opts(SecondsFormat::Millis, true),
            created_by: event.created_by,
        })
        .collect();

    Ok(Dashboard {
        head_count: herd.len() as u64,
        by_status: tallies(herd.iter().map(|row| row.1.clone())),
        by_breed: tallies(herd.iter().map(|row| row.2.clone())),
        by_risk: tallies(herd.iter().map(|row| row.3.clone())),
        herd_value_cents,
        value_trend,
        feed,
    })
}
