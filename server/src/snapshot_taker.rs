//! Takes a snapshot of every animal that has had `every` events since its last one: the
//! golden record's state and chain head, sealed with the server's key, published to the
//! compacted snapshots topic (key `cattle-{id}`), and its place noted in `cattle_snapshots`.
//!
//! The golden record is itself a fold of the log, so a snapshot taken from it is one the
//! whole-log verification can hold to the log. Nothing depends on a snapshot being taken:
//! a crash between publishing and noting it only means the next pass takes another.
use crate::entity::{cattle, cattle_snapshot};
use crate::kafka::publisher::{EventPublisher, PublishError};
use chrono::{SecondsFormat, Utc};
use domain::{seal_snapshot, CattleState, ChainHead, SigningKeyPair};
use sea_orm::sea_query::{Expr, Func, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};
use std::sync::Arc;
use std::time::Duration;

/// How often the taker looks for animals due a snapshot.
const LOOK_EVERY: Duration = Duration::from_secs(2);

/// Animals snapshotted per look, so one look never holds the database for long.
const PER_LOOK: u64 = 500;

/// Why a pass stopped (it is tried again at the next look).
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The database refused.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// The broker did not take the snapshot.
    #[error("{0}")]
    Publish(#[from] PublishError),
    /// A stored state or chain head does not read back.
    #[error("animal {cattle_id}: the stored {what} does not read back: {reason}")]
    Stored {
        /// The animal.
        cattle_id: i64,
        /// "state" or "chain head".
        what: &'static str,
        /// Why.
        reason: String,
    },
}

/// Publishes snapshots of the animals due one.
#[derive(Clone)]
pub struct SnapshotTaker {
    db: DatabaseConnection,
    publisher: EventPublisher,
    topic: String,
    key: Arc<SigningKeyPair>,
    every: u64,
}

impl SnapshotTaker {
    /// A taker snapshotting each animal every `every` events, publishing with `publisher`
    /// (bound to the snapshots `topic`) and signing with `key`.
    pub fn new(
        db: DatabaseConnection,
        publisher: EventPublisher,
        topic: String,
        key: Arc<SigningKeyPair>,
        every: u64,
    ) -> Self {
        Self {
            db,
            publisher,
            topic,
            key,
            every: every.max(1),
        }
    }

    /// Snapshots every animal due one now; answers how many were taken.
    pub async fn take_due(&self) -> Result<usize, SnapshotError> {
        let mut taken = 0;
        loop {
            let due = self.due().await?;
            if due.is_empty() {
                return Ok(taken);
            }
            for (state, head) in &due {
                self.take(state, head).await?;
            }
            taken += due.len();
        }
    }

    /// Looks for animals due a snapshot until the task is dropped.
    pub async fn run(self) {
        loop {
            match self.take_due().await {
                Ok(0) => {}
                Ok(taken) => tracing::info!(taken, "animals snapshotted"),
                Err(error) => tracing::warn!(%error, "snapshots are behind; trying again"),
            }
            tokio::time::sleep(LOOK_EVERY).await;
        }
    }

    /// Up to `PER_LOOK` animals whose sequence is `every` or more past their last snapshot.
    async fn due(&self) -> Result<Vec<(CattleState, ChainHead)>, SnapshotError> {
        let snapshot_sequence = Func::coalesce([
            Expr::col((cattle_snapshot::Entity, cattle_snapshot::Column::Sequence)).into(),
            Expr::val(0i64).into(),
        ]);
        let query = Query::select()
            .column((cattle::Entity, cattle::Column::Id))
            .from(cattle::Entity)
            .left_join(
                cattle_snapshot::Entity,
                Expr::col((cattle_snapshot::Entity, cattle_snapshot::Column::CattleId))
                    .equals((cattle::Entity, cattle::Column::Id)),
            )
            .and_where(
                Expr::expr(
                    Expr::col((cattle::Entity, cattle::Column::Sequence))
                        .sub(Expr::expr(snapshot_sequence)),
                )
                .gte(self.every as i64),
            )
            .order_by((cattle::Entity, cattle::Column::Id), sea_orm::Order::Asc)
            .limit(PER_LOOK)
            .to_owned();
        let statement = self.db.get_database_backend().build(&query);
        let mut ids = Vec::new();
        for row in self.db.query_all(statement).await? {
            ids.push(row.try_get::<i64>("", "id")?);
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Read through the entity, so the JSON columns decode as the golden record wrote them
        // on either database.
        let rows = cattle::Entity::find()
            .filter(cattle::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        let mut due = Vec::with_capacity(rows.len());
        for row in rows {
            let stored = |what: &'static str, reason: String| SnapshotError::Stored {
                cattle_id: row.id,
                what,
                reason,
            };
            let state: CattleState = serde_json::from_value(row.state.clone())
                .map_err(|e| stored("state", e.to_string()))?;
            let head: ChainHead = serde_json::from_value(row.chain_head.clone())
                .map_err(|e| stored("chain head", e.to_string()))?;
            due.push((state, head));
        }
        Ok(due)
    }

    async fn take(&self, state: &CattleState, head: &ChainHead) -> Result<(), SnapshotError> {
        let taken_at = Utc::now();
        let event_id = format!("snap_{}", uuid::Uuid::new_v4().simple());
        let recorded_at = taken_at.to_rfc3339_opts(SecondsFormat::Millis, true);
        let envelope = seal_snapshot(event_id.clone(), recorded_at, state, head, &self.key);
        let position = self.publisher.publish(&envelope).await?;
        let row = cattle_snapshot::ActiveModel {
            cattle_id: Set(state.cattle_id.0),
            sequence: Set(head.sequence as i64),
            event_id: Set(event_id),
            kafka_topic: Set(self.topic.clone()),
            kafka_partition: Set(position.partition),
            kafka_offset: Set(position.offset),
            taken_at: Set(taken_at),
        };
        let newer = OnConflict::column(cattle_snapshot::Column::CattleId)
            .update_columns([
                cattle_snapshot::Column::Sequence,
                cattle_snapshot::Column::EventId,
                cattle_snapshot::Column::KafkaTopic,
                cattle_snapshot::Column::KafkaPartition,
                cattle_snapshot::Column::KafkaOffset,
                cattle_snapshot::Column::TakenAt,
            ])
            .to_owned();
        cattle_snapshot::Entity::insert(row)
            .on_conflict(newer)
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
