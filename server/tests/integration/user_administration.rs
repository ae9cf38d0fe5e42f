//! What administrators do to other accounts over HTTP against the real engines: the list
//! with each account's state, a reset password that opens nothing but choosing a new one,
//! and a role that applies from the user's next request; who may do it and to whom.
use crate::support;

use domain::Role;
use serde_json::{json, Value};
use support::post;

async fn sign_in(base: &str, username: &str, password: &str) -> (u16, Value) {
    post(
        &reqwest::Client::new(),
        &format!("{base}/api/session"),
        &json!({"username": username, "password": password}),
    )
    .await
}

/// The account named `username` in `GET /api/users`.
async fn account(admin: &reqwest::Client, base: &str, username: &str) -> Value {
    let users = support::json_answer(admin.get(format!("{base}/api/users"))).await;
    users
        .as_array()
        .expect("a list of users")
        .iter()
        .find(|user| user["username"] == username)
        .cloned()
        .unwrap_or_else(|| panic!("{username} is not listed in {users}"))
}

/// A server of its own with an administrator signed in: the administrator's client and name.
async fn with_an_administrator(
    label: &str,
) -> (
    support::TestSettings,
    server::instance::Instance,
    reqwest::Client,
    String,
) {
    let settings = support::settings(label).await;
    let server = support::start(&settings).await;
    let admin = support::api_client(&support::signed_in(&server, Role::Admin).await);
    let admin_name = account_name(&admin, &format!("http://{}", server.addr)).await;
    (settings, server, admin, admin_name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_password_ends_the_users_sessions_and_must_be_replaced() {
    let (settings, server, admin, admin_name) = with_an_administrator("reset_password").await;
    let base = format!("http://{}", server.addr);
    let (status, made) = post(
        &admin,
        &format!("{base}/api/users"),
        &json!({"username": "kim.farmer", "password": "kim's first password", "role": "FARMER"}),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let listed = account(&admin, &base, "kim.farmer").await;
    assert_eq!(listed["role"], "FARMER", "{listed}");
    assert_eq!(listed["disabled"], false, "{listed}");
    assert_eq!(listed["must_change_password"], false, "{listed}");
    assert_eq!(listed["created_by"], admin_name.as_str(), "{listed}");
    let (status, kim) = sign_in(&base, "kim.farmer", "kim's first password").await;
    assert_eq!(status, 200, "{kim}");
    let kim = support::api_client(kim["token"].as_str().expect("a token"));

    let reset = |http: reqwest::Client, username: &'static str, password: &'static str| {
        let base = base.clone();
        async move {
            post(
                &http,
                &format!("{base}/api/users/{username}/password"),
                &json!({ "password": password }),
            )
            .await
        }
    };
    // Refusals name what is wrong and change nothing.
    assert_eq!(
        reset(kim.clone(), "kim.farmer", "a new long password")
            .await
            .0,
        403
    );
    let (status, short) = reset(admin.clone(), "kim.farmer", "short").await;
    assert_eq!(status, 422, "{short}");
    assert_eq!(short["errors"][0]["field"], "password", "{short}");
    let (status, unknown) = reset(admin.clone(), "nobody.here", "a new long password").await;
    assert_eq!(status, 422, "{unknown}");
    assert_eq!(unknown["errors"][0]["field"], "username", "{unknown}");
    let own = format!("{base}/api/users/{admin_name}/password");
    let (status, own) = post(&admin, &own, &json!({"password": "a new long password"})).await;
    assert_eq!(status, 409, "{own}");
    let whoami = kim.get(format!("{base}/api/session")).send().await;
    assert_eq!(whoami.expect("answers").status(), 200);

    let (status, done) = reset(admin.clone(), "kim.farmer", "reset by the office").await;
    assert_eq!(status, 204, "{done}");
    let whoami = kim.get(format!("{base}/api/session")).send().await;
    assert_eq!(
        whoami.expect("answers").status(),
        401,
        "kim's session ended"
    );
    let (status, _) = sign_in(&base, "kim.farmer", "kim's first password").await;
    assert_eq!(status, 401, "the old password no longer opens anything");
    let listed = account(&admin, &base, "kim.farmer").await;
    assert_eq!(listed["must_change_password"], true, "{listed}");
    let (status, kim) = sign_in(&base, "kim.farmer", "reset by the office").await;
    assert_eq!(status, 200, "{kim}");
    assert_eq!(kim["user"]["must_change_password"], true, "{kim}");
    let kim = support::api_client(kim["token"].as_str().expect("a token"));
    // Nothing but choosing a new password until kim has.
    let herd = kim.get(format!("{base}/api/cattle/1")).send().await;
    assert_eq!(herd.expect("answers").status(), 403);
    let (status, chosen) = post(
        &kim,
        &format!("{base}/api/session/password"),
        &json!({"currentPassword": "reset by the office", "newPassword": "kim chose this one"}),
    )
    .await;
    assert_eq!(status, 204, "{chosen}");
    let (status, _) = sign_in(&base, "kim.farmer", "kim chose this one").await;
    assert_eq!(status, 200);
    assert_eq!(
        account(&admin, &base, "kim.farmer").await["must_change_password"],
        false
    );
    support::clean_up(&settings).await;
}

/// The signed-in user's name.
async fn account_name(http: &reqwest::Client, base: &str) -> String {
    let me = support::json_answer(http.get(format!("{base}/api/session"))).await;
    me["user"]["username"]
        .as_str()
        .expect("a username")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_role_applies_from_the_users_next_request() {
    let (settings, server, admin, admin_name) = with_an_administrator("role_change").await;
    let base = format!("http://{}", server.addr);
    let farmer_token = support::signed_in(&server, Role::Farmer).await;
    let farmer = support::api_client(&farmer_token);
    let farmer_name = account_name(&farmer, &base).await;
    let role_url = |username: &str| format!("{base}/api/users/{username}/role");
    let views_answer = || async {
        let views = farmer.get(format!("{base}/api/views")).send().await;
        views.expect("answers").status()
    };

    // An administrator's own page is closed to a farmer, before and after a refused change.
    assert_eq!(views_answer().await, 403);
    let (status, _) = post(&farmer, &role_url(&farmer_name), &json!({"role": "ADMIN"})).await;
    assert_eq!(
        status, 403,
        "a farmer cannot make themselves an administrator"
    );
    let (status, bad) = post(&admin, &role_url(&farmer_name), &json!({"role": "OWNER"})).await;
    assert_eq!(status, 422, "{bad}");
    assert_eq!(bad["errors"][0]["field"], "role", "{bad}");
    let (status, own) = post(&admin, &role_url(&admin_name), &json!({"role": "FARMER"})).await;
    assert_eq!(status, 409, "{own}");
    let (status, unknown) =
        post(&admin, &role_url("nobody.here"), &json!({"role": "FARMER"})).await;
    assert_eq!(status, 422, "{unknown}");
    let (status, body) = post(&admin, &role_url(&farmer_name), &json!({"role": 7})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(account(&admin, &base, &farmer_name).await["role"], "FARMER");

    let (status, done) = post(
        &admin,
        &role_url(&farmer_name),
        &json!({"role": "ASSESSOR"}),
    )
    .await;
    assert_eq!(status, 204, "{done}");
    assert_eq!(
        account(&admin, &base, &farmer_name).await["role"],
        "ASSESSOR"
    );
    // The same session, now an assessor: a valuation is theirs to record, a registration not.
    let me = support::json_answer(farmer.get(format!("{base}/api/session"))).await;
    assert_eq!(me["user"]["role"], "ASSESSOR", "{me}");
    let (status, refused) = post(
        &farmer,
        &format!("{base}/api/commands"),
        &json!({"type": "REGISTER_CLIENT", "data": {"name": "Kim's Station", "pic": "QKIM0001"}}),
    )
    .await;
    assert_eq!(status, 403, "{refused}");

    let (status, _) = post(&admin, &role_url(&farmer_name), &json!({"role": "ADMIN"})).await;
    assert_eq!(status, 204);
    assert_eq!(
        views_answer().await,
        200,
        "the new administrator sees the views at once"
    );
    support::clean_up(&settings).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_key_replaces_the_old_one_and_is_refused_for_an_unknown_or_disabled_account() {
    let (_settings, server, admin, _) = with_an_administrator("new_key").await;
    let base = format!("http://{}", server.addr);
    let (status, made) = post(
        &admin,
        &format!("{base}/api/users"),
        &json!({"username": "rae.farmer", "password": "rae's first password", "role": "FARMER"}),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let before = account(&admin, &base, "rae.farmer").await["public_key"].clone();
    let (status, answer) = post(
        &admin,
        &format!("{base}/api/users/rae.farmer/key"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 204, "{answer}");
    let after = account(&admin, &base, "rae.farmer").await["public_key"].clone();
    assert_ne!(before, after, "the account signs with a new key");
    let keys = support::json_answer(reqwest::Client::new().get(format!("{base}/api/keys"))).await;
    let revoked = keys
        .as_array()
        .expect("a list")
        .iter()
        .find(|key| key["public_key"] == before)
        .cloned()
        .expect("the old key is still published");
    assert!(revoked["revoked_from"].is_string(), "{revoked}");

    let (status, answer) = post(
        &admin,
        &format!("{base}/api/users/nobody.here/key"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["errors"][0]["field"], "username", "{answer}");
    let (status, answer) = post(
        &admin,
        &format!("{base}/api/users/rae.farmer/disabled"),
        &json!({"disabled": true}),
    )
    .await;
    assert_eq!(status, 204, "{answer}");
    let (status, answer) = post(
        &admin,
        &format!("{base}/api/users/rae.farmer/key"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["code"], "ACCOUNT_DISABLED", "{answer}");
    server.stop().await;
}
