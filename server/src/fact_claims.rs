//! Claims on business facts, shared by every instance through the database: before an
//! instance publishes the event that carries a fact (its idempotency key), it claims the
//! fact for that event, and marks the claim published once the broker acknowledged it. The
//! same command sent to two instances at once is claimed by one; the other answers with the
//! claimant's event instead of publishing a second.
//!
//! A claim not yet published is waited on briefly: its claimant is publishing. One left
//! unpublished for longer than a publish can take belongs to an instance that died first,
//! and is taken over; so is one whose event the golden record refused.
mod claim_batches;

use crate::entity::{claimed_fact, rejected_event};
use crate::technical_failure::unavailable;
use app::model::CommandFailure;
use chrono::Utc;
use claim_batches::ClaimBatches;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How long a claim is kept: far longer than an event takes from publishing to the golden
/// record, which answers for the fact from then on.
pub const CLAIMS_KEPT_FOR: Duration = Duration::from_secs(600);

/// How long an unpublished claim may stand before it is taken over: the producer's delivery
/// timeout (15 s), and some.
pub const UNPUBLISHED_CLAIM_LAPSES: Duration = Duration::from_secs(20);

/// How long a command waits for another instance to publish the fact it claimed.
const PUBLISHING_WAIT: Duration = Duration::from_secs(2);

/// How often a waiting command looks at the claim again.
const LOOK_AGAIN: Duration = Duration::from_millis(25);

/// Whose a fact is after claiming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The claim is this event's: publish it.
    Ours,
    /// Another event carries the fact, published by this or another instance.
    Held {
        /// The event that carries it.
        event_id: String,
    },
}

/// The claims in one database.
#[derive(Clone)]
pub struct FactClaims {
    db: DatabaseConnection,
    /// Claims and marks written in batches, started at the first claim (on the runtime).
    batches: Arc<OnceLock<ClaimBatches>>,
}

fn failure(key: &str, error: &DbErr) -> CommandFailure {
    unavailable(
        "The registry could not check for a duplicate; nothing was published",
        format!("claiming idempotency key {key}: {error}"),
    )
}

/// What a command finds claimed.
enum Standing {
    /// The claim is (now) this event's.
    Ours,
    /// Another event carries the fact.
    Held(String),
    /// Another instance is publishing the fact right now (or the claim just changed hands):
    /// looked at again in a moment.
    Publishing,
}

impl FactClaims {
    /// Claims kept in `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            batches: Arc::default(),
        }
    }

    fn batches(&self) -> &ClaimBatches {
        self.batches.get_or_init(|| ClaimBatches::start(&self.db))
    }

    /// Claims the fact `key` for `event_id`, waiting a moment when another instance is
    /// publishing it; a failure when it still is (the sender tries again shortly).
    pub async fn claim(&self, key: &str, event_id: &str) -> Result<Claim, CommandFailure> {
        let started = std::time::Instant::now();
        loop {
            match self
                .standing(key, event_id)
                .await
                .map_err(|e| failure(key, &e))?
            {
                Standing::Ours => return Ok(Claim::Ours),
                Standing::Held(event_id) => return Ok(Claim::Held { event_id }),
                Standing::Publishing if started.elapsed() < PUBLISHING_WAIT => {
                    tokio::time::sleep(LOOK_AGAIN).await;
                }
                Standing::Publishing => {
                    return Err(CommandFailure::Unavailable {
                        message: "The same command is being published by another request; \
                                  nothing more was published. Send it again in a moment to \
                                  learn its event."
                            .into(),
                    })
                }
            }
        }
    }

    /// One look at the claim on `key`, taking it for `event_id` when it is free or lapsed.
    async fn standing(&self, key: &str, event_id: &str) -> Result<Standing, DbErr> {
        let Some(held) = self.batches().claim(key, event_id).await? else {
            // Released in between: it is looked at again in a moment.
            return Ok(Standing::Publishing);
        };
        if held.event_id == event_id {
            return Ok(Standing::Ours);
        }
        let lapsed = match held.published {
            true => self.refused(&held.event_id).await?,
            false => {
                let age = (Utc::now() - held.claimed_at).to_std().unwrap_or_default();
                age > UNPUBLISHED_CLAIM_LAPSES
            }
        };
        if lapsed {
            return Ok(match self.take_over(&held, event_id).await? {
                true => Standing::Ours,
                false => Standing::Publishing,
            });
        }
        Ok(match held.published {
            true => Standing::Held(held.event_id),
            false => Standing::Publishing,
        })
    }

    /// Notes that the broker acknowledged `event_id`, which holds the claim on `key`.
    pub async fn published(&self, key: &str, event_id: &str) {
        match self.batches().mark_published(key, event_id).await {
            Ok(true) => {}
            // Taken over after lapsing: the golden record keeps the first of the two
            // events and drops the other as a duplicate.
            Ok(false) => {
                tracing::warn!(%key, %event_id, "a claim lapsed before its event was published")
            }
            Err(error) => {
                tracing::warn!(%error, %key, %event_id, "could not mark a claim published")
            }
        }
    }

    /// Gives up the claim `event_id` holds on `key`: the event was not published after all.
    /// A claim that cannot be released lapses.
    pub async fn release(&self, key: &str, event_id: &str) {
        let deleted = claimed_fact::Entity::delete_many()
            .filter(claimed_fact::Column::IdempotencyKey.eq(key))
            .filter(claimed_fact::Column::EventId.eq(event_id))
            .exec(&self.db)
            .await;
        if let Err(error) = deleted {
            tracing::warn!(%error, %key, %event_id, "could not release a claim");
        }
    }

    /// Deletes the claims older than [`CLAIMS_KEPT_FOR`]; answers how many.
    pub async fn purge_old(&self) -> Result<u64, DbErr> {
        let kept_for = chrono::Duration::from_std(CLAIMS_KEPT_FOR)
            .map_err(|e| DbErr::Custom(format!("claim age: {e}")))?;
        let deleted = claimed_fact::Entity::delete_many()
            .filter(claimed_fact::Column::ClaimedAt.lt(Utc::now() - kept_for))
            .exec(&self.db)
            .await?;
        Ok(deleted.rows_affected)
    }

    async fn refused(&self, event_id: &str) -> Result<bool, DbErr> {
        Ok(rejected_event::Entity::find()
            .filter(rejected_event::Column::EventId.eq(event_id))
            .one(&self.db)
            .await?
            .is_some())
    }

    /// Takes the claim `held` over for `event_id`, unless another did first.
    async fn take_over(&self, held: &claimed_fact::Model, event_id: &str) -> Result<bool, DbErr> {
        let updated = claimed_fact::Entity::update_many()
            .col_expr(claimed_fact::Column::EventId, Expr::value(event_id))
            .col_expr(claimed_fact::Column::ClaimedAt, Expr::value(Utc::now()))
            .col_expr(claimed_fact::Column::Published, Expr::value(false))
            .filter(claimed_fact::Column::IdempotencyKey.eq(held.idempotency_key.as_str()))
            .filter(claimed_fact::Column::EventId.eq(held.event_id.as_str()))
            .exec(&self.db)
            .await?;
        Ok(updated.rows_affected == 1)
    }
}
