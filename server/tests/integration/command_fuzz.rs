//! 10,000 random bodies thrown at `POST /api/commands`: every one gets a 2xx or a 4xx with a
//! JSON answer, never a 500, and the server never panics.
use crate::support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};

const TYPES: &[&str] = &[
    "CREATE_CATTLE",
    "TRANSFER_OWNERSHIP",
    "RECORD_HEALTH",
    "RECORD_LOCATION",
    "ADD_VERIFICATION",
    "CHANGE_STATUS",
    "REGISTER_CLIENT",
    "RECORD_VALUATION",
    "RESOLVE_FRAUD_ALERT",
    "MILK_THE_COW",
    "",
];
const FIELDS: &[&str] = &[
    "nlisId",
    "breed",
    "sex",
    "clientId",
    "cattleId",
    "toClientId",
    "priceCents",
    "kind",
    "notes",
    "weightKg",
    "latitude",
    "longitude",
    "pic",
    "reference",
    "status",
    "reason",
    "name",
    "amountCents",
    "method",
    "alertId",
    "resolution",
    "birthDate",
];

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::from),
        "[A-Z0-9]{16}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn command_like() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(TYPES),
        prop::collection::vec((prop::sample::select(FIELDS), any_json()), 0..8),
    )
        .prop_map(|(kind, fields)| {
            let data: Map<String, Value> = fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            json!({"type": kind, "data": data})
        })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => command_like().prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        1 => any_json().prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ]
}

#[test]
fn no_body_makes_the_command_endpoint_fail_with_a_500() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let (settings, server, url, http) = runtime.block_on(async {
        let settings = support::settings("fuzz").await;
        let server = support::start(&settings).await;
        let url = format!("http://{}/api/commands", server.addr);
        let (http, _) = support::farmer_with_clients(&server, &[1]).await;
        (settings, server, url, http)
    });
    let mut runner = TestRunner::new(Config {
        cases: 10_000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&body(), |body| {
            let (status, answer) = runtime.block_on(async {
                let response = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("the server answers");
                let status = response.status().as_u16();
                (status, response.json::<Value>().await)
            });
            prop_assert!(
                status < 500,
                "status {status} for {:?}",
                String::from_utf8_lossy(&body)
            );
            let answer = answer.map_err(|e| TestCaseError::fail(format!("not JSON: {e}")))?;
            if status >= 400 {
                prop_assert!(
                    answer.get("errors").is_some() || answer.get("error").is_some(),
                    "{answer}"
                );
            }
            Ok(())
        })
        .expect("every body is answered without a 500");
    drop(server);
    drop(settings);
}
