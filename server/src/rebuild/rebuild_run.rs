//! One rebuild, from opening the copy to the swap: replay from offset 0 (or from where an
//! interrupted copy stopped) while the live view serves, then replace the live view.
use super::audit_copy::AuditCopy;
use super::cache_copy::CacheCopy;
use super::live_view_slot::LiveViewSlot;
use super::meili_copy::MeiliCopy;
use super::rebuild_lock::{LockRefused, RebuildLock};
use super::rebuild_sources::RebuildSources;
use super::row_swap::tables_of;
use super::search_copy::SearchCopy;
use super::sql_copy::SqlCopy;
use super::view_copy::{left_to_apply, CopyConsumer, CopyError, ViewCopy};
use crate::kafka::topics::end_offsets;
use crate::search::SearchHome;
use crate::views::consumer::ConsumerSource;
use crate::views::group_turns::Sharing;
use app::model::ViewName;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::sync::watch;

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
    Copy(#[from] CopyError),
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

fn check_running(copy: &CopyConsumer) -> Result<(), RebuildFailure> {
    if copy.has_stopped() {
        return Err(RebuildFailure::CopyStopped(
            "it ended without an error; see the log".into(),
        ));
    }
    Ok(())
}

/// Opens `view`'s copy beside the live view: one an interrupted rebuild left, or a new one.
async fn open_copy(
    view: ViewName,
    sources: &RebuildSources,
) -> Result<Box<dyn ViewCopy>, RebuildFailure> {
    if view == ViewName::CacheView {
        let copy = CacheCopy::open(sources.cache.clone(), sources.cache_keys.clone()).await?;
        return Ok(Box::new(copy));
    }
    if view == ViewName::AuditArchive {
        let generations = sources
            .audit
            .clone()
            .ok_or(RebuildFailure::NotRebuildable(view))?;
        return Ok(Box::new(AuditCopy::open(generations).await?));
    }
    if view == ViewName::SearchIndex {
        return Ok(match &sources.search_home {
            SearchHome::Embedded(home) => {
                Box::new(SearchCopy::open(home.clone(), sources.search.clone())?)
            }
            SearchHome::Meili(live) => Box::new(MeiliCopy::open(live.clone()).await?),
        });
    }
    let tables = tables_of(view).ok_or(RebuildFailure::NotRebuildable(view))?;
    let copy = SqlCopy::open(
        view,
        tables,
        &sources.db,
        &sources.db_url,
        &sources.data_dir,
    )
    .await?
    .raising_as(sources.fraud_detector.clone());
    Ok(Box::new(copy))
}

fn start_copy(view: ViewName, copy: &dyn ViewCopy, sources: &RebuildSources) -> CopyConsumer {
    let source = ConsumerSource {
        brokers: sources.brokers.clone(),
        topic: sources.topic.clone(),
        group: format!("{}-{view}", sources.group),
        dead_letter_topic: None,
        sharing: Sharing::ReadsAll,
    };
    copy.spawn(source, sources.trusted.clone())
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
async fn already_applied(copy: &dyn ViewCopy, topic: &str) -> Result<u64, CopyError> {
    Ok(copy
        .applied(topic)
        .await?
        .values()
        .map(|offset| u64::try_from(offset + 1).unwrap_or(0))
        .sum())
}

/// Messages of the log as it ends at `ends` the copy has still to apply.
async fn left(
    copy: &dyn ViewCopy,
    topic: &str,
    ends: &BTreeMap<i32, i64>,
) -> Result<u64, CopyError> {
    let applied = copy.applied(topic).await?;
    Ok(u64::try_from(left_to_apply(&applied, ends)).unwrap_or(0))
}

/// Rebuilds `view` and swaps it in; never leaves the live view stopped.
pub async fn run(
    view: ViewName,
    sources: &RebuildSources,
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
    let attempted = attempt(view, sources, live, cancelled, report).await;
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
    live: &LiveViewSlot,
    mut cancelled: watch::Receiver<bool>,
    report: &impl RebuildProgress,
) -> Result<RunEnd, RebuildFailure> {
    let copy = open_copy(view, sources).await?;
    let resumed_from = already_applied(copy.as_ref(), &sources.topic).await?;
    tracing::info!(view = view.as_str(), copy = %copy.describe(), resumed_from, "rebuilding");
    let consumer = start_copy(view, copy.as_ref(), sources);
    loop {
        if *cancelled.borrow_and_update() {
            consumer.stop().await;
            copy.discard().await?;
            tracing::info!(
                view = view.as_str(),
                "rebuild cancelled; the copy is removed"
            );
            return Ok(RunEnd::Cancelled);
        }
        check_running(&consumer)?;
        let ends = log_ends(sources).await?;
        let left = left(copy.as_ref(), &sources.topic, &ends).await?;
        let total = u64::try_from(ends.values().sum::<i64>()).unwrap_or(0);
        report.progress(total.saturating_sub(left), total, resumed_from);
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
    let swapped = swap(view, sources, copy.as_ref(), consumer, report, resumed_from).await;
    // Whatever happened, the live view goes on: from the copy's checkpoints after a swap,
    // from its own after a failure.
    live.start();
    let applied = swapped?;
    if let Err(error) = copy.discard().await {
        tracing::warn!(view = view.as_str(), %error, "what the rebuild replaced could not be removed");
    }
    tracing::info!(view = view.as_str(), applied, "rebuild swapped in");
    Ok(RunEnd::Swapped { applied })
}

/// With the live view stopped: lets the copy reach the log's end as it is now, stops it and
/// swaps it in. Answers the messages the rebuilt view holds.
async fn swap(
    view: ViewName,
    sources: &RebuildSources,
    copy: &dyn ViewCopy,
    consumer: CopyConsumer,
    report: &impl RebuildProgress,
    resumed_from: u64,
) -> Result<u64, RebuildFailure> {
    let ends = log_ends(sources).await?;
    let total = u64::try_from(ends.values().sum::<i64>()).unwrap_or(0);
    let deadline = Instant::now() + SWAP_CATCH_UP;
    loop {
        check_running(&consumer)?;
        let left = left(copy, &sources.topic, &ends).await?;
        report.progress(total.saturating_sub(left), total, resumed_from);
        if left == 0 {
            break;
        }
        if Instant::now() > deadline {
            return Err(RebuildFailure::CatchUp(SWAP_CATCH_UP));
        }
        tokio::time::sleep(SWAP_POLL).await;
    }
    consumer.stop().await;
    let rows = copy.swap_in().await?;
    tracing::info!(
        view = view.as_str(),
        rows,
        copy = %copy.describe(),
        "the rebuilt copy replaced the live view"
    );
    Ok(total)
}
