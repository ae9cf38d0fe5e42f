//! Reads of the animal page: the golden record's query and the cache-first read, each timed
//! one after the other over the bench's animals.
use super::latency::{Latencies, Percentiles};
use sea_orm::DatabaseConnection;
use server::cache::CattleReader;
use server::golden::animal_queries;
use std::time::Instant;

/// Latency of the animal page's golden-record query.
pub async fn animal_page(
    db: &DatabaseConnection,
    animals: &[i64],
    count: usize,
) -> anyhow::Result<Percentiles> {
    let mut samples = Latencies::new();
    for n in 0..count {
        let id = animals[n % animals.len().max(1)];
        let started = Instant::now();
        let page = animal_queries::animal_page(db, id, |_| true).await?;
        samples.record(started.elapsed());
        anyhow::ensure!(page.is_some(), "animal {id} has no page");
    }
    Ok(samples.percentiles())
}

/// Latency of the cache-first read of an animal (the seed's `cattle:{id}` key).
pub async fn cached_animal(
    reader: &CattleReader,
    animals: &[i64],
    count: usize,
) -> anyhow::Result<Percentiles> {
    let mut samples = Latencies::new();
    for n in 0..count {
        let id = animals[n % animals.len().max(1)];
        let started = Instant::now();
        let record = reader.cattle(id).await?;
        samples.record(started.elapsed());
        anyhow::ensure!(record.is_some(), "animal {id} is not readable");
    }
    Ok(samples.percentiles())
}
