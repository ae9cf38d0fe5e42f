//! Driving a blue/green rebuild over the API as an administrator, and looking for its copy.
use super::{eventually, json_answer};
use reqwest::Method;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};
use std::time::Duration;

/// Starts (`POST`) or cancels (`DELETE`) the rebuild of `view` as `http`'s user.
pub async fn rebuild_call(
    http: &reqwest::Client,
    base: &str,
    method: Method,
    view: &str,
) -> reqwest::Response {
    http.request(method, format!("{base}/api/views/{view}/rebuild"))
        .json(&json!({}))
        .send()
        .await
        .expect("the API answers")
}

/// The JSON a rebuild call answers, e.g. a refusal's `code`.
pub async fn rebuild_answer(
    http: &reqwest::Client,
    base: &str,
    method: Method,
    view: &str,
) -> Value {
    rebuild_call(http, base, method, view)
        .await
        .json()
        .await
        .expect("a JSON answer")
}

/// Follows the rebuild of `view` until it ends; answers its last state and the highest
/// percentage seen.
pub async fn followed_to_the_end(admin: &reqwest::Client, base: &str, view: &str) -> (Value, u64) {
    let highest = std::cell::Cell::new(0u64);
    let run = eventually(Duration::from_secs(120), "the rebuild to end", || async {
        let run = json_answer(admin.get(format!("{base}/api/views/{view}/rebuild"))).await;
        let (done, total) = (run["done"].as_u64()?, run["total"].as_u64()?);
        if let Some(percent) = (done.min(total) * 100).checked_div(total) {
            highest.set(highest.get().max(percent));
        }
        (!["RUNNING", "SWAPPING"].contains(&run["state"].as_str()?)).then_some(run)
    })
    .await;
    (run, highest.get())
}

/// Whether the PostgreSQL schema `schema` (a rebuild's copy) exists.
pub async fn schema_exists(db: &DatabaseConnection, schema: &str) -> bool {
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name = '{schema}'"),
        ))
        .await
        .expect("a query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count") > 0
}
