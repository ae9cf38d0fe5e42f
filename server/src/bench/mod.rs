//! `icattle bench`: measures the write path, the views and the reads against the configured
//! engines, each beside the reference it should be judged by (the same bytes produced with
//! rdkafka alone, Ed25519 alone, a bare `SELECT 1` / `GET`), in a corner of the engines of
//! its own that it removes again.
mod applied;
mod herd_load;
mod latency;
mod reads;
mod reference;
mod replay;
mod report;
mod scratch;
mod search_load;

use crate::cli_sizes::at_least_one;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use report::{at_least, below, Report, Row, Verdict};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::json;
use server::config::Settings;
use server::instance::Instance;
use server::views::consumer::ConsumerSource;
use server::views::group_turns::Sharing;
use std::path::PathBuf;
use std::time::Duration;

/// Sizes of the bench's runs; the defaults finish in a few minutes on two cores.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    #[command(flatten)]
    settings: Settings,
    /// Commands (and raw sends) timed one after the other for the latency rows.
    #[arg(long, default_value_t = 1000, value_parser = at_least_one)]
    latency_samples: usize,
    /// Raw sends for the raw produce rate.
    #[arg(long, default_value_t = 100_000, value_parser = at_least_one)]
    raw_messages: usize,
    /// Signatures for the raw signing rate.
    #[arg(long, default_value_t = 20_000, value_parser = at_least_one)]
    signatures: usize,
    /// Commands sent for the sustained rate (animals of ten commands each).
    #[arg(long, default_value_t = 50_000, value_parser = at_least_one)]
    events: usize,
    /// Senders at once for the sustained rate.
    #[arg(long, default_value_t = 64, value_parser = at_least_one)]
    clients: usize,
    /// Commands a second offered for publish → applied.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    offered_rate: u32,
    /// Seconds of offered load for publish → applied.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    offered_seconds: u64,
    /// Reads timed for each read row.
    #[arg(long, default_value_t = 2000, value_parser = at_least_one)]
    read_samples: usize,
    /// Animals in the embedded search index for the search rows.
    #[arg(long, default_value_t = 100_000, value_parser = at_least_one)]
    search_animals: usize,
    /// Searches timed for the search rows.
    #[arg(long, default_value_t = 2000, value_parser = at_least_one)]
    search_queries: usize,
    /// Only the search rows: the embedded index alone, no engine needed.
    #[arg(long)]
    search_only: bool,
    /// Where the JSON report goes; defaults to `bench.json` in the data directory.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Keep the bench's topics, databases and keys (for looking at them afterwards).
    #[arg(long)]
    keep: bool,
}

/// Runs every measurement, prints the table and writes the JSON report.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.search_only {
        let dir = args
            .settings
            .data_dir
            .join(format!("bench-search-{}", uuid::Uuid::new_v4().simple()));
        let rows = search_rows(&args, &dir).await;
        if !args.keep {
            let _ = std::fs::remove_dir_all(&dir);
        }
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let report = Report {
            machine: format!("{cores} cores, the embedded search index alone"),
            sizes: json!({"search_animals": args.search_animals, "search_queries": args.search_queries}),
            rows: rows?,
        };
        return finish(&args, report);
    }
    let scratch = scratch::Scratch::create(&args.settings).await?;
    let leptos = leptos::prelude::LeptosOptions::builder()
        .output_name("icattle")
        .build();
    let started = server::instance::start(&scratch.settings, ([127, 0, 0, 1], 0).into(), leptos)
        .await
        .context("starting the bench's server");
    let mut instance = match started {
        Ok(instance) => instance,
        Err(error) => {
            scratch.remove_stores().await;
            return Err(error);
        }
    };
    let outcome = measure(&args, &scratch, &instance).await;
    if args.keep {
        println!(
            "kept: topics {}*, database {}, directory {}",
            scratch.settings.topic_prefix,
            server::database::redact(&scratch.settings.database_url()),
            scratch.dir.display()
        );
        instance.stop().await;
    } else {
        // Consumers first, so none of them complains about its topic going.
        instance.stop_tasks().await;
        scratch.remove_topics(&instance.brokers).await;
        instance.stop().await;
        scratch.remove_stores().await;
    }
    finish(&args, outcome?)
}

/// Prints the report and writes its JSON.
fn finish(args: &BenchArgs, report: Report) -> anyhow::Result<()> {
    report.print();
    let path = args
        .json
        .clone()
        .unwrap_or_else(|| args.settings.data_dir.join("bench.json"));
    report
        .write_json(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    println!("report written to {}", path.display());
    Ok(())
}

/// A reader of the cattle log the bench waits for.
#[derive(Clone, Copy)]
enum Reader {
    /// A SQL view, by its checkpoint name.
    View(&'static str),
    /// A reader reporting its progress to Kafka, by its consumer group's name.
    Group(&'static str),
}

impl Reader {
    fn name(self) -> &'static str {
        match self {
            Reader::View(name) | Reader::Group(name) => name,
        }
    }
}

fn bar(what: &str, length: u64) -> ProgressBar {
    let style =
        ProgressStyle::with_template("{prefix:34} [{bar:30}] {pos}/{len} {per_sec} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
    ProgressBar::new(length)
        .with_style(style)
        .with_prefix(what.to_string())
}

fn done(progress: &ProgressBar, figure: String) {
    progress.finish_and_clear();
    println!("{:34} {figure}", progress.prefix());
}

fn machine(instance: &Instance, settings: &Settings) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let database = match settings.database_url.as_deref() {
        Some(url) if url.starts_with("postgres") => "PostgreSQL",
        _ => "SQLite",
    };
    let cache = if settings.redis_url.is_some() {
        "Redis"
    } else {
        "in-process cache"
    };
    format!(
        "{} ({cores} cores), Apache Kafka at {}, {database}, {cache}, {} partitions",
        host.trim(),
        instance.brokers,
        settings.partitions
    )
}

/// Creates the topic the raw reference writes to, laid out as the cattle log is.
async fn raw_topic(instance: &Instance, settings: &Settings) -> anyhow::Result<String> {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    let name = format!("{}bench.raw", settings.topic_prefix);
    let admin: AdminClient<rdkafka::client::DefaultClientContext> = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &instance.brokers)
        .create()?;
    let topic = NewTopic::new(
        &name,
        settings.partitions,
        TopicReplication::Fixed(settings.replication),
    );
    for result in admin.create_topics([&topic], &AdminOptions::new()).await? {
        result.map_err(|(topic, code)| anyhow::anyhow!("creating {topic}: {code}"))?;
    }
    Ok(name)
}

async fn measure(
    args: &BenchArgs,
    scratch: &scratch::Scratch,
    instance: &Instance,
) -> anyhow::Result<Report> {
    let settings = &scratch.settings;
    let topic = instance.topics.cattle_events();
    // Farmers send most of the registry's commands; the bench sends them as one.
    let farmer = instance
        .accounts
        .create_user(
            None,
            &server::accounts::NewUser {
                username: "bench-farmer".into(),
                password: uuid::Uuid::new_v4().simple().to_string(),
                role: "FARMER".into(),
            },
        )
        .await?;
    let actor = instance.accounts.actor(&farmer).await?;
    let handler = instance.office.commands.clone();
    herd_load::register_client(&handler, &actor).await?;
    let tags = herd_load::Tags::default();
    let mut rows = Vec::new();

    // Publish latency, one command after the other, after a warm-up that opens the
    // connections and fetches the metadata a first send would otherwise be timed with.
    let mut warm_up = latency::Latencies::new();
    let quiet = ProgressBar::hidden();
    herd_load::life(
        &handler,
        &actor,
        &tags.next(),
        herd_load::COMMANDS_PER_ANIMAL,
        &mut warm_up,
        &quiet,
    )
    .await?;
    let progress = bar("publish, sequential", args.latency_samples as u64);
    let mut samples = latency::Latencies::new();
    let mut sent = 0;
    while sent < args.latency_samples {
        let commands = herd_load::COMMANDS_PER_ANIMAL.min(args.latency_samples - sent);
        herd_load::life(
            &handler,
            &actor,
            &tags.next(),
            commands,
            &mut samples,
            &progress,
        )
        .await?;
        sent += commands;
    }
    let publish = samples.percentiles();
    done(&progress, publish.to_string());

    // The raw reference sends a real envelope's bytes.
    let ends = server::kafka::topics::end_offsets(&instance.brokers, &topic)?;
    let progress = bar("golden record catching up", 0);
    replay::caught_up(
        &instance.db,
        server::golden::PROJECTION.as_str(),
        &topic,
        &ends,
        Duration::from_secs(120),
        &progress,
    )
    .await?;
    progress.finish_and_clear();
    let sample = server::entity::cattle_event::Entity::find()
        .one(&instance.db)
        .await?
        .context("the golden record holds no event to copy")?;
    let body = serde_json::to_vec(&sample.envelope)?;
    let raw = raw_topic(instance, settings).await?;
    let producer = reference::raw_producer(&instance.brokers)?;
    reference::produce_latency(&producer, &raw, &body, 20, &ProgressBar::hidden()).await?;
    let progress = bar("raw produce, sequential", args.latency_samples as u64);
    let raw_latency =
        reference::produce_latency(&producer, &raw, &body, args.latency_samples, &progress).await?;
    done(&progress, raw_latency.to_string());
    let progress = bar("raw produce, in flight", args.raw_messages as u64);
    let raw_rate =
        reference::produce_rate(&producer, &raw, &body, args.raw_messages, &progress).await?;
    done(&progress, format!("{raw_rate:.0} msg/s"));
    let progress = bar("Ed25519 signing, one core", 0);
    let signing = reference::signing_rate(args.signatures);
    done(&progress, format!("{signing:.0} signatures/s"));

    rows.push(Row {
        what: format!(
            "raw produce, {} B, acks=all, idempotent (reference)",
            body.len()
        ),
        target: "—".into(),
        measured: format!("{raw_rate:.0} msg/s; sequential {raw_latency}"),
        reference: "rdkafka alone, same broker".into(),
        ratio: None,
        verdict: Verdict::Reference,
        figures: json!({"rate_per_s": raw_rate, "sequential": raw_latency, "bytes": body.len()}),
    });
    rows.push(Row {
        what: "Ed25519 signing, one core (reference)".into(),
        target: "—".into(),
        measured: format!("{signing:.0} signatures/s"),
        reference: "ed25519-dalek alone".into(),
        ratio: None,
        verdict: Verdict::Reference,
        figures: json!({"rate_per_s": signing}),
    });
    let ratio = publish.p99_ms / raw_latency.p99_ms.max(0.001);
    rows.push(Row {
        what: "publish (validate + sign + acks=all), sequential".into(),
        target: "p99 ≤ 2× raw p99 (seed: < 10 ms)".into(),
        measured: publish.to_string(),
        reference: format!("raw p99 {:.2} ms", raw_latency.p99_ms),
        ratio: Some(ratio),
        verdict: below(ratio, 2.0 + f64::EPSILON),
        figures: json!({"publish": publish, "raw": raw_latency}),
    });

    // Sustained signed events per second.
    let progress = bar(
        &format!("publish, {} senders", args.clients),
        args.events as u64,
    );
    let (rate, under_load, herd) = herd_load::concurrent(
        &handler,
        &actor,
        &tags,
        args.clients,
        args.events,
        &progress,
    )
    .await?;
    done(&progress, format!("{rate:.0} events/s, {under_load}"));
    let ratio = rate / raw_rate.max(1.0);
    rows.push(Row {
        what: format!(
            "signed events published, {} concurrent senders",
            args.clients
        ),
        target: "≥ 10,000/s, or ≥ 80 % of raw".into(),
        measured: format!("{rate:.0} events/s; {under_load}"),
        reference: format!("raw {raw_rate:.0} msg/s; signing {signing:.0}/s"),
        ratio: Some(ratio),
        verdict: if rate >= 10_000.0 {
            Verdict::Met
        } else {
            at_least(ratio, 0.8)
        },
        figures: json!({"rate_per_s": rate, "latency": under_load, "senders": args.clients}),
    });

    // Publish → applied at a fixed offered load, once the views have caught up.
    let ends = server::kafka::topics::end_offsets(&instance.brokers, &topic)?;
    // Every reader, so none is still working through the burst while the next measurement
    // runs: the SQL views by their checkpoints, the others by what they report to Kafka.
    let readers = [
        Reader::View(server::golden::PROJECTION.as_str()),
        Reader::View(server::fraud::PROJECTION.as_str()),
        Reader::Group("cache-view"),
        Reader::Group("category-relay"),
    ];
    for reader in readers {
        let progress = bar(&format!("{} catching up", reader.name()), 0);
        let within = Duration::from_secs(600);
        match reader {
            Reader::View(view) => {
                replay::caught_up(&instance.db, view, &topic, &ends, within, &progress).await?
            }
            Reader::Group(name) => {
                let group = instance.topics.group(name);
                replay::group_caught_up(&instance.brokers, &group, &topic, &ends, within, &progress)
                    .await?
            }
        }
        let took = progress.elapsed().as_secs();
        done(&progress, format!("caught up ({took}s)"));
    }
    let offered = u64::from(args.offered_rate) * args.offered_seconds;
    let progress = bar(
        &format!("publish → applied, {}/s", args.offered_rate),
        offered,
    );
    let pool = &herd[..herd.len().min(args.offered_rate as usize)];
    let applied = applied::at_offered_rate(
        &handler,
        &actor,
        &instance.hub,
        pool,
        args.offered_rate,
        args.offered_seconds,
        &progress,
    )
    .await?;
    done(
        &progress,
        format!("{}; {} not seen applied", applied.applied, applied.missing),
    );
    rows.push(Row {
        what: format!("publish → applied, {}/s offered", args.offered_rate),
        target: "p99 < 100 ms".into(),
        measured: format!("{}; {} not seen applied", applied.applied, applied.missing),
        reference: format!("publish alone under this load {}", applied.published),
        ratio: None,
        verdict: if applied.missing == 0 { below(applied.applied.p99_ms, 100.0) } else { Verdict::Missed },
        figures: json!({"applied": applied.applied, "published": applied.published, "missing": applied.missing}),
    });

    // Replay into a fresh golden record, of a log no longer growing.
    let mut writers = vec![server::golden::PROJECTION.as_str()];
    if settings.fraud_detector {
        writers.push(server::fraud_detector::PROJECTION.as_str());
    }
    let progress = bar("the log settling", 0);
    let within = Duration::from_secs(600);
    replay::settled_ends(
        &instance.db,
        &instance.brokers,
        &topic,
        &writers,
        within,
        &progress,
    )
    .await?;
    done(&progress, "no more alerts raised".into());
    let replay_db = server::database::open(&scratch.replay_url, &scratch.dir).await?;
    let key = server::keys::server_key(settings.signing_seed.as_deref(), &settings.data_dir)?;
    // As a replay from the log alone: the root key, and the keys its stream registers.
    let key_stream = server::key_stream::KeyStream::new(
        &instance.brokers,
        &instance.topics.key_registry(),
        &key.public_key_hex(),
        server::keys::SERVER_OWNER,
    );
    let trusted =
        server::keys::TrustedKeys::new([key.public_key_hex()]).with_key_stream(key_stream);
    let source = ConsumerSource {
        brokers: instance.brokers.clone(),
        topic: topic.clone(),
        group: instance.topics.group("bench-replay"),
        dead_letter_topic: None,
        sharing: Sharing::ReadsAll,
    };
    let progress = bar("replay into a fresh golden record", 0);
    let (replayed, replay_rate) =
        replay::replay(replay_db.clone(), trusted, source, &progress).await?;
    done(
        &progress,
        format!("{replay_rate:.0} events/s ({replayed} messages)"),
    );
    let (original, rebuilt) = (
        count_events(&instance.db).await?,
        count_events(&replay_db).await?,
    );
    anyhow::ensure!(
        original == rebuilt,
        "the replay holds {rebuilt} events, the golden record {original}"
    );
    rows.push(Row {
        what: "replay into a fresh golden record".into(),
        target: "≥ 10,000 events/s".into(),
        measured: format!("{replay_rate:.0} events/s ({replayed} messages)"),
        reference: format!("raw produce {raw_rate:.0} msg/s"),
        ratio: Some(replay_rate / raw_rate.max(1.0)),
        verdict: at_least(replay_rate, 10_000.0),
        figures: json!({"rate_per_s": replay_rate, "messages": replayed}),
    });

    // Reads of the animal page.
    let progress = bar("reads", 0);
    let page = reads::animal_page(&instance.db, &herd, args.read_samples).await?;
    let select_one = reference::select_one(&instance.db, args.read_samples).await?;
    let engine = match instance.db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "PostgreSQL",
        _ => "SQLite",
    };
    rows.push(Row {
        what: format!("animal page from {engine}"),
        target: "—".into(),
        measured: page.to_string(),
        reference: format!("SELECT 1 {select_one}"),
        ratio: Some(page.p99_ms / select_one.p99_ms.max(0.001)),
        verdict: Verdict::Reference,
        figures: json!({"page": page, "select_one": select_one}),
    });
    let reader = server::cache::CattleReader::new(
        instance.cache.clone(),
        server::cache::CacheKeys::new(&settings.cache_prefix),
        instance.db.clone(),
    );
    let cached = reads::cached_animal(&reader, &herd, args.read_samples).await?;
    let (cache, bare) = match &settings.redis_url {
        Some(url) => {
            let first = *herd.first().context("the bench registered no animal")?;
            let key = server::cache::CacheKeys::new(&settings.cache_prefix).cattle(first);
            let bare = reference::redis_get(url, &key, args.read_samples).await?;
            ("Redis", Some(bare))
        }
        None => ("the in-process cache", None),
    };
    rows.push(Row {
        what: format!("animal read, cache-first ({cache})"),
        target: "—".into(),
        measured: cached.to_string(),
        reference: bare.map_or("no Redis configured".into(), |bare| {
            format!("bare GET {bare}")
        }),
        ratio: bare.map(|bare| cached.p99_ms / bare.p99_ms.max(0.001)),
        verdict: Verdict::Reference,
        figures: json!({"cached": cached, "bare_get": bare}),
    });
    done(&progress, format!("page {page}, cache {cached}"));
    rows.extend(search_rows(args, &scratch.dir.join("search-bench")).await?);

    Ok(Report {
        machine: machine(instance, settings),
        sizes: json!({
            "latency_samples": args.latency_samples, "raw_messages": args.raw_messages,
            "signatures": args.signatures, "events": args.events, "clients": args.clients,
            "offered_rate": args.offered_rate, "offered_seconds": args.offered_seconds,
            "read_samples": args.read_samples, "search_animals": args.search_animals,
            "search_queries": args.search_queries,
        }),
        rows,
    })
}

/// The embedded search index over `--search-animals` generated animals, in `dir`.
async fn search_rows(args: &BenchArgs, dir: &std::path::Path) -> anyhow::Result<Vec<Row>> {
    let progress = bar("search index", 0);
    let figures =
        search_load::measure(dir, args.search_animals, args.search_queries, &progress).await?;
    done(
        &progress,
        format!(
            "{:.0} animals/s indexed; search {}",
            figures.indexed_per_s, figures.queries
        ),
    );
    Ok(vec![
        Row {
            what: format!(
                "search index: indexing {} animals (embedded)",
                args.search_animals
            ),
            target: "—".into(),
            measured: format!("{:.0} animals/s", figures.indexed_per_s),
            reference: "batches of 1,000, one commit each, as the view writes".into(),
            ratio: None,
            verdict: Verdict::Reference,
            figures: json!({"indexed_per_s": figures.indexed_per_s, "animals": args.search_animals}),
        },
        Row {
            what: format!("search over {} animals (embedded)", args.search_animals),
            target: "under a keystroke (< 100 ms)".into(),
            measured: figures.queries.to_string(),
            reference: "typos, prefixes, an NLIS id, owners, filters, a place, an order".into(),
            ratio: None,
            verdict: below(figures.queries.p99_ms, 100.0),
            figures: json!({"queries": figures.queries}),
        },
    ])
}

async fn count_events(db: &sea_orm::DatabaseConnection) -> anyhow::Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(server::entity::cattle_event::Entity::find()
        .count(db)
        .await?)
}
