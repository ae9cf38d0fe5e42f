//! `icattle`: the iCattle server and its tools.
#![recursion_limit = "256"]
mod bench;
mod cli_sizes;
mod herd_as_of_replay;
mod herd_import;
mod seed;
mod view_replay;

use anyhow::Context;
use clap::{Parser, Subcommand};
use server::config::Settings;
use std::net::SocketAddr;

// Every envelope a view reads is decoded into many small allocations and freed a batch
// later; glibc's allocator took over a third of the CPU in the bench's profiles.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// iCattle: a Kafka-first, event-sourced livestock registry.
#[derive(Parser, Debug)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Tool>,
    /// How log lines are written: `text` for people, `json` (one object per line, with the
    /// spans' fields, such as a command's `event_id`) for log collectors.
    #[arg(long, env = "ICATTLE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
enum Tool {
    /// Serve the web app and the API (the default).
    Serve(Box<ServeArgs>),
    /// Verify a log of envelopes (a JSON-lines file or a topic): hashes, signatures, chain
    /// links, sequences and Merkle roots. Exits non-zero on any failure.
    Verify(VerifyArgs),
    /// Measure publish latency and rate, publish → applied, replay and reads against the
    /// configured engines, beside raw Kafka, Ed25519, `SELECT 1` and `GET`; prints a table
    /// and writes JSON. Uses topics, databases and keys of its own and removes them.
    Bench(Box<bench::BenchArgs>),
    /// Make a realistic herd of N animals with their histories (registrations, health,
    /// locations, valuations, sales and accepted offers) in a running iCattle, through its
    /// JSON API as farmers and an assessor would, with a progress bar.
    Seed(seed::SeedArgs),
    /// Snapshot now every animal with `--snapshot-every` events or more since its last
    /// snapshot (a running server does this by itself every two seconds): its state and chain
    /// head, signed with the server's key, to the snapshots topic.
    Snapshot(Box<SnapshotArgs>),
    /// Rebuild a view of a running iCattle from offset 0, blue/green, through its API: the
    /// live view keeps serving until the rebuilt copy replaces it. A progress bar follows it;
    /// Ctrl-C cancels it before the swap. With `--as-of TIME`, prints the golden record's
    /// herd as it was then instead.
    Replay(view_replay::ReplayArgs),
    /// Register a herd from a CSV file (the import page's template or an NLIS herd export)
    /// in a running iCattle as a farmer, through its JSON API: every row checked before
    /// anything is sent, a progress bar, and a report of what became of each row. Importing
    /// the same file again creates nothing new.
    Import(herd_import::ImportArgs),
}

#[derive(clap::Args, Debug)]
struct SnapshotArgs {
    #[command(flatten)]
    settings: Settings,
}

#[derive(clap::Args, Debug)]
struct VerifyArgs {
    /// A JSON-lines file of envelopes; `-` reads standard input.
    #[arg(required_unless_present = "topic", conflicts_with = "topic")]
    file: Option<std::path::PathBuf>,
    /// Read this topic from offset 0 to its end instead of a file.
    #[arg(long)]
    topic: Option<String>,
    /// Kafka bootstrap servers, with `--topic`.
    #[arg(long, env = "KAFKA_BROKERS", default_value = "127.0.0.1:19092")]
    brokers: String,
    /// Trusted public keys: a key pair file or a JSON array of {public_key, owner}.
    /// Without it any key is accepted and only integrity is checked.
    #[arg(long, conflicts_with_all = ["key_stream", "key_topic"])]
    keys: Option<std::path::PathBuf>,
    /// The key stream (PROTOCOL.md §11) as JSON lines, one record per line: the trusted keys
    /// are the root key (`--root-key`) and those its records make. `-` is not allowed here.
    #[arg(long, requires = "root_key", conflicts_with = "key_topic")]
    key_stream: Option<std::path::PathBuf>,
    /// Read the key stream from this topic (on `--brokers`) instead of a file.
    #[arg(long, requires = "root_key")]
    key_topic: Option<String>,
    /// A signed tree head with its animal heads, as `GET /api/heads/latest?animals=true`
    /// answers it: the log must hold every animal's event the head commits to, so a copy
    /// that lost an animal's newest events fails, naming the animal.
    #[arg(long)]
    expect_head: Option<std::path::PathBuf>,
    /// The root public key (hex): the key stream's records and the head must be signed by
    /// it; without it any key whose signature verifies signs the head, with a warning.
    #[arg(long)]
    root_key: Option<String>,
    /// The TSA certificate (PEM) the head's RFC 3161 timestamp token must verify with; the
    /// head must carry one.
    #[arg(long, requires = "expect_head")]
    tsa_cert: Option<std::path::PathBuf>,
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    settings: Settings,
    /// Where to listen; defaults to the Leptos site address (127.0.0.1:3000).
    #[arg(long, env = "ICATTLE_LISTEN")]
    listen: Option<SocketAddr>,
}

/// The shape of log lines.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,librdkafka=warn,rdkafka=warn".into());
    match cli.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_env_filter(filter)
            .init(),
    }
    match cli.command {
        Some(Tool::Serve(args)) => serve(*args).await,
        Some(Tool::Verify(args)) => verify(args),
        Some(Tool::Bench(args)) => bench::run(*args).await,
        Some(Tool::Seed(args)) => seed::run(args).await,
        Some(Tool::Snapshot(args)) => snapshot(args.settings).await,
        Some(Tool::Replay(args)) => view_replay::run(args).await,
        Some(Tool::Import(args)) => herd_import::run(args).await,
        None => serve(cli.serve).await,
    }
}

async fn snapshot(settings: Settings) -> anyhow::Result<()> {
    use server::kafka::publisher::{idempotent_producer, EventPublisher};
    let db = server::database::open(&settings.database_url(), &settings.data_dir)
        .await
        .context("opening the golden record")?;
    // Without KAFKA_BROKERS, the broker of the server running beside it.
    let brokers = settings
        .kafka_brokers
        .clone()
        .unwrap_or_else(|| settings.embedded_broker.clone());
    let key = server::keys::server_key(settings.signing_seed.as_deref(), &settings.data_dir)
        .context("the server's signing key")?;
    let topic = server::kafka::topics::Topics::new(&settings.topic_prefix).snapshots();
    let publisher = EventPublisher::new(
        idempotent_producer(&brokers).context("a Kafka producer")?,
        topic.clone(),
    );
    let taker = server::snapshot_taker::SnapshotTaker::new(
        db,
        publisher,
        topic.clone(),
        std::sync::Arc::new(key),
        settings.snapshot_every,
    );
    let taken = taker.take_due().await.context("taking snapshots")?;
    println!("{taken} animal(s) snapshotted to {topic}");
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let leptos = leptos::prelude::get_configuration(None)
        .context("reading the Leptos configuration")?
        .leptos_options;
    let listen = args.listen.unwrap_or(leptos.site_addr);
    let mut instance = server::instance::start(&args.settings, listen, leptos)
        .await
        .context("starting iCattle")?;
    println!("iCattle is listening on http://{}", instance.addr);
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("listening for SIGTERM")?;
    tokio::select! {
        _ = instance.wait() => {}
        _ = tokio::signal::ctrl_c() => tracing::info!("interrupted; shutting down"),
        _ = terminate.recv() => tracing::info!("terminated; shutting down"),
    }
    // Stops the embedded broker too, cleanly, so its next start needs no log recovery.
    instance.stop().await;
    Ok(())
}

/// The keys a key stream's records make under `root` (hex), one record per line.
fn keys_of_stream(records: &str, root: &str) -> anyhow::Result<domain::KeyRegistry> {
    let mut ledger = domain::KeyLedger::new(root.trim());
    for (at, line) in records.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        ledger
            .take_json(line.as_bytes())
            .with_context(|| format!("key stream line {}", at + 1))?;
    }
    eprintln!(
        "key stream: {} records, {} keys besides the root key",
        ledger.length(),
        ledger.grants().count()
    );
    Ok(ledger.registry(server::keys::SERVER_OWNER))
}

fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    use std::io::Read;
    let key_records = match (&args.key_stream, &args.key_topic) {
        (Some(path), _) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the key stream from {}", path.display()))?,
        ),
        (None, Some(topic)) => Some(
            server::kafka::log_reader::read_topic(
                &args.brokers,
                topic,
                std::time::Duration::from_secs(60),
            )
            .with_context(|| format!("reading the key stream {topic} from {}", args.brokers))?,
        ),
        (None, None) => None,
    };
    let keys = match (&args.keys, key_records, &args.root_key) {
        (_, Some(records), Some(root)) => keys_of_stream(&records, root)?,
        (Some(path), _, _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading keys from {}", path.display()))?;
            domain::KeyRegistry::from_json(&text)
                .with_context(|| format!("keys in {}", path.display()))?
        }
        _ => {
            eprintln!("no --keys given: checking integrity only, any signing key is accepted");
            domain::KeyRegistry::accept_any()
        }
    };
    let text = match (&args.file, &args.topic) {
        (_, Some(topic)) => server::kafka::log_reader::read_topic(
            &args.brokers,
            topic,
            std::time::Duration::from_secs(120),
        )
        .with_context(|| format!("reading topic {topic} from {}", args.brokers))?,
        (Some(path), None) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading standard input")?;
            text
        }
        (Some(path), None) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
        }
        (None, None) => anyhow::bail!("give a file or --topic"),
    };
    let report = domain::verify_json_lines(&text, &keys);
    println!("{report}");
    let head_holds = match &args.expect_head {
        Some(path) => {
            let committed = read_expected_head(path)?;
            let timestamp_holds = match &args.tsa_cert {
                Some(cert) => head_timestamp_holds(&committed.head, cert)?,
                None => true,
            };
            expected_head_holds(&committed, args.root_key.as_deref(), &text, &keys)
                && timestamp_holds
        }
        None => true,
    };
    if report.is_ok() && head_holds {
        Ok(())
    } else {
        std::process::exit(1)
    }
}

/// The head with its animal heads in `path`.
fn read_expected_head(path: &std::path::Path) -> anyhow::Result<domain::CommittedHead> {
    let file = std::fs::read_to_string(path)
        .with_context(|| format!("reading the expected head from {}", path.display()))?;
    serde_json::from_str(&file).with_context(|| {
        format!(
            "{} is not a head with its animal heads (GET /api/heads/latest?animals=true)",
            path.display()
        )
    })
}

/// Checks the head's RFC 3161 timestamp token against the TSA certificate in `cert`.
fn head_timestamp_holds(head: &domain::TreeHead, cert: &std::path::Path) -> anyhow::Result<bool> {
    use server::tree_heads::timestamp_token::{check_token, TsaCertificate};
    let pem = std::fs::read_to_string(cert)
        .with_context(|| format!("reading the TSA certificate {}", cert.display()))?;
    let tsa = TsaCertificate::from_pem(&pem).with_context(|| cert.display().to_string())?;
    let number = head.number();
    let Some(token) = &head.timestamp_token else {
        println!("head #{number} carries no timestamp token");
        return Ok(false);
    };
    match check_token(token, &head.head_hash, &tsa) {
        Ok(stamped) => {
            let at = chrono::DateTime::from_timestamp(stamped.at_unix_secs as i64, 0)
                .map_or_else(|| stamped.at_unix_secs.to_string(), |at| at.to_rfc3339());
            println!("head #{number}: timestamped by the TSA at {at}");
            Ok(true)
        }
        Err(failure) => {
            println!("head #{number}: {failure}");
            Ok(false)
        }
    }
}

/// Checks the log `text` against `committed`; prints every shortfall.
fn expected_head_holds(
    committed: &domain::CommittedHead,
    root_key: Option<&str>,
    text: &str,
    keys: &domain::KeyRegistry,
) -> bool {
    if root_key.is_none() {
        eprintln!(
            "no --root-key given: head #{} is taken as signed by {}",
            committed.head.number(),
            committed.head.public_key
        );
    }
    match committed.check_log(text, keys, root_key) {
        Ok(animals) => {
            println!(
                "head #{}: the log holds all {animals} animal heads it commits to",
                committed.head.number()
            );
            true
        }
        Err(shortfalls) => {
            for shortfall in &shortfalls {
                println!("{shortfall}");
            }
            false
        }
    }
}
