//! Rebuilding the fraud view blue/green on the real engines. An operator finds the fraud
//! view damaged (alerts gone, risk scores wrong) and rebuilds it, and the golden record with
//! it, while a reader watches the alerts: the reader never sees fewer alerts than before, the
//! rebuilt fraud view holds what the view held before the damage (its own run over the same
//! log, from offset 0), and the rows of the views that were not rebuilt (the fraud
//! detector's heads) are untouched. Then the detector's own fold is damaged and rebuilt: it
//! comes back as it was, and replaying the log raises no alert a second time.
use crate::support;

use reqwest::Method;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use server::instance::Instance;
use server::kafka::publisher::{idempotent_producer, EventPublisher};
use server::kafka::topics::end_offsets;
use server::log_catch_up::behind;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::herd_history::herd_history;
use support::rebuilds::{followed_to_the_end, rebuild_call, schema_exists};
use support::views::FRAUD_TABLES;

/// The rows of `view_heads` that `projection` keeps, as JSON text in key order.
async fn heads_of(db: &DatabaseConnection, projection: &str) -> Vec<String> {
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        format!(
            "SELECT row_to_json(t)::text AS j FROM view_heads t \
             WHERE projection = '{projection}' ORDER BY aggregate_id"
        ),
    ))
    .await
    .expect("the heads")
    .iter()
    .map(|row| row.try_get::<String>("", "j").expect("text"))
    .collect()
}

/// Waits until the log stops growing (the detector raises alerts into it) and every view
/// named has applied all of it.
async fn settled(server: &Instance, views: &[&str]) {
    let topic = server.topics.cattle_events();
    support::eventually(
        Duration::from_secs(180),
        "the views to apply the whole log",
        || async {
            let ends = end_offsets(&server.brokers, &topic).ok()?;
            for view in views {
                if behind(&server.db, view, &topic, &ends).await.ok()? > 0 {
                    return None;
                }
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            (end_offsets(&server.brokers, &topic).ok()? == ends).then_some(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_fraud_view_is_rebuilt_beside_the_live_one_and_equals_the_undamaged_view() {
    let mut settings = support::settings("fraud_rebuild").await;
    settings.0.fraud_detector = true;
    let server_key =
        domain::SigningKeyPair::from_seed_hex(settings.signing_seed.as_deref().expect("a seed"))
            .expect("the key");
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let admin = support::api_client(&support::signed_in(&server, domain::Role::Admin).await);
    let (messages, mix) = herd_history(&server_key, &support::test_key(), 300, 12, 4242);
    assert!(mix.fraud_alerts > 0 && mix.resolved > 0, "{mix:?}");
    let publisher = EventPublisher::new(
        idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.cattle_events(),
    );
    for chunk in messages.chunks(500) {
        let sends = chunk
            .iter()
            .map(|message| publisher.publish_raw(&message.key, &message.body));
        for sent in futures::future::join_all(sends).await {
            sent.expect("the broker acknowledges");
        }
    }
    let views = ["golden_record", "fraud_view", "fraud_detector"];
    settled(&server, &views).await;
    let clean = support::views::sql_dump(&server.db, FRAUD_TABLES).await;
    let clean_heads = heads_of(&server.db, "fraud_view").await;
    let detector_heads = heads_of(&server.db, "fraud_detector").await;
    let golden = support::views::sql_dump(&server.db, support::views::GOLDEN_TABLES).await;
    assert!(
        clean["fraud_alerts"].len() >= mix.fraud_alerts && !clean["suspicions"].is_empty(),
        "the live fraud view holds the log's alerts: {} rows",
        clean["fraud_alerts"].len()
    );
    assert!(!detector_heads.is_empty(), "the detector keeps heads too");

    // The damage: half the alerts lost, every risk score reset, the flags gone.
    server
        .db
        .execute_unprepared(
            "DELETE FROM fraud_alerts WHERE id IN \
               (SELECT id FROM fraud_alerts ORDER BY id LIMIT (SELECT COUNT(*) / 2 FROM fraud_alerts)); \
             UPDATE risk_scores SET confidence_score = 0, risk_level = 'LOW'; \
             DELETE FROM suspicions",
        )
        .await
        .expect("the damage");
    let damaged_alerts = support::count(&server.db, "fraud_alerts").await;
    assert!(damaged_alerts < clean["fraud_alerts"].len() as i64);

    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (stop, db) = (stop.clone(), server.db.clone());
        tokio::spawn(async move {
            let (mut seen, mut polls) = (damaged_alerts, 0u32);
            while !stop.load(Ordering::SeqCst) {
                let alerts = support::count(&db, "fraud_alerts").await;
                assert!(alerts >= seen, "the alerts went from {seen} to {alerts}");
                assert_eq!(
                    support::count(&db, "risk_scores").await,
                    300,
                    "every animal keeps a risk score"
                );
                (seen, polls) = (alerts, polls + 1);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            (seen, polls)
        })
    };
    // Rebuilds are one per view: the golden record's runs beside the fraud view's.
    for view in ["fraud_view", "golden_record"] {
        let started = rebuild_call(&admin, &base, Method::POST, view).await;
        assert_eq!(started.status(), 202, "{view}");
    }
    for view in ["fraud_view", "golden_record"] {
        let (run, highest) = followed_to_the_end(&admin, &base, view).await;
        assert_eq!(run["state"], "FINISHED", "{view}: {run}");
        assert_eq!(highest, 100, "{view}: {run}");
        assert!(
            !schema_exists(&server.db, &format!("rebuild_{view}")).await,
            "the copy of {view} is dropped"
        );
    }
    stop.store(true, Ordering::SeqCst);
    let (seen, polls) = reader
        .await
        .expect("the reader never saw alerts vanish or a risk score missing");
    assert!(polls > 5, "the reader polled during the rebuild: {polls}");
    assert_eq!(
        seen,
        clean["fraud_alerts"].len() as i64,
        "the reader saw the rebuilt alerts"
    );

    settled(&server, &views).await;
    let rebuilt = support::views::sql_dump(&server.db, FRAUD_TABLES).await;
    for table in FRAUD_TABLES {
        assert!(
            rebuilt[*table] == clean[*table],
            "{table} equals the undamaged view"
        );
    }
    assert!(heads_of(&server.db, "fraud_view").await == clean_heads);
    assert!(
        heads_of(&server.db, "fraud_detector").await == detector_heads,
        "the detector's heads in the same table are untouched"
    );
    assert!(
        support::views::sql_dump(&server.db, support::views::GOLDEN_TABLES).await == golden,
        "the rebuilt golden record holds what the live one did"
    );
    detector_rebuilt(&server, &admin, &base, &detector_heads).await;
    server.stop().await;
}

/// Damages the fraud detector's own fold (half its heads, its refused records) and rebuilds
/// it: both come back as they were, and the copy, replaying the whole log through the live
/// command handler, raises no finding that is in the log already.
async fn detector_rebuilt(
    server: &Instance,
    admin: &reqwest::Client,
    base: &str,
    undamaged_heads: &[String],
) {
    let topic = server.topics.cattle_events();
    let refused = support::views::sql_dump(&server.db, &["refused_records"]).await;
    let ends = end_offsets(&server.brokers, &topic).expect("the log's end");
    server
        .db
        .execute_unprepared(
            "DELETE FROM view_heads WHERE projection = 'fraud_detector' AND aggregate_id % 2 = 0; \
             DELETE FROM refused_records",
        )
        .await
        .expect("the damage");
    assert!(heads_of(&server.db, "fraud_detector").await.len() < undamaged_heads.len());

    let started = rebuild_call(admin, base, Method::POST, "fraud_detector").await;
    assert_eq!(started.status(), 202);
    let (run, highest) = followed_to_the_end(admin, base, "fraud_detector").await;
    assert_eq!(run["state"], "FINISHED", "{run}");
    assert_eq!(highest, 100, "{run}");
    assert!(
        !schema_exists(&server.db, "rebuild_fraud_detector").await,
        "the detector's copy is dropped"
    );
    settled(server, &["golden_record", "fraud_view", "fraud_detector"]).await;
    assert_eq!(
        end_offsets(&server.brokers, &topic).expect("the log's end"),
        ends,
        "the rebuild raised no finding again"
    );
    assert!(
        heads_of(&server.db, "fraud_detector").await == undamaged_heads,
        "the detector's heads are back"
    );
    assert!(
        support::views::sql_dump(&server.db, &["refused_records"]).await == refused,
        "the refused records are back"
    );
}
