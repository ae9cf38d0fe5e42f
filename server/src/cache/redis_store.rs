use super::store::{CacheError, CacheOp, CacheStore};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::Mutex;

/// The cache view in Redis. It connects lazily and again after Redis went away, answering
/// errors quickly meanwhile so readers fall back to PostgreSQL.
pub struct RedisCache {
    client: redis::Client,
    connection: Mutex<Option<ConnectionManager>>,
}

fn failed(error: redis::RedisError) -> CacheError {
    CacheError(format!("redis: {error}"))
}

impl RedisCache {
    /// A cache on the Redis at `url` (not contacted until first used).
    pub fn new(url: &str) -> Result<Self, CacheError> {
        Ok(Self {
            client: redis::Client::open(url).map_err(failed)?,
            connection: Mutex::new(None),
        })
    }

    async fn connection(&self) -> Result<ConnectionManager, CacheError> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_millis(500))
            .set_response_timeout(Duration::from_millis(1_000))
            .set_number_of_retries(1);
        let connection = self
            .client
            .get_connection_manager_with_config(config)
            .await
            .map_err(failed)?;
        *slot = Some(connection.clone());
        Ok(connection)
    }

    async fn keys(&self, prefix: &str) -> Result<Vec<String>, CacheError> {
        let mut connection = self.connection().await?;
        let pattern = format!("{}*", escape_glob(prefix));
        let mut cursor: u64 = 0;
        let mut keys = Vec::new();
        loop {
            let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut connection)
                .await
                .map_err(failed)?;
            keys.extend(batch);
            if next == 0 {
                return Ok(keys);
            }
            cursor = next;
        }
    }
}

/// Escapes Redis glob characters so a prefix matches only itself.
fn escape_glob(prefix: &str) -> String {
    let mut escaped = String::with_capacity(prefix.len());
    for c in prefix.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[async_trait::async_trait]
impl CacheStore for RedisCache {
    fn kind(&self) -> &'static str {
        "redis"
    }

    async fn ping(&self) -> Result<&'static str, CacheError> {
        let mut connection = self.connection().await?;
        let _: String = redis::cmd("PING")
            .query_async(&mut connection)
            .await
            .map_err(failed)?;
        Ok("Redis")
    }

    async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        let mut connection = self.connection().await?;
        redis::cmd("GET")
            .arg(key)
            .query_async(&mut connection)
            .await
            .map_err(failed)
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, CacheError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut connection = self.connection().await?;
        redis::cmd("MGET")
            .arg(keys)
            .query_async(&mut connection)
            .await
            .map_err(failed)
    }

    async fn apply(&self, ops: &[CacheOp]) -> Result<(), CacheError> {
        let mut connection = self.connection().await?;
        let mut pipe = redis::pipe();
        pipe.atomic();
        for op in ops {
            match op {
                CacheOp::Set {
                    key,
                    value,
                    ttl: Some(ttl),
                } => {
                    pipe.cmd("SET")
                        .arg(key)
                        .arg(value)
                        .arg("PX")
                        .arg(ttl.as_millis() as u64)
                        .ignore();
                }
                CacheOp::Set {
                    key,
                    value,
                    ttl: None,
                } => {
                    pipe.cmd("SET").arg(key).arg(value).ignore();
                }
                CacheOp::Delete { key } => {
                    pipe.cmd("DEL").arg(key).ignore();
                }
            }
        }
        pipe.query_async::<()>(&mut connection)
            .await
            .map_err(failed)
    }

    async fn fill(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        let mut connection = self.connection().await?;
        redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(ttl.as_millis() as u64)
            .query_async::<Option<String>>(&mut connection)
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn dump(&self, prefix: &str) -> Result<BTreeMap<String, String>, CacheError> {
        let keys = self.keys(prefix).await?;
        let mut connection = self.connection().await?;
        let mut found = BTreeMap::new();
        for key in keys {
            let value: Option<String> = redis::cmd("GET")
                .arg(&key)
                .query_async(&mut connection)
                .await
                .map_err(failed)?;
            if let Some(value) = value {
                found.insert(key, value);
            }
        }
        Ok(found)
    }

    async fn clear(&self, prefix: &str) -> Result<(), CacheError> {
        let keys = self.keys(prefix).await?;
        if keys.is_empty() {
            return Ok(());
        }
        let mut connection = self.connection().await?;
        for chunk in keys.chunks(500) {
            redis::cmd("DEL")
                .arg(chunk)
                .query_async::<()>(&mut connection)
                .await
                .map_err(failed)?;
        }
        Ok(())
    }
}
