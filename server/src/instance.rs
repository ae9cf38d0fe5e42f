//! Starts one iCattle server: engines, topics, the golden record consumer and HTTP.
use crate::accounts::{AccountError, Accounts, FIRST_ADMIN};
use crate::audit::{open_store, ArchiveError, ArchiveGenerations};
use crate::cache::{
    CacheError, CacheKeys, CacheView, CattleReader, MemoryCache, RedisCache, SharedCache,
};
use crate::command_handler::CommandHandler;
use crate::config::Settings;
use crate::database::{self, DatabaseError};
use crate::fact_claims::FactClaims;
use crate::fraud::FraudView;
use crate::fraud_detector::FraudDetector;
use crate::golden::GoldenRecord;
use crate::http::long_requests::LongRequests;
use crate::http::router;
use crate::http::server_state::ServerState;
use crate::kafka::category_relay::CategoryRelay;
use crate::kafka::embedded_broker::{BrokerLaunch, EmbeddedBroker, EmbeddedBrokerError};
use crate::kafka::publisher::{idempotent_producer, EventPublisher};
use crate::kafka::topics::{check_topics, ensure_topics, TopicError, Topics};
use crate::key_stream::{register_missing, KeyRegistrar, KeyStream, ProducerKey};
use crate::keys::{self, KeyError, TrustedKeys};
use crate::live::LiveHub;
use crate::log_catch_up::CatchUp;
use crate::rebuild::{LiveViewSlot, RebuildSources, ViewRebuilds};
use crate::registry_office::{RegistryOffice, RegistrySources};
use crate::search::{SearchError, SearchView, SharedSearch};
use crate::seed_vault::SeedVault;
use crate::snapshot_taker::SnapshotTaker;
use crate::telemetry::engine_probes::LogProbe;
use crate::telemetry::watch::{self, WatchSources};
use crate::tree_heads::head_archive::HeadArchive;
use crate::tree_heads::head_signer::{HeadCadence, HeadSigner, HeadsTopic};
use crate::tree_heads::timestamp_authority::TimestampAuthority;
use crate::tree_heads::timestamp_token::TsaCertificate;
use crate::views::consumer::{self, ConsumerSource};
use crate::views::group_turns::Sharing;
use crate::views::progress::ViewProgress;
use crate::views::LogView;
use app::model::ViewName;
use domain::SigningKeyPair;
use leptos::prelude::LeptosOptions;
use rdkafka::error::KafkaError;
use sea_orm::DatabaseConnection;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// The embedded broker could not be started.
    #[error(transparent)]
    Broker(#[from] EmbeddedBrokerError),
    /// Kafka refused a client.
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
    /// The topics could not be created, or differ from the configuration.
    #[error(transparent)]
    Topics(#[from] TopicError),
    /// The signing key could not be loaded.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The audit archive could not be opened.
    #[error("audit archive: {0}")]
    Audit(#[from] ArchiveError),
    /// The cache store could not be set up.
    #[error("cache: {0}")]
    Cache(#[from] CacheError),
    /// The search index could not be opened.
    #[error("{0}")]
    Search(#[from] SearchError),
    /// The first administrator could not be made.
    #[error("accounts: {0}")]
    Accounts(#[from] AccountError),
    /// The key stream could not be read or brought level with the accounts.
    #[error(transparent)]
    KeyStream(#[from] crate::key_stream::BackfillError),
    /// The listening socket could not be bound.
    #[error("could not listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    /// The TSA certificate could not be read.
    #[error("the TSA certificate {0}: {1}")]
    TsaCertificate(String, String),
}

/// A running server; dropping it stops its tasks.
pub struct Instance {
    /// Where HTTP is served.
    pub addr: SocketAddr,
    /// The read models' database.
    pub db: DatabaseConnection,
    /// The Kafka bootstrap servers in use.
    pub brokers: String,
    /// The topic names in use.
    pub topics: Topics,
    /// Live push.
    pub hub: LiveHub,
    /// The cache view's store.
    pub cache: SharedCache,
    /// Users and sessions.
    pub accounts: Accounts,
    /// What the web app reaches: sessions, commands and per-user reads.
    pub office: RegistryOffice,
    tasks: Vec<JoinHandle<()>>,
    /// The views a rebuild stops and starts again for its swap.
    live_views: BTreeMap<ViewName, LiveViewSlot>,
    view_rebuilds: ViewRebuilds,
    /// Its reader stays open between reads; stopping closes it.
    key_stream: Arc<KeyStream>,
    broker: Option<EmbeddedBroker>,
}

impl Instance {
    /// Waits until the HTTP server stops (normally never).
    pub async fn wait(&mut self) {
        if let Some(task) = self.tasks.last_mut() {
            let _ = task.await;
        }
    }

    /// Stops serving and consuming, leaving the engines (the embedded broker too) running.
    pub async fn stop_tasks(&mut self) {
        self.view_rebuilds.abort_all();
        for slot in self.live_views.values() {
            slot.stop().await;
        }
        for task in self.tasks.drain(..) {
            task.abort();
            let _ = task.await;
        }
        self.key_stream.close_reader();
    }

    /// Stops serving and consuming, then shuts the embedded broker down cleanly once no
    /// client of this instance is left to complain about it going.
    pub async fn stop(mut self) {
        self.stop_tasks().await;
        let broker = self.broker.take();
        drop(self);
        if let Some(broker) = broker {
            broker.stop().await;
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.view_rebuilds.abort_all();
        for slot in self.live_views.values() {
            slot.abort();
        }
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Starts the engines (embedded or configured), the golden record consumer and HTTP.
pub async fn start(
    settings: &Settings,
    listen: SocketAddr,
    leptos: LeptosOptions,
) -> Result<Instance, StartError> {
    let url = settings.database_url();
    tracing::info!(database = %database::redact(&url), "opening the golden record");
    let db = database::open(&url, &settings.data_dir).await?;

    let (brokers, broker) = match &settings.kafka_brokers {
        Some(brokers) => (brokers.clone(), None),
        None => {
            let broker = EmbeddedBroker::start(&BrokerLaunch {
                java: settings.java.clone(),
                libs: settings.kafka_libs(),
                addr: settings.embedded_broker.clone(),
                data_dir: settings.data_dir.clone(),
            })
            .await?;
            (broker.addr.clone(), Some(broker))
        }
    };
    let topics = Topics::new(&settings.topic_prefix);
    let layout = settings.topic_layout();
    ensure_topics(&brokers, &topics, layout).await?;
    check_topics(&brokers, &topics, layout).await?;

    let key = keys::server_key(settings.signing_seed.as_deref(), &settings.data_dir)?;
    // A detector key made before this start may have signed anything the log holds.
    let detector_made = match keys::fraud_detector_key_exists(&settings.data_dir) {
        true => chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
        false => chrono::Utc::now(),
    };
    let detector_key = Arc::new(keys::fraud_detector_key(&settings.data_dir)?);
    // Recorded from the first command on; `/metrics` renders it.
    crate::telemetry::exporter();
    let key_stream = KeyStream::new(
        &brokers,
        &topics.key_registry(),
        &key.public_key_hex(),
        keys::SERVER_OWNER,
    );
    let registrar = KeyRegistrar::new(
        key_stream.clone(),
        EventPublisher::new(idempotent_producer(&brokers)?, topics.key_registry()),
        Arc::new(key.clone()),
    );
    // Only the root key is configured: every other key is trusted because the stream says so.
    let trusted = TrustedKeys::new([key.public_key_hex()]).with_key_stream(key_stream.clone());
    let served_keys = trusted.clone();
    let vault = SeedVault::open(settings.master_key.as_deref(), &settings.data_dir)?;
    let accounts = Accounts::new(db.clone(), vault, registrar.clone())
        .with_idle_timeout(chrono::Duration::minutes(settings.session_idle_minutes));
    let sealed = accounts.seal_plain_seeds().await?;
    if sealed > 0 {
        tracing::info!(sealed, "sealed users' signing seeds stored in plain text");
    }
    if let Some(password) = accounts
        .ensure_first_admin(settings.admin_password.as_deref())
        .await?
    {
        // Shown once, on the console of the first start; only its hash is kept.
        println!(
            "\n  iCattle's first administrator: username `{FIRST_ADMIN}`, password `{password}`\n  \
             (shown only now; sign in and create the farmers and assessors)\n"
        );
    }
    register_missing(
        &registrar,
        &db,
        &[ProducerKey {
            public_key: detector_key.public_key_hex(),
            owner: keys::FRAUD_DETECTOR_OWNER.to_string(),
            made_at: detector_made,
        }],
    )
    .await?;
    let publisher = EventPublisher::new(idempotent_producer(&brokers)?, topics.cattle_events());
    let hub = match &settings.redis_url {
        Some(url) => LiveHub::with_redis(url, &format!("{}icattle:live", settings.cache_prefix))
            .map_err(|e| CacheError(format!("live updates: {e}")))?,
        None => LiveHub::new(),
    };
    let (catch_up, catching_up) = CatchUp::follow(
        db.clone(),
        brokers.clone(),
        topics.cattle_events(),
        crate::golden::PROJECTION.as_str(),
    );
    let mut commands = CommandHandler::new(db.clone(), publisher, accounts.clone(), catch_up)
        .remembering_signatures(trusted.checked().clone());
    if settings.fraud_detector {
        commands = commands.raising_tag_claims(detector_key.clone());
    }
    let following = commands.follow(&hub);
    let cache: SharedCache = match &settings.redis_url {
        Some(url) => Arc::new(RedisCache::new(url)?),
        None => Arc::new(MemoryCache::new()),
    };
    let cache_keys = CacheKeys::in_use(cache.as_ref(), &settings.cache_prefix).await?;
    let (swappable_search, search_home) = settings.search_index().await?;
    let search: SharedSearch = Arc::new(swappable_search.clone());
    let progress = ViewProgress::default();
    let (readings, watching) = watch::start(WatchSources {
        probe: LogProbe::new(&brokers)?,
        log_topic: topics.cattle_events(),
        topics: topics.all(),
        db: db.clone(),
        cache: cache.clone(),
        search: search.clone(),
        progress: progress.clone(),
    })
    .await;
    let shared = if settings.share_views {
        Sharing::ByGroup
    } else {
        Sharing::ReadsAll
    };
    // An embedded search index is this instance's own: it needs every partition.
    let search_sharing = if search_home.is_embedded() {
        Sharing::ReadsAll
    } else {
        shared
    };
    let source = |group: &str, dead_letters: bool, sharing: Sharing| ConsumerSource {
        brokers: brokers.clone(),
        topic: topics.cattle_events(),
        group: topics.group(group),
        dead_letter_topic: dead_letters.then(|| topics.dead_letter()),
        sharing,
    };
    let mut live_views = BTreeMap::new();
    if settings.run_views {
        let (golden_db, golden_trusted) = (db.clone(), trusted.clone());
        live_views.insert(
            ViewName::GoldenRecord,
            swappable_view(
                move || GoldenRecord::new(golden_db.clone(), golden_trusted.clone()),
                source("golden-record", true, shared),
                &hub,
                &progress,
            ),
        );
        let (fraud_db, fraud_trusted) = (db.clone(), trusted.clone());
        let (cache_store, live_keys, cache_trusted) =
            (cache.clone(), cache_keys.clone(), trusted.clone());
        live_views.insert(
            ViewName::CacheView,
            swappable_view(
                move || {
                    CacheView::new(
                        cache_store.clone(),
                        live_keys.clone(),
                        cache_trusted.clone(),
                    )
                },
                source("cache-view", false, shared),
                &hub,
                &progress,
            ),
        );
        let (search_index, search_trusted) = (search.clone(), trusted.clone());
        live_views.insert(
            ViewName::SearchIndex,
            swappable_view(
                move || SearchView::new(search_index.clone(), search_trusted.clone()),
                source("search-index", false, search_sharing),
                &hub,
                &progress,
            ),
        );
        live_views.insert(
            ViewName::FraudView,
            swappable_view(
                move || FraudView::new(fraud_db.clone(), fraud_trusted.clone()),
                source("fraud-view", false, shared),
                &hub,
                &progress,
            ),
        );
    }
    let fraud_detector = (settings.run_views && settings.fraud_detector).then(|| {
        FraudDetector::new(
            db.clone(),
            trusted.clone(),
            commands.clone(),
            detector_key.clone(),
        )
    });
    if let Some(detector) = fraud_detector.clone() {
        let detector_db = db.clone();
        live_views.insert(
            ViewName::FraudDetector,
            swappable_view(
                move || detector.folding_into(detector_db.clone()),
                source("fraud-detector", false, Sharing::ReadsAll),
                &hub,
                &progress,
            ),
        );
    }
    let audit = if settings.run_views && settings.run_log_copies {
        let generations = ArchiveGenerations::new(open_store(&settings.audit_url())?);
        live_views.insert(
            ViewName::AuditArchive,
            archive_slot(
                generations.clone(),
                source("audit-archive", false, Sharing::ReadsAll),
                &progress,
            ),
        );
        Some(generations)
    } else {
        None
    };
    let view_rebuilds = ViewRebuilds::new(RebuildSources {
        db: db.clone(),
        db_url: url.clone(),
        data_dir: settings.data_dir.clone(),
        brokers: brokers.clone(),
        topic: topics.cattle_events(),
        group: topics.group("rebuild"),
        trusted: trusted.clone(),
        live: live_views.clone(),
        cache: cache.clone(),
        cache_keys: cache_keys.clone(),
        search: swappable_search,
        search_home,
        fraud_detector,
        audit,
    });
    let sources = RegistrySources {
        db: db.clone(),
        reader: CattleReader::new(cache.clone(), cache_keys.clone(), db.clone()),
        brokers: brokers.clone(),
        trusted: served_keys,
        readings,
        progress: progress.clone(),
        log_topic: topics.cattle_events(),
        snapshot_topic: topics.snapshots(),
        search: search.clone(),
        rebuilds: view_rebuilds.clone(),
        group_prefix: topics.group(""),
    };
    // Browsers keep no Secure cookie from plain HTTP, the norm on loopback.
    let secure_cookies = settings.secure_cookie.unwrap_or(!listen.ip().is_loopback());
    let office = RegistryOffice::new(accounts.clone(), commands.clone(), sources)
        .with_secure_cookies(secure_cookies);
    let mut tasks = vec![
        following,
        catching_up,
        watching,
        tokio::spawn({
            let accounts = accounts.clone();
            async move {
                purge_every("ended sessions", || accounts.purge_ended_sessions()).await;
            }
        }),
        tokio::spawn({
            let claims = FactClaims::new(db.clone());
            async move { purge_every("old claims on facts", || claims.purge_old()).await }
        }),
        crate::operations_pulse::spawn(office.clone(), hub.clone()),
        crate::cache::follow_generation(cache.clone(), cache_keys.clone()),
    ];
    if settings.run_views && settings.run_log_copies {
        tasks.extend(spawn_log_copies(settings, &db, &topics, key, &brokers)?);
    }

    let state = ServerState {
        leptos,
        office: office.clone(),
        hub: hub.clone(),
        long_requests: LongRequests::default(),
    };
    let app = router::build(state);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| StartError::Listen(listen, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError::Listen(listen, e))?;
    let http_task = tokio::spawn(async move {
        if let Err(error) = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        {
            tracing::error!(%error, "the HTTP server stopped");
        }
    });
    tracing::info!(%addr, "iCattle is listening");
    tasks.push(http_task);
    Ok(Instance {
        addr,
        db,
        brokers,
        topics,
        hub,
        cache,
        accounts,
        office,
        tasks,
        live_views,
        view_rebuilds,
        key_stream,
        broker,
    })
}

/// Starts the tasks that copy the log elsewhere: the category topics, the snapshots and the
/// signed tree heads (the audit archive runs in a slot of its own, which a rebuild stops and
/// starts; the heads go into its store beside it).
fn spawn_log_copies(
    settings: &Settings,
    db: &DatabaseConnection,
    topics: &Topics,
    key: SigningKeyPair,
    brokers: &str,
) -> Result<Vec<JoinHandle<()>>, StartError> {
    let relay = tokio::spawn(CategoryRelay::new(brokers, topics.clone()).run());
    let root_key = Arc::new(key);
    let snapshots = EventPublisher::new(idempotent_producer(brokers)?, topics.snapshots());
    let snapshot_taker = tokio::spawn(
        SnapshotTaker::new(
            db.clone(),
            snapshots,
            topics.snapshots(),
            root_key.clone(),
            settings.snapshot_every,
        )
        .run(),
    );
    let heads = EventPublisher::new(idempotent_producer(brokers)?, topics.tree_heads());
    let cadence = HeadCadence {
        events: settings.head_every_events,
        interval: std::time::Duration::from_secs(settings.head_every_secs),
    };
    let heads_topic = HeadsTopic {
        brokers: brokers.to_string(),
        topic: topics.tree_heads(),
    };
    let archive = HeadArchive::new(open_store(&settings.audit_url())?);
    let mut head_signer = HeadSigner::new(
        db.clone(),
        heads,
        heads_topic,
        topics.cattle_events(),
        root_key,
        cadence,
    )
    .archived_in(archive);
    if let Some(tsa) = timestamp_authority(settings)? {
        head_signer = head_signer.timestamped_by(tsa);
    }
    let head_signer = tokio::spawn(head_signer.run());
    Ok(vec![relay, snapshot_taker, head_signer])
}

/// The TSA configured for the signed tree heads, with its certificate read.
fn timestamp_authority(settings: &Settings) -> Result<Option<TimestampAuthority>, StartError> {
    let (Some(url), Some(path)) = (&settings.tsa_url, &settings.tsa_cert) else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    let pem = std::fs::read_to_string(path)
        .map_err(|error| StartError::TsaCertificate(shown.clone(), error.to_string()))?;
    let certificate = TsaCertificate::from_pem(&pem)
        .map_err(|error| StartError::TsaCertificate(shown, error.to_string()))?;
    Ok(Some(TimestampAuthority::new(url.clone(), certificate)))
}

/// The audit archive in a slot a rebuild can stop and start again; each start archives into
/// the generation then in use.
fn archive_slot(
    generations: ArchiveGenerations,
    source: ConsumerSource,
    progress: &ViewProgress,
) -> LiveViewSlot {
    let progress = progress.clone();
    LiveViewSlot::start_with(move || {
        let (generations, source, progress) =
            (generations.clone(), source.clone(), progress.clone());
        tokio::spawn(async move {
            let archived = match generations.archive_in_use().await {
                Ok(archive) => archive.reporting_to(progress).run(source).await,
                Err(error) => Err(error),
            };
            if let Err(error) = archived {
                tracing::error!(%error, "the audit archive stopped");
            }
        })
    })
}

/// Runs one view's consumer in the background.
fn spawn_view<V: LogView>(
    view: V,
    source: ConsumerSource,
    hub: LiveHub,
    progress: &ViewProgress,
) -> JoinHandle<()> {
    let progress = progress.clone();
    tokio::spawn(async move {
        let name = view.name();
        if let Err(error) = consumer::run_reporting(view, source, hub, progress).await {
            tracing::error!(view = %name, %error, "a view consumer stopped");
        }
    })
}

/// A view's consumer in a slot a rebuild can stop and start again; each start runs a view
/// `fresh` makes, so nothing it held before a swap outlives it.
fn swappable_view<V: LogView>(
    fresh: impl Fn() -> V + Send + Sync + 'static,
    source: ConsumerSource,
    hub: &LiveHub,
    progress: &ViewProgress,
) -> LiveViewSlot {
    let (hub, progress) = (hub.clone(), progress.clone());
    LiveViewSlot::start_with(move || spawn_view(fresh(), source.clone(), hub.clone(), &progress))
}

/// How often ended sessions and old claims on facts are deleted.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Deletes `what` with `purge` every few minutes, until the task is dropped; a failure is
/// tried again next time.
async fn purge_every<F, Fut, E>(what: &'static str, purge: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<u64, E>>,
    E: std::fmt::Display,
{
    let mut every = tokio::time::interval(PURGE_EVERY);
    loop {
        every.tick().await;
        match purge().await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, what, "deleted"),
            Err(error) => tracing::warn!(%error, what, "could not delete; trying later"),
        }
    }
}
