//! Publish → applied: how long after a command is sent the golden record has applied its
//! event, at a fixed offered load (commands are sent on a clock, not when the last answered).
use super::herd_load::{follow_up, Refused};
use super::latency::{Latencies, Percentiles};
use app::model::{CommandFailure, LiveUpdate};
use indicatif::ProgressBar;
use server::accounts::Actor;
use server::command_handler::CommandHandler;
use server::live::LiveHub;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::RecvError;

/// How long the bench waits for the last events to be applied.
const DRAIN_WITHIN: Duration = Duration::from_secs(60);

/// What the offered-load run measured.
pub struct AppliedLatency {
    /// Send → golden record applied.
    pub applied: Percentiles,
    /// Send → acknowledged (`PUBLISHED`) under the same load.
    pub published: Percentiles,
    /// Events acknowledged but not seen applied within the wait.
    pub missing: usize,
}

type Instants = Arc<Mutex<HashMap<String, Instant>>>;

fn keep(map: &Instants, event_id: String, at: Instant) {
    if let Ok(mut map) = map.lock() {
        map.insert(event_id, at);
    }
}

/// Sends `rate` commands a second for `seconds` on `animals` (round robin) and times each
/// from its send to the golden record's announcement of its event.
pub async fn at_offered_rate(
    handler: &CommandHandler,
    actor: &Actor,
    hub: &LiveHub,
    animals: &[i64],
    rate: u32,
    seconds: u64,
    progress: &ProgressBar,
) -> Result<AppliedLatency, Refused> {
    if animals.is_empty() {
        return Err(Refused(CommandFailure::Unavailable {
            message: "no animals to send follow-ups for".into(),
        }));
    }
    let sent: Instants = Arc::default();
    let applied: Instants = Arc::default();
    let mut updates = hub.subscribe();
    let watcher = {
        let applied = applied.clone();
        tokio::spawn(async move {
            loop {
                match updates.recv().await {
                    Ok(LiveUpdate::CattleChanged { view, event_id, .. })
                        if view == server::golden::PROJECTION =>
                    {
                        keep(&applied, event_id, Instant::now())
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                }
            }
        })
    };
    let total = u64::from(rate) * seconds;
    let mut clock = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate.max(1))));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut senders = Vec::with_capacity(total as usize);
    for n in 0..total as usize {
        clock.tick().await;
        let (handler, actor, sent) = (handler.clone(), actor.clone(), sent.clone());
        let command = follow_up(animals[n % animals.len()], n);
        let progress = progress.clone();
        senders.push(tokio::spawn(async move {
            let started = Instant::now();
            let ack = handler
                .handle(&actor, command, None)
                .await
                .map_err(Refused)?;
            let took = started.elapsed();
            keep(&sent, ack.event_id, started);
            progress.inc(1);
            Ok::<_, Refused>(took)
        }));
    }
    let mut published = Latencies::new();
    for sender in senders {
        match sender.await {
            Ok(Ok(took)) => published.record(took),
            Ok(Err(refused)) => return Err(refused),
            Err(error) => {
                return Err(Refused(CommandFailure::Unavailable {
                    message: format!("a sender stopped: {error}"),
                }))
            }
        }
    }
    let all_applied = || {
        let sent = sent.lock().map(|s| s.keys().cloned().collect::<Vec<_>>());
        let applied = applied.lock();
        match (sent, applied) {
            (Ok(sent), Ok(applied)) => sent.iter().all(|id| applied.contains_key(id)),
            _ => true,
        }
    };
    let deadline = Instant::now() + DRAIN_WITHIN;
    while !all_applied() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    watcher.abort();
    let mut samples = Latencies::new();
    let mut missing = 0;
    if let (Ok(sent), Ok(applied)) = (sent.lock(), applied.lock()) {
        for (event_id, started) in sent.iter() {
            match applied.get(event_id) {
                Some(done) => samples.record(done.saturating_duration_since(*started)),
                None => missing += 1,
            }
        }
    }
    Ok(AppliedLatency {
        applied: samples.percentiles(),
        published: published.percentiles(),
        missing,
    })
}
