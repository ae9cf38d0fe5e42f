//! The watch: once a second it probes the engines, measures each view's lag against the
//! log's ends, evaluates the seed's alerts and sets the gauges of `/metrics`; `/health`,
//! `/api/alerts` and the admin console read its latest [`Readings`].
use super::alert_rules::{evaluate, ErrorWindow, Observations, ViewReading};
use super::engine_probes::{self, broker_health, LogProbe, PartitionEnds};
use super::lag_clock::LagClock;
use super::metric_names as names;
use crate::cache::SharedCache;
use crate::search::SharedSearch;
use crate::views::progress::ViewProgress;
use app::model::{
    Alert, AlertRule, AlertState, EngineState, Health, PartitionLag, ViewName, ViewStanding,
};
use sea_orm::DatabaseConnection;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How often the watch looks.
const WATCH_EVERY: Duration = Duration::from_secs(1);
/// Topic sizes are counted every this many rounds (every partition of every topic).
const TOPICS_EVERY: u64 = 5;
/// Retention settings are read every this many rounds.
const RETENTION_EVERY: u64 = 60;

/// What the watch looks at.
pub struct WatchSources {
    /// The probe of the cluster.
    pub probe: LogProbe,
    /// The log the views read.
    pub log_topic: String,
    /// Every topic of the registry, for sizes and retention.
    pub topics: Vec<String>,
    /// The golden record's database.
    pub db: DatabaseConnection,
    /// The cache view's store.
    pub cache: SharedCache,
    /// The search index, for its probe.
    pub search: SharedSearch,
    /// The views' positions.
    pub progress: ViewProgress,
}

#[derive(Debug, Clone)]
struct Latest {
    health: Health,
    alerts: Vec<Alert>,
    views: Vec<ViewStanding>,
}

/// The watch's latest readings; clones share them.
#[derive(Clone)]
pub struct Readings(Arc<RwLock<Latest>>);

impl Readings {
    fn latest(&self) -> Latest {
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Each engine's state and whether the log can be written.
    pub fn health(&self) -> Health {
        self.latest().health
    }

    /// The seed's four alerts, firing or not.
    pub fn alerts(&self) -> Vec<Alert> {
        self.latest().alerts
    }

    /// How far each view has read the log.
    pub fn views(&self) -> Vec<ViewStanding> {
        self.latest().views
    }
}

/// What the watch carries from one round to the next.
struct Memory {
    clock: LagClock,
    errors: ErrorWindow,
    firing_since: BTreeMap<AlertRule, String>,
    started: Instant,
    last_processed: BTreeMap<ViewName, (f64, u64)>,
    round: u64,
}

/// Takes the first readings (so `/health` answers truly from the start), then keeps them
/// fresh in a task until it is dropped.
pub async fn start(sources: WatchSources) -> (Readings, tokio::task::JoinHandle<()>) {
    let sources = Arc::new(sources);
    let mut memory = Memory {
        clock: LagClock::default(),
        errors: ErrorWindow::default(),
        firing_since: BTreeMap::new(),
        started: Instant::now(),
        last_processed: BTreeMap::new(),
        round: 0,
    };
    let first = look(&sources, &mut memory).await;
    let readings = Readings(Arc::new(RwLock::new(first)));
    let kept = readings.clone();
    let task = tokio::spawn(async move {
        let mut every = tokio::time::interval(WATCH_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await;
        loop {
            every.tick().await;
            let latest = look(&sources, &mut memory).await;
            *kept
                .0
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = latest;
        }
    });
    (readings, task)
}

/// One round: probes, lags, alerts and gauges.
async fn look(sources: &Arc<WatchSources>, memory: &mut Memory) -> Latest {
    memory.round += 1;
    let probing = Arc::clone(sources);
    let log = tokio::task::spawn_blocking(move || probing.probe.log_ends(&probing.log_topic))
        .await
        .unwrap_or_else(|error| Err(format!("the probe stopped: {error}")));
    let now = memory.started.elapsed().as_secs_f64();
    if let Ok(ends) = &log {
        for (partition, (_, end)) in ends {
            memory.clock.saw_end(*partition, *end, now);
        }
    }
    let views = standings(sources, memory, log.as_ref().ok(), now);
    let (database, replication_lag) = engine_probes::database(&sources.db).await;
    let engines = vec![
        broker_health(&log),
        database,
        engine_probes::cache(&sources.cache).await,
        engine_probes::search(&sources.search).await,
    ];
    for engine in &engines {
        let up = f64::from(u8::from(engine.state == EngineState::Up));
        let label = engine.engine.as_str().to_lowercase();
        metrics::gauge!(names::ENGINE_UP, "engine" => label).set(up);
    }
    if let Some(lag) = replication_lag {
        metrics::gauge!(names::DATABASE_REPLICATION_LAG).set(lag);
    }
    let readings: Vec<ViewReading> = views
        .iter()
        .map(|standing| {
            let (processed, failed) =
                memory
                    .errors
                    .sample(standing.view, now, standing.processed, standing.failed);
            ViewReading {
                view: standing.view,
                lag_seconds: standing.lag_seconds(),
                processed,
                failed,
            }
        })
        .collect();
    let observations = Observations {
        log: log.as_ref().map(|_| ()).map_err(Clone::clone),
        views: readings,
        replication_lag,
    };
    let alerts = alerts(&observations, &mut memory.firing_since);
    super::cache_tally::set_ratio_gauge();
    if memory.round % TOPICS_EVERY == 1 && log.is_ok() {
        topic_gauges(sources, memory.round % RETENTION_EVERY == 1).await;
    }
    Latest {
        health: Health {
            log_writable: log.is_ok(),
            engines,
            checked_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        },
        alerts,
        views,
    }
}

/// Each view's positions against the log's ends, with the lag gauges set.
fn standings(
    sources: &WatchSources,
    memory: &mut Memory,
    ends: Option<&PartitionEnds>,
    now: f64,
) -> Vec<ViewStanding> {
    let mut standings = Vec::new();
    for (view, track) in sources.progress.snapshot() {
        let label = view.as_str();
        let mut partitions = Vec::new();
        for (&partition, &next) in &track.next {
            let range = ends.and_then(|ends| ends.get(&partition)).copied();
            // Messages removed by retention are not waiting for anyone.
            let lag_events = range.map_or(0, |(start, end)| (end - next.max(start)).max(0));
            let lag_seconds = match lag_events {
                0 => 0.0,
                _ => memory.clock.lag_seconds(partition, next, now),
            };
            let partition_label = partition.to_string();
            metrics::gauge!(names::CONSUMER_LAG_EVENTS, "view" => label, "partition" => partition_label.clone())
                .set(lag_events as f64);
            metrics::gauge!(names::CONSUMER_LAG_SECONDS, "view" => label, "partition" => partition_label)
                .set(lag_seconds);
            partitions.push(PartitionLag {
                partition,
                next_offset: next,
                end_offset: range.map(|(_, end)| end),
                lag_events,
                lag_seconds,
            });
        }
        let (then, before) = memory
            .last_processed
            .insert(view, (now, track.processed))
            .unwrap_or((now, track.processed));
        let per_second = if now > then {
            track.processed.saturating_sub(before) as f64 / (now - then)
        } else {
            0.0
        };
        metrics::gauge!(names::PROCESSING_RATE, "view" => label).set(per_second);
        standings.push(ViewStanding {
            view,
            paused: track.paused,
            processed: track.processed,
            failed: track.failed,
            per_second,
            partitions,
        });
    }
    standings
}

/// The rules' verdicts, remembering since when each fires, with the firing gauges set.
fn alerts(seen: &Observations, firing_since: &mut BTreeMap<AlertRule, String>) -> Vec<Alert> {
    evaluate(seen)
        .into_iter()
        .map(|verdict| {
            let firing = verdict.state == AlertState::Firing;
            let since = if firing {
                Some(
                    firing_since
                        .entry(verdict.rule)
                        .or_insert_with(|| {
                            tracing::warn!(alert = ?verdict.rule, summary = %verdict.summary, "alert firing");
                            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                        })
                        .clone(),
                )
            } else {
                if firing_since.remove(&verdict.rule).is_some() {
                    tracing::info!(alert = ?verdict.rule, "alert cleared");
                }
                None
            };
            let label = verdict.rule.as_str().to_lowercase();
            metrics::gauge!(names::ALERT_FIRING, "alert" => label).set(f64::from(u8::from(firing)));
            Alert {
                rule: verdict.rule,
                state: verdict.state,
                summary: verdict.summary,
                since,
            }
        })
        .collect()
}

/// Partitions, messages and (now and then) retention of every topic.
async fn topic_gauges(sources: &Arc<WatchSources>, with_retention: bool) {
    let probing = Arc::clone(sources);
    let figures =
        tokio::task::spawn_blocking(move || probing.probe.topic_figures(&probing.topics)).await;
    match figures {
        Ok(Ok(figures)) => {
            for topic in figures {
                metrics::gauge!(names::TOPIC_PARTITIONS, "topic" => topic.name.clone())
                    .set(topic.partitions as f64);
                metrics::gauge!(names::TOPIC_MESSAGES, "topic" => topic.name)
                    .set(topic.messages as f64);
            }
        }
        Ok(Err(error)) => tracing::debug!(%error, "could not count the topics"),
        Err(error) => tracing::debug!(%error, "the topic count stopped"),
    }
    if !with_retention {
        return;
    }
    match sources.probe.retention(&sources.topics).await {
        Ok(retention) => {
            for (topic, (ms, bytes)) in retention {
                let seconds = if ms < 0 { -1.0 } else { ms as f64 / 1000.0 };
                metrics::gauge!(names::TOPIC_RETENTION_SECONDS, "topic" => topic.clone())
                    .set(seconds);
                metrics::gauge!(names::TOPIC_RETENTION_BYTES, "topic" => topic).set(bytes as f64);
            }
        }
        Err(error) => tracing::debug!(%error, "could not read the topics' retention"),
    }
}
