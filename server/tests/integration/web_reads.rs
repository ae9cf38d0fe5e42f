//! What the web app's pages read, through the registry office on the real engines: herd
//! pages with paging, sorting and filters, the dashboard's figures, the animal page's
//! envelopes, each limited to what the signed-in user may see.
use crate::support;

use app::model::{CommandFailure, HerdQuery, HERD_PAGE_SIZE};
use app::registry::LivestockRegistry;
use domain::Role;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn herd_pages_dashboards_and_animal_pages_show_only_what_the_user_may_see() {
    let settings = support::settings("webreads").await;
    let server = support::start(&settings).await;
    let office = &server.office;
    let base = format!(
        "http://{}/api/commands?wait=applied&timeout_ms=20000",
        server.addr
    );
    let (farmer, farmer_token) = support::farmer_with_clients(&server, &[11, 12]).await;
    let (neighbour, neighbour_token) = support::farmer_with_clients(&server, &[21]).await;
    let assessor_token = support::signed_in(&server, Role::Assessor).await;
    let (me, them, assessor) = (
        support::user_of(&server, &farmer_token).await,
        support::user_of(&server, &neighbour_token).await,
        support::user_of(&server, &assessor_token).await,
    );

    // 30 animals of the farmer (two breeds, two clients) and 3 of the neighbour.
    let mut mine = Vec::new();
    for n in 0..30u32 {
        let breed = if n % 3 == 0 { "Wagyu" } else { "Angus" };
        let client = if n % 2 == 0 { 11 } else { 12 };
        let answer: serde_json::Value = farmer
            .post(&base)
            .json(&json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(n), "breed": breed, "sex": "FEMALE", "clientId": client}}))
            .send().await.expect("answers").json().await.expect("JSON");
        mine.push(answer["cattle_id"].as_i64().expect("an id"));
    }
    for n in 100..103u32 {
        let status = neighbour
            .post(&base)
            .json(&json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(n), "breed": "Brahman", "sex": "MALE", "clientId": 21}}))
            .send().await.expect("answers").status();
        assert_eq!(status, 200);
    }
    let assessor_http = support::api_client(&support::signed_in(&server, Role::Assessor).await);
    let status = assessor_http
        .post(&base)
        .json(&json!({"type": "RECORD_VALUATION", "data": {"cattleId": mine[0], "amountCents": 250_000, "method": "MARKET"}}))
        .send().await.expect("answers").status();
    assert_eq!(status, 200);

    // Paging and sorting.
    let first = office
        .herd(
            &me,
            HerdQuery {
                page: 1,
                sort: "nlis".into(),
                ..HerdQuery::default()
            },
        )
        .await
        .expect("a page");
    assert_eq!(first.total, 30);
    assert_eq!(first.rows.len(), HERD_PAGE_SIZE as usize);
    assert_eq!(first.rows[0].nlis_id, support::nlis(0));
    let second = office
        .herd(
            &me,
            HerdQuery {
                page: 2,
                sort: "nlis".into(),
                ..HerdQuery::default()
            },
        )
        .await
        .expect("a page");
    assert_eq!(second.rows.len(), 30 - HERD_PAGE_SIZE as usize);
    let reversed = office
        .herd(
            &me,
            HerdQuery {
                page: 1,
                sort: "-nlis".into(),
                ..HerdQuery::default()
            },
        )
        .await
        .expect("a page");
    assert_eq!(reversed.rows[0].nlis_id, support::nlis(29));
    let by_value = office
        .herd(
            &me,
            HerdQuery {
                page: 1,
                sort: "value".into(),
                ..HerdQuery::default()
            },
        )
        .await
        .expect("a page");
    assert_eq!(
        by_value.rows[0].id, mine[0],
        "the valued animal comes first"
    );

    // Filters.
    let wagyu = office
        .herd(
            &me,
            HerdQuery {
                page: 1,
                breed: Some("Wagyu".into()),
                ..HerdQuery::default()
            },
        )
        .await
        .expect("a page");
    assert_eq!(wagyu.total, 10);
    assert!(wagyu.rows.iter().all(|r| r.breed == "Wagyu"));
    let owned = office
        .herd(
            &me,
            HerdQuery {
                page: 1,
                owner: Some(12),
                ..HerdQuery::default()
            },
        )
        .await
        .expect("a page");
    assert_eq!(owned.total, 15);
    let sold = office
        .herd(
            &me,
            HerdQuery {
                page: 1,
                status: Some("SOLD".into()),
                ..HerdQuery::default()
            },
        )
        .await
        .expect("a page");
    assert_eq!(sold.total, 0);
    assert_eq!(first.breeds, ["Angus", "Wagyu"]);

    // Visibility: the neighbour and the assessor.
    let theirs = office
        .herd(
            &them,
            HerdQuery {
                page: 1,
                ..HerdQuery::default()
            },
        )
        .await
        .expect("a page");
    assert_eq!(theirs.total, 3);
    let everyone = office
        .herd(
            &assessor,
            HerdQuery {
                page: 1,
                ..HerdQuery::default()
            },
        )
        .await
        .expect("a page");
    assert_eq!(everyone.total, 33);

    // Dashboards count what each may see.
    let dashboard = office.dashboard(&me).await.expect("figures");
    assert_eq!(dashboard.head_count, 30);
    assert_eq!(dashboard.herd_value_cents, 250_000);
    assert_eq!(
        dashboard.value_trend.last().map(|p| p.total_cents),
        Some(250_000)
    );
    let breeds: Vec<(String, u64)> = dashboard
        .by_breed
        .iter()
        .map(|t| (t.label.clone(), t.count))
        .collect();
    assert_eq!(
        breeds,
        [("Angus".to_string(), 20), ("Wagyu".to_string(), 10)]
    );
    assert!(dashboard
        .feed
        .iter()
        .all(|item| mine.contains(&item.cattle_id)));
    assert_eq!(
        office.dashboard(&them).await.expect("figures").head_count,
        3
    );
    assert_eq!(
        office
            .dashboard(&assessor)
            .await
            .expect("figures")
            .head_count,
        33
    );

    // The animal page: envelopes in log order for its owner and assessors, refused to others.
    let page = office
        .animal(&me, mine[0])
        .await
        .expect("a page")
        .expect("known");
    assert_eq!(page.envelopes.len(), 2);
    assert_eq!(page.valuations.len(), 1);
    assert!(page.owner.as_ref().is_some_and(|o| o.mine));
    // As the browser checks them: with the keys the key stream makes under the root key.
    let stream = reqwest::get(format!("http://{}/api/keys/stream", server.addr))
        .await
        .expect("answers")
        .text()
        .await
        .expect("text");
    let root = support::root_key(&settings).public_key_hex();
    let keys = app::model::keys_of_stream(&stream, Some(&root));
    let verdicts = app::components::verdicts(&page.envelopes, keys);
    assert_eq!(verdicts, vec![app::components::Verdict::Verified; 2]);
    assert!(office
        .animal(&assessor, mine[0])
        .await
        .expect("a page")
        .is_some());
    assert!(matches!(
        office.animal(&them, mine[0]).await,
        Err(CommandFailure::Forbidden { .. })
    ));
    assert!(office
        .animal(&me, 424_242)
        .await
        .expect("an answer")
        .is_none());
}
