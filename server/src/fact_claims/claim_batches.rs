//! Claims written together: the commands in flight at once each claim their fact and mark
//! it published, and one statement per batch does it for all of them, so a burst of
//! commands costs a few commits instead of two each. A lone command waits for nobody: a
//! batch is whatever queued while the statement before it ran.
use crate::entity::claimed_fact;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use tokio::sync::{mpsc, oneshot};

/// Claims per statement: four values a row, far under the bind-parameter limits of
/// PostgreSQL and SQLite.
const CLAIMS_PER_BATCH: usize = 256;

/// Where the answer for one queued claim goes.
type Reply<A> = oneshot::Sender<Result<A, String>>;

/// A fact to claim for the event that will carry it.
struct NewClaim {
    key: String,
    event_id: String,
    claimed_at: DateTime<Utc>,
}

/// A claim whose event the broker acknowledged.
type PublishedClaim = (String, String);

/// The queues of the two writers, each a task of its own.
pub(super) struct ClaimBatches {
    claims: mpsc::UnboundedSender<(NewClaim, Reply<Option<claimed_fact::Model>>)>,
    marks: mpsc::UnboundedSender<(PublishedClaim, Reply<bool>)>,
}

fn stopped() -> DbErr {
    DbErr::Custom("the writer of claims stopped".into())
}

impl ClaimBatches {
    /// Starts the writers on `db`; they end when this is dropped.
    pub(super) fn start(db: &DatabaseConnection) -> Self {
        let (claims, claim_queue) = mpsc::unbounded_channel();
        let (marks, mark_queue) = mpsc::unbounded_channel();
        tokio::spawn(write_batches(db.clone(), claim_queue, insert_claims));
        tokio::spawn(write_batches(db.clone(), mark_queue, mark_published));
        Self { claims, marks }
    }

    /// Claims `key` for `event_id` where nobody holds it yet; answers the claim on `key` as
    /// it stands afterwards (none when it was released in between).
    pub(super) async fn claim(
        &self,
        key: &str,
        event_id: &str,
    ) -> Result<Option<claimed_fact::Model>, DbErr> {
        let claim = NewClaim {
            key: key.to_string(),
            event_id: event_id.to_string(),
            claimed_at: Utc::now(),
        };
        let (reply, answer) = oneshot::channel();
        self.claims.send((claim, reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?.map_err(DbErr::Custom)
    }

    /// Marks the claim `event_id` holds on `key` published; false when `event_id` no longer
    /// holds it.
    pub(super) async fn mark_published(&self, key: &str, event_id: &str) -> Result<bool, DbErr> {
        let (reply, answer) = oneshot::channel();
        self.marks
            .send(((key.to_string(), event_id.to_string()), reply))
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?.map_err(DbErr::Custom)
    }
}

/// Writes what `queue` holds with `write`, a batch at a time, and answers each sender.
async fn write_batches<T, A, W, Written>(
    db: DatabaseConnection,
    mut queue: mpsc::UnboundedReceiver<(T, Reply<A>)>,
    write: W,
) where
    W: Fn(DatabaseConnection, Vec<T>) -> Written,
    Written: Future<Output = Result<Vec<A>, DbErr>>,
{
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < CLAIMS_PER_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let (items, replies): (Vec<T>, Vec<Reply<A>>) = batch.into_iter().unzip();
        match write(db.clone(), items).await {
            Ok(answers) => {
                for (reply, answer) in replies.into_iter().zip(answers) {
                    // A sender that went away needs no answer.
                    let _ = reply.send(Ok(answer));
                }
            }
            Err(error) => {
                let error = error.to_string();
                for reply in replies {
                    let _ = reply.send(Err(error.clone()));
                }
            }
        }
    }
}

/// Inserts the claims nobody holds, then reads back who holds each key.
async fn insert_claims(
    db: DatabaseConnection,
    claims: Vec<NewClaim>,
) -> Result<Vec<Option<claimed_fact::Model>>, DbErr> {
    let rows = claims.iter().map(|claim| claimed_fact::ActiveModel {
        idempotency_key: Set(claim.key.clone()),
        event_id: Set(claim.event_id.clone()),
        claimed_at: Set(claim.claimed_at),
        published: Set(false),
    });
    // Two claims on one key in a batch: the first is inserted, the second finds it held.
    claimed_fact::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(claimed_fact::Column::IdempotencyKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&db)
        .await?;
    let keys: HashSet<&str> = claims.iter().map(|claim| claim.key.as_str()).collect();
    let held: HashMap<String, claimed_fact::Model> = claimed_fact::Entity::find()
        .filter(claimed_fact::Column::IdempotencyKey.is_in(keys))
        .all(&db)
        .await?
        .into_iter()
        .map(|row| (row.idempotency_key.clone(), row))
        .collect();
    Ok(claims
        .iter()
        .map(|claim| held.get(&claim.key).cloned())
        .collect())
}

/// Marks the claims published, each where its event still holds it.
async fn mark_published(
    db: DatabaseConnection,
    claims: Vec<PublishedClaim>,
) -> Result<Vec<bool>, DbErr> {
    let held_by_its_event = claims
        .iter()
        .fold(Condition::any(), |any, (key, event_id)| {
            any.add(
                Condition::all()
                    .add(claimed_fact::Column::IdempotencyKey.eq(key.as_str()))
                    .add(claimed_fact::Column::EventId.eq(event_id.as_str())),
            )
        });
    let marked = claimed_fact::Entity::update_many()
        .col_expr(claimed_fact::Column::Published, Expr::value(true))
        .filter(held_by_its_event.clone())
        .exec(&db)
        .await?;
    if marked.rows_affected == claims.len() as u64 {
        return Ok(vec![true; claims.len()]);
    }
    // A claim lapsed and was taken over before its event was acknowledged: which one?
    let still: HashSet<PublishedClaim> = claimed_fact::Entity::find()
        .filter(held_by_its_event)
        .all(&db)
        .await?
        .into_iter()
        .map(|row| (row.idempotency_key, row.event_id))
        .collect();
    Ok(claims.iter().map(|claim| still.contains(claim)).collect())
}
