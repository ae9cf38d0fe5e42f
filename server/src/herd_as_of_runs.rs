//! The herd as of a date or time, computed in the background: every stream the golden
//! record accepted is read in pages, in stream order, folded up to the point and counted
//! (`domain::HerdTally`) when the animal belonged to the user's herd then. Each user follows
//! their own jobs; one runs per user at a time, and the latest ones are kept to be read.
use crate::golden::event_pages::{event_count, events_after, PagePosition, StoredEvent};
use app::model::{HerdAsOfRun, HerdAsOfState};
use domain::{ApplyError, EventEnvelope, HerdTally, HistoryPoint};
use sea_orm::{DatabaseConnection, DbErr};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// Events read per page.
const PAGE: u64 = 2_000;
/// Finished jobs kept to be read; the oldest go first.
const KEPT: usize = 64;

/// A job of the same user is under way.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("your herd as of {0} is still being worked out; wait for it before asking for another")]
pub struct AlreadyRunning(pub String);

/// Why a job stopped.
#[derive(Debug, thiserror::Error)]
enum JobFailure {
    #[error("the golden record could not be read: {0}")]
    Read(#[from] DbErr),
    #[error("event {position:?} of the golden record could not be read: {reason}")]
    Envelope {
        position: PagePosition,
        reason: String,
    },
    #[error("the events of stream {0} could not be folded: {1}")]
    Fold(i64, ApplyError),
    #[error("the job stopped: {0}")]
    Stopped(String),
}

/// Whose herd: the clients whose animals count (`None`: every herd).
#[derive(Debug, Clone)]
pub struct HerdOf {
    /// Who asked: only they read the job.
    pub user_id: String,
    /// The clients whose animals the user may see.
    pub clients: Option<Vec<i64>>,
}

struct Kept {
    run: HerdAsOfRun,
    user_id: String,
}

#[derive(Default)]
struct Jobs {
    by_id: BTreeMap<String, Kept>,
    order: VecDeque<String>,
}

/// The instance's herd-as-of jobs; clones share them.
#[derive(Clone, Default)]
pub struct HerdAsOfRuns(Arc<Mutex<Jobs>>);

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl HerdAsOfRuns {
    fn jobs(&self) -> MutexGuard<'_, Jobs> {
        // Plain counters stay worth reading after a panic elsewhere.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn update(&self, job_id: &str, change: impl FnOnce(&mut HerdAsOfRun)) {
        if let Some(kept) = self.jobs().by_id.get_mut(job_id) {
            change(&mut kept.run);
        }
    }

    /// The job `job_id`, if `user_id` started it.
    pub fn get(&self, job_id: &str, user_id: &str) -> Option<HerdAsOfRun> {
        self.jobs()
            .by_id
            .get(job_id)
            .filter(|kept| kept.user_id == user_id)
            .map(|kept| kept.run.clone())
    }

    /// Starts working out `herd` at `at` (milliseconds since the epoch; `as_of` is how the
    /// user wrote it) from the golden record in `db`.
    pub fn start(
        &self,
        db: DatabaseConnection,
        herd: HerdOf,
        as_of: &str,
        at: i64,
    ) -> Result<HerdAsOfRun, AlreadyRunning> {
        let as_of_instant = chrono::DateTime::from_timestamp_millis(at)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_default();
        let run = HerdAsOfRun {
            job_id: uuid::Uuid::new_v4().simple().to_string(),
            as_of: as_of.to_string(),
            as_of_instant,
            state: HerdAsOfState::Running,
            started_at: now(),
            finished_at: None,
            done: 0,
            total: 0,
            figures: None,
            error: None,
        };
        {
            let mut jobs = self.jobs();
            let running = jobs.by_id.values().find(|kept| {
                kept.user_id == herd.user_id && kept.run.state == HerdAsOfState::Running
            });
            if let Some(kept) = running {
                return Err(AlreadyRunning(kept.run.as_of.clone()));
            }
            jobs.by_id.insert(
                run.job_id.clone(),
                Kept {
                    run: run.clone(),
                    user_id: herd.user_id.clone(),
                },
            );
            jobs.order.push_back(run.job_id.clone());
            while jobs.order.len() > KEPT {
                let Some(oldest) = jobs.order.pop_front() else {
                    break;
                };
                jobs.by_id.remove(&oldest);
            }
        }
        let (runs, job_id) = (self.clone(), run.job_id.clone());
        tokio::spawn(async move {
            let outcome = runs.work_out(&db, &job_id, &herd, at).await;
            runs.finish(&job_id, outcome);
        });
        Ok(run)
    }

    fn finish(&self, job_id: &str, outcome: Result<HerdTally, JobFailure>) {
        self.update(job_id, |run| {
            run.finished_at = Some(now());
            match outcome {
                Ok(tally) => {
                    run.state = HerdAsOfState::Finished;
                    run.total = run.total.max(run.done);
                    run.figures = Some(tally.into());
                }
                Err(failure) => {
                    tracing::error!(%failure, job_id, "the herd as of a point could not be worked out");
                    run.state = HerdAsOfState::Failed;
                    run.error = Some(failure.to_string());
                }
            }
        });
    }

    async fn work_out(
        &self,
        db: &DatabaseConnection,
        job_id: &str,
        herd: &HerdOf,
        at: i64,
    ) -> Result<HerdTally, JobFailure> {
        let total = event_count(db).await?;
        self.update(job_id, |run| run.total = total);
        let mut folding = Folding {
            herd: herd.clone(),
            point: HistoryPoint::Millis(at),
            tally: HerdTally::default(),
            stream: Vec::new(),
            stream_id: None,
        };
        let mut after = None;
        loop {
            let page = events_after(db, after, PAGE).await?;
            let Some((stream, sequence, _)) = page.last() else {
                break;
            };
            after = Some((*stream, *sequence));
            let read = page.len() as u64;
            // Decoding and folding a page is CPU work; the runtime's threads serve requests.
            folding = tokio::task::spawn_blocking(move || folding.take(page).map(|()| folding))
                .await
                .map_err(|error| JobFailure::Stopped(error.to_string()))??;
            self.update(job_id, |run| run.done += read);
        }
        folding.close_stream()?;
        Ok(folding.tally)
    }
}

/// The tally so far, and the stream being gathered (a stream can span two pages).
struct Folding {
    herd: HerdOf,
    point: HistoryPoint,
    tally: HerdTally,
    stream: Vec<EventEnvelope>,
    stream_id: Option<i64>,
}

impl Folding {
    fn take(&mut self, page: Vec<StoredEvent>) -> Result<(), JobFailure> {
        for (stream, sequence, stored) in page {
            if self.stream_id != Some(stream) {
                self.close_stream()?;
                self.stream_id = Some(stream);
            }
            let envelope =
                EventEnvelope::from_json_value(&stored).map_err(|error| JobFailure::Envelope {
                    position: (stream, sequence),
                    reason: error.to_string(),
                })?;
            self.stream.push(envelope);
        }
        Ok(())
    }

    fn close_stream(&mut self) -> Result<(), JobFailure> {
        let Some(stream) = self.stream_id.take() else {
            return Ok(());
        };
        let clients = self.herd.clients.as_deref();
        let belongs = |state: &domain::CattleState| {
            clients.is_none_or(|clients| clients.contains(&state.client_id))
        };
        self.tally
            .count_stream(&self.stream, self.point, belongs)
            .map_err(|error| JobFailure::Fold(stream, error))?;
        self.stream.clear();
        Ok(())
    }
}
