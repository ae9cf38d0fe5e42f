//! `icattle replay --view NAME` on the real engines: it rebuilds the golden record of a
//! running server through its API and ends once the copy is swapped in; a view it cannot
//! rebuild and a view that does not exist are named in its error.
use crate::support;

use domain::Role;
use serde_json::json;
use std::process::Command;

const PASSWORD: &str = "replay admin password";

fn replay(base: &str, view: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_icattle"))
        .args(["replay", "--view", view, "--url", base])
        .env("ICATTLE_ADMIN_PASSWORD", PASSWORD)
        .output()
        .expect("icattle runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_rebuilds_the_golden_record_of_a_running_server() {
    let mut settings = support::settings("view_replay_cli").await;
    settings.admin_password = Some(PASSWORD.into());
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (farmer, _) = support::farmer_with_clients(&server, &[51]).await;
    for n in 0..3 {
        support::applied_command(&server, &farmer, json!({"type": "CREATE_CATTLE",
            "data": {"nlisId": support::nlis(5100 + n), "breed": "Angus", "sex": "MALE", "clientId": 51}}))
        .await;
    }

    let output = tokio::task::spawn_blocking({
        let base = base.clone();
        move || replay(&base, "golden_record")
    })
    .await
    .expect("ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The client's registration and three animals.
    assert!(
        stdout.contains("golden_record rebuilt from 4 events"),
        "{stdout}"
    );
    let admin = support::api_client(&support::signed_in(&server, Role::Admin).await);
    let run =
        support::json_answer(admin.get(format!("{base}/api/views/golden_record/rebuild"))).await;
    assert_eq!(run["state"], "FINISHED", "{run}");
    assert_eq!(support::count(&server.db, "cattle").await, 3);

    let refused = tokio::task::spawn_blocking({
        let base = base.clone();
        move || (replay(&base, "fraud_detector"), replay(&base, "barn"))
    })
    .await
    .expect("ran");
    let (cache, unknown) = refused;
    assert!(!cache.status.success());
    let said = String::from_utf8_lossy(&cache.stderr);
    assert!(
        said.contains("cannot be rebuilt from the console"),
        "{said}"
    );
    assert!(!unknown.status.success());
    let said = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        said.contains("no view is named \"barn\"") && said.contains("golden_record"),
        "{said}"
    );
    server.stop().await;
}
