//! The dashboard's figures, aggregated by the database over the herd the user may see: head
//! counts by status, breed and risk, the herd's value and its value over time, and the
//! latest events. No query loads more rows than the figures it answers.
use crate::entity::{cattle, cattle_event};
use app::model::{Dashboard, FeedItem, Tally, ValuePoint};
use chrono::SecondsFormat;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
};
use std::collections::{BTreeMap, HashMap};

/// Events the live feed shows.
pub const FEED_LENGTH: u64 = 12;
/// Days the value trend covers at most.
pub const TREND_POINTS: usize = 30;

/// The SQL condition on `cattle c` for the visible herd. The client ids are integers the
/// server read itself, written out rather than bound so one text serves both engines.
fn visible_herd(visible: Option<&[i64]>) -> String {
    match visible {
        None => "1 = 1".into(),
        Some([]) => "1 = 0".into(),
        Some(clients) => {
            let ids: Vec<String> = clients.iter().map(i64::to_string).collect();
            format!("c.client_id IN ({})", ids.join(", "))
        }
    }
}

/// Head counts and value, grouped by status, breed and risk in one statement.
struct HerdFigures {
    head_count: u64,
    value_cents: i64,
    by_status: BTreeMap<String, u64>,
    by_breed: BTreeMap<String, u64>,
    by_risk: BTreeMap<String, u64>,
}

async fn herd_figures(db: &DatabaseConnection, herd: &str) -> Result<HerdFigures, DbErr> {
    let sql = format!(
        "SELECT c.status AS status, c.breed AS breed, c.risk_level AS risk, \
         COUNT(*) AS head, CAST(COALESCE(SUM(c.current_valuation), 0) AS BIGINT) AS value \
         FROM cattle c WHERE {herd} GROUP BY c.status, c.breed, c.risk_level"
    );
    let rows = db
        .query_all(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let mut figures = HerdFigures {
        head_count: 0,
        value_cents: 0,
        by_status: BTreeMap::new(),
        by_breed: BTreeMap::new(),
        by_risk: BTreeMap::new(),
    };
    for row in rows {
        let head = u64::try_from(row.try_get::<i64>("", "head")?).unwrap_or(0);
        figures.head_count += head;
        figures.value_cents += row.try_get::<i64>("", "value")?;
        *figures
            .by_status
            .entry(row.try_get("", "status")?)
            .or_default() += head;
        *figures
            .by_breed
            .entry(row.try_get("", "breed")?)
            .or_default() += head;
        *figures.by_risk.entry(row.try_get("", "risk")?).or_default() += head;
    }
    Ok(figures)
}

/// The sum of each visible animal's latest valuation as of the end of each day with a
/// valuation, for the last `TREND_POINTS` such days, oldest first.
async fn value_trend(db: &DatabaseConnection, herd: &str) -> Result<Vec<ValuePoint>, DbErr> {
    let backend = db.get_database_backend();
    let day = match backend {
        DatabaseBackend::Postgres => "to_char(v.valued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        _ => "strftime('%Y-%m-%d', v.valued_at)",
    };
    // Each animal's last valuation of each day, what it adds to the day before, the days'
    // sums, then their running total.
    let sql = format!(
        "WITH daily AS ( \
           SELECT v.cattle_id, {day} AS day, v.amount_cents, ROW_NUMBER() OVER ( \
             PARTITION BY v.cattle_id, {day} ORDER BY v.valued_at DESC, v.event_id DESC) AS nth \
           FROM valuations v JOIN cattle c ON c.id = v.cattle_id WHERE {herd}), \
         changes AS ( \
           SELECT day, amount_cents - COALESCE(LAG(amount_cents) OVER ( \
             PARTITION BY cattle_id ORDER BY day), 0) AS delta \
           FROM daily WHERE nth = 1), \
         per_day AS (SELECT day, SUM(delta) AS delta FROM changes GROUP BY day) \
         SELECT day, CAST(SUM(delta) OVER (ORDER BY day) AS BIGINT) AS total \
         FROM per_day ORDER BY day DESC LIMIT {TREND_POINTS}"
    );
    let rows = db.query_all(Statement::from_string(backend, sql)).await?;
    let mut trend = rows
        .into_iter()
        .map(|row| {
            Ok(ValuePoint {
                day: row.try_get("", "day")?,
                total_cents: row.try_get("", "total")?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    trend.reverse();
    Ok(trend)
}

/// The latest events of the visible herd, newest first, with their animals' NLIS ids.
async fn feed(db: &DatabaseConnection, visible: Option<&[i64]>) -> Result<Vec<FeedItem>, DbErr> {
    let mut query = cattle_event::Entity::find()
        .filter(cattle_event::Column::EventType.ne("CLIENT_REGISTERED"))
        .order_by_desc(cattle_event::Column::RecordedAt)
        .order_by_desc(cattle_event::Column::Sequence)
        .limit(FEED_LENGTH);
    if let Some(clients) = visible {
        let herd = cattle::Entity::find()
            .select_only()
            .column(cattle::Column::Id)
            .filter(cattle::Column::ClientId.is_in(clients.to_vec()))
            .into_query();
        query = query.filter(cattle_event::Column::CattleId.in_subquery(herd));
    }
    let events = query.all(db).await?;
    let nlis: HashMap<i64, String> = cattle::Entity::find()
        .select_only()
        .column(cattle::Column::Id)
        .column(cattle::Column::NlisId)
        .filter(cattle::Column::Id.is_in(events.iter().map(|e| e.cattle_id)))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(events
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
        .collect())
}

/// The dashboard's figures for the visible herd.
pub async fn dashboard(
    db: &DatabaseConnection,
    visible: Option<&[i64]>,
) -> Result<Dashboard, DbErr> {
    let herd = visible_herd(visible);
    let figures = herd_figures(db, &herd).await?;
    Ok(Dashboard {
        head_count: figures.head_count,
        by_status: Tally::ranked(figures.by_status),
        by_breed: Tally::ranked(figures.by_breed),
        by_risk: Tally::ranked(figures.by_risk),
        herd_value_cents: figures.value_cents,
        value_trend: value_trend(db, &herd).await?,
        feed: feed(db, visible).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_herd_condition_names_only_integers() {
        assert_eq!(visible_herd(None), "1 = 1");
        assert_eq!(visible_herd(Some(&[])), "1 = 0");
        assert_eq!(visible_herd(Some(&[3, -1])), "c.client_id IN (3, -1)");
    }
}
