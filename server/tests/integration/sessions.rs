//! Sessions over the real engines: the cookie's `Secure` flag, the idle timeout, and the
//! purge of ended sessions.
use crate::support;

use domain::Role;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

async fn cookie_of_sign_in(secure: Option<bool>) -> String {
    let mut settings = support::settings("cookie").await;
    settings.admin_password = Some("first admin password".into());
    settings.secure_cookie = secure;
    let server = support::start(&settings).await;
    let response = reqwest::Client::new()
        .post(format!("http://{}/api/session", server.addr))
        .json(&json!({"username": "admin", "password": "first admin password"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("text")
        .to_string();
    support::clean_up(&settings).await;
    cookie
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookie_is_secure_off_loopback_or_when_asked() {
    // The tests listen on loopback: plain HTTP, so no `Secure` unless it is asked for.
    let loopback = cookie_of_sign_in(None).await;
    assert!(!loopback.contains("Secure"), "{loopback}");
    let asked = cookie_of_sign_in(Some(true)).await;
    assert!(
        asked.contains("; Secure") && asked.contains("HttpOnly"),
        "{asked}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_ends_and_ended_sessions_are_purged() {
    let settings = support::settings("idle").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let idle_token = support::signed_in(&server, Role::Farmer).await;
    let busy_token = support::signed_in(&server, Role::Farmer).await;
    let whoami = |token: &str| {
        let request = support::api_client(token).get(format!("{base}/api/session"));
        async move { request.send().await.expect("answers").status().as_u16() }
    };
    assert_eq!(whoami(&idle_token).await, 200);

    // The last use of one session was longer ago than the idle timeout; the other was just
    // used. (The clock is moved by writing the session's row, not by waiting.)
    let db = support::connect(&settings).await;
    let backend = db.get_database_backend();
    let idle_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        idle_token.as_bytes(),
    ));
    db.execute(Statement::from_sql_and_values(
        backend,
        "UPDATE sessions SET idle_until = now() - interval '1 minute' WHERE token_hash = $1",
        [idle_hash.into()],
    ))
    .await
    .expect("the session aged");
    assert_eq!(whoami(&idle_token).await, 401);
    assert_eq!(whoami(&busy_token).await, 200);

    // An expired session nobody uses again stays in the table until the purge.
    let stale_token = support::signed_in(&server, Role::Assessor).await;
    let stale_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        stale_token.as_bytes(),
    ));
    db.execute(Statement::from_sql_and_values(
        backend,
        "UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE token_hash = $1",
        [stale_hash.clone().into()],
    ))
    .await
    .expect("the session expired");
    assert_eq!(
        server
            .accounts
            .purge_ended_sessions()
            .await
            .expect("purged"),
        1
    );
    let left = db
        .query_one(Statement::from_sql_and_values(
            backend,
            "SELECT count(*) AS n FROM sessions WHERE token_hash = $1",
            [stale_hash.into()],
        ))
        .await
        .expect("counted")
        .expect("a row");
    assert_eq!(left.try_get::<i64>("", "n").expect("n"), 0);
    assert_eq!(whoami(&busy_token).await, 200);
    support::clean_up(&settings).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_keeps_a_session_alive_but_a_live_pages_check_does_not() {
    let settings = support::settings("idle_use").await;
    let server = support::start(&settings).await;
    let token = support::signed_in(&server, Role::Farmer).await;
    let db = support::connect(&settings).await;
    let backend = db.get_database_backend();
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()));
    let minutes_left = || {
        let (db, hash) = (db.clone(), hash.clone());
        async move {
            let row = db
                .query_one(Statement::from_sql_and_values(
                    backend,
                    "SELECT EXTRACT(EPOCH FROM idle_until - now())::float8 / 60 AS left \
                     FROM sessions WHERE token_hash = $1",
                    [hash.into()],
                ))
                .await
                .expect("read")
                .expect("the session");
            row.try_get::<f64>("", "left").expect("minutes")
        }
    };
    db.execute(Statement::from_sql_and_values(
        backend,
        "UPDATE sessions SET idle_until = now() + interval '5 minutes' WHERE token_hash = $1",
        [hash.clone().into()],
    ))
    .await
    .expect("the session nearly idle");

    let holder = server
        .accounts
        .session_holder(&token)
        .await
        .expect("checked");
    assert!(holder.is_some());
    assert!(minutes_left().await < 6.0, "a check moved the idle timeout");

    let status = support::api_client(&token)
        .get(format!("http://{}/api/session", server.addr))
        .send()
        .await
        .expect("answers")
        .status();
    assert_eq!(status, 200);
    let left = minutes_left().await;
    assert!(
        left > (server::accounts::SESSION_IDLE_MINUTES - 1) as f64,
        "a request left {left} minutes"
    );
    support::clean_up(&settings).await;
}

/// Signs in over HTTP: the status and the answer.
async fn sign_in(base: &str, username: &str, password: &str) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printed_first_password_opens_nothing_but_choosing_a_new_one() {
    let settings = support::settings("first_admin").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    // The start printed the first administrator's password to a console this test cannot
    // read: make the first administrator again, on an empty user table, and keep it.
    let db = support::connect(&settings).await;
    db.execute(Statement::from_string(
        db.get_database_backend(),
        "DELETE FROM users",
    ))
    .await
    .expect("users emptied");
    let printed = server
        .accounts
        .ensure_first_admin(None)
        .await
        .expect("the first administrator")
        .expect("a printed password");

    let (status, answer) = sign_in(&base, "admin", &printed).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["user"]["must_change_password"], true);
    let token = answer["token"].as_str().expect("a token").to_string();
    let (_, other) = sign_in(&base, "admin", &printed).await;
    let other_token = other["token"].as_str().expect("a token").to_string();
    let admin = support::api_client(&token);

    // Nothing but who-am-I, signing out and choosing a password.
    let refused = admin
        .get(format!("{base}/api/users"))
        .send()
        .await
        .expect("answers");
    assert_eq!(refused.status(), 403);
    let body: serde_json::Value = refused.json().await.expect("JSON");
    assert_eq!(body["code"], "PASSWORD_CHANGE_REQUIRED", "{body}");
    let create_user = || {
        let request = admin.post(format!("{base}/api/users")).json(
            &json!({"username": "jo.farmer", "password": "a long test password", "role": "FARMER"}),
        );
        async move { request.send().await.expect("answers").status().as_u16() }
    };
    assert_eq!(create_user().await, 403);
    let whoami = admin
        .get(format!("{base}/api/session"))
        .send()
        .await
        .expect("answers");
    assert_eq!(whoami.status(), 200);

    let change = |current: &str, new: &str| {
        let request = admin
            .post(format!("{base}/api/session/password"))
            .json(&json!({"currentPassword": current, "newPassword": new}));
        async move {
            let response = request.send().await.expect("answers");
            let status = response.status().as_u16();
            (
                status,
                response
                    .json::<serde_json::Value>()
                    .await
                    .unwrap_or_default(),
            )
        }
    };
    // A body that is not the expected JSON names the body, and changes nothing.
    for body in [
        "not json",
        r#"{"currentPassword": "x"}"#,
        r#"{"currentPassword": "x", "newPassword": "y", "extra": 1}"#,
    ] {
        let response = admin
            .post(format!("{base}/api/session/password"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("answers");
        assert_eq!(response.status(), 400, "{body}");
        let answer: serde_json::Value = response.json().await.expect("JSON");
        assert_eq!(answer["errors"][0]["field"], "body", "{answer}");
    }
    let (status, wrong) = change("not the password", "my own long password").await;
    assert_eq!(status, 422, "{wrong}");
    assert_eq!(wrong["errors"][0]["field"], "currentPassword");
    let (status, short) = change(&printed, "short").await;
    assert_eq!(status, 422, "{short}");
    assert_eq!(short["errors"][0]["field"], "newPassword");
    let (status, same) = change(&printed, &printed).await;
    assert_eq!(
        (status, &same["errors"][0]["field"]),
        (422, &json!("newPassword"))
    );
    let (status, _) = change(&printed, "my own long password").await;
    assert_eq!(status, 204);

    // Now the administrator works; the other session ended; only the new password opens.
    assert_eq!(create_user().await, 201);
    let status = support::api_client(&other_token)
        .get(format!("{base}/api/session"))
        .send()
        .await
        .expect("answers")
        .status();
    assert_eq!(status, 401, "the other session ended with the change");
    assert_eq!(sign_in(&base, "admin", &printed).await.0, 401);
    let (status, again) = sign_in(&base, "admin", "my own long password").await;
    assert_eq!(status, 200);
    assert_eq!(again["user"]["must_change_password"], false);

    support::clean_up(&settings).await;
}
