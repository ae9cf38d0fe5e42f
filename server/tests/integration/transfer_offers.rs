//! Moving an animal to another farmer's client, over HTTP against the real engines: the
//! farmer names that client by a PIC they know, the transfer waits for the receiving
//! farmer, who alone (or an assessor) accepts it; either side may end it unanswered. Client
//! lists show a farmer only their own clients.
use crate::support;

use app::model::{ClientReference, CommandFailure};
use app::registry::LivestockRegistry;
use futures::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;

/// Sends `body` as `http`'s user and waits for the golden record: (status, answer).
async fn command(http: &reqwest::Client, base: &str, body: Value) -> (u16, Value) {
    let response = http
        .post(format!("{base}/api/commands?wait=applied&timeout_ms=20000"))
        .json(&body)
        .send()
        .await
        .expect("the API answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The status of reading the animal as `http`'s user, and its owner when it may be read.
async fn owner_as_seen_by(http: &reqwest::Client, base: &str, id: i64) -> (u16, Option<i64>) {
    let response = http
        .get(format!("{base}/api/cattle/{id}"))
        .send()
        .await
        .expect("the API answers");
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["client_id"].as_i64())
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The golden record's update of `event_id`, as `socket` receives it.
async fn golden_update(socket: &mut Socket, event_id: &str) -> Value {
    tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(message)) = socket.next().await {
            let update: Value =
                serde_json::from_str(message.to_text().unwrap_or("")).unwrap_or(Value::Null);
            if update["event_id"] == event_id && update["view"] == "golden_record" {
                return update;
            }
        }
        panic!("the socket closed before the update of {event_id}");
    })
    .await
    .expect("the update arrives in time")
}

fn offer(id: i64, to: i64) -> Value {
    json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": id, "toClientId": to, "priceCents": 185_000}})
}

fn answer(kind: &str, id: i64) -> Value {
    json!({"type": kind, "data": {"cattleId": id}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_to_another_farmers_client_waits_for_that_farmer() {
    let settings = support::settings("transfer_offers").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (seller, seller_token) = support::farmer_with_clients(&server, &[31, 32]).await;
    let (buyer, buyer_token) = support::farmer_with_clients(&server, &[41]).await;
    let (stranger, _) = support::farmer_with_clients(&server, &[51]).await;
    let (seller_user, buyer_user) = (
        support::user_of(&server, &seller_token).await,
        support::user_of(&server, &buyer_token).await,
    );
    let office = &server.office;

    // A farmer's client list holds their clients only.
    let listed: Vec<i64> = office
        .clients(&seller_user)
        .await
        .expect("clients")
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(listed, vec![31, 32]);

    // Another farmer's client is found by its PIC, and by nothing more than id and PIC.
    let found = office
        .client_by_pic(
            &seller_user,
            &format!(" {} ", support::pic_of(41).to_lowercase()),
        )
        .await
        .expect("a lookup");
    assert_eq!(
        found,
        Some(ClientReference {
            id: 41,
            pic: support::pic_of(41)
        })
    );
    let unknown = office
        .client_by_pic(&seller_user, &support::pic_of(99))
        .await;
    assert_eq!(unknown, Ok(None));
    match office.client_by_pic(&seller_user, "QABC").await {
        Err(CommandFailure::Invalid { errors }) => assert_eq!(errors[0].field, "pic"),
        other => panic!("a malformed PIC is refused by field, got {other:?}"),
    }

    let (status, created) = command(
        &seller,
        &base,
        json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(3100), "breed": "Angus", "sex": "FEMALE", "clientId": 31}}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["cattle_id"].as_i64().expect("an id");

    // Between the seller's own clients the animal moves at once.
    let (status, moved) = command(&seller, &base, offer(id, 32)).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["record"]["client_id"], 32);

    // To the buyer's client it is offered: nothing moves, the buyer hears of it.
    let mut buyer_socket = support::live_socket(server.addr, &buyer_token).await;
    let (status, offered) = command(&seller, &base, offer(id, 41)).await;
    assert_eq!(status, 200, "{offered}");
    assert_eq!(offered["record"]["client_id"], 32, "an offer moves nothing");
    let offered_event = offered["event_id"]
        .as_str()
        .expect("an event id")
        .to_string();
    let heard = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(message)) = buyer_socket.next().await {
            let update: Value =
                serde_json::from_str(message.to_text().unwrap_or("")).unwrap_or(Value::Null);
            if update["event_id"] == offered_event.as_str() && update["view"] == "golden_record" {
                return update;
            }
        }
        panic!("the buyer's socket closed");
    })
    .await
    .expect("the buyer hears of the offer");
    assert_eq!(heard["event_type"], "TRANSFER_OFFERED");
    assert_eq!(owner_as_seen_by(&buyer, &base, id).await.0, 403);

    let incoming = office.transfer_offers(&buyer_user).await.expect("offers");
    assert_eq!(incoming.outgoing, vec![]);
    let [waiting] = incoming.incoming.as_slice() else {
        panic!("one offer waits for the buyer: {incoming:?}");
    };
    assert_eq!(
        (
            waiting.cattle_id,
            waiting.to_client.id,
            waiting.from_client.pic.as_str(),
            waiting.price_cents
        ),
        (id, 41, support::pic_of(32).as_str(), Some(185_000))
    );
    let outgoing = office.transfer_offers(&seller_user).await.expect("offers");
    assert_eq!(outgoing.outgoing.len(), 1);
    assert_eq!(outgoing.incoming, vec![]);

    // Only the buyer (or an assessor) accepts; the offer is not ownership; one offer at a time.
    let (status, refused) = command(&stranger, &base, answer("ACCEPT_TRANSFER", id)).await;
    assert_eq!(status, 403, "{refused}");
    let (status, refused) = command(&seller, &base, answer("ACCEPT_TRANSFER", id)).await;
    assert_eq!(status, 403, "{refused}");
    let health = json!({"type": "RECORD_HEALTH", "data": {"cattleId": id, "kind": "VACCINATION", "notes": "7-in-1"}});
    let (status, refused) = command(&buyer, &base, health).await;
    assert_eq!(status, 403, "{refused}");
    let (status, refused) = command(&seller, &base, offer(id, 51)).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "TRANSFER_PENDING");

    // The buyer declines: the animal stays, nothing waits.
    let (status, declined) = command(&buyer, &base, answer("DECLINE_TRANSFER", id)).await;
    assert_eq!(status, 200, "{declined}");
    assert_eq!(declined["record"]["client_id"], 32);
    let none = office.transfer_offers(&buyer_user).await.expect("offers");
    assert!(
        none.incoming.is_empty() && none.outgoing.is_empty(),
        "{none:?}"
    );
    let (status, refused) = command(&buyer, &base, answer("ACCEPT_TRANSFER", id)).await;
    assert_eq!(status, 403, "{refused}");

    // Offered again and accepted: the animal is the buyer's now, and no longer the seller's.
    let (status, _) = command(&seller, &base, offer(id, 41)).await;
    assert_eq!(status, 200);
    let mut seller_socket = support::live_socket(server.addr, &seller_token).await;
    let (status, accepted) = command(&buyer, &base, answer("ACCEPT_TRANSFER", id)).await;
    assert_eq!(status, 200, "{accepted}");
    // The seller hears the animal leave, though by then it is no longer theirs.
    let accepted_event = accepted["event_id"].as_str().expect("an event id");
    let heard = golden_update(&mut seller_socket, accepted_event).await;
    assert_eq!(heard["event_type"], "OWNERSHIP_TRANSFER");
    // The API reads the cache first, which follows the log a moment behind the golden record.
    support::eventually(
        Duration::from_secs(20),
        "the buyer reads their animal",
        || async { (owner_as_seen_by(&buyer, &base, id).await == (200, Some(41))).then_some(()) },
    )
    .await;
    assert_eq!(owner_as_seen_by(&seller, &base, id).await.0, 403);
    let history = server
        .office
        .animal(&buyer_user, id)
        .await
        .expect("the page")
        .expect("the animal");
    let envelopes: Vec<Value> = history
        .envelopes
        .iter()
        .map(|e| serde_json::from_str(e).expect("an envelope"))
        .collect();
    let types: Vec<&str> = envelopes
        .iter()
        .map(|e| e["metadata"]["event_type"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        types,
        [
            "CATTLE_CREATED",
            "OWNERSHIP_TRANSFER",
            "TRANSFER_OFFERED",
            "TRANSFER_DECLINED",
            "TRANSFER_OFFERED",
            "OWNERSHIP_TRANSFER"
        ]
    );
    assert_eq!(
        envelopes[5]["metadata"]["created_by"],
        buyer_user.user_id.as_str(),
        "the buyer signed the acceptance"
    );

    support::clean_up(&settings).await;
}
