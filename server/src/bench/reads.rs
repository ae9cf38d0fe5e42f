//! Reads of the animal page: the golden record's query and the cache-first read, each timed
//! one after the other over the bench's animals.
use super::latency::{Latencies, Percentiles};
use sea_orm::DatabaseConnection;
use server::cache::CattleReader;
use server::golden::animal_queries;
use std::future::Future;
use std::time::Instant;

/// Times `count` reads of the bench's animals in turn; each must find its animal.
async fn time_reads<F, Fut>(animals: &[i64], count: usize, read: F) -> anyhow::Result<Percentiles>
where
    F: Fn(i64) -> Fut,
    Fut: Future<Output = anyhow::Result<bool>>,
{
    anyhow::ensure!(!animals.is_empty(), "there are no animals to read");
    let mut samples = Latencies::new();
    for n in 0..count {
        let id = animals[n % animals.len()];
        let started = Instant::now();
        let found = read(id).await?;
        samples.record(started.elapsed());
        anyhow::ensure!(found, "animal {id} could not be read");
    }
    Ok(samples.percentiles())
}

/// Latency of the animal page's golden-record query.
pub async fn animal_page(
    db: &DatabaseConnection,
    animals: &[i64],
    count: usize,
) -> anyhow::Result<Percentiles> {
    time_reads(animals, count, |id| async move {
        Ok(animal_queries::animal_page(db, id, |_| true)
            .await?
            .is_some())
    })
    .await
}

/// Latency of the cache-first read of an animal (the seed's `cattle:{id}` key).
pub async fn cached_animal(
    reader: &CattleReader,
    animals: &[i64],
    count: usize,
) -> anyhow::Result<Percentiles> {
    time_reads(animals, count, |id| async move {
        Ok(reader.cattle(id).await?.is_some())
    })
    .await
}
