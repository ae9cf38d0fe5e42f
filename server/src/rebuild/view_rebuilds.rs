//! The rebuilds of this instance: at most one per view, each startable, followable and
//! cancellable by an administrator.
use super::rebuild_run::{self, RebuildProgress, RunEnd};
use super::rebuild_sources::RebuildSources;
use app::model::{RebuildState, ViewName, ViewRebuild};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Why a rebuild could not be started or cancelled.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RebuildRefused {
    /// The view is not one this instance can rebuild beside itself.
    #[error(
        "the {0} view cannot be rebuilt from the console here; the golden record, the fraud \
         view, the fraud detector, the cache view, the audit archive and the embedded search \
         index can, where this instance runs them"
    )]
    NotRebuildable(ViewName),
    /// The view's consumer does not run in this instance.
    #[error("the {0} view does not run in this instance")]
    NotRunningHere(ViewName),
    /// One rebuild per view at a time.
    #[error("a rebuild of the {0} view is under way")]
    Running(ViewName),
    /// Nothing to cancel.
    #[error("no rebuild of the {0} view is under way")]
    NotRunning(ViewName),
    /// The swap takes seconds and is not interrupted.
    #[error("the rebuilt {0} view is replacing the live one; that cannot be cancelled")]
    Swapping(ViewName),
}

struct Tracked {
    run: ViewRebuild,
    cancel: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<()>>,
}

struct Inner {
    sources: RebuildSources,
    runs: Mutex<BTreeMap<ViewName, Tracked>>,
}

/// This instance's rebuilds; clones share them.
#[derive(Clone)]
pub struct ViewRebuilds(Arc<Inner>);

/// Where a running rebuild reports to.
#[derive(Clone)]
pub struct RebuildReport {
    rebuilds: ViewRebuilds,
    view: ViewName,
    started: Instant,
}

impl RebuildProgress for RebuildReport {
    fn progress(&self, done: u64, total: u64, resumed_from: u64) {
        let elapsed = self.started.elapsed().as_secs_f64();
        self.rebuilds.update(self.view, |run| {
            run.done = done;
            run.total = total;
            run.resumed_from = resumed_from;
            let applied = done.saturating_sub(resumed_from) as f64;
            run.per_second = if elapsed > 0.0 {
                applied / elapsed
            } else {
                0.0
            };
            run.seconds_left = (run.per_second > 0.0)
                .then(|| (total.saturating_sub(done) as f64 / run.per_second).ceil() as u64);
        });
    }

    fn swapping(&self) {
        self.rebuilds
            .update(self.view, |run| run.state = RebuildState::Swapping);
    }
}

impl ViewRebuilds {
    /// No rebuild yet.
    pub fn new(sources: RebuildSources) -> Self {
        Self(Arc::new(Inner {
            sources,
            runs: Mutex::default(),
        }))
    }

    fn runs(&self) -> MutexGuard<'_, BTreeMap<ViewName, Tracked>> {
        // A panic while holding the lock leaves plain numbers behind, still worth reading.
        self.0
            .runs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn update(&self, view: ViewName, change: impl FnOnce(&mut ViewRebuild)) {
        if let Some(tracked) = self.runs().get_mut(&view) {
            change(&mut tracked.run);
        }
    }

    /// The latest rebuild of `view`.
    pub fn latest(&self, view: ViewName) -> ViewRebuild {
        self.runs().get(&view).map_or_else(
            || ViewRebuild::never_run(view),
            |tracked| tracked.run.clone(),
        )
    }

    /// The latest rebuild of every view this instance can rebuild.
    pub fn all(&self) -> Vec<ViewRebuild> {
        ViewName::ALL
            .into_iter()
            .filter(|view| {
                self.0.sources.rebuildable(*view) && self.0.sources.live.contains_key(view)
            })
            .map(|view| self.latest(view))
            .collect()
    }

    /// Starts rebuilding `view` in the background; a copy an interrupted rebuild left goes
    /// on from where it was.
    pub fn start(&self, view: ViewName) -> Result<ViewRebuild, RebuildRefused> {
        if !self.0.sources.rebuildable(view) {
            return Err(RebuildRefused::NotRebuildable(view));
        }
        let slot = self
            .0
            .sources
            .live
            .get(&view)
            .cloned()
            .ok_or(RebuildRefused::NotRunningHere(view))?;
        let (cancel, cancelled) = watch::channel(false);
        let run = {
            let mut runs = self.runs();
            if runs.get(&view).is_some_and(|t| t.run.state.is_active()) {
                return Err(RebuildRefused::Running(view));
            }
            let mut run = ViewRebuild::never_run(view);
            run.state = RebuildState::Running;
            run.started_at =
                Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            runs.insert(
                view,
                Tracked {
                    run: run.clone(),
                    cancel: Some(cancel),
                    task: None,
                },
            );
            run
        };
        let report = RebuildReport {
            rebuilds: self.clone(),
            view,
            started: Instant::now(),
        };
        let (sources, rebuilds) = (self.0.sources.clone(), self.clone());
        let task = tokio::spawn(async move {
            let end = rebuild_run::run(view, &sources, &slot, cancelled, &report).await;
            rebuilds.finish(view, end);
        });
        if let Some(tracked) = self.runs().get_mut(&view) {
            tracked.task = Some(task);
        }
        tracing::info!(view = view.as_str(), "rebuild started");
        Ok(run)
    }

    fn finish(&self, view: ViewName, end: RunEnd) {
        self.update(view, |run| {
            run.finished_at =
                Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            run.seconds_left = None;
            match end {
                RunEnd::Swapped { applied } => {
                    run.state = RebuildState::Finished;
                    run.done = applied.max(run.done);
                    run.total = run.done;
                }
                RunEnd::Cancelled => run.state = RebuildState::Cancelled,
                RunEnd::Failed(reason) => {
                    run.state = RebuildState::Failed;
                    run.error = Some(reason);
                }
            }
        });
        if let Some(tracked) = self.runs().get_mut(&view) {
            tracked.cancel = None;
        }
    }

    /// Stops every rebuild where it is, as a crash would (when the instance stops): a copy
    /// left behind is resumed by the next rebuild of its view.
    pub fn abort_all(&self) {
        for tracked in self.runs().values_mut() {
            if let Some(task) = tracked.task.take() {
                task.abort();
            }
        }
    }

    /// Stops the rebuild of `view` before its swap: the live view was never touched and the
    /// copy is removed.
    pub fn cancel(&self, view: ViewName) -> Result<ViewRebuild, RebuildRefused> {
        let runs = self.runs();
        let tracked = runs.get(&view).ok_or(RebuildRefused::NotRunning(view))?;
        match (tracked.run.state, &tracked.cancel) {
            (RebuildState::Swapping, _) => Err(RebuildRefused::Swapping(view)),
            (RebuildState::Running, Some(cancel)) => {
                cancel.send_replace(true);
                Ok(tracked.run.clone())
            }
            _ => Err(RebuildRefused::NotRunning(view)),
        }
    }
}
