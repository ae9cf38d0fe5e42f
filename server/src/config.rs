//! Configuration: every setting has a default that works on a fresh machine, and an
//! environment variable that switches it (DESIGN.md §5).
use std::path::PathBuf;

/// How to reach the engines, where to keep data, and how to name topics.
#[derive(clap::Args, Debug, Clone)]
pub struct Settings {
    /// Where embedded engines keep their data (SQLite file, broker log, keys).
    #[arg(long, env = "ICATTLE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// The golden record's database; unset means a SQLite file under the data directory.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Kafka bootstrap servers; unset means a broker this process starts itself.
    #[arg(long, env = "KAFKA_BROKERS")]
    pub kafka_brokers: Option<String>,

    /// Where the embedded broker listens when `KAFKA_BROKERS` is unset.
    #[arg(
        long,
        env = "ICATTLE_EMBEDDED_BROKER",
        default_value = "127.0.0.1:19092"
    )]
    pub embedded_broker: String,

    /// The directory of Apache Kafka's jars for the embedded broker; unset means where
    /// `scripts/setup.sh` puts them (`$ICATTLE_TOOLS`, else `~/.cache/icattle`,
    /// `/kafka/current/libs`).
    #[arg(long, env = "ICATTLE_KAFKA_LIBS")]
    pub kafka_libs: Option<PathBuf>,

    /// The Java (17 or newer) that runs the embedded broker.
    #[arg(long, env = "ICATTLE_JAVA", default_value = "java")]
    pub java: PathBuf,

    /// Prepended to every topic and consumer group name, so tests can share a broker.
    #[arg(long, env = "ICATTLE_TOPIC_PREFIX", default_value = "")]
    pub topic_prefix: String,

    /// Partitions of each topic created at start-up.
    #[arg(long, env = "ICATTLE_PARTITIONS", default_value_t = 12)]
    pub partitions: i32,

    /// Replication factor of each topic created at start-up (3 in production).
    #[arg(long, env = "ICATTLE_REPLICATION", default_value_t = 1)]
    pub replication: i32,

    /// Redis for the cache view; unset means an in-process cache.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,

    /// Prepended to every cache key, so tests can share a Redis.
    #[arg(long, env = "ICATTLE_CACHE_PREFIX", default_value = "")]
    pub cache_prefix: String,

    /// Whether this instance runs the read models' consumers; an instance that only serves
    /// pages and commands (beside others that run them) sets this to false.
    #[arg(long, env = "ICATTLE_RUN_VIEWS", default_value_t = true, action = clap::ArgAction::Set)]
    pub run_views: bool,

    /// Whether this instance shares the views' partitions with the other instances that run
    /// them, through each view's consumer group: the golden record, the cache, the fraud
    /// view, and the search index when it is Meilisearch (an embedded index is this
    /// instance's own, so it reads every partition). Off, each view reads every partition.
    #[arg(long, env = "ICATTLE_SHARE_VIEWS", default_value_t = false, action = clap::ArgAction::Set)]
    pub share_views: bool,

    /// Whether the tasks that copy the log elsewhere run with the views: the category relay,
    /// the snapshot taker and the audit archive. Each reads every partition itself, so with
    /// views shared across instances exactly one instance runs them.
    #[arg(long, env = "ICATTLE_RUN_LOG_COPIES", default_value_t = true, action = clap::ArgAction::Set)]
    pub run_log_copies: bool,

    /// Whether the fraud detector runs with the views (it raises alerts in the log; one
    /// instance running it is enough).
    #[arg(long, env = "ICATTLE_FRAUD_DETECTOR", default_value_t = true, action = clap::ArgAction::Set)]
    pub fraud_detector: bool,

    /// Events of an animal between two snapshots of it on the snapshots topic, from which
    /// `from-log` replays instead of from its first event.
    #[arg(long, env = "ICATTLE_SNAPSHOT_EVERY", default_value_t = 1000,
        value_parser = clap::value_parser!(u64).range(1..))]
    pub snapshot_every: u64,

    /// Events applied between two signed tree heads at most (a head is also signed once the
    /// oldest unsigned event waited `--head-every-secs`).
    #[arg(long, env = "ICATTLE_HEAD_EVERY_EVENTS", default_value_t = 1000,
        value_parser = clap::value_parser!(u64).range(1..))]
    pub head_every_events: u64,

    /// Seconds the oldest unsigned event waits for a signed tree head at most.
    #[arg(long, env = "ICATTLE_HEAD_EVERY_SECS", default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..))]
    pub head_every_secs: u64,

    /// An RFC 3161 time-stamping authority (its HTTP URL): each signed tree head gets a
    /// timestamp token over its hash. Unset: heads carry none.
    #[arg(long, env = "ICATTLE_TSA_URL", requires = "tsa_cert")]
    pub tsa_url: Option<String>,

    /// The TSA's certificate (PEM, RSA key) every token must verify with.
    #[arg(long, env = "ICATTLE_TSA_CERT")]
    pub tsa_cert: Option<PathBuf>,

    /// A Meilisearch server for the search view, e.g. `http://127.0.0.1:7700`; unset means
    /// the embedded index under the data directory's `search/`.
    #[arg(long, env = "MEILI_URL")]
    pub meili_url: Option<String>,

    /// The Meilisearch API key (one allowed to manage documents, settings and tasks of
    /// the index); unset for a server started without a master key.
    #[arg(long, env = "MEILI_KEY", hide_env_values = true)]
    pub meili_key: Option<String>,

    /// The Meilisearch index the herd is kept in.
    #[arg(long, env = "MEILI_INDEX", default_value = "cattle")]
    pub meili_index: String,

    /// Where the audit archive goes: `s3://bucket/prefix` or a directory; unset means
    /// `audit/` under the data directory. S3's credentials, region and endpoint come from
    /// the usual AWS_* variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, and
    /// AWS_ENDPOINT with AWS_ALLOW_HTTP for S3-compatible storage such as MinIO).
    #[arg(long, env = "AUDIT_URL")]
    pub audit_url: Option<String>,

    /// Hex seed of the server's Ed25519 signing key; unset means one kept under the data directory.
    #[arg(long, env = "ICATTLE_SIGNING_SEED", hide_env_values = true)]
    pub signing_seed: Option<String>,

    /// Hex master key (32 bytes) that seals users' signing seeds in the database; unset
    /// means one kept in `keys/master.key` under the data directory, made on first start.
    #[arg(long, env = "ICATTLE_MASTER_KEY", hide_env_values = true)]
    pub master_key: Option<String>,

    /// Minutes a session may go unused before it ends (it also ends 12 hours after sign-in).
    #[arg(long, env = "ICATTLE_SESSION_IDLE_MINUTES", default_value_t = crate::accounts::SESSION_IDLE_MINUTES,
        value_parser = clap::value_parser!(i64).range(1..=720))]
    pub session_idle_minutes: i64,

    /// Whether the session cookie is `Secure` (sent over HTTPS only); unset means on unless
    /// the app listens on a loopback address (where plain HTTP is the norm).
    #[arg(long, env = "ICATTLE_SECURE_COOKIE", action = clap::ArgAction::Set)]
    pub secure_cookie: Option<bool>,

    /// Password of the first administrator, made when there is no user yet; unset means a
    /// random one, printed once on that first start.
    #[arg(long, env = "ICATTLE_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
}

impl Settings {
    /// The jars of the embedded broker in force.
    pub fn kafka_libs(&self) -> PathBuf {
        if let Some(libs) = &self.kafka_libs {
            return libs.clone();
        }
        let tools = std::env::var_os("ICATTLE_TOOLS")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/icattle"))
            })
            .unwrap_or_else(|| PathBuf::from(".cache/icattle"));
        tools.join("kafka").join("current").join("libs")
    }

    /// The topic layout in force.
    pub fn topic_layout(&self) -> crate::kafka::topics::TopicLayout {
        crate::kafka::topics::TopicLayout {
            partitions: self.partitions,
            replication: self.replication,
        }
    }

    /// Where the embedded search index lives: the data directory's `search/`.
    pub fn search_dir(&self) -> PathBuf {
        self.data_dir.join("search")
    }

    /// The search index in force: Meilisearch when `MEILI_URL` is set, else the embedded
    /// index under `search_dir` (its generation in use), with where a rebuild writes a new
    /// index beside it.
    pub async fn search_index(
        &self,
    ) -> Result<
        (crate::search::SwappableSearch, crate::search::SearchHome),
        crate::search::SearchError,
    > {
        use crate::search::{EmbeddedIndex, IndexHome, MeiliIndex, SearchHome, SwappableSearch};
        Ok(match &self.meili_url {
            Some(url) => {
                let meili =
                    MeiliIndex::connect(url, self.meili_key.as_deref(), &self.meili_index).await?;
                let search = SwappableSearch::new(std::sync::Arc::new(meili.clone()));
                (search, SearchHome::Meili(meili))
            }
            None => {
                let home = IndexHome::new(self.search_dir());
                let index = EmbeddedIndex::open(&home.current()?)?;
                let search = SwappableSearch::new(std::sync::Arc::new(index));
                (search, SearchHome::Embedded(home))
            }
        })
    }

    /// The audit archive in force: the configured one or the data directory's `audit/`.
    pub fn audit_url(&self) -> String {
        match &self.audit_url {
            Some(url) => url.clone(),
            None => self.data_dir.join("audit").display().to_string(),
        }
    }

    /// The database URL in force: the configured one or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("icattle.db").display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Settings;
    use clap::Parser;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        settings: Settings,
    }

    fn parse(args: &[&str]) -> Result<Settings, String> {
        Probe::try_parse_from(std::iter::once("icattle").chain(args.iter().copied()))
            .map(|probe| probe.settings)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn session_settings_default_and_refuse_what_makes_no_sense() {
        let defaults = parse(&[]).expect("defaults");
        assert_eq!(
            defaults.session_idle_minutes,
            crate::accounts::SESSION_IDLE_MINUTES
        );
        assert_eq!(defaults.secure_cookie, None);
        assert_eq!(
            parse(&["--secure-cookie", "true"])
                .expect("set")
                .secure_cookie,
            Some(true)
        );
        for bad in [
            &["--session-idle-minutes", "0"][..],
            &["--session-idle-minutes", "a while"],
            &["--secure-cookie", "maybe"],
        ] {
            let error = parse(bad).expect_err("refused");
            assert!(error.contains(bad[0]), "{bad:?}: {error}");
        }
    }
}
