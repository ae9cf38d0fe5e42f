//! Sessions over the real engines: the cookie's `Secure` flag, the idle timeout, and the
//! purge of ended sessions.
mod support;

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
