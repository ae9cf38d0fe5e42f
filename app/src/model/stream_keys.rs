//! The keys a browser trusts, built from the key stream (`GET /api/keys/stream`) under the
//! root key it trusts, not from a list the server vouches for.
use super::head_watch::ROOT_KEY_OWNER;
use domain::{KeyLedger, KeyRecord, KeyRegistry};
use serde::Deserialize;

/// What `GET /api/keys/stream` answers.
#[derive(Deserialize)]
struct ServedStream {
    root_key: String,
    records: Vec<KeyRecord>,
}

/// The keys the served stream makes under `trusted_root` (the root key this browser saw
/// sign before, if any; else the one served with the stream). A record the root key did not
/// chain is an error naming it, as is a served root other than the trusted one.
pub fn keys_of_stream(served: &str, trusted_root: Option<&str>) -> Result<KeyRegistry, String> {
    let stream: ServedStream = serde_json::from_str(served)
        .map_err(|error| format!("the key stream does not read: {error}"))?;
    let root = trusted_root.unwrap_or(&stream.root_key);
    if !root.eq_ignore_ascii_case(&stream.root_key) {
        return Err(format!(
            "the key stream is served under the root key {}, not the root key {root} this browser trusts",
            stream.root_key
        ));
    }
    let mut ledger = KeyLedger::new(root);
    for record in &stream.records {
        ledger
            .take(record)
            .map_err(|failure| format!("the key stream does not verify: {failure}"))?;
    }
    Ok(ledger.registry(ROOT_KEY_OWNER))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{KeyChange, KeyScope, SigningKeyPair};

    fn served(root: &SigningKeyPair, signer: &SigningKeyPair) -> (String, String) {
        let user = SigningKeyPair::from_seed([3; 32]).public_key_hex();
        let ledger = KeyLedger::new(&root.public_key_hex());
        let record = KeyRecord::sign(
            ledger.next(KeyChange::Registered {
                public_key: user.clone(),
                owner: "u1".into(),
                role: None,
                signs_for: KeyScope::Owner,
                valid_from: "2026-12-01T00:00:00.000Z".into(),
            }),
            signer,
        );
        let text = serde_json::json!({"root_key": root.public_key_hex(), "records": [record]});
        (text.to_string(), user)
    }

    #[test]
    fn the_stream_makes_the_keys_under_the_trusted_root_only() {
        let root = SigningKeyPair::from_seed([1; 32]);
        let (text, user) = served(&root, &root);
        let keys = keys_of_stream(&text, None).expect("the keys");
        assert!(keys
            .check_signer(&user, Some("u1"), "2026-12-02T00:00:00.000Z")
            .is_ok());
        let other = SigningKeyPair::from_seed([2; 32]).public_key_hex();
        let refused = keys_of_stream(&text, Some(&other)).expect_err("another root");
        assert!(refused.contains("not the root key"), "{refused}");
        let stranger = SigningKeyPair::from_seed([9; 32]);
        let (forged, _) = served(&root, &stranger);
        let refused = keys_of_stream(&forged, None).expect_err("a forged record");
        assert!(refused.contains("does not verify"), "{refused}");
    }
}
