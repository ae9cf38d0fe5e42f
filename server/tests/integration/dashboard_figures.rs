//! The dashboard's figures, aggregated by each engine the golden record runs on (PostgreSQL
//! and the embedded SQLite): the same herd gives the same head counts, value and value trend,
//! and a farmer's figures leave out the animals of other farmers' clients.
use crate::support;

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use server::entity::{cattle, valuation};
use server::golden::dashboard_queries::dashboard;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("a time")
}

fn animal(id: i64, client_id: i64, breed: &str, value: i64) -> cattle::ActiveModel {
    cattle::ActiveModel {
        id: Set(id),
        nlis_id: Set(format!("NLIS{id:012}")),
        breed: Set(breed.into()),
        sex: Set("FEMALE".into()),
        client_id: Set(client_id),
        current_valuation: Set(Some(value)),
        status: Set("ACTIVE".into()),
        confidence_score: Set(50),
        risk_level: Set("LOW".into()),
        created_at: Set(at(1, 8)),
        updated_at: Set(at(3, 9)),
        sequence: Set(1),
        chain_head: Set(serde_json::json!({})),
        state: Set(serde_json::json!({})),
        offered_to_client: Set(None),
        mob: Set(None),
        withholding_until: Set(None),
    }
}

fn valued(
    n: u32,
    cattle_id: i64,
    amount_cents: i64,
    when: DateTime<Utc>,
) -> valuation::ActiveModel {
    valuation::ActiveModel {
        event_id: Set(format!("evt_{n}")),
        cattle_id: Set(cattle_id),
        amount_cents: Set(amount_cents),
        method: Set("MARKET".into()),
        valued_at: Set(when),
        created_by: Set(None),
    }
}

/// Clients 1 and 2; animals 1 and 2 are client 1's, animal 3 client 2's. Animal 1 is valued
/// twice on the first day and again on the third.
async fn herd(db: &DatabaseConnection) {
    cattle::Entity::insert_many([
        animal(1, 1, "Angus", 120),
        animal(2, 1, "Wagyu", 200),
        animal(3, 2, "Angus", 1000),
    ])
    .exec(db)
    .await
    .expect("the herd");
    valuation::Entity::insert_many([
        valued(1, 1, 100, at(1, 10)),
        valued(2, 1, 150, at(1, 12)),
        valued(3, 3, 1000, at(1, 13)),
        valued(4, 2, 200, at(2, 9)),
        valued(5, 1, 120, at(3, 9)),
    ])
    .exec(db)
    .await
    .expect("the valuations");
}

async fn figures_agree(db: &DatabaseConnection, engine: &str) {
    herd(db).await;
    let farmer = dashboard(db, Some(&[1])).await.expect("a farmer's figures");
    assert_eq!(farmer.head_count, 2, "{engine}");
    assert_eq!(farmer.herd_value_cents, 320, "{engine}");
    let trend: Vec<(String, i64)> = farmer
        .value_trend
        .iter()
        .map(|p| (p.day.clone(), p.total_cents))
        .collect();
    assert_eq!(
        trend,
        [
            ("2026-11-01".to_string(), 150),
            ("2026-11-02".to_string(), 350),
            ("2026-11-03".to_string(), 320)
        ],
        "{engine}"
    );
    let everyone = dashboard(db, None).await.expect("everyone's figures");
    assert_eq!(everyone.head_count, 3, "{engine}");
    assert_eq!(everyone.herd_value_cents, 1320, "{engine}");
    let totals: Vec<i64> = everyone.value_trend.iter().map(|p| p.total_cents).collect();
    assert_eq!(totals, [1150, 1350, 1320], "{engine}");
    let breeds: Vec<(String, u64)> = everyone
        .by_breed
        .iter()
        .map(|t| (t.label.clone(), t.count))
        .collect();
    assert_eq!(
        breeds,
        [("Angus".to_string(), 2), ("Wagyu".to_string(), 1)],
        "{engine}"
    );
    let nobody = dashboard(db, Some(&[])).await.expect("no herd");
    assert_eq!(
        (nobody.head_count, nobody.value_trend.len()),
        (0, 0),
        "{engine}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_and_sqlite_give_the_same_dashboard() {
    let url = support::fresh_database("dashboard").await;
    let dir = std::env::temp_dir().join(support::unique("dashboard"));
    let postgres = server::database::open(&url, &dir)
        .await
        .expect("PostgreSQL");
    figures_agree(&postgres, "PostgreSQL").await;
    drop(postgres);

    let file = dir.join("icattle.db");
    let sqlite_url = format!("sqlite://{}?mode=rwc", file.display());
    let sqlite = server::database::open(&sqlite_url, &dir)
        .await
        .expect("SQLite");
    figures_agree(&sqlite, "SQLite").await;
    drop(sqlite);
    let _ = std::fs::remove_dir_all(&dir);
    support::drop_database(&url).await;
}
