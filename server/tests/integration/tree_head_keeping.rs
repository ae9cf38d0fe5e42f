//! Signed tree heads kept beyond their table: every head is copied into the audit archive's
//! store (`heads/{number}.json`), and a head that reached the topic but not the table (its
//! keeping failed, the instance stopped) is kept from the topic at the next start, so no
//! number is ever signed twice.
use crate::support;
use domain::TreeHead;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use server::tree_heads::head_archive::HeadArchive;
use server::tree_heads::head_book;
use std::time::Duration;

/// The newest kept head once its number is above `above`.
async fn head_above(db: &DatabaseConnection, above: u64) -> TreeHead {
    support::eventually(Duration::from_secs(30), "a newer head", || async {
        head_book::latest(db)
            .await
            .ok()
            .flatten()
            .filter(|head| head.number() > above)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_only_on_the_topic_is_kept_at_the_next_start_and_every_head_is_archived() {
    let settings = support::settings("head_keeping").await;
    let client = 9_300_000 + (std::process::id() as i64 % 10_000) * 10;
    let server = support::start(&settings).await;
    let (farmer, _) = support::farmer_with_clients(&server, &[client]).await;
    let first = head_above(&server.db, 0).await;
    support::register_client(&server, &farmer, client + 1).await;
    let newest = head_above(&server.db, first.number()).await;
    server.stop().await;

    let db = support::connect(&settings).await;
    let archive =
        HeadArchive::new(server::audit::open_store(&settings.audit_url()).expect("the store"));
    for number in 1..=newest.number() {
        let kept = head_book::numbered(&db, number).await.expect("read");
        let archived = archive.read(number).await.expect("the archive answers");
        assert!(kept.is_some(), "head #{number} is kept");
        assert_eq!(archived, kept, "head #{number} is archived as kept");
    }

    // As if the newest head's keeping had failed after it was published.
    db.execute_unprepared(&format!(
        "DELETE FROM tree_heads WHERE number = {}",
        newest.number()
    ))
    .await
    .expect("the newest head forgotten");
    let server = support::start(&settings).await;
    let again = support::eventually(Duration::from_secs(30), "the head kept again", || async {
        head_book::numbered(&server.db, newest.number())
            .await
            .ok()
            .flatten()
    })
    .await;
    assert_eq!(
        again, newest,
        "the head on the topic, not a new one of that number"
    );
    support::register_client(&server, &farmer, client + 2).await;
    let next = head_above(&server.db, newest.number()).await;
    assert_eq!(next.number(), newest.number() + 1);
    assert_eq!(
        next.statement.previous_head_hash.as_deref(),
        Some(newest.head_hash.as_str()),
        "the next head follows the one on the topic"
    );
    assert_eq!(
        archive
            .read(next.number())
            .await
            .expect("the archive answers"),
        Some(next)
    );
    server.stop().await;
}
