//! The key stream vectors of PROTOCOL.md §11 (`key-stream.json`): two records signed by the
//! root key (the vector producer's key), one registering a user's key and one revoking it,
//! the keys they make judged at four instants and for two authors, and a record signed by
//! another key, which the stream refuses.
use domain::*;
use serde_json::{json, Value};

/// The user whose key the records register.
const OWNER: &str = "u-vector-farmer";

fn user_key() -> SigningKeyPair {
    SigningKeyPair::from_seed([0x21; 32])
}

/// The checks a reader of the stream must agree with: signer, author, instant, verdict.
fn checks() -> Vec<(String, &'static str, &'static str, &'static str)> {
    let key = user_key().public_key_hex();
    vec![
        (
            key.clone(),
            OWNER,
            "2026-11-30T23:59:59.999Z",
            "KEY_NOT_YET_VALID",
        ),
        (key.clone(), OWNER, "2026-12-02T12:00:00.000Z", "OK"),
        (
            key.clone(),
            "someone-else",
            "2026-12-02T12:00:00.000Z",
            "NOT_THE_AUTHOR",
        ),
        (key, OWNER, "2026-12-03T00:00:00.000Z", "KEY_REVOKED"),
    ]
}

/// The vector file, pretty JSON.
pub fn key_stream_vectors(root: &SigningKeyPair) -> String {
    let mut ledger = KeyLedger::new(&root.public_key_hex());
    let mut records = Vec::new();
    for change in [
        KeyChange::Registered {
            public_key: user_key().public_key_hex(),
            owner: OWNER.into(),
            role: Some(Role::Farmer),
            signs_for: KeyScope::Owner,
            valid_from: "2026-12-01T00:00:00.000Z".into(),
        },
        KeyChange::Revoked {
            public_key: user_key().public_key_hex(),
            revoked_from: "2026-12-03T00:00:00.000Z".into(),
        },
    ] {
        let record = KeyRecord::sign(ledger.next(change), root);
        ledger.take(&record).expect("the vector records chain");
        records.push(record);
    }
    let stranger = SigningKeyPair::from_seed([0x22; 32]);
    let forged = KeyRecord::sign(
        ledger.next(KeyChange::Registered {
            public_key: stranger.public_key_hex(),
            owner: "u-intruder".into(),
            role: Some(Role::Admin),
            signs_for: KeyScope::Anyone,
            valid_from: "2026-12-01T00:00:00.000Z".into(),
        }),
        &stranger,
    );
    let value = json!({
        "root_key": root.public_key_hex(),
        "records": records,
        "checks": checks().into_iter().map(|(key, by, at, verdict)| json!({
            "public_key": key, "created_by": by, "signed_at": at, "result": verdict,
        })).collect::<Vec<_>>(),
        "refused_record": {"record": forged, "result": "SIGNATURE"},
    });
    serde_json::to_string_pretty(&value).expect("json") + "\n"
}

/// Reads the file as an outsider would and checks every verdict it states.
pub fn check_key_stream_vectors(text: &str, root_key: &str) {
    let file: Value = serde_json::from_str(text).expect("key-stream.json");
    assert_eq!(file["root_key"], root_key);
    let mut ledger = KeyLedger::new(root_key);
    for record in file["records"].as_array().expect("records") {
        let bytes = serde_json::to_vec(record).expect("json");
        assert_eq!(ledger.take_json(&bytes), Ok(KeyRecordTaken::Applied));
    }
    let keys = ledger.registry("root");
    for check in file["checks"].as_array().expect("checks") {
        let text = |name: &str| check[name].as_str().expect(name).to_string();
        let verdict = keys
            .check_signer(
                &text("public_key"),
                Some(&text("created_by")),
                &text("signed_at"),
            )
            .map_or_else(|failure| failure.code(), |()| "OK");
        assert_eq!(verdict, text("result"), "{check}");
    }
    let forged = serde_json::to_vec(&file["refused_record"]["record"]).expect("json");
    assert!(matches!(
        ledger.take_json(&forged),
        Err(KeyLogFailure::Signature { .. })
    ));
}
