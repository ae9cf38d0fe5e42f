//! `icattle verify` on the protocol's test vectors: OK for the valid chains, the labelled
//! failure (and a non-zero exit) for every tampered copy.
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../domain/tests/vectors")
}

fn verify(file: &str) -> (bool, String) {
    verify_trusting(file, &vectors().join("keypair.json"))
}

fn verify_trusting(file: &str, keys: &std::path::Path) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_icattle"))
        .arg("verify")
        .arg("--keys")
        .arg(keys)
        .arg(vectors().join(file))
        .output()
        .expect("icattle runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn every_vector_gets_its_labelled_verdict() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(vectors().join("expected.json")).expect("expected.json"),
    )
    .expect("valid JSON");
    let cases = expected.as_object().expect("a map of files");
    assert!(cases.len() >= 10, "the vectors are all there");
    let own_keys = std::env::temp_dir().join(format!("icattle-vector-keys-{}", std::process::id()));
    for (file, case) in cases {
        // A few files are labelled for a key file of their own (PROTOCOL.md §8).
        let (ok, printed) = match case.get("keys") {
            Some(keys) => {
                std::fs::write(&own_keys, keys.to_string()).expect("a key file");
                verify_trusting(file, &own_keys)
            }
            None => verify(file),
        };
        match case["first_failure"].as_array() {
            None => {
                assert!(ok, "{file} should verify:\n{printed}");
                assert!(printed.contains("OK:"), "{file}:\n{printed}");
            }
            Some(first) => {
                let index = first[0].as_u64().expect("an index");
                let code = first[1].as_str().expect("a code");
                assert!(!ok, "{file} must fail:\n{printed}");
                let line = format!("first failure {code} at #{index}");
                assert!(
                    printed.contains(&line),
                    "{file}: wanted {line:?} in\n{printed}"
                );
            }
        }
    }
    let _ = std::fs::remove_file(&own_keys);
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_icattle"))
        .args(["verify", "/nonexistent/log.jsonl"])
        .output()
        .expect("icattle runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/log.jsonl"), "{stderr}");
}

/// `icattle verify` with the vector key published as a user's key owned by `owner`.
fn verify_as_users_key(owner: &str) -> (bool, String) {
    let pair: Value = serde_json::from_str(
        &std::fs::read_to_string(vectors().join("keypair.json")).expect("keypair.json"),
    )
    .expect("valid JSON");
    let keys = serde_json::json!([{
        "public_key": pair["public_key"], "owner": owner, "signs_for": "OWNER"
    }]);
    let dir = std::env::temp_dir().join(format!("icattle-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let file = dir.join(format!("{owner}.json").replace(':', "_"));
    std::fs::write(&file, keys.to_string()).expect("the key file");
    let output = Command::new(env!("CARGO_BIN_EXE_icattle"))
        .arg("verify")
        .arg("--keys")
        .arg(&file)
        .arg(vectors().join("valid-chain.jsonl"))
        .output()
        .expect("icattle runs");
    let _ = std::fs::remove_dir_all(&dir);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn a_users_key_verifies_only_the_events_its_owner_created() {
    // Every event of the valid chain says `created_by: user:farmer-7`.
    let (ok, printed) = verify_as_users_key("user:farmer-7");
    assert!(ok, "{printed}");
    let (ok, printed) = verify_as_users_key("user:somebody-else");
    assert!(!ok, "{printed}");
    assert!(
        printed.contains("first failure NOT_THE_AUTHOR at #0"),
        "{printed}"
    );
}

#[test]
fn an_expected_head_that_is_missing_or_not_a_head_is_a_clear_error() {
    let not_a_head =
        std::env::temp_dir().join(format!("icattle-not-a-head-{}", std::process::id()));
    std::fs::write(&not_a_head, "{\"number\": 1}").expect("a file");
    for (head, named) in [
        (
            PathBuf::from("/nonexistent/head.json"),
            "/nonexistent/head.json",
        ),
        (not_a_head.clone(), "is not a head with its animal heads"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_icattle"))
            .arg("verify")
            .arg("--expect-head")
            .arg(&head)
            .arg(vectors().join("valid-chain.jsonl"))
            .output()
            .expect("icattle runs");
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(named), "{stderr}");
    }
    let _ = std::fs::remove_file(&not_a_head);
}

#[test]
fn a_key_stream_that_does_not_read_or_has_no_root_key_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("icattle-key-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let stream = dir.join("keys.jsonl");
    std::fs::write(&stream, "\n{\"not\": \"a record\"}\n").expect("the key stream");
    let log = vectors().join("valid-chain.jsonl");
    let root = "ab".repeat(32);
    let output = Command::new(env!("CARGO_BIN_EXE_icattle"))
        .arg("verify")
        .arg("--key-stream")
        .arg(&stream)
        .args(["--root-key", &root])
        .arg(&log)
        .output()
        .expect("icattle runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("key stream line 2"), "{stderr}");
    let output = Command::new(env!("CARGO_BIN_EXE_icattle"))
        .arg("verify")
        .arg("--key-stream")
        .arg(&stream)
        .arg(&log)
        .output()
        .expect("icattle runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--root-key"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
