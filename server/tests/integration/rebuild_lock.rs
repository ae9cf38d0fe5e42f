//! One rebuild of a view at a time across every instance sharing the database: while another
//! instance holds a view's rebuild lock, a rebuild here ends at once, naming why, makes no
//! copy and leaves the live view alone; another view's lock is its own; once the lock is
//! let go, the rebuild runs to its swap.
use crate::support;

use support::rebuilds::{followed_to_the_end, rebuild_call, schema_exists};

use app::model::ViewName;
use domain::Role;
use reqwest::Method;
use serde_json::json;
use server::rebuild::rebuild_lock::{LockRefused, RebuildLock};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_held_by_another_instance_is_not_rebuilt_here_until_let_go() {
    let settings = support::settings("rebuild_lock").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let admin = support::api_client(&support::signed_in(&server, Role::Admin).await);
    let (farmer, _) = support::farmer_with_clients(&server, &[57]).await;
    support::applied_command(
        &server,
        &farmer,
        json!({"type": "CREATE_CATTLE",
        "data": {"nlisId": support::nlis(5701), "breed": "Angus", "sex": "MALE", "clientId": 57}}),
    )
    .await;

    // Another instance: its own connections to the same database.
    let elsewhere_db = support::connect(&settings).await;
    let elsewhere = RebuildLock::take(&elsewhere_db, ViewName::GoldenRecord)
        .await
        .expect("the lock is free");
    assert!(matches!(
        RebuildLock::take(&server.db, ViewName::GoldenRecord).await,
        Err(LockRefused::HeldElsewhere(ViewName::GoldenRecord))
    ));
    RebuildLock::take(&server.db, ViewName::FraudView)
        .await
        .expect("another view's lock is its own")
        .release()
        .await;
    let live_before = support::views::sql_dump(&server.db, support::views::GOLDEN_TABLES).await;

    let started = rebuild_call(&admin, &base, Method::POST, "golden_record").await;
    assert_eq!(started.status(), 202);
    let (run, _) = followed_to_the_end(&admin, &base, "golden_record").await;
    assert_eq!(run["state"], "FAILED", "{run}");
    let said = run["error"].as_str().unwrap_or_default();
    assert!(
        said.contains("another instance") && said.contains("golden_record"),
        "{run}"
    );
    assert!(!schema_exists(&server.db, "rebuild_golden_record").await);
    assert!(
        live_before == support::views::sql_dump(&server.db, support::views::GOLDEN_TABLES).await,
        "the live view is untouched"
    );

    elsewhere.release().await;
    let started = rebuild_call(&admin, &base, Method::POST, "golden_record").await;
    assert_eq!(started.status(), 202);
    let (run, _) = followed_to_the_end(&admin, &base, "golden_record").await;
    assert_eq!(run["state"], "FINISHED", "{run}");
    // The lock went with the rebuild: the other instance may take it now.
    RebuildLock::take(&elsewhere_db, ViewName::GoldenRecord)
        .await
        .expect("let go after the rebuild")
        .release()
        .await;
    elsewhere_db.close().await.expect("closed");
    server.stop().await;
}
