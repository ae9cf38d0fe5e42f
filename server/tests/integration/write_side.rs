//! The write side through the real broker and PostgreSQL: races resolve to one winner,
//! repeated commands to one event, and the strong-consistency options answer truthfully.
use crate::support;

use serde_json::{json, Value};
use std::time::Duration;

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    /// A farmer managing clients 1 and 9 on `server`.
    async fn new(server: &server::instance::Instance) -> Self {
        let (http, _) = support::farmer_with_clients(server, &[1, 9]).await;
        Api {
            base: format!("http://{}", server.addr),
            http,
        }
    }

    /// An assessor on `server` (who sees every herd).
    async fn assessor(server: &server::instance::Instance) -> Self {
        let token = support::signed_in(server, domain::Role::Assessor).await;
        Api {
            base: format!("http://{}", server.addr),
            http: support::api_client(&token),
        }
    }

    /// The same user on another server of the same registry.
    fn at(&self, addr: std::net::SocketAddr) -> Self {
        Api {
            base: format!("http://{addr}"),
            http: self.http.clone(),
        }
    }

    async fn command(&self, query: &str, body: Value) -> (u16, Value) {
        self.send(query, body, None).await
    }

    /// The same, named by the client with an `Idempotency-Key`.
    async fn keyed(&self, key: &str, body: Value) -> (u16, Value) {
        self.send("", body, Some(key)).await
    }

    async fn send(&self, query: &str, body: Value, key: Option<&str>) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}/api/commands{query}", self.base))
            .json(&body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.expect("the API answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("the API answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

fn create(n: u32) -> Value {
    json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(n), "breed": "Angus", "sex": "FEMALE", "clientId": 1}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_races_on_one_animal_have_one_winner_each_and_an_intact_chain() {
    let settings = support::settings("races").await;
    let key =
        domain::SigningKeyPair::from_seed_hex(settings.signing_seed.as_deref().expect("a seed"))
            .expect("the server's key");
    let server = support::start(&settings).await;
    // The events are published straight to Kafka; an assessor reads their verdicts.
    let api = Api::assessor(&server).await;
    let publisher = server::kafka::publisher::EventPublisher::new(
        server::kafka::publisher::idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.cattle_events(),
    );
    let created = support::created_envelope(&key, 1);
    let id = created.metadata.cattle_id.0;
    publisher
        .publish(&created)
        .await
        .expect("the broker acknowledges");
    let mut history = vec![created];

    let mut losers = 0;
    for round in 0..100u32 {
        // Two writers who both read the same head.
        let contenders: Vec<domain::EventEnvelope> = (0..2)
            .map(|writer| {
                support::next_envelope(
                    &key,
                    &history,
                    json!({"type": "RECORD_HEALTH", "data": {"cattleId": id, "kind": "INSPECTION",
                           "notes": format!("round {round} writer {writer}")}}),
                )
            })
            .collect();
        let sends = contenders.iter().map(|e| publisher.publish(e));
        for sent in futures::future::join_all(sends).await {
            sent.expect("the broker acknowledges");
        }
        let mut winner = None;
        for contender in &contenders {
            let path = format!("/api/events/{}/status", contender.metadata.event_id);
            let status: Value =
                support::eventually(Duration::from_secs(20), "a verdict", || async {
                    let (_, status) = api.get(&path).await;
                    (status["status"] != "PENDING").then_some(status)
                })
                .await;
            if status["status"] == "APPLIED" {
                assert!(winner.is_none(), "round {round} has two winners");
                winner = Some(contender.clone());
            } else {
                assert_eq!(status["status"], "REJECTED", "{status}");
                assert!(
                    matches!(
                        status["code"].as_str(),
                        Some("SEQUENCE_GAP") | Some("CHAIN_LINK")
                    ),
                    "{status}"
                );
                losers += 1;
            }
        }
        history.push(winner.expect("one winner per round"));
    }
    assert_eq!(losers, 100);
    let (status, report) = api.get(&format!("/api/cattle/{id}/from-log")).await;
    assert_eq!(status, 200);
    assert_eq!(report["events"], 101);
    assert_eq!(report["golden_record"]["sequence"], 101);
    assert_eq!(report["verified"], true, "{}", report["verification"]);
    assert_eq!(report["differences"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_command_twice_gives_one_event_and_names_the_original() {
    let settings = support::settings("twice").await;
    let server = support::start(&settings).await;
    let api = Api::new(&server).await;

    let (status, first) = api.command("?wait=applied", create(2)).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["status"], "APPLIED");
    assert_eq!(first["record"]["nlis_id"], support::nlis(2));
    let id = first["cattle_id"].as_i64().expect("an id");
    let (status, again) = api.command("", create(2)).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["status"], "DUPLICATE");
    assert_eq!(again["event_id"], first["event_id"]);

    // A request the client named with an Idempotency-Key is one fact however often it is
    // sent: before the golden record applied it, and after.
    let health = json!({"type": "RECORD_HEALTH", "data": {"cattleId": id, "kind": "VACCINATION", "notes": "7-in-1"}});
    let (status, recorded) = api.keyed("vet-visit-17", health.clone()).await;
    assert_eq!(status, 202, "{recorded}");
    let (status, repeated) = api.keyed("vet-visit-17", health.clone()).await;
    assert_eq!(status, 200, "{repeated}");
    assert_eq!(repeated["status"], "DUPLICATE");
    assert_eq!(repeated["event_id"], recorded["event_id"]);
    let status: Value =
        support::eventually(Duration::from_secs(20), "the health record", || async {
            let (_, status) = api
                .get(&format!(
                    "/api/events/{}/status",
                    recorded["event_id"].as_str()?
                ))
                .await;
            (status["status"] == "APPLIED").then_some(status)
        })
        .await;
    assert_eq!(status["sequence"], 2);
    // A new instance has no memory of it: the golden record answers.
    drop(server);
    let server = support::start(&settings).await;
    let api = api.at(server.addr);
    let (status, late) = api.keyed("vet-visit-17", health.clone()).await;
    assert_eq!(status, 200, "{late}");
    assert_eq!(late["event_id"], recorded["event_id"]);
    assert_eq!(
        support::count(&server.db, &format!("cattle_events WHERE cattle_id = {id}")).await,
        2
    );

    // Without a key, the same record sent again is a second visit; a key that is not visible
    // ASCII is refused, naming the header.
    let (status, second) = api.command("", health.clone()).await;
    assert_eq!(status, 202, "{second}");
    assert_eq!(second["sequence"], 3);
    let (status, refused) = api.keyed("two words", health).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "Idempotency-Key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_whose_sender_went_away_is_carried_through_and_its_retry_names_it() {
    let settings = support::settings("sender_gone").await;
    let server = support::start(&settings).await;
    let (http, token) = support::farmer_with_clients(&server, &[1]).await;
    let actor = support::actor_of(&server, &token).await;
    let key = domain::RequestKey::parse("lost-connection-1").expect("a key");

    // The request's future is dropped at its first wait, as a closed connection drops it:
    // the command has read nothing yet, let alone claimed its fact or published.
    let mut sending = Box::pin(
        server
            .office
            .commands
            .handle(&actor, create(41), Some(&key)),
    );
    assert!(
        futures::poll!(sending.as_mut()).is_pending(),
        "a command waits on the database and the broker"
    );
    drop(sending);

    let event_id = support::eventually(
        Duration::from_secs(20),
        "the command carried through to the golden record",
        || async {
            let tagged = format!(
                "SELECT e.event_id AS v FROM cattle_events e JOIN cattle c ON c.id = e.cattle_id \
                 WHERE c.nlis_id = '{}'",
                support::nlis(41)
            );
            support::strings(&server.db, &tagged).await.pop()
        },
    )
    .await;
    // The sender tries again with the same key: the same event, not a 503, not a second one.
    let api = Api {
        base: format!("http://{}", server.addr),
        http,
    };
    let (status, retried) = api.keyed("lost-connection-1", create(41)).await;
    assert_eq!(status, 200, "{retried}");
    assert_eq!(retried["status"], "DUPLICATE");
    assert_eq!(retried["event_id"], event_id.as_str());
    assert_eq!(
        support::count(
            &server.db,
            "cattle_events WHERE event_type = 'CATTLE_CREATED'"
        )
        .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_times_out_with_the_event_id_and_nothing_is_lost() {
    let mut settings = support::settings("waitlate").await;
    // The farmer's clients are registered (and applied) first; then the views stop.
    let server = support::start(&settings).await;
    let farmer = Api::new(&server).await;
    drop(server);
    settings.run_views = false;
    let server = support::start(&settings).await;
    let api = farmer.at(server.addr);
    let (status, late) = api.command("?wait=applied&timeout_ms=200", create(3)).await;
    assert_eq!(status, 504, "{late}");
    assert_eq!(late["status"], "PUBLISHED");
    let event_id = late["event_id"].as_str().expect("the event id").to_string();
    // The animal is this instance's own unapplied event: it can be updated at once, and the
    // same update sent again before the golden record applied it is the same fact.
    let health = json!({"type": "RECORD_HEALTH",
        "data": {"cattleId": late["cattle_id"], "kind": "VACCINATION", "notes": "7-in-1"}});
    let (status, recorded) = api.command("", health.clone()).await;
    assert_eq!(status, 202, "{recorded}");
    let (status, clicked_twice) = api.command("", health).await;
    assert_eq!(status, 200, "{clicked_twice}");
    assert_eq!(clicked_twice["status"], "DUPLICATE");
    assert_eq!(clicked_twice["event_id"], recorded["event_id"]);
    drop(server);

    // A server that runs the views applies the event that was waited for in vain.
    let mut settings = settings.clone();
    settings.run_views = true;
    let server = support::start(&settings).await;
    let api = farmer.at(server.addr);
    let status: Value = support::eventually(Duration::from_secs(20), "the late event", || async {
        let (_, status) = api.get(&format!("/api/events/{event_id}/status")).await;
        (status["status"] == "APPLIED").then_some(status)
    })
    .await;
    assert_eq!(status["sequence"], 1);

    let (status, body) = api.command("?wait=soon", create(4)).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "wait");
    let (status, body) = api
        .command("?wait=applied&timeout_ms=forever", create(4))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "timeout_ms");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_log_agrees_with_the_golden_record_and_reports_a_row_altered_behind_its_back() {
    let settings = support::settings("fromlog").await;
    let server = support::start(&settings).await;
    let api = Api::new(&server).await;
    let (_, created) = api.command("?wait=applied", create(5)).await;
    let id = created["cattle_id"].as_i64().expect("an id");
    let transfer = json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": id, "toClientId": 9}});
    let (status, moved) = api.command("?wait=applied", transfer).await;
    assert_eq!(status, 200, "{moved}");

    let (status, report) = api.get(&format!("/api/cattle/{id}/from-log")).await;
    assert_eq!(status, 200);
    assert_eq!(report["events"], 2);
    assert_eq!(report["verified"], true);
    assert_eq!(report["from_log"]["client_id"], 9);
    assert_eq!(report["differences"], json!([]));

    use sea_orm::ConnectionTrait;
    server
        .db
        .execute_unprepared(&format!(
            "UPDATE cattle SET breed = 'Wagyu' WHERE id = {id}"
        ))
        .await
        .expect("altered");
    let (_, report) = api.get(&format!("/api/cattle/{id}/from-log")).await;
    assert_eq!(report["differences"], json!(["breed"]));
    assert_eq!(report["from_log"]["breed"], "Angus");
    assert_eq!(report["golden_record"]["breed"], "Wagyu");

    let (status, _) = api.get("/api/cattle/77/from-log").await;
    assert_eq!(status, 404);
    let (status, _) = api.get("/api/cattle/cow/from-log").await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_id_or_pic_already_registered_is_refused_beside_its_field() {
    let settings = support::settings("clientid").await;
    let server = support::start(&settings).await;
    let api = Api::new(&server).await;
    let register = |pic: &str| json!({"type": "REGISTER_CLIENT", "data": {"clientId": 8, "name": "Gum Flat", "pic": pic}});
    let (status, first) = api.command("?wait=applied", register("QGUM0008")).await;
    assert_eq!(status, 200, "{first}");

    let (status, again) = api.command("", register("QGUM0008")).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["status"], "DUPLICATE");
    assert_eq!(again["event_id"], first["event_id"]);

    let other = json!({"type": "REGISTER_CLIENT", "data": {"clientId": 9, "name": "Other", "pic": "QGUM0008"}});
    let (status, refused) = api.command("", other).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["field"], "pic");

    let (status, refused) = api.command("", register("NSWB0008")).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "CLIENT_ID_TAKEN");
    assert_eq!(refused["field"], "clientId");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_to_a_client_nobody_registered_is_refused_and_publishes_nothing() {
    let settings = support::settings("unknown_client").await;
    let server = support::start(&settings).await;
    let api = Api::new(&server).await;
    let (_, created) = api.command("?wait=applied", create(6)).await;
    let id = created["cattle_id"].as_i64().expect("an id");
    let transfer =
        json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": id, "toClientId": 777}});
    let (status, refused) = api.command("", transfer).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "UNKNOWN_CLIENT", "{refused}");
    assert_eq!(refused["field"], "toClientId", "{refused}");

    // The animal is where it was: the next event is still its second.
    let moved = json!({"type": "TRANSFER_OWNERSHIP", "data": {"cattleId": id, "toClientId": 9}});
    let (status, ack) = api.command("?wait=applied", moved).await;
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ack["sequence"], 2, "{ack}");
    support::clean_up(&settings).await;
}
