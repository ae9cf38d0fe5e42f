//! Who may do what, over HTTP against the real engines: every command × role × own/foreign
//! animal, reads of another farmer's animal, 401 without a session, user administration,
//! and events signed with the sender's own key.
use crate::support;

use domain::Role;
use serde_json::{json, Value};
use std::time::Duration;
use support::post;

/// A valid body of `kind` for animal `cattle_id` owned by `client_id`; `n` keeps new
/// registrations unique.
fn body(kind: &str, cattle_id: i64, client_id: i64, n: u32) -> Value {
    let data = match kind {
        "CREATE_CATTLE" => {
            json!({"nlisId": support::nlis(1000 + n), "breed": "Angus", "sex": "MALE", "clientId": client_id})
        }
        "TRANSFER_OWNERSHIP" => json!({"cattleId": cattle_id, "toClientId": 2}),
        "RECORD_HEALTH" => json!({"cattleId": cattle_id, "kind": "VACCINATION", "notes": "7-in-1"}),
        "RECORD_LOCATION" => json!({"cattleId": cattle_id, "latitude": -27.5, "longitude": 153.0}),
        "ADD_VERIFICATION" => {
            json!({"cattleId": cattle_id, "kind": "PHOTO", "reference": format!("photo-{n}")})
        }
        "CHANGE_STATUS" => {
            json!({"cattleId": cattle_id, "status": "MISSING", "reason": "not at muster"})
        }
        "REGISTER_CLIENT" => json!({"name": format!("Station {n}"), "pic": format!("QAUT{n:04}")}),
        "RECORD_VALUATION" => {
            json!({"cattleId": cattle_id, "amountCents": 150_000 + i64::from(n), "method": "MARKET"})
        }
        "RESOLVE_FRAUD_ALERT" => {
            json!({"cattleId": cattle_id, "alertId": "no-such-alert", "resolution": "DISMISSED", "notes": "checked"})
        }
        "ACCEPT_TRANSFER" | "DECLINE_TRANSFER" => json!({"cattleId": cattle_id}),
        "ASSIGN_MOB" => json!({"cattleId": cattle_id, "mob": format!("Mob {n}")}),
        other => panic!("unknown command {other}"),
    };
    json!({"type": kind, "data": data})
}

/// The exact status `role` gets for `kind` on a fresh animal that is (`own`) or is not its
/// own: 403 when the role or the animal forbids it; else 202 when published, or 409 when the
/// animal's state refuses it (no alert is open, no transfer is offered).
fn expected(role: Role, kind: &str, own: bool) -> u16 {
    let allowed = match role {
        Role::Admin => false,
        Role::Assessor => matches!(
            kind,
            "RECORD_VALUATION"
                | "RESOLVE_FRAUD_ALERT"
                | "ADD_VERIFICATION"
                | "ACCEPT_TRANSFER"
                | "DECLINE_TRANSFER"
        ),
        Role::Farmer => match kind {
            // Nothing is offered to the farmer's clients here.
            "RECORD_VALUATION" | "RESOLVE_FRAUD_ALERT" | "ACCEPT_TRANSFER" => false,
            "REGISTER_CLIENT" => true,
            _ => own,
        },
    };
    match kind {
        _ if !allowed => 403,
        "RESOLVE_FRAUD_ALERT" | "ACCEPT_TRANSFER" | "DECLINE_TRANSFER" => 409,
        _ => 202,
    }
}

async fn create_animal(http: &reqwest::Client, base: &str, n: u32, client_id: i64) -> i64 {
    let (status, answer) = post(
        http,
        &format!("{base}/api/commands?wait=applied&timeout_ms=20000"),
        &body("CREATE_CATTLE", 0, client_id, n),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    answer["cattle_id"].as_i64().expect("a cattle id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_role_and_animal_is_authorised_on_the_server() {
    let settings = support::settings("authz").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let url = format!("{base}/api/commands");
    let (farmer, _) = support::farmer_with_clients(&server, &[1, 2]).await;
    let (other_farmer, _) = support::farmer_with_clients(&server, &[5]).await;
    let assessor = support::api_client(&support::signed_in(&server, Role::Assessor).await);
    let admin = support::api_client(&support::signed_in(&server, Role::Admin).await);

    let mut n = 0;
    for (role, http) in [
        (Role::Farmer, &farmer),
        (Role::Assessor, &assessor),
        (Role::Admin, &admin),
    ] {
        for kind in domain::CommandType::ALL.iter().map(|c| c.as_str()) {
            for own in [true, false] {
                n += 1;
                // Fresh animals each time, so an allowed command never meets a finished one.
                let own_animal = create_animal(&farmer, &base, 2 * n, 1).await;
                let foreign_animal = create_animal(&other_farmer, &base, 2 * n + 1, 5).await;
                let (animal, client) = if own {
                    (own_animal, 1)
                } else {
                    (foreign_animal, 5)
                };
                let (status, answer) = post(http, &url, &body(kind, animal, client, 500 + n)).await;
                let case = format!(
                    "{role} {kind} on {} animal: {status} {answer}",
                    if own { "own" } else { "foreign" }
                );
                assert_eq!(status, expected(role, kind, own), "{case}");
                if status == 403 {
                    assert!(answer["error"].is_string(), "{case}");
                }
            }
        }
    }

    // Reads: a farmer cannot see another farmer's animal; an assessor sees every herd.
    let foreign = create_animal(&other_farmer, &base, 9_000, 5).await;
    for path in [
        format!("/api/cattle/{foreign}"),
        format!("/api/cattle/{foreign}/from-log"),
    ] {
        let status = farmer
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("answers")
            .status();
        assert_eq!(status, 403, "farmer reading {path}");
        let status = assessor
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("answers")
            .status();
        assert_eq!(status, 200, "assessor reading {path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_a_live_session_get_401() {
    let settings = support::settings("noauth").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let anonymous = reqwest::Client::new();
    let stale =
        support::api_client("0000000000000000000000000000000000000000000000000000000000000000");
    for http in [&anonymous, &stale] {
        let (status, _) = post(
            http,
            &format!("{base}/api/commands"),
            &body("REGISTER_CLIENT", 0, 0, 1),
        )
        .await;
        assert_eq!(status, 401);
        for path in [
            "/api/cattle/1",
            "/api/cattle/1/from-log",
            "/api/events/evt_x/status",
            "/api/session",
            "/api/users",
            "/ws",
        ] {
            let status = http
                .get(format!("{base}{path}"))
                .send()
                .await
                .expect("answers")
                .status();
            assert_eq!(status, 401, "{path}");
        }
    }
    // Public: anyone can fetch the keys and the API description.
    for path in ["/api/keys", "/api/openapi.json"] {
        let status = anonymous
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("answers")
            .status();
        assert_eq!(status, 200, "{path}");
    }
    // And the engines' health, which is 503 for as long as a probe of the broker finds the
    // log unwritable (one probe timing out on a loaded machine is enough): public either way.
    let health = anonymous
        .get(format!("{base}/health"))
        .send()
        .await
        .expect("answers");
    let status = health.status().as_u16();
    let body: serde_json::Value = health.json().await.expect("a JSON answer");
    assert!([200, 503].contains(&status), "/health {status}: {body}");
    assert!(body["engines"].is_array(), "/health {status}: {body}");
    assert_eq!(
        body["log_writable"] == true,
        status == 200,
        "/health {status}: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_create_users_who_sign_in_and_sign_their_own_events() {
    let mut settings = support::settings("users").await;
    settings.admin_password = Some("first admin password".into());
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let anonymous = reqwest::Client::new();

    // A form body is refused for its type; a body that is not the expected JSON is named,
    // for signing in and for new users.
    let response = anonymous
        .post(format!("{base}/api/session"))
        .body("username=admin")
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 403);
    let refused: Value = response.json().await.expect("JSON");
    assert_eq!(refused["field"], "content-type", "{refused}");
    let response = anonymous
        .post(format!("{base}/api/session"))
        .header("content-type", "application/json")
        .body("username=admin")
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 400);
    let refused: Value = response.json().await.expect("JSON");
    assert_eq!(refused["errors"][0]["field"], "body", "{refused}");

    // The first administrator exists from the start; a wrong password is refused.
    let (status, wrong) = post(
        &anonymous,
        &format!("{base}/api/session"),
        &json!({"username": "admin", "password": "nope"}),
    )
    .await;
    assert_eq!(status, 401, "{wrong}");
    assert_eq!(wrong["errors"][0]["field"], "password");
    let response = anonymous
        .post(format!("{base}/api/session"))
        .json(&json!({"username": "admin", "password": "first admin password"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("text")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let session: Value = response.json().await.expect("JSON");
    let admin = support::api_client(session["token"].as_str().expect("a token"));

    // Administrators create users; field errors and taken names are reported.
    let (status, missing) = post(
        &admin,
        &format!("{base}/api/users"),
        &json!({"username": "jo"}),
    )
    .await;
    assert_eq!(status, 400, "{missing}");
    assert_eq!(missing["errors"][0]["field"], "body", "{missing}");
    assert!(
        missing["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("password")),
        "{missing}"
    );
    let (status, bad) = post(
        &admin,
        &format!("{base}/api/users"),
        &json!({"username": "X", "password": "short", "role": "OWNER"}),
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["username", "password", "role"]);
    let jo = json!({"username": "jo.farmer", "password": "jo's long password", "role": "FARMER"});
    let (status, created) = post(&admin, &format!("{base}/api/users"), &jo).await;
    assert_eq!(status, 201, "{created}");
    let (status, _) = post(&admin, &format!("{base}/api/users"), &jo).await;
    assert_eq!(status, 409);

    // Jo signs in, may not administer, and signs events with Jo's own key.
    let (status, jo_session) = post(
        &anonymous,
        &format!("{base}/api/session"),
        &json!({"username": "jo.farmer", "password": "jo's long password"}),
    )
    .await;
    assert_eq!(status, 200);
    let token = jo_session["token"].as_str().expect("a token").to_string();
    let jo_http = support::api_client(&token);
    let (status, _) = post(
        &jo_http,
        &format!("{base}/api/users"),
        &json!({"username": "sneaky", "password": "a long password", "role": "ADMIN"}),
    )
    .await;
    assert_eq!(status, 403);
    let jo_key = created["public_key"]
        .as_str()
        .expect("a public key")
        .to_string();
    support::register_client(&server, &jo_http, 31).await;

    let log = server::kafka::log_reader::read_topic(
        &server.brokers,
        &server.topics.cattle_events(),
        Duration::from_secs(20),
    )
    .expect("the log is readable");
    let envelope = domain::EventEnvelope::from_json_str(log.lines().next().expect("one event"))
        .expect("an envelope");
    // Events name Jo by Jo's opaque user id, not by the name Jo signs in with.
    let jo_id = created["user_id"].as_str().expect("a user id").to_string();
    assert!(jo_id.starts_with('u') && !jo_id.contains("jo"), "{jo_id}");
    assert_eq!(
        envelope.metadata.created_by.as_deref(),
        Some(jo_id.as_str())
    );
    assert_eq!(envelope.cryptography.public_key, jo_key);

    // The published keys name Jo's, and they verify the whole log.
    let keys = anonymous
        .get(format!("{base}/api/keys"))
        .send()
        .await
        .expect("answers")
        .text()
        .await
        .expect("text");
    let published: Vec<Value> = serde_json::from_str(&keys).expect("JSON keys");
    assert!(
        published.iter().any(|k| k["public_key"] == jo_key.as_str()
            && k["owner"] == jo_id.as_str()
            && k["signs_for"] == "OWNER"),
        "{keys}"
    );
    assert!(
        !keys.contains("jo.farmer") && !keys.contains("\"admin\""),
        "no username is published: {keys}"
    );
    let report =
        domain::verify_json_lines(&log, &domain::KeyRegistry::from_json(&keys).expect("keys"));
    assert!(report.is_ok(), "{report}");

    // Signing out ends the session.
    let status = jo_http
        .delete(format!("{base}/api/session"))
        .send()
        .await
        .expect("answers")
        .status();
    assert_eq!(status, 204);
    let status = jo_http
        .get(format!("{base}/api/session"))
        .send()
        .await
        .expect("answers")
        .status();
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_signed_by_a_user_key_for_someone_else_is_rejected() {
    let settings = support::settings("impostor").await;
    let server = support::start(&settings).await;
    let token = support::signed_in(&server, Role::Farmer).await;
    let actor = support::actor_of(&server, &token).await;
    // A real user's key, but the event claims to be from someone else.
    let forged = support::created_envelope_by(&actor.key, 77, Some("somebody-else"));
    let publisher = server::kafka::publisher::EventPublisher::new(
        server::kafka::publisher::idempotent_producer(&server.brokers).expect("a producer"),
        server.topics.cattle_events(),
    );
    publisher
        .publish(&forged)
        .await
        .expect("the broker acknowledges");
    let status: Value = support::eventually(Duration::from_secs(20), "the verdict", || {
        let db = server.db.clone();
        let id = forged.metadata.event_id.clone();
        async move {
            let status = server::golden::event_status::event_status(&db, &id)
                .await
                .ok()?;
            (status.status != app::model::EventVerdict::Pending)
                .then(|| serde_json::to_value(status).expect("JSON"))
        }
    })
    .await;
    assert_eq!(status["status"], "REJECTED", "{status}");

    // A verifier outside the server, with the published keys, refuses it for the same reason.
    let published = serde_json::to_string(&server.office.public_keys()).expect("JSON");
    let keys = domain::KeyRegistry::from_json(&published).expect("the published keys");
    let report = domain::verify_chain(std::slice::from_ref(&forged), &keys);
    let verdict = report.verdicts().next().expect("one verdict");
    assert_eq!(
        verdict.outcome.as_ref().map_err(|f| f.code()),
        Err("NOT_THE_AUTHOR"),
        "{report}"
    );
    assert_eq!(status["code"], "UNKNOWN_KEY", "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_of_another_farmers_client_registration_is_forbidden() {
    let settings = support::settings("status_scope").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (ann, _) = support::farmer_with_clients(&server, &[]).await;
    let (bob, _) = support::farmer_with_clients(&server, &[]).await;
    let assessor = support::api_client(&support::signed_in(&server, Role::Assessor).await);
    let (status, ack) = post(
        &ann,
        &format!("{base}/api/commands?wait=applied&timeout_ms=20000"),
        &json!({"type": "REGISTER_CLIENT",
            "data": {"clientId": 31, "name": "Ann's Station", "pic": support::pic_of(31)}}),
    )
    .await;
    assert_eq!(status, 200, "{ack}");
    let url = format!(
        "{base}/api/events/{}/status",
        ack["event_id"].as_str().expect("an event id")
    );
    let status_for = |http: reqwest::Client| {
        let url = url.clone();
        async move {
            let response = http.get(url).send().await.expect("answers");
            let code = response.status().as_u16();
            (code, response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (code, own) = status_for(ann.clone()).await;
    assert_eq!(
        (code, own["status"].as_str()),
        (200, Some("APPLIED")),
        "{own}"
    );
    let (code, seen) = status_for(assessor).await;
    assert_eq!(code, 200, "{seen}");
    // The client stream is no animal; it is still Ann's, and Bob learns nothing of it.
    let (code, refused) = status_for(bob).await;
    assert_eq!(code, 403, "{refused}");
    assert!(refused.get("status").is_none(), "{refused}");
    support::clean_up(&settings).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_user_is_signed_out_everywhere_at_once_and_cannot_sign_in() {
    use futures::StreamExt;
    let mut settings = support::settings("disable").await;
    settings.admin_password = Some("first admin password".into());
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let anonymous = reqwest::Client::new();
    let sign_in = |username: &'static str, password: &'static str| {
        let (anonymous, base) = (anonymous.clone(), base.clone());
        async move {
            post(
                &anonymous,
                &format!("{base}/api/session"),
                &json!({"username": username, "password": password}),
            )
            .await
        }
    };
    let (status, admin) = sign_in("admin", "first admin password").await;
    assert_eq!(status, 200, "{admin}");
    let admin = support::api_client(admin["token"].as_str().expect("a token"));
    let (status, _) = post(
        &admin,
        &format!("{base}/api/users"),
        &json!({"username": "sam.farmer", "password": "a long password", "role": "FARMER"}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, sam) = sign_in("sam.farmer", "a long password").await;
    assert_eq!(status, 200, "{sam}");
    let sam_token = sam["token"].as_str().expect("a token").to_string();
    let sam = support::api_client(&sam_token);
    let mut sam_live = support::live_socket(server.addr, &sam_token).await;

    // Only administrators disable, and never themselves.
    let disable = |http: reqwest::Client, username: &'static str, disabled: bool| {
        let base = base.clone();
        async move {
            post(
                &http,
                &format!("{base}/api/users/{username}/disabled"),
                &json!({ "disabled": disabled }),
            )
            .await
            .0
        }
    };
    let (status, refused) = post(
        &admin,
        &format!("{base}/api/users/sam.farmer/disabled"),
        &json!({"disabled": "yes"}),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "body", "{refused}");
    assert_eq!(disable(sam.clone(), "sam.farmer", true).await, 403);
    assert_eq!(disable(admin.clone(), "admin", true).await, 409);
    assert_eq!(disable(admin.clone(), "nobody.here", true).await, 422);

    assert_eq!(disable(admin.clone(), "sam.farmer", true).await, 204);
    let whoami = sam
        .get(format!("{base}/api/session"))
        .send()
        .await
        .expect("answers");
    assert_eq!(whoami.status(), 401);
    let closed = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match sam_live.next().await {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_)))
                | None
                | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the live socket stayed open");
    let (status, refused) = sign_in("sam.farmer", "a long password").await;
    assert_eq!(status, 403, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .is_some_and(|e| e.contains("disabled")),
        "{refused}"
    );

    assert_eq!(disable(admin.clone(), "sam.farmer", false).await, 204);
    let (status, _) = sign_in("sam.farmer", "a long password").await;
    assert_eq!(status, 200);
    support::clean_up(&settings).await;
}
