//! The herd as of a date or time (`POST /api/herd-as-of`, `icattle replay --as-of`): worked
//! out again from every animal's accepted events, it equals the dashboard as it read at that
//! moment, for a farmer (their clients' animals then) and for an assessor (every herd); later
//! changes do not leak into it, and mistakes are named.
use crate::support;

use app::model::{HerdAsOfRun, HerdAsOfState};
use app::registry::LivestockRegistry;
use chrono::{SecondsFormat, Utc};
use domain::{CattleId, Role};
use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;

const PASSWORD: &str = "herd as of admin password";

/// Starts a job as `http`'s user and follows it to its end.
async fn herd_as_of(base: &str, http: &reqwest::Client, as_of: &str) -> HerdAsOfRun {
    let started = http
        .post(format!("{base}/api/herd-as-of"))
        .json(&json!({ "asOf": as_of }))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(started.status(), 202, "as of {as_of}");
    let started: HerdAsOfRun = started.json().await.expect("a job");
    assert_eq!(started.state, HerdAsOfState::Running);
    let url = format!("{base}/api/herd-as-of/{}", started.job_id);
    support::eventually(Duration::from_secs(30), "the job ends", || {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let run: HerdAsOfRun = http.get(url).send().await.ok()?.json().await.ok()?;
            (run.state != HerdAsOfState::Running).then_some(run)
        }
    })
    .await
}

fn replay_as_of(base: &str, view: &str, as_of: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_icattle"))
        .args(["replay", "--view", view, "--as-of", as_of, "--url", base])
        .env("ICATTLE_ADMIN_PASSWORD", PASSWORD)
        .output()
        .expect("icattle runs")
}

async fn create(
    server: &server::instance::Instance,
    http: &reqwest::Client,
    n: u32,
    breed: &str,
    client: i64,
) -> i64 {
    let nlis = support::nlis(n);
    support::applied_command(
        server,
        http,
        json!({"type": "CREATE_CATTLE",
        "data": {"nlisId": nlis, "breed": breed, "sex": "FEMALE", "clientId": client}}),
    )
    .await;
    CattleId::for_nlis(&nlis).0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_herd_as_of_a_moment_is_the_dashboard_as_it_read_then() {
    let mut settings = support::settings("herd_as_of").await;
    settings.admin_password = Some(PASSWORD.into());
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (farmer, farmer_token) = support::farmer_with_clients(&server, &[91]).await;
    let (neighbour, _) = support::farmer_with_clients(&server, &[92]).await;
    let assessor_token = support::signed_in(&server, Role::Assessor).await;
    let assessor = support::api_client(&assessor_token);

    let first = create(&server, &farmer, 9101, "Angus", 91).await;
    let second = create(&server, &farmer, 9102, "Angus", 91).await;
    create(&server, &farmer, 9103, "Wagyu", 91).await;
    create(&server, &neighbour, 9201, "Hereford", 92).await;
    for (id, cents) in [(first, 150_000), (second, 162_500)] {
        support::applied_command(
            &server,
            &assessor,
            json!({"type": "RECORD_VALUATION",
            "data": {"cattleId": id, "amountCents": cents, "method": "MARKET"}}),
        )
        .await;
    }
    let farmer_user = support::user_of(&server, &farmer_token).await;
    let assessor_user = support::user_of(&server, &assessor_token).await;
    let farmer_then = server
        .office
        .dashboard(&farmer_user)
        .await
        .expect("a dashboard");
    let everyone_then = server
        .office
        .dashboard(&assessor_user)
        .await
        .expect("a dashboard");
    let moment = Utc::now();
    let then = moment.to_rfc3339_opts(SecondsFormat::Millis, true);
    // Every later event is recorded in a later millisecond than `then`.
    support::eventually(Duration::from_secs(1), "the clock moves on", || async {
        (Utc::now() > moment + chrono::Duration::milliseconds(2)).then_some(())
    })
    .await;

    // Afterwards: one animal dies, another is valued again, a fourth is registered.
    support::applied_command(
        &server,
        &farmer,
        json!({"type": "CHANGE_STATUS",
        "data": {"cattleId": first, "status": "DECEASED", "reason": "Snake bite"}}),
    )
    .await;
    support::applied_command(
        &server,
        &assessor,
        json!({"type": "RECORD_VALUATION",
        "data": {"cattleId": second, "amountCents": 171_000, "method": "MARKET"}}),
    )
    .await;
    create(&server, &farmer, 9104, "Angus", 91).await;
    let farmer_now = server
        .office
        .dashboard(&farmer_user)
        .await
        .expect("a dashboard");
    assert_ne!(farmer_now.figures(), farmer_then.figures());

    let past = herd_as_of(&base, &farmer, &then).await;
    assert_eq!(past.state, HerdAsOfState::Finished, "{past:?}");
    assert_eq!(past.figures, Some(farmer_then.figures()));
    assert_eq!(past.figures.as_ref().map(|f| f.head_count), Some(3));
    assert!(past.done >= past.total && past.total > 0, "{past:?}");
    let everyone = herd_as_of(&base, &assessor, &then).await;
    assert_eq!(everyone.figures, Some(everyone_then.figures()));
    assert_eq!(everyone.figures.as_ref().map(|f| f.head_count), Some(4));
    let today = herd_as_of(&base, &farmer, "2999-12-31").await;
    assert_eq!(today.figures, Some(farmer_now.figures()));
    let before = herd_as_of(&base, &farmer, "2000-01-01").await;
    assert_eq!(before.figures.map(|f| f.head_count), Some(0));

    // Mistakes are named; another user's job is not theirs to read.
    for (body, status, field) in [
        (json!({"asOf": "yesterday"}), 422, "asOf"),
        (json!({"asOf": "12"}), 422, "asOf"),
        (json!({"as_of": "2026-11-30"}), 400, "body"),
    ] {
        let answer = farmer
            .post(format!("{base}/api/herd-as-of"))
            .json(&body)
            .send()
            .await
            .expect("the API answers");
        assert_eq!(answer.status(), status, "{body}");
        let said: Value = answer.json().await.expect("JSON");
        assert_eq!(said["errors"][0]["field"], field, "{body}: {said}");
    }
    let theirs = neighbour
        .get(format!("{base}/api/herd-as-of/{}", past.job_id))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(theirs.status(), 404);

    // The command line prints the same herd, for an administrator (every herd).
    let (cli, refused, no_date) = tokio::task::spawn_blocking({
        let (base, then) = (base.clone(), then.clone());
        move || {
            (
                replay_as_of(&base, "golden_record", &then),
                replay_as_of(&base, "fraud_view", &then),
                replay_as_of(&base, "golden_record", "yesterday"),
            )
        }
    })
    .await
    .expect("ran");
    let stdout = String::from_utf8_lossy(&cli.stdout);
    assert!(
        cli.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    assert!(stdout.contains("head       4"), "{stdout}");
    assert!(stdout.contains("Hereford 1"), "{stdout}");
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("--as-of replays the golden record"), "{said}");
    assert!(!no_date.status.success());
    let said = String::from_utf8_lossy(&no_date.stderr);
    assert!(
        said.contains("the herd as of yesterday was refused: asOf: "),
        "{said}"
    );
    server.stop().await;
}
