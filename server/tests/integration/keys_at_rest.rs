//! Users' signing seeds at rest, against the real database: a dump of the `users` table
//! cannot sign without the master key, and seeds stored in plain text before sealing are
//! sealed.
use crate::support;

use domain::{Role, SigningKeyPair};
use sea_orm::{ConnectionTrait, Statement};
use server::seed_vault::SeedVault;

/// (username, signing_seed, public_key) of every user, as a dump would show them.
async fn dump(db: &sea_orm::DatabaseConnection) -> Vec<(String, String, String)> {
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT username, signing_seed, public_key FROM users ORDER BY username",
        ))
        .await
        .expect("the users table");
    rows.iter()
        .map(|row| {
            (
                row.try_get("", "username").expect("username"),
                row.try_get("", "signing_seed").expect("seed"),
                row.try_get("", "public_key").expect("public key"),
            )
        })
        .collect()
}

/// Every seed a dump's text could hold in plain hex: each 64-character run of hex digits.
fn plain_candidates(stored: &str) -> Vec<SigningKeyPair> {
    let bytes = stored.as_bytes();
    (0..bytes.len().saturating_sub(63))
        .filter_map(|at| std::str::from_utf8(&bytes[at..at + 64]).ok())
        .filter_map(|window| SigningKeyPair::from_seed_hex(window).ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dump_of_the_users_table_cannot_sign_without_the_master_key() {
    let settings = support::settings("keys_at_rest").await;
    let server = support::start(&settings).await;
    support::signed_in(&server, Role::Farmer).await;
    let db = support::connect(&settings).await;

    let users = dump(&db).await;
    assert!(
        users.len() >= 2,
        "the first admin and the farmer: {users:?}"
    );
    let vault = SeedVault::open(None, &settings.data_dir).expect("the server's master key");
    let stranger = SeedVault::with_key(&[42; 32]);
    for (username, stored, public_key) in &users {
        let leaked: Vec<String> = plain_candidates(stored)
            .iter()
            .map(SigningKeyPair::public_key_hex)
            .filter(|candidate| candidate == public_key)
            .collect();
        assert!(
            leaked.is_empty(),
            "{username}'s seed is readable from the dump"
        );
        assert!(
            stranger.open_seed(username, stored).is_err(),
            "{username}'s seed opened under another master key"
        );
        let seed = vault
            .open_seed(username, stored)
            .expect("the master key opens it");
        assert_eq!(
            &SigningKeyPair::from_seed(seed).public_key_hex(),
            public_key
        );
    }

    // A seed written in plain text (by a version before sealing) is sealed, and still signs
    // for its user.
    let (username, _, public_key) = users.last().expect("a user").clone();
    let plain = vault
        .open_seed(&username, &users.last().expect("a user").1)
        .expect("opens");
    db.execute(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE users SET signing_seed = $1 WHERE username = $2",
        [hex::encode(plain).into(), username.clone().into()],
    ))
    .await
    .expect("the plain seed written");
    assert_eq!(server.accounts.seal_plain_seeds().await.expect("sealed"), 1);
    let (_, stored, _) = dump(&db)
        .await
        .into_iter()
        .find(|(name, _, _)| *name == username)
        .expect("the user");
    assert!(SeedVault::is_sealed(&stored), "{stored}");
    let seed = vault.open_seed(&username, &stored).expect("opens");
    assert_eq!(SigningKeyPair::from_seed(seed).public_key_hex(), public_key);
    support::clean_up(&settings).await;
}
