//! What an attacker tries first, over HTTP against the real engines: guessing a password
//! again and again, making a signed-in browser send a command from another site, and
//! sending more than any request needs.
use crate::support;

use domain::Role;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sixth_wrong_password_in_a_minute_waits_and_says_how_long() {
    let settings = support::settings("throttle").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let token = support::signed_in(&server, Role::Farmer).await;
    let username = support::api_client(&token)
        .get(format!("{base}/api/session"))
        .send()
        .await
        .expect("answers")
        .json::<Value>()
        .await
        .expect("JSON")["user"]["username"]
        .as_str()
        .expect("a username")
        .to_string();
    let http = reqwest::Client::new();
    let try_password = |password: &'static str| {
        http.post(format!("{base}/api/session"))
            .json(&json!({"username": username, "password": password}))
            .send()
    };
    for n in 0..server::accounts::FAILURES_ALLOWED {
        let response = try_password("not the password").await.expect("answers");
        assert_eq!(response.status(), 401, "wrong password {n}");
    }
    // Even the right password waits now: the guesser must not learn it was right.
    let response = try_password("a long test password").await.expect("answers");
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["retry_after_secs"], retry_after, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("try again")),
        "{body}"
    );

    // The same address guessing at another account is held back too.
    let other = http
        .post(format!("{base}/api/session"))
        .json(&json!({"username": "admin", "password": "a guess"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(other.status(), 429);
    support::clean_up(&settings).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_site_post_with_a_cookie_is_refused_and_names_why() {
    let settings = support::settings("cross_site").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let token = support::signed_in(&server, Role::Farmer).await;
    let cookie = format!("{}={token}", app::session_cookie::SESSION_COOKIE);
    let command = json!({"type": "REGISTER_CLIENT",
        "data": {"clientId": 4242, "name": "Cookie Creek", "pic": support::pic_of(4242)}});
    let http = reqwest::Client::new();
    let send = |origin: Option<String>, content_type: &'static str| {
        let mut request = http
            .post(format!("{base}/api/commands"))
            .header("cookie", &cookie)
            .header("content-type", content_type)
            .body(command.to_string());
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };

    let foreign = send(Some("https://evil.example".into()), "application/json")
        .await
        .expect("answers");
    assert_eq!(foreign.status(), 403);
    let body: Value = foreign.json().await.expect("JSON");
    assert_eq!(body["field"], "origin", "{body}");

    let unnamed = send(None, "application/json").await.expect("answers");
    assert_eq!(unnamed.status(), 403);

    // A form post (what another site can make a browser send without asking) is refused
    // even from this site's own origin.
    let form = send(Some(base.clone()), "text/plain")
        .await
        .expect("answers");
    assert_eq!(form.status(), 403);
    let body: Value = form.json().await.expect("JSON");
    assert_eq!(body["field"], "content-type", "{body}");

    // The app's own page is let through, and its command is the first of its kind: none of
    // the refused ones was published.
    let own = send(Some(base.clone()), "application/json")
        .await
        .expect("answers");
    assert_eq!(own.status(), 202);
    let ack: app::model::CommandAck = own.json().await.expect("an acknowledgement");
    assert_eq!(ack.status, app::model::AckStatus::Published, "{ack:?}");
    support::clean_up(&settings).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_of_three_megabytes_is_refused_unread() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let settings = support::settings("body_limit").await;
    let server = support::start(&settings).await;
    let token = support::signed_in(&server, Role::Farmer).await;
    // Only the head goes out, declaring three megabytes: an answer that comes without the
    // body was given unread (and a client still writing can never race the server's close).
    let mut stream = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connects");
    let head = format!(
        "POST /api/commands HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        server.addr,
        3 * 1024 * 1024
    );
    stream
        .write_all(head.as_bytes())
        .await
        .expect("the head is sent");
    let answer = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        let mut answer = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let read = stream.read(&mut chunk).await.expect("reads");
            answer.extend_from_slice(&chunk[..read]);
            if read == 0 || whole_answer(&answer) {
                return String::from_utf8_lossy(&answer).into_owned();
            }
        }
    })
    .await
    .expect("answered without the body");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let body: Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(body["field"], "body", "{body}");
    support::clean_up(&settings).await;
}

/// Whether `answer` holds a whole HTTP response: its head and as much body as it declares.
fn whole_answer(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    });
    length.is_some_and(|length| body.len() >= length)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_holds_four_waits_at_once_and_more_are_told_to_come_back() {
    // No views: nothing is ever applied, so every wait lasts its whole timeout, much longer
    // than it takes all the requests to arrive.
    let mut settings = support::settings("long_waits").await;
    settings.run_views = false;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let ann = support::api_client(&support::signed_in(&server, Role::Farmer).await);
    let bob = support::api_client(&support::signed_in(&server, Role::Farmer).await);
    let wait = |http: &reqwest::Client, n: i64| {
        let request = http
            .post(format!("{base}/api/commands?wait=applied&timeout_ms=3000"))
            .json(
                &json!({"type": "REGISTER_CLIENT", "data": {"clientId": 500 + n,
                "name": format!("Station {n}"), "pic": support::pic_of(500 + n)}}),
            );
        tokio::spawn(async move {
            let response = request.send().await.expect("answers");
            let status = response.status().as_u16();
            let retry_after = response.headers().get("retry-after").cloned();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, retry_after, body)
        })
    };
    let anns: Vec<_> = (0..6).map(|n| wait(&ann, n)).collect();
    let bobs = wait(&bob, 10);
    let mut answers = Vec::new();
    for request in anns {
        answers.push(request.await.expect("joined"));
    }
    let held = answers
        .iter()
        .filter(|(status, _, _)| *status == 504)
        .count();
    let refused: Vec<_> = answers
        .iter()
        .filter(|(status, _, _)| *status == 429)
        .collect();
    assert_eq!((held, refused.len()), (4, 2), "{answers:?}");
    for (_, retry_after, body) in refused {
        assert_eq!(retry_after.as_ref().map(|v| v.as_bytes()), Some(&b"1"[..]));
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("at most 4")),
            "{body}"
        );
    }
    // Another user is not held back by Ann's waits.
    assert_eq!(bobs.await.expect("joined").0, 504);
    support::clean_up(&settings).await;
}
