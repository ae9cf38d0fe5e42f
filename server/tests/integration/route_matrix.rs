//! Every route, every server function and the WebSocket, asked by each kind of caller
//! (signed out, a farmer, an assessor, an administrator) on the real engines, each with the
//! exact answer it must get: refusals and what is allowed alike. The commands themselves
//! are the matrix of `authorization.rs`.
use crate::support;

use app::server_fns::{
    AnimalDetails, ChangePassword, ClientForPic, ClientList, ConsumerGroups, CreateAccount,
    CurrentUser, FraudAlerts, HerdAsOf, HerdDashboard, ListHerd, LogVerification, OpenFraudAlerts,
    OperationsOverview, ResetAccountPassword, RotateAccountKey, SetAccountDisabled, SetAccountRole,
    SignIn, SignOut, SigningKeys, StartHerdAsOf, SubmitCommand, SubmitCommands, SwitchView,
    UserAccounts, WaitingOffers,
};
use domain::Role;
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};

/// Who asks, in the order of every expectation below.
const CALLERS: [&str; 4] = ["signed out", "farmer", "assessor", "admin"];

/// The callers' HTTP clients, the signed-out one first.
struct Callers {
    base: String,
    clients: [reqwest::Client; 4],
    tokens: [String; 4],
}

impl Callers {
    async fn send(
        &self,
        who: usize,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let http = &self.clients[who];
        let request = match method {
            "GET" => http.get(url),
            "POST" => http.post(url),
            "DELETE" => http.delete(url),
            other => panic!("no method {other}"),
        };
        let request = match body {
            Some(body) => request.json(body),
            None => request,
        };
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Asks `method path` as every caller and checks each status.
    async fn route(&self, method: &str, path: &str, body: Option<Value>, expected: [u16; 4]) {
        for (who, want) in expected.into_iter().enumerate() {
            self.route_as(who, method, path, body.as_ref(), want).await;
        }
    }

    /// Asks `method path` as one caller and checks the status.
    async fn route_as(
        &self,
        who: usize,
        method: &str,
        path: &str,
        body: Option<&Value>,
        want: u16,
    ) {
        let (status, answer) = self.send(who, method, path, body).await;
        let answer = answer.to_string();
        let shown: String = answer.chars().take(200).collect();
        assert_eq!(status, want, "{method} {path} as {}: {shown}", CALLERS[who]);
    }

    /// Calls server function `path` with `args` as every caller: the HTTP status is always
    /// 200, and the answer is `OK` or the failure's kind.
    async fn server_fn(&self, path: &str, args: Value, expected: [&str; 4]) {
        for (who, want) in expected.into_iter().enumerate() {
            let (status, answer) = self.send(who, "POST", path, Some(&args)).await;
            assert_eq!(status, 200, "{path} as {}: {answer}", CALLERS[who]);
            let outcome = match (&answer["Ok"], &answer["Err"]["kind"]) {
                (Value::Null, Value::String(kind)) => kind.clone(),
                (Value::Null, _) if answer.get("Ok").is_some() => "OK".to_string(),
                (Value::Null, _) => format!("unreadable: {answer}"),
                _ => "OK".to_string(),
            };
            assert_eq!(outcome, want, "{path} as {}: {answer}", CALLERS[who]);
        }
    }

    /// Opens the live socket as every caller: 101 to switch protocols, or the refusal's status.
    async fn socket(&self, expected: [u16; 4]) {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        for (who, want) in expected.into_iter().enumerate() {
            let mut request = format!("{}/ws", self.base.replace("http://", "ws://"))
                .into_client_request()
                .expect("a WebSocket request");
            if !self.tokens[who].is_empty() {
                let bearer = format!("Bearer {}", self.tokens[who]);
                request
                    .headers_mut()
                    .insert("authorization", bearer.parse().expect("a header"));
            }
            let status = match tokio_tungstenite::connect_async(request).await {
                Ok((_, response)) => response.status().as_u16(),
                Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                    response.status().as_u16()
                }
                Err(other) => panic!("the socket as {}: {other}", CALLERS[who]),
            };
            assert_eq!(status, want, "GET /ws as {}", CALLERS[who]);
        }
    }
}

/// Creates an animal of `client` as `http`'s user and waits for it: (cattle id, event id).
async fn animal(base: &str, http: &reqwest::Client, client: i64, n: u32) -> (i64, String) {
    let answer: Value = http
        .post(format!("{base}/api/commands?wait=applied&timeout_ms=20000"))
        .json(
            &json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(n),
            "breed": "Angus", "sex": "MALE", "clientId": client}}),
        )
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    (
        answer["cattle_id"].as_i64().expect("a cattle id"),
        answer["event_id"]
            .as_str()
            .expect("an event id")
            .to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_server_function_and_the_socket_answer_each_role_exactly() {
    let mut settings = support::settings("route_matrix").await;
    settings.admin_password = Some("first admin password".into());
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (farmer, farmer_token) = support::farmer_with_clients(&server, &[61]).await;
    let (neighbour, _) = support::farmer_with_clients(&server, &[71]).await;
    let assessor_token = support::signed_in(&server, Role::Assessor).await;
    let admin_token = support::signed_in(&server, Role::Admin).await;
    let (own, own_event) = animal(&base, &farmer, 61, 6100).await;
    let (foreign, foreign_event) = animal(&base, &neighbour, 71, 7100).await;
    let tokens = [String::new(), farmer_token, assessor_token, admin_token];
    let callers = Callers {
        base: base.clone(),
        clients: [
            reqwest::Client::new(),
            farmer.clone(),
            support::api_client(&tokens[2]),
            support::api_client(&tokens[3]),
        ],
        tokens: tokens.clone(),
    };

    // Open to anyone.
    callers.route("GET", "/health", None, [200; 4]).await;
    callers.route("GET", "/metrics", None, [200; 4]).await;
    callers
        .route("GET", "/api/openapi.json", None, [200; 4])
        .await;
    callers.route("GET", "/api/keys", None, [200; 4]).await;
    callers
        .route("GET", "/api/keys/stream", None, [200; 4])
        .await;
    // The heads are public like the keys (a mistake is a 400 to anyone).
    callers
        .route("GET", "/api/heads/consistency?from=x&to=1", None, [400; 4])
        .await;
    // Except the animal heads, which name every herd's animals (no head 999999: 404).
    callers
        .route(
            "GET",
            "/api/heads/999999?animals=true",
            None,
            [401, 403, 404, 404],
        )
        .await;
    // Signing in asks for no session, so one caller stands for all: a failed sign-in counts
    // towards the throttle of the address every caller here shares.
    let wrong = json!({"username": "admin", "password": "not the password"});
    callers
        .route_as(0, "POST", "/api/session", Some(&wrong), 401)
        .await;
    let right = json!({"username": "admin", "password": "first admin password"});
    callers
        .route_as(0, "POST", "/api/session", Some(&right), 200)
        .await;

    // Reads of the herd: a farmer their own, assessors and administrators every herd.
    for (path, farmer_sees) in [
        (format!("/api/cattle/{own}"), 200),
        (format!("/api/cattle/{foreign}"), 403),
        (format!("/api/cattle/{own}/from-log"), 200),
        (format!("/api/cattle/{foreign}/from-log"), 403),
        (format!("/api/events/{own_event}/status"), 200),
        (format!("/api/events/{foreign_event}/status"), 403),
        ("/api/cattle/not-a-number".to_string(), 400),
        ("/api/search?q=angus&sort=newest".to_string(), 200),
        ("/api/search?colour=red".to_string(), 400),
        ("/api/clients".to_string(), 200),
    ] {
        let everyone_else = if farmer_sees == 400 { 400 } else { 200 };
        let expected = [401, farmer_sees, everyone_else, everyone_else];
        callers.route("GET", &path, None, expected).await;
    }
    // An event's inclusion proof, for who may see the animal (no event 99: 404).
    for (animal, farmer_sees) in [(own, 404), (foreign, 403)] {
        let path = format!("/api/cattle/{animal}/proof?sequence=99");
        callers
            .route("GET", &path, None, [401, farmer_sees, 404, 404])
            .await;
        let path = format!("/api/cattle/{animal}/inclusion");
        let farmer_sees = if farmer_sees == 403 { 403 } else { 200 };
        callers
            .route("GET", &path, None, [401, farmer_sees, 200, 200])
            .await;
    }

    // Commands: the whole role × command matrix is `authorization.rs`; here one of each.
    let create = json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(6101),
        "breed": "Angus", "sex": "MALE", "clientId": 61}});
    callers
        .route("POST", "/api/commands", Some(create), [401, 202, 403, 403])
        .await;

    // Sessions and users.
    callers
        .route("GET", "/api/session", None, [401, 200, 200, 200])
        .await;
    let wrong_current = json!({"currentPassword": "not it", "newPassword": "a brand new password"});
    callers
        .route(
            "POST",
            "/api/session/password",
            Some(wrong_current),
            [401, 422, 422, 422],
        )
        .await;
    callers
        .route("GET", "/api/users", None, [401, 403, 403, 200])
        .await;
    let new_user =
        json!({"username": "matrix.farmer", "password": "a long test password", "role": "FARMER"});
    callers
        .route("POST", "/api/users", Some(new_user), [401, 403, 403, 201])
        .await;
    let enable = json!({"disabled": false});
    callers
        .route(
            "POST",
            "/api/users/matrix.farmer/disabled",
            Some(enable),
            [401, 403, 403, 204],
        )
        .await;
    callers
        .route(
            "POST",
            "/api/users/matrix.farmer/role",
            Some(json!({"role": "FARMER"})),
            [401, 403, 403, 204],
        )
        .await;
    callers
        .route(
            "POST",
            "/api/users/matrix.farmer/key",
            Some(json!({})),
            [401, 403, 403, 204],
        )
        .await;
    callers
        .route(
            "POST",
            "/api/users/matrix.farmer/password",
            Some(json!({"password": "a password to replace"})),
            [401, 403, 403, 204],
        )
        .await;

    // The herd as it was: anyone signed in, each their own herd and jobs.
    callers
        .route(
            "POST",
            "/api/herd-as-of",
            Some(json!({"asOf": "2026-11-30"})),
            [401, 202, 202, 202],
        )
        .await;
    callers
        .route(
            "GET",
            "/api/herd-as-of/no-such-job",
            None,
            [401, 404, 404, 404],
        )
        .await;

    // Operations: health for anyone, alerts, views and their switches for administrators.
    callers
        .route("GET", "/api/alerts", None, [401, 403, 403, 200])
        .await;
    callers
        .route("GET", "/api/views", None, [401, 403, 403, 200])
        .await;
    callers
        .route("GET", "/api/consumer-groups", None, [401, 403, 403, 200])
        .await;
    callers
        .route("GET", "/api/log-verification", None, [401, 403, 403, 200])
        .await;
    callers
        .route(
            "POST",
            "/api/log-verification",
            Some(json!({})),
            [401, 403, 403, 202],
        )
        .await;
    let resume = json!({"paused": false});
    callers
        .route(
            "POST",
            "/api/views/fraud_view/paused",
            Some(resume.clone()),
            [401, 403, 403, 204],
        )
        .await;
    callers
        .route_as(3, "POST", "/api/views/no_view/paused", Some(&resume), 404)
        .await;
    callers
        .route_as(
            3,
            "POST",
            "/api/views/fraud_view/paused",
            Some(&json!({"paused": "yes"})),
            400,
        )
        .await;

    // The pages render for everyone; what a page shows is the server functions' answers.
    for page in [
        "/".to_string(),
        "/herd".to_string(),
        format!("/cattle/{own}"),
        "/sign-in".to_string(),
        "/password".to_string(),
        "/operations".to_string(),
        "/users".to_string(),
        "/fraud".to_string(),
        "/import".to_string(),
        "/search".to_string(),
        "/outbox".to_string(),
        "/scoring".to_string(),
    ] {
        callers.route("GET", &page, None, [200; 4]).await;
    }
    callers.route("GET", "/no-such-page", None, [404; 4]).await;
    let foreign_nlis = support::nlis(7100);
    for (who, shows) in [(0, false), (1, false), (2, true), (3, true)] {
        let (_, page) = callers
            .send(who, "GET", &format!("/cattle/{foreign}"), None)
            .await;
        let html = page.as_str().unwrap_or_default();
        assert_eq!(
            html.contains(&foreign_nlis),
            shows,
            "the page of another farmer's animal as {}",
            CALLERS[who]
        );
    }

    // The live socket.
    callers.socket([401, 101, 101, 101]).await;

    // Server functions answer 200 with the outcome inside.
    callers
        .server_fn(CurrentUser::PATH, json!({}), ["OK"; 4])
        .await;
    let query = json!({"query": {"page": 1, "sort": "updated"}});
    for (fn_path, args) in [
        (ListHerd::PATH, query),
        (HerdDashboard::PATH, json!({})),
        (ClientList::PATH, json!({})),
        (WaitingOffers::PATH, json!({})),
        (ClientForPic::PATH, json!({"pic": support::pic_of(71)})),
        (AnimalDetails::PATH, json!({"cattle_id": own})),
        (HerdAsOf::PATH, json!({"job_id": "no-such-job"})),
    ] {
        callers
            .server_fn(fn_path, args, ["SIGNED_OUT", "OK", "OK", "OK"])
            .await;
    }
    callers
        .server_fn(
            StartHerdAsOf::PATH,
            json!({"as_of": "yesterday"}),
            ["SIGNED_OUT", "INVALID", "INVALID", "INVALID"],
        )
        .await;
    callers
        .server_fn(
            AnimalDetails::PATH,
            json!({"cattle_id": foreign}),
            ["SIGNED_OUT", "FORBIDDEN", "OK", "OK"],
        )
        .await;
    for (fn_path, args) in [
        (OperationsOverview::PATH, json!({})),
        (LogVerification::PATH, json!({})),
        (SigningKeys::PATH, json!({})),
        (ConsumerGroups::PATH, json!({})),
        (
            SwitchView::PATH,
            json!({"view": "cache_view", "paused": false}),
        ),
        (UserAccounts::PATH, json!({})),
        (
            CreateAccount::PATH,
            json!({"username": "matrix.made", "password": "a long test password", "role": "ASSESSOR"}),
        ),
        (
            SetAccountRole::PATH,
            json!({"username": "matrix.made", "role": "FARMER"}),
        ),
        (
            SetAccountDisabled::PATH,
            json!({"username": "matrix.made", "disabled": false}),
        ),
        (
            ResetAccountPassword::PATH,
            json!({"username": "matrix.made", "password": "a password to replace"}),
        ),
        (RotateAccountKey::PATH, json!({"username": "matrix.made"})),
    ] {
        callers
            .server_fn(
                fn_path,
                args,
                ["SIGNED_OUT", "FORBIDDEN", "FORBIDDEN", "OK"],
            )
            .await;
    }
    for fn_path in [FraudAlerts::PATH, OpenFraudAlerts::PATH] {
        callers
            .server_fn(fn_path, json!({}), ["SIGNED_OUT", "FORBIDDEN", "OK", "OK"])
            .await;
    }
    let command = json!({"command": {"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(6102),
        "breed": "Angus", "sex": "MALE", "clientId": 61}}});
    callers
        .server_fn(
            SubmitCommand::PATH,
            command,
            ["SIGNED_OUT", "OK", "FORBIDDEN", "FORBIDDEN"],
        )
        .await;
    // A batch is answered row by row (a farmer's own client's animal, refused to the others
    // inside the answer); more than a batch holds is refused whole.
    let batch = json!({"commands": [{"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(6103),
        "breed": "Angus", "sex": "MALE", "clientId": 61}}]});
    callers
        .server_fn(
            SubmitCommands::PATH,
            batch,
            ["SIGNED_OUT", "OK", "OK", "OK"],
        )
        .await;
    let command = json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(6104),
        "breed": "Angus", "sex": "MALE", "clientId": 61}});
    let too_many = json!({"commands": vec![command; 101]});
    callers
        .server_fn(
            SubmitCommands::PATH,
            too_many,
            ["SIGNED_OUT", "INVALID", "INVALID", "INVALID"],
        )
        .await;
    let wrong_current =
        json!({"current_password": "not it", "new_password": "a brand new password"});
    callers
        .server_fn(
            ChangePassword::PATH,
            wrong_current,
            ["SIGNED_OUT", "INVALID", "INVALID", "INVALID"],
        )
        .await;
    let (status, answer) = callers.send(0, "POST", SignIn::PATH, Some(&wrong)).await;
    assert_eq!(
        (status, &answer["Err"]["kind"]),
        (200, &json!("INVALID")),
        "{answer}"
    );
    let (status, answer) = callers.send(0, "POST", SignIn::PATH, Some(&right)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["Ok"]["username"], "admin", "{answer}");

    // Signing out, last: it ends the sessions the rows above used. An ended session is
    // ended again without complaint; without any session there is nothing to end.
    callers.server_fn(SignOut::PATH, json!({}), ["OK"; 4]).await;
    callers.route("GET", "/api/session", None, [401; 4]).await;
    callers
        .route("DELETE", "/api/session", None, [401, 204, 204, 204])
        .await;
    support::clean_up(&settings).await;
}
