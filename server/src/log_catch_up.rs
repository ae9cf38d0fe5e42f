//! Whether the golden record has applied everything the log held when this instance started.
//! A request retried with its `Idempotency-Key` after a restart is decided only then: the
//! first attempt may be in the log but not yet in the golden record, and answering the retry
//! from a golden record still catching up would publish the fact a second time.
use crate::kafka::topics::end_offsets;
use crate::views::sql_checkpoint;
use sea_orm::DatabaseConnection;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often the golden record's checkpoints are compared with the log's ends.
const POLL: Duration = Duration::from_millis(50);

/// The golden record's progress through the log as it was at start-up.
#[derive(Clone, Debug)]
pub struct CatchUp(watch::Receiver<bool>);

impl CatchUp {
    /// Already caught up (for a log this instance knows to be empty, and in tests).
    pub fn done() -> Self {
        Self(watch::channel(true).1)
    }

    /// Follows the golden record in `db` until it has applied every message `topic` held at
    /// this moment.
    pub fn follow(
        db: DatabaseConnection,
        brokers: String,
        topic: String,
        projection: &'static str,
    ) -> (Self, JoinHandle<()>) {
        let (tell, watch) = watch::channel(false);
        let task = tokio::spawn(async move {
            let ends = loop {
                let (brokers, topic) = (brokers.clone(), topic.clone());
                match tokio::task::spawn_blocking(move || end_offsets(&brokers, &topic)).await {
                    Ok(Ok(ends)) => break ends,
                    Ok(Err(error)) => {
                        tracing::warn!(%error, "could not read the log's ends; retrying")
                    }
                    Err(error) => tracing::warn!(%error, "could not read the log's ends; retrying"),
                }
                tokio::time::sleep(POLL * 10).await;
            };
            loop {
                match behind(&db, projection, &topic, &ends).await {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(error) => {
                        tracing::warn!(%error, "could not read the golden record's checkpoints")
                    }
                }
                tokio::time::sleep(POLL).await;
            }
            tracing::info!("the golden record holds everything the log held at start-up");
            let _ = tell.send(true);
        });
        (Self(watch), task)
    }

    /// Waits until caught up, at most `within`: whether it is.
    pub async fn wait(&self, within: Duration) -> bool {
        let mut watch = self.0.clone();
        let reached = tokio::time::timeout(within, watch.wait_for(|done| *done)).await;
        matches!(reached, Ok(Ok(_)))
    }
}

/// How many messages before `ends` the view `projection` has not applied yet.
pub async fn behind(
    db: &DatabaseConnection,
    projection: &str,
    topic: &str,
    ends: &BTreeMap<i32, i64>,
) -> Result<i64, sea_orm::DbErr> {
    let saved: BTreeMap<i32, i64> = sql_checkpoint::checkpoints(db, projection, topic)
        .await?
        .into_iter()
        .collect();
    Ok(crate::rebuild::view_copy::left_to_apply(&saved, ends))
}
