//! The bench's own corner of the configured engines: its own databases, topic prefix, key
//! prefix and directory, removed again when it ends.
use anyhow::Context;
use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use sea_orm::{ConnectionTrait, Database};
use server::config::Settings;
use std::path::PathBuf;
use std::time::Duration;

/// Where one bench run keeps everything it makes.
pub struct Scratch {
    /// The settings of the bench's server: the configured engines, its own names.
    pub settings: Settings,
    /// The database the replay measurement rebuilds a golden record into.
    pub replay_url: String,
    /// The bench's directory (SQLite files, audit archive).
    pub dir: PathBuf,
    /// The PostgreSQL server's URL the bench's databases were made from, and their names.
    postgres: Option<(String, Vec<String>)>,
}

/// `url` naming database `name` instead of its own.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map(|at| at + 3).unwrap_or(0);
    let root = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    format!("{root}/{name}{query}")
}

impl Scratch {
    /// Makes the bench's databases and names from the configured `settings`.
    pub async fn create(settings: &Settings) -> anyhow::Result<Self> {
        let run = uuid::Uuid::new_v4().simple().to_string()[..10].to_string();
        let dir = settings.data_dir.join(format!("bench-{run}"));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut bench = settings.clone();
        bench.topic_prefix = format!("{}bench-{run}-", settings.topic_prefix);
        bench.cache_prefix = format!("{}bench-{run}:", settings.cache_prefix);
        bench.audit_url = Some(dir.join("audit").display().to_string());
        bench.admin_password = Some(uuid::Uuid::new_v4().simple().to_string());
        let (golden_url, replay_url, postgres) = match &settings.database_url {
            Some(url) if url.starts_with("postgres") => {
                let names = vec![
                    format!("icattle_bench_{run}"),
                    format!("icattle_bench_{run}_replay"),
                ];
                let admin = Database::connect(url.as_str())
                    .await
                    .context("connecting to the configured PostgreSQL")?;
                for name in &names {
                    admin
                        .execute_unprepared(&format!("CREATE DATABASE {name}"))
                        .await
                        .with_context(|| format!("creating the bench's database {name}"))?;
                }
                (
                    with_database(url, &names[0]),
                    with_database(url, &names[1]),
                    Some((url.clone(), names)),
                )
            }
            _ => (
                format!("sqlite://{}?mode=rwc", dir.join("golden.db").display()),
                format!("sqlite://{}?mode=rwc", dir.join("replay.db").display()),
                None,
            ),
        };
        bench.database_url = Some(golden_url);
        Ok(Self {
            settings: bench,
            replay_url,
            dir,
            postgres,
        })
    }

    /// Deletes the bench's topics (while the broker is still up).
    pub async fn remove_topics(&self, brokers: &str) {
        if let Err(error) = delete_topics(brokers, &self.settings.topic_prefix).await {
            eprintln!("could not delete the bench's topics: {error:#}");
        }
    }

    /// Deletes the bench's databases, cache keys and directory (once nothing writes them).
    pub async fn remove_stores(&self) {
        if let Some((url, names)) = &self.postgres {
            match Database::connect(url.as_str()).await {
                Ok(admin) => {
                    for name in names {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        if let Err(error) = admin.execute_unprepared(&sql).await {
                            eprintln!("could not drop the bench's database {name}: {error}");
                        }
                    }
                }
                Err(error) => {
                    eprintln!("could not reach PostgreSQL to drop the bench's databases: {error}")
                }
            }
        }
        if let Some(url) = &self.settings.redis_url {
            if let Err(error) = delete_keys(url, &self.settings.cache_prefix).await {
                eprintln!("could not delete the bench's cache keys: {error:#}");
            }
        }
        if let Err(error) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("could not remove {}: {error}", self.dir.display());
        }
    }
}

async fn delete_topics(brokers: &str, prefix: &str) -> anyhow::Result<()> {
    let admin: AdminClient<DefaultClientContext> = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()?;
    let metadata = admin
        .inner()
        .fetch_metadata(None, Duration::from_secs(10))?;
    let names: Vec<&str> = metadata
        .topics()
        .iter()
        .map(|topic| topic.name())
        .filter(|name| name.starts_with(prefix))
        .collect();
    if !names.is_empty() {
        for result in admin.delete_topics(&names, &AdminOptions::new()).await? {
            if let Err((topic, code)) = result {
                eprintln!("could not delete topic {topic}: {code}");
            }
        }
    }
    Ok(())
}

async fn delete_keys(url: &str, prefix: &str) -> anyhow::Result<()> {
    let client = redis::Client::open(url)?;
    let mut connection = client.get_multiplexed_async_connection().await?;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut connection)
        .await?;
    for chunk in keys.chunks(1000) {
        let _: () = redis::cmd("DEL")
            .arg(chunk)
            .query_async(&mut connection)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_and_the_rest_kept() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5432/icattle?sslmode=disable", "b"),
            "postgres://u:p@127.0.0.1:5432/b?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://127.0.0.1/x", "b"),
            "postgres://127.0.0.1/b"
        );
        assert_eq!(
            with_database("postgres://127.0.0.1", "b"),
            "postgres://127.0.0.1/b"
        );
    }
}
