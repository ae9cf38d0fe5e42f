//! `icattle bench`: measures the write path, the views and the reads against the configured
//! engines, each beside the reference it should be judged by (the same bytes produced with
//! rdkafka alone, Ed25519 alone, a bare `SELECT 1` / `GET`), in a corner of the engines of
//! its own that it removes again.
mod applied;
mod cpu;
mod herd_load;
mod latency;
mod reads;
mod reference;
mod reference_rows;
mod replay;
mod report;
mod scratch;
mod search_load;
mod view_rows;

use crate::cli_sizes::at_least_one;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use report::{at_least, below, Report, Row, Verdict};
use serde_json::json;
use server::config::Settings;
use server::instance::Instance;
use std::path::PathBuf;

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
    /// Signatures for the raw signing and checking rates.
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

    let (refs, reference_rows) =
        reference_rows::references(args, instance, settings, &topic).await?;
    rows.extend(reference_rows);
    let (raw_latency, raw_rate) = (refs.raw_latency, refs.raw_rate);
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
    let mark = cpu::CpuMark::now();
    let (rate, under_load, herd) = herd_load::concurrent(
        &handler,
        &actor,
        &tags,
        args.clients,
        args.events,
        &progress,
    )
    .await?;
    let cpu = mark
        .spent()
        .per_event((herd.len() * herd_load::COMMANDS_PER_ANIMAL) as u64);
    done(
        &progress,
        format!("{rate:.0} events/s, {under_load}; {cpu}"),
    );
    let ratio = rate / raw_rate.max(1.0);
    rows.push(Row {
        what: format!(
            "signed events published, {} concurrent senders{}",
            args.clients,
            if settings.run_views {
                ""
            } else {
                ", no views in this process"
            }
        ),
        target: "≥ 10,000/s, or ≥ 80 % of raw".into(),
        measured: format!(
            "{rate:.0} events/s; {under_load}; {cpu}{}",
            cores_for_target(&cpu)
        ),
        reference: format!("raw {raw_rate:.0} msg/s; signing {:.0}/s", refs.signing),
        ratio: Some(ratio),
        verdict: if rate >= 10_000.0 {
            Verdict::Met
        } else {
            at_least(ratio, 0.8)
        },
        figures: json!({"rate_per_s": rate, "latency": under_load, "senders": args.clients,
            "cpu_per_event": cpu}),
    });

    if settings.run_views {
        let written = view_rows::Written {
            handler: &handler,
            actor: &actor,
            herd: &herd,
            raw_rate,
            verifying: refs.verifying,
        };
        rows.extend(view_rows::measure(args, scratch, instance, &written).await?);
    } else {
        println!(
            "The views run elsewhere (--run-views false): publish → applied, the replay and \
             the reads are not measured here."
        );
    }
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

/// What a rate of 10,000 events a second would take at a phase's CPU per event.
fn cores_for_target(cpu: &cpu::CpuPerEvent) -> String {
    match cpu.cores_for(10_000.0) {
        Some(cores) => format!("; 10,000/s would keep {cores:.1} cores busy"),
        None => String::new(),
    }
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
