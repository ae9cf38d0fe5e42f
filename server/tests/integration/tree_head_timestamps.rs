//! RFC 3161 timestamps on signed tree heads (issue 18, item 4): with a TSA configured (here
//! Debian's `openssl ts` on loopback), each head carries a token over its hash that
//! verifies against the TSA's certificate, as OpenSSL agrees; a token over another hash, or
//! checked against another TSA's certificate, does not; `icattle verify --tsa-cert` says so.
use crate::support;
use crate::support::openssl_tsa::{make_certificate, OpensslTsa};

use base64::Engine;
use domain::{CommittedHead, TreeHead};
use server::tree_heads::timestamp_token::{check_token, TimestampFailure, TsaCertificate};
use std::process::Command;
use std::time::Duration;

fn verify_with_tsa(
    dir: &std::path::Path,
    log: &str,
    head: &CommittedHead,
    cert: &std::path::Path,
) -> (bool, String) {
    let (log_file, head_file) = (dir.join("log.jsonl"), dir.join("head.json"));
    std::fs::write(&log_file, log).expect("the log copy");
    std::fs::write(&head_file, serde_json::to_string(head).expect("JSON")).expect("the head");
    let output = Command::new(env!("CARGO_BIN_EXE_icattle"))
        .arg("verify")
        .arg("--expect-head")
        .arg(&head_file)
        .arg("--tsa-cert")
        .arg(cert)
        .arg(&log_file)
        .output()
        .expect("icattle runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_heads_timestamp_token_verifies_and_one_over_another_hash_does_not() {
    let tsa = OpensslTsa::start("tsa").await;
    let mut settings = support::settings("tree_head_timestamps").await;
    settings.tsa_url = Some(tsa.url.clone());
    settings.tsa_cert = Some(tsa.cert.clone());
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (_farmer, _) = support::farmer_with_clients(&server, &[95]).await;
    let assessor = support::api_client(&support::signed_in(&server, domain::Role::Assessor).await);

    let committed: CommittedHead =
        support::eventually(Duration::from_secs(30), "a timestamped head", || async {
            let answer = support::json_if_answered(
                assessor.get(format!("{base}/api/heads/latest?animals=true")),
            )
            .await?;
            let committed: CommittedHead = serde_json::from_value(answer).ok()?;
            committed
                .head
                .timestamp_token
                .is_some()
                .then_some(committed)
        })
        .await;
    let head: &TreeHead = &committed.head;
    let token = head.timestamp_token.clone().expect("a token");
    let pem = std::fs::read_to_string(&tsa.cert).expect("the certificate");
    let certificate = TsaCertificate::from_pem(&pem).expect("an RSA certificate");
    let stamped = check_token(&token, &head.head_hash, &certificate).expect("the token verifies");
    let now = chrono::Utc::now().timestamp() as u64;
    assert!(stamped.at_unix_secs.abs_diff(now) < 300, "{stamped:?}");

    // A token over another hash is refused, and so is another TSA's certificate.
    let mut other = head.head_hash.clone();
    other.replace_range(0..2, if other.starts_with("00") { "01" } else { "00" });
    assert!(matches!(
        check_token(&token, &other, &certificate),
        Err(TimestampFailure::Imprint { .. })
    ));
    let stranger_cert = make_certificate(&tsa.dir, "stranger");
    let stranger = TsaCertificate::from_pem(&std::fs::read_to_string(&stranger_cert).expect("pem"))
        .expect("an RSA certificate");
    assert!(matches!(
        check_token(&token, &head.head_hash, &stranger),
        Err(TimestampFailure::Signature(_))
    ));

    // OpenSSL, verifying on its own, agrees the token is the TSA's over the head's hash.
    let token_file = tsa.dir.join("token.der");
    let der = base64::engine::general_purpose::STANDARD
        .decode(&token)
        .expect("base64");
    std::fs::write(&token_file, der).expect("the token");
    let openssl = |digest: &str| {
        Command::new("openssl")
            .args(["ts", "-verify", "-token_in", "-digest", digest, "-in"])
            .arg(&token_file)
            .arg("-CAfile")
            .arg(&tsa.cert)
            .output()
            .expect("openssl runs")
            .status
            .success()
    };
    assert!(
        openssl(&head.head_hash),
        "openssl ts -verify accepts the token"
    );
    assert!(!openssl(&other), "and refuses it for another hash");

    // `icattle verify --tsa-cert` checks the head's token with the log.
    let log = server::kafka::log_reader::read_topic(
        &support::brokers(),
        &server.topics.cattle_events(),
        Duration::from_secs(30),
    )
    .expect("the log reads back");
    let (ok, printed) = verify_with_tsa(&tsa.dir, &log, &committed, &tsa.cert);
    assert!(
        ok && printed.contains("timestamped by the TSA at"),
        "{printed}"
    );
    let (ok, printed) = verify_with_tsa(&tsa.dir, &log, &committed, &stranger_cert);
    assert!(
        !ok && printed.contains("not signed by the configured TSA"),
        "{printed}"
    );

    server.stop().await;
    support::clean_up(&settings).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tsa_certificate_that_is_missing_or_not_one_stops_start_up_naming_the_file() {
    let mut settings = support::settings("tsa_cert_refused").await;
    settings.tsa_url = Some("http://127.0.0.1:9/tsa".into());
    std::fs::create_dir_all(&settings.data_dir).expect("the data directory");
    let missing = settings.data_dir.join("no-such-tsa.pem");
    let garbled = settings.data_dir.join("garbled-tsa.pem");
    std::fs::write(
        &garbled,
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
    )
    .expect("a garbled certificate");
    for path in [missing, garbled] {
        settings.tsa_cert = Some(path.clone());
        let refused = server::instance::start(
            &settings,
            "127.0.0.1:0".parse().expect("an address"),
            support::leptos_options(),
        )
        .await
        .err()
        .expect("start-up refuses the certificate");
        let message = refused.to_string();
        assert!(
            message.contains(&path.display().to_string()),
            "names {}: {message}",
            path.display()
        );
    }
}
