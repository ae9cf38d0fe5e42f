//! One rebuild, from opening the copy to the swap: replay from offset 0 (or from where an
//! interrupted copy stopped) while the live view serves, then replace the live view.
use super::live_view_slot::LiveViewSlot;
use super::rebuild_lock::{LockRefused, RebuildLock};
use super::rebuild_sources::RebuildSources;
use super::row_swap::{replace_view, TableSwap};
use super::shadow_store::{ShadowError, ShadowStore};
use crate::fraud::FraudView;
use crate::golden::GoldenRecord;
use crate::kafka::topics::end_offsets;
use crate::live::LiveHub;
use crate::log_catch_up::behind;
use crate::views::consumer::{self, ConsumerSource};
use crate::views::progress::ViewProgress;
use crate::views::sql_checkpoint;
use crate::views::LogView;
use app::model::ViewName;
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often the copy's progress is read while it replays.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// How often the copy is checked while the live view is stopped for the swap.
const SWAP_POLL: Duration = Duration::from_millis(20);
/// How long the live view may stay stopped while the copy takes the last messages.
const SWAP_CATCH_UP: Duration = Duration::from_secs(60);

/// Where a running rebuild reports how far it is.
pub trait RebuildProgress {
    /// The copy has applied `done` of the `total` messages the log holds; `resumed_from`
    /// of them were applied by an earlier, interrupted rebuild.
    fn progress(&self, done: u64, total: u64, resumed_from: u64);
    /// The copy caught up; the live view is being replaced.
    fn swapping(&self);
}

/// How a rebuild ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEnd {
    /// The copy replaced the live view, having applied this many messages.
    Swapped {
        /// Messages of the log the rebuilt view holds.
        applied: u64,
    },
    /// Cancelled before the swap; the copy was removed.
    Cancelled,
    /// Stopped on a failure; the live view is as it was.
    Failed(String),
}

/// Why a rebuild stopped.
#[derive(Debug, thiserror::Error)]
enum RebuildFailure {
    #[error(transparent)]
    Shadow(#[from] ShadowError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("the log's end could not be read: {0}")]
    LogEnd(String),
    #[error("the copy's consumer stopped: {0}")]
    CopyStopped(String),
    #[error(
        "the copy did not reach the log's end within {0:?} of the live view stopping; \
             the live view went on as it was and the copy can be resumed"
    )]
    CatchUp(Duration),
    #[error("the {0} view has no copy to rebuild into")]
    NotRebuildable(ViewName),
    #[error(transparent)]
    Locked(#[from] LockRefused),
}

/// Stops the copy's consumer when the run ends, however it ends.
struct CopyConsumer(JoinHandle<Result<(), String>>);

impl CopyConsumer {
    fn check_running(&mut self) -> Result<(), RebuildFailure> {
        if self.0.is_finished() {
            return Err(RebuildFailure::CopyStopped(
                "it ended without an error; see the log".into(),
            ));
        }
        Ok(())
    }

    async fn stop(self) {
        self.0.abort();
        let _ = (&mut { self }.0).await;
    }
}

impl Drop for CopyConsumer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `copy` from its own checkpoints on the log; its live updates go to a hub of its own:
/// browsers hear of the rebuilt view through the live one, after the swap.
fn spawn_copy<V: LogView>(copy: V, source: ConsumerSource) -> CopyConsumer {
    CopyConsumer(tokio::spawn(async move {
        consumer::run_reporting(copy, source, LiveHub::new(), ViewProgress::default())
            .await
            .map_err(|error| error.to_string())
    }))
}

fn start_copy(
    view: ViewName,
    db: &DatabaseConnection,
    sources: &RebuildSources,
) -> Result<CopyConsumer, RebuildFailure> {
    let source = ConsumerSource {
        brokers: sources.brokers.clone(),
        topic: sources.topic.clone(),
        group: format!("{}-{view}", sources.group),
        dead_letter_topic: None,
    };
    let (db, trusted) = (db.clone(), sources.trusted.clone());
    match view {
        ViewName::GoldenRecord => Ok(spawn_copy(GoldenRecord::new(db, trusted), source)),
        ViewName::FraudView => Ok(spawn_copy(FraudView::new(db, trusted), source)),
        other => Err(RebuildFailure::NotRebuildable(other)),
    }
}

async fn log_ends(sources: &RebuildSources) -> Result<BTreeMap<i32, i64>, RebuildFailure> {
    let (brokers, topic) = (sources.brokers.clone(), sources.topic.clone());
    match tokio::task::spawn_blocking(move || end_offsets(&brokers, &topic)).await {
        Ok(Ok(ends)) => Ok(ends),
        Ok(Err(error)) => Err(RebuildFailure::LogEnd(error.to_string())),
        Err(error) => Err(RebuildFailure::LogEnd(error.to_string())),
    }
}

/// Messages the copy had applied before this run (an interrupted rebuild's).
async fn already_applied(
    db: &DatabaseConnection,
    view: ViewName,
    topic: &str,
) -> Result<u64, DbErr> {
    let saved = sql_checkpoint::checkpoints(db, view.as_str(), topic).await?;
    Ok(saved
        .iter()
        .map(|(_, offset)| u64::try_from(offset + 1).unwrap_or(0))
        .sum())
}

/// Rebuilds `view` and swaps it in; never leaves the live view stopped.
pub async fn run(
    view: ViewName,
    sources: &RebuildSources,
    tables: &[TableSwap],
    live: &LiveViewSlot,
    cancelled: watch::Receiver<bool>,
    report: &impl RebuildProgress,
) -> RunEnd {
    let lock = match RebuildLock::take(&sources.db, view).await {
        Ok(lock) => lock,
        Err(refused) => {
            tracing::warn!(view = view.as_str(), %refused, "a rebuild was not started");
            return RunEnd::Failed(RebuildFailure::from(refused).to_string());
        }
    };
    let attempted = attempt(view, sources, tables, live, cancelled, report).await;
    lock.release().await;
    match attempted {
        Ok(end) => end,
        Err(failure) => {
            tracing::error!(view = view.as_str(), %failure, "a rebuild failed; the live view is as it was");
            RunEnd::Failed(failure.to_string())
        }
    }
}

async fn attempt(
    view: ViewName,
    sources: &RebuildSources,
    tables: &[TableSwap],
    live: &LiveViewSlot,
    mut cancelled: watch::Receiver<bool>,
    report: &impl RebuildProgress,
) -> Result<RunEnd, RebuildFailure> {
    let shadow = ShadowStore::open(&sources.db, &sources.db_url, &sources.data_dir, view).await?;
    let resumed_from = already_applied(shadow.db(), view, &sources.topic).await?;
    tracing::info!(view = view.as_str(), copy = %shadow.describe(), resumed_from, "rebuilding");
    let mut copy = start_copy(view, shadow.db(), sources)?;
    loop {
        if *cancelled.borrow_and_update() {
            copy.stop().await;
            shadow.discard(&sources.db).await?;
            tracing::info!(
                view = view.as_str(),
                "rebuild cancelled; the copy is removed"
            );
            return Ok(RunEnd::Cancelled);
        }
        copy.check_running()?;
        let ends = log_ends(sources).await?;
        let left = behind(shadow.db(), view.as_str(), &sources.topic, &ends).await?;
        let total: i64 = ends.values().sum();
        let total = u64::try_from(total).unwrap_or(0);
        report.progress(total.saturating_sub(left as u64), total, resumed_from);
        if left == 0 {
            break;
        }
        tokio::select! {
            _ = cancelled.changed() => {}
            _ = tokio::time::sleep(PROGRESS_EVERY) => {}
        }
    }
    report.swapping();
    live.stop().await;
    let swapped = swap(view, sources, tables, &shadow, copy, report, resumed_from).await;
    // Whatever happened, the live view goes on: from the copy's checkpoints after a swap,
    // from its own after a failure.
    live.start();
    let applied = swapped?;
    if let Err(error) = shadow.discard(&sources.db).await {
        tracing::warn!(view = view.as_str(), %error, "the rebuilt copy could not be removed");
    }
    tracing::info!(view = view.as_str(), applied, "rebuild swapped in");
    Ok(RunEnd::Swapped { applied })
}

/// With the live view stopped: lets the copy reach the log's end as it is now, stops it and
/// replaces the live rows in one transaction. Answers the messages the rebuilt view holds.
async fn swap(
    view: ViewName,
    sources: &RebuildSources,
    tables: &[TableSwap],
    shadow: &ShadowStore,
    mut copy: CopyConsumer,
    report: &impl RebuildProgress,
    resumed_from: u64,
) -> Result<u64, RebuildFailure> {
    let ends = log_ends(sources).await?;
    let total = u64::try_from(ends.values().sum::<i64>()).unwrap_or(0);
    let deadline = Instant::now() + SWAP_CATCH_UP;
    loop {
        copy.check_running()?;
        let left = behind(shadow.db(), view.as_str(), &sources.topic, &ends).await?;
        report.progress(total.saturating_sub(left as u64), total, resumed_from);
        if left == 0 {
            break;
        }
        if Instant::now() > deadline {
            return Err(RebuildFailure::CatchUp(SWAP_CATCH_UP));
        }
        tokio::time::sleep(SWAP_POLL).await;
    }
    copy.stop().await;
    let txn = crate::database::begin_write(&sources.db).await?;
    let rows = replace_view(view, tables, shadow.db(), &txn).await?;
    txn.commit().await?;
    tracing::info!(
        view = view.as_str(),
        rows,
        "live rows replaced by the rebuilt copy"
    );
    Ok(total)
}
