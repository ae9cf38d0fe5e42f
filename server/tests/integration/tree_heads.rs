//! Signed tree heads (issue 18): the server signs heads over the golden record's events;
//! an event's inclusion proof and two heads' consistency proof check out with nothing but
//! the heads, and forged ones do not; `icattle verify --expect-head` passes the whole log
//! and fails a copy that lost an animal's newest event, naming the animal.
use crate::support;

use domain::{
    check_consistency, check_inclusion, CattleId, CommittedHead, InclusionProof,
    PartitionConsistency, Role, TreeHead,
};
use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;

/// The newest head, once it commits to `cattle_id` at `sequence` or later.
async fn head_covering(
    http: &reqwest::Client,
    base: &str,
    cattle_id: i64,
    sequence: u64,
) -> CommittedHead {
    support::eventually(
        Duration::from_secs(30),
        "a head covering the event",
        || async {
            let answer = support::json_if_answered(
                http.get(format!("{base}/api/heads/latest?animals=true")),
            )
            .await?;
            let committed: CommittedHead = serde_json::from_value(answer).ok()?;
            committed
                .animal_heads
                .iter()
                .any(|head| head.cattle_id == cattle_id && head.sequence >= sequence)
                .then_some(committed)
        },
    )
    .await
}

async fn status_and_json(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("the API answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

fn verify_with_head(
    log: &str,
    head: &CommittedHead,
    keys: &Value,
    root_key: &str,
) -> (bool, String) {
    let dir = std::env::temp_dir().join(support::unique("expect_head"));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let (log_file, head_file, keys_file) = (
        dir.join("log.jsonl"),
        dir.join("head.json"),
        dir.join("keys.json"),
    );
    std::fs::write(&log_file, log).expect("the log copy");
    std::fs::write(&head_file, serde_json::to_string(head).expect("JSON")).expect("the head");
    std::fs::write(&keys_file, keys.to_string()).expect("the keys");
    let output = Command::new(env!("CARGO_BIN_EXE_icattle"))
        .arg("verify")
        .arg("--keys")
        .arg(&keys_file)
        .arg("--expect-head")
        .arg(&head_file)
        .args(["--root-key", root_key])
        .arg(&log_file)
        .output()
        .expect("icattle runs");
    let _ = std::fs::remove_dir_all(&dir);
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heads_prove_inclusion_and_growth_and_catch_a_truncated_copy() {
    let settings = support::settings("tree_heads").await;
    let server = support::start(&settings).await;
    let base = format!("http://{}", server.addr);
    let (farmer, _) = support::farmer_with_clients(&server, &[91]).await;
    let assessor = support::api_client(&support::signed_in(&server, Role::Assessor).await);
    let ids: Vec<i64> = (0..3)
        .map(|n| CattleId::for_nlis(&support::nlis(9100 + n)).0)
        .collect();
    for n in 0..3 {
        support::applied_command(
            &server,
            &farmer,
            json!({"type": "CREATE_CATTLE", "data": {"nlisId": support::nlis(9100 + n), "breed": "Angus", "sex": "FEMALE", "clientId": 91}}),
        )
        .await;
    }
    let valued = ids[1];
    for cents in [120_000, 125_000] {
        support::applied_command(
            &server,
            &assessor,
            json!({"type": "RECORD_VALUATION", "data": {"cattleId": valued, "amountCents": cents, "method": "MARKET"}}),
        )
        .await;
    }

    let keys: Value = support::json_answer(farmer.get(format!("{base}/api/keys"))).await;
    // The animal heads name every herd's animals: an assessor reads them, a farmer may not.
    let first = head_covering(&assessor, &base, valued, 3).await;
    let (status, answer) =
        status_and_json(farmer.get(format!("{base}/api/heads/latest?animals=true"))).await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = status_and_json(
        reqwest::Client::new().get(format!("{base}/api/heads/latest?animals=true")),
    )
    .await;
    assert_eq!(status, 401, "{answer}");
    let root_key = first.head.public_key.clone();
    assert!(
        keys.as_array()
            .expect("keys")
            .iter()
            .any(|key| key["public_key"] == root_key.as_str()
                && key["owner"] == server::keys::SERVER_OWNER),
        "the head is signed by the server's key: {keys}"
    );
    first
        .check(Some(&root_key))
        .expect("the head and its animal heads check out");
    for id in &ids {
        assert!(
            first.animal_heads.iter().any(|head| head.cattle_id == *id),
            "{id} committed"
        );
    }

    // The second valuation is in the head: its proof leads to the head's root.
    let log = server::kafka::log_reader::read_topic(
        &support::brokers(),
        &server.topics.cattle_events(),
        Duration::from_secs(30),
    )
    .expect("the log reads back");
    let event_hash = |cattle_id: i64, sequence: u64| {
        domain::read_json_lines(&log)
            .into_iter()
            .filter_map(|(_, envelope)| envelope.ok())
            .find(|e| e.metadata.cattle_id.0 == cattle_id && e.metadata.sequence == sequence)
            .map(|e| domain::event_hash(&e).expect("a hash"))
            .expect("the event is in the log")
    };
    let (status, answer) =
        status_and_json(farmer.get(format!("{base}/api/cattle/{valued}/proof?sequence=3"))).await;
    assert_eq!(status, 200, "{answer}");
    let head: TreeHead = serde_json::from_value(answer["head"].clone()).expect("a head");
    let proof: InclusionProof = serde_json::from_value(answer["proof"].clone()).expect("a proof");
    head.check(Some(&root_key))
        .expect("the proof's head is signed");
    let hash = event_hash(valued, 3);
    check_inclusion(&head, &hash, &proof).expect("the event is included");
    assert!(
        check_inclusion(&head, &event_hash(valued, 2), &proof).is_err(),
        "another event"
    );
    // What the animal page asks: the newest head and the newest included event's proof.
    let inclusion =
        support::json_answer(farmer.get(format!("{base}/api/cattle/{valued}/inclusion"))).await;
    let newest_head: TreeHead = serde_json::from_value(inclusion["head"].clone()).expect("a head");
    let newest: InclusionProof =
        serde_json::from_value(inclusion["proof"].clone()).expect("a proof");
    assert_eq!(
        newest.event_hash, hash,
        "the animal's newest event is its third"
    );
    check_inclusion(&newest_head, &hash, &newest).expect("and it is included");
    let mut forged = proof.clone();
    forged.leaf_index += 1;
    assert!(
        check_inclusion(&head, &hash, &forged).is_err(),
        "another place"
    );

    // A later head only adds to the first, and says so.
    for cents in [130_000, 131_000] {
        support::applied_command(
            &server,
            &assessor,
            json!({"type": "RECORD_VALUATION", "data": {"cattleId": ids[2], "amountCents": cents, "method": "MARKET"}}),
        )
        .await;
    }
    let later = head_covering(&assessor, &base, ids[2], 3).await;
    assert!(later.head.number() > first.head.number());
    let (status, answer) = status_and_json(farmer.get(format!(
        "{base}/api/heads/consistency?from={}&to={}",
        first.head.number(),
        later.head.number()
    )))
    .await;
    assert_eq!(status, 200, "{answer}");
    let from: TreeHead = serde_json::from_value(answer["from"].clone()).expect("a head");
    let to: TreeHead = serde_json::from_value(answer["to"].clone()).expect("a head");
    let proofs: Vec<PartitionConsistency> =
        serde_json::from_value(answer["partitions"].clone()).expect("proofs");
    assert_eq!(from, first.head);
    to.check(Some(&root_key)).expect("signed");
    check_consistency(&from, &to, &proofs).expect("the later head only adds");
    // A head that rewrote the past is caught: the first head's partition roots, changed.
    let mut rewritten = first.head.clone();
    for tree in &mut rewritten.statement.partitions {
        if tree.size > 0 {
            tree.root = "00".repeat(32);
        }
    }
    assert!(check_consistency(&rewritten, &to, &proofs).is_err());

    // The whole log holds the head; a copy without the valued animal's newest event does not.
    let committed = head_covering(&assessor, &base, ids[2], 3).await;
    let log = server::kafka::log_reader::read_topic(
        &support::brokers(),
        &server.topics.cattle_events(),
        Duration::from_secs(30),
    )
    .expect("the log reads back");
    let (ok, printed) = verify_with_head(&log, &committed, &keys, &root_key);
    assert!(ok, "{printed}");
    assert!(printed.contains("holds all"), "{printed}");
    let newest = |line: &str| {
        let envelope: Value = serde_json::from_str(line).expect("an envelope per line");
        envelope["metadata"]["cattle_id"] == valued && envelope["metadata"]["sequence"] == 3
    };
    let truncated: String = log
        .lines()
        .filter(|line| !newest(line))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(truncated.lines().count() + 1, log.lines().count());
    let (ok, printed) = verify_with_head(&truncated, &committed, &keys, &root_key);
    assert!(!ok, "{printed}");
    assert!(printed.contains(&format!("animal {valued}:")), "{printed}");
    assert!(printed.contains("end at 2"), "{printed}");
    // A head signed by another key than the root key is refused.
    let stranger = domain::SigningKeyPair::from_seed([7; 32]).public_key_hex();
    let (ok, printed) = verify_with_head(&log, &committed, &keys, &stranger);
    assert!(!ok && printed.contains("not by the root key"), "{printed}");

    // Mistakes are named.
    for (query, named) in [
        ("/api/heads/consistency?from=x&to=2", "from"),
        ("/api/heads/consistency?from=2", "to="),
        ("/api/heads/consistency?from=3&to=2", "must not be after"),
        ("/api/heads/latest?animals=maybe", "animals"),
        ("/api/heads/abc", "head number"),
    ] {
        let (status, answer) = status_and_json(farmer.get(format!("{base}{query}"))).await;
        assert_eq!(status, 400, "{query}: {answer}");
        assert!(
            answer["error"].as_str().is_some_and(|e| e.contains(named)),
            "{answer}"
        );
    }
    let (status, answer) =
        status_and_json(farmer.get(format!("{base}/api/cattle/{valued}/proof?sequence=99"))).await;
    assert_eq!(status, 404, "{answer}");
    let (status, answer) = status_and_json(farmer.get(format!("{base}/api/heads/999999"))).await;
    assert_eq!(status, 404, "{answer}");

    server.stop().await;
    support::clean_up(&settings).await;
}
