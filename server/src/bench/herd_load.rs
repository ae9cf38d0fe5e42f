//! The commands the bench sends: each animal is registered, then given a life of health
//! records, GPS fixes and valuations, as farmers and assessors would send them.
use super::latency::{Latencies, Percentiles};
use app::model::{CommandAck, CommandFailure};
use indicatif::ProgressBar;
use serde_json::{json, Value};
use server::accounts::Actor;
use server::command_handler::CommandHandler;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Commands per animal: one registration and this many follow-ups less one.
pub const COMMANDS_PER_ANIMAL: usize = 10;

/// The client every bench animal belongs to.
pub const BENCH_CLIENT: i64 = 1;

/// Hands out NLIS ids no other sender of the run uses.
#[derive(Clone, Default)]
pub struct Tags(Arc<AtomicU64>);

impl Tags {
    /// The next unused NLIS id.
    pub fn next(&self) -> String {
        format!("BCH{:013}", self.0.fetch_add(1, Ordering::Relaxed))
    }
}

/// The registration of a new animal.
pub fn register(nlis: &str) -> Value {
    json!({"type": "CREATE_CATTLE",
        "data": {"nlisId": nlis, "breed": "Angus", "sex": "FEMALE", "clientId": BENCH_CLIENT}})
}

/// The `n`-th follow-up of animal `id`: what a farmer records on the station.
pub fn follow_up(id: i64, n: usize) -> Value {
    match n % 3 {
        0 => json!({"type": "RECORD_HEALTH",
            "data": {"cattleId": id, "kind": "INSPECTION", "notes": format!("check {n}")}}),
        1 => json!({"type": "RECORD_LOCATION",
            "data": {"cattleId": id, "latitude": -27.5 + n as f64 * 1e-4, "longitude": 153.0}}),
        _ => json!({"type": "RECORD_HEALTH",
            "data": {"cattleId": id, "kind": "VACCINATION", "notes": "7-in-1"}}),
    }
}

/// Why the bench stopped: a command the registry should have taken was refused.
#[derive(Debug, thiserror::Error)]
#[error("the registry refused a bench command: {0}")]
pub struct Refused(pub CommandFailure);

/// Sends one command, timing it.
pub async fn send(
    handler: &CommandHandler,
    actor: &Actor,
    command: Value,
    samples: &mut Latencies,
) -> Result<CommandAck, Refused> {
    let started = Instant::now();
    let ack = handler
        .handle(actor, command, None)
        .await
        .map_err(Refused)?;
    samples.record(started.elapsed());
    Ok(ack)
}

/// Registers the bench's client.
pub async fn register_client(handler: &CommandHandler, actor: &Actor) -> Result<(), Refused> {
    let command = json!({"type": "REGISTER_CLIENT",
        "data": {"clientId": BENCH_CLIENT, "name": "Bench station", "pic": "QBCH0001"}});
    handler
        .handle(actor, command, None)
        .await
        .map_err(Refused)?;
    Ok(())
}

/// One animal's life of `commands` commands, sent one after the other.
pub async fn life(
    handler: &CommandHandler,
    actor: &Actor,
    nlis: &str,
    commands: usize,
    samples: &mut Latencies,
    progress: &ProgressBar,
) -> Result<i64, Refused> {
    let created = send(handler, actor, register(nlis), samples).await?;
    progress.inc(1);
    for n in 1..commands {
        send(handler, actor, follow_up(created.cattle_id, n), samples).await?;
        progress.inc(1);
    }
    Ok(created.cattle_id)
}

/// Sends `events` commands as lives of `COMMANDS_PER_ANIMAL`, `clients` senders at once:
/// events per second and each command's latency.
pub async fn concurrent(
    handler: &CommandHandler,
    actor: &Actor,
    tags: &Tags,
    clients: usize,
    events: usize,
    progress: &ProgressBar,
) -> Result<(f64, Percentiles, Vec<i64>), Refused> {
    let animals = events.div_ceil(COMMANDS_PER_ANIMAL);
    let next_animal = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let senders: Vec<_> = (0..clients.max(1))
        .map(|_| {
            let (handler, actor, tags) = (handler.clone(), actor.clone(), tags.clone());
            let (next_animal, progress) = (next_animal.clone(), progress.clone());
            tokio::spawn(async move {
                let mut samples = Latencies::new();
                let mut ids = Vec::new();
                while next_animal.fetch_add(1, Ordering::Relaxed) < animals as u64 {
                    let nlis = tags.next();
                    let id = life(
                        &handler,
                        &actor,
                        &nlis,
                        COMMANDS_PER_ANIMAL,
                        &mut samples,
                        &progress,
                    )
                    .await?;
                    ids.push(id);
                }
                Ok::<_, Refused>((ids, samples))
            })
        })
        .collect();
    let mut all = Latencies::new();
    let mut herd = Vec::new();
    for sender in senders {
        match sender.await {
            Ok(Ok((ids, samples))) => {
                herd.extend(ids);
                all.merge(&samples);
            }
            Ok(Err(refused)) => return Err(refused),
            Err(error) => {
                return Err(Refused(CommandFailure::Unavailable {
                    message: format!("a sender stopped: {error}"),
                }))
            }
        }
    }
    let sent = herd.len() * COMMANDS_PER_ANIMAL;
    let rate = sent as f64 / started.elapsed().as_secs_f64();
    Ok((rate, all.percentiles(), herd))
}
