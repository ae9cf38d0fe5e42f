//! The references iCattle's figures are compared to: the same bytes produced with rdkafka
//! alone, Ed25519 signing and checking alone, a bare `SELECT 1` and a bare `GET`.
use super::latency::{Latencies, Percentiles};
use anyhow::Context;
use futures::stream::{FuturesUnordered, StreamExt};
use indicatif::ProgressBar;
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::time::{Duration, Instant};

/// Sends the raw reference has in flight at once.
const IN_FLIGHT: usize = 1000;

/// A producer configured as iCattle's publisher is (idempotent, acks=all, 1 ms linger), built
/// with rdkafka alone.
pub fn raw_producer(brokers: &str) -> anyhow::Result<FutureProducer> {
    Ok(ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "1")
        .set("message.timeout.ms", "15000")
        .create()?)
}

fn record<'a>(topic: &'a str, key: &'a str, body: &'a [u8]) -> FutureRecord<'a, str, [u8]> {
    FutureRecord::to(topic).key(key).payload(body)
}

/// Latency of `count` sends of `body`, one after the other.
pub async fn produce_latency(
    producer: &FutureProducer,
    topic: &str,
    body: &[u8],
    count: usize,
    progress: &ProgressBar,
) -> anyhow::Result<Percentiles> {
    let mut samples = Latencies::new();
    for n in 0..count {
        let key = format!("cattle-{n}");
        let started = Instant::now();
        producer
            .send(record(topic, &key, body), Duration::from_secs(15))
            .await
            .map_err(|(error, _)| anyhow::anyhow!("raw produce: {error}"))?;
        samples.record(started.elapsed());
        progress.inc(1);
    }
    Ok(samples.percentiles())
}

/// Messages per second over `count` sends of `body` with many in flight.
pub async fn produce_rate(
    producer: &FutureProducer,
    topic: &str,
    body: &[u8],
    count: usize,
    progress: &ProgressBar,
) -> anyhow::Result<f64> {
    let keys: Vec<String> = (0..count).map(|n| format!("cattle-{n}")).collect();
    let delivered =
        |sent: Result<rdkafka::producer::future_producer::OwnedDeliveryResult, _>| match sent {
            Ok(Ok(_)) => Ok(()),
            Ok(Err((error, _))) => Err(anyhow::anyhow!("raw produce: {error}")),
            Err(futures::channel::oneshot::Canceled) => {
                Err(anyhow::anyhow!("raw produce: the producer went away"))
            }
        };
    let started = Instant::now();
    let mut in_flight: FuturesUnordered<DeliveryFuture> = FuturesUnordered::new();
    for key in &keys {
        if in_flight.len() >= IN_FLIGHT {
            if let Some(sent) = in_flight.next().await {
                delivered(sent)?;
                progress.inc(1);
            }
        }
        let queued = producer
            .send_result(record(topic, key, body))
            .map_err(|(error, _)| anyhow::anyhow!("raw produce: {error}"))?;
        in_flight.push(queued);
    }
    while let Some(sent) = in_flight.next().await {
        delivered(sent)?;
        progress.inc(1);
    }
    Ok(count as f64 / started.elapsed().as_secs_f64())
}

/// Ed25519 signatures per second on one core.
pub fn signing_rate(count: usize) -> f64 {
    let key = domain::SigningKeyPair::from_seed([7; 32]);
    let started = Instant::now();
    let mut hash = [0u8; 32];
    for n in 0..count {
        hash[..8].copy_from_slice(&(n as u64).to_le_bytes());
        std::hint::black_box(key.sign_hash(&hash));
    }
    count as f64 / started.elapsed().as_secs_f64()
}

/// Ed25519 signatures checked per second on one core, as every view checks them (strict,
/// with the key decoded once).
pub fn verifying_rate(count: usize) -> anyhow::Result<f64> {
    let key = domain::SigningKeyPair::from_seed([7; 32]);
    let public = domain::PublicKey::parse(&key.public_key_hex())
        .context("the reference key does not decode")?;
    let signed: Vec<([u8; 32], String)> = (0..count.min(1000))
        .map(|n| {
            let mut hash = [0u8; 32];
            hash[..8].copy_from_slice(&(n as u64).to_le_bytes());
            (hash, key.sign_hash(&hash))
        })
        .collect();
    let started = Instant::now();
    let mut valid = 0usize;
    for n in 0..count {
        let (hash, signature) = &signed[n % signed.len()];
        valid += usize::from(std::hint::black_box(public.signed(hash, signature)));
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    // A reference that refused its own signatures measured the wrong thing.
    anyhow::ensure!(
        valid == count,
        "only {valid} of {count} reference signatures checked"
    );
    Ok(rate)
}

/// Latency of a bare `SELECT 1`.
pub async fn select_one(db: &DatabaseConnection, count: usize) -> anyhow::Result<Percentiles> {
    let mut samples = Latencies::new();
    let backend = db.get_database_backend();
    for _ in 0..count {
        let started = Instant::now();
        db.query_one(Statement::from_string(backend, "SELECT 1"))
            .await?;
        samples.record(started.elapsed());
    }
    Ok(samples.percentiles())
}

/// Latency of a bare `GET` of `key`.
pub async fn redis_get(url: &str, key: &str, count: usize) -> anyhow::Result<Percentiles> {
    let client = redis::Client::open(url)?;
    let mut connection = client.get_multiplexed_async_connection().await?;
    let mut samples = Latencies::new();
    for _ in 0..count {
        let started = Instant::now();
        let _: Option<String> = redis::cmd("GET")
            .arg(key)
            .query_async(&mut connection)
            .await?;
        samples.record(started.elapsed());
    }
    Ok(samples.percentiles())
}
