//! `GET /api/cattle/{id}?as_of=`: an animal as it was after each of its events, or at the
//! time one was recorded, for whoever may see it; mistakes named.
use crate::support;

use domain::{CattleId, Role};
use serde_json::{json, Value};

const EVENTS: u64 = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_animal_as_of_each_of_fifty_events_is_what_it_was_then() {
    let settings = support::settings("time_travel").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (farmer, _) = support::farmer_with_clients(&server, &[81]).await;
    let (stranger, _) = support::farmer_with_clients(&server, &[82]).await;
    let assessor = support::api_client(&support::signed_in(&server, Role::Assessor).await);
    let nlis = support::nlis(8101);
    let id = CattleId::for_nlis(&nlis).0;
    support::applied_command(
        &server,
        &farmer,
        json!({"type": "CREATE_CATTLE", "data": {"nlisId": nlis, "breed": "Angus", "sex": "FEMALE", "clientId": 81}}),
    )
    .await;
    // Event k (from 2) values the animal at 100,000 + k cents.
    for k in 2..=EVENTS {
        support::applied_command(
            &server,
            &assessor,
            json!({"type": "RECORD_VALUATION", "data": {"cattleId": id, "amountCents": 100_000 + k, "method": "MARKET"}}),
        )
        .await;
    }

    let as_of = |raw: String| {
        let (farmer, base) = (&farmer, &base);
        async move {
            let response = farmer
                .get(format!("{base}/api/cattle/{id}"))
                .query(&[("as_of", raw.as_str())])
                .send()
                .await
                .expect("the API answers");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("JSON"))
        }
    };
    let (status, before) = as_of("0".into()).await;
    assert_eq!(status, 404, "{before}");
    let mut recorded = Vec::new();
    for k in 1..=EVENTS {
        let (status, past) = as_of(k.to_string()).await;
        assert_eq!(status, 200, "{past}");
        assert_eq!(past["sequence"], k);
        assert_eq!(past["state"]["sequence"], k);
        assert_eq!(past["later_events"], EVENTS - k);
        // Fifty events are far from a snapshot: every one is read.
        assert_eq!(past["from_snapshot"], serde_json::Value::Null);
        assert_eq!(past["events_read"], EVENTS);
        let value = (k >= 2).then(|| 100_000 + k);
        assert_eq!(
            past["state"]["current_valuation"],
            json!(value),
            "as of {k}"
        );
        recorded.push(past["recorded_at"].as_str().expect("a time").to_string());
    }
    let (_, latest) = as_of("9999".into()).await;
    assert_eq!(latest["sequence"], EVENTS);

    // The time an event was recorded shows the animal with it and every event recorded by
    // then (the same as its sequence, unless the next shares its millisecond).
    for k in [1, 2, 17, EVENTS] {
        let at = &recorded[k as usize - 1];
        let (status, past) = as_of(at.clone()).await;
        assert_eq!(status, 200, "{past}");
        let by_then = recorded.iter().filter(|r| *r <= at).count();
        assert_eq!(past["sequence"], by_then, "as of {at}");
    }
    let (status, _) = as_of("2000-01-01".into()).await;
    assert_eq!(status, 404, "before the animal existed");

    // Another farmer may not look back either; mistakes are named.
    let response = stranger
        .get(format!("{base}/api/cattle/{id}?as_of=3"))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(response.status(), 403);
    for (query, field) in [("as_of=yesterday", "as_of"), ("asof=3", "asof")] {
        let response = farmer
            .get(format!("{base}/api/cattle/{id}?{query}"))
            .send()
            .await
            .expect("the API answers");
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
}
