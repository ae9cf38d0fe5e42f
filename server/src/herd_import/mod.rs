//! `icattle import FILE --as USER`: a herd file (the import page's template or an NLIS herd
//! export) registered in a running iCattle through its JSON API as that user. Every row is
//! checked with the domain's rules before anything is sent; the valid ones go as
//! CREATE_CATTLE commands with a progress bar, and a CSV report says what became of each row.
//!
//! An animal's id comes from its NLIS id, so a second import of the same file (or the rest
//! of one that was stopped halfway) is answered with the first registrations and creates
//! nothing new.
mod row_sender;

use crate::cli_sizes::at_least_one;
use crate::seed::registry_client::RegistryClient;
use anyhow::Context;
use domain::herd_file::{import_report_csv, read_herd_file, HerdClient, HerdFile, RowOutcome};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use row_sender::{RowSender, Stop};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The file, who imports it, and where.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// A CSV with a header row: NLIS ID, PIC, Breed, Sex and Date of birth (as the import
    /// page's template names them, or as an NLIS herd export does), one animal per row.
    file: PathBuf,
    /// The farmer the animals are registered by; each row's PIC names one of their clients.
    #[arg(long = "as", value_name = "USER")]
    user: String,
    /// That user's password.
    #[arg(long, env = "ICATTLE_PASSWORD", hide_env_values = true)]
    password: String,
    /// The running iCattle.
    #[arg(long, env = "ICATTLE_URL", default_value = "http://127.0.0.1:3000")]
    url: String,
    /// Where the per-row report goes; beside the file, as FILE.report.csv, by default.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Rows in flight at once.
    #[arg(long, default_value_t = 16, value_parser = at_least_one)]
    senders: usize,
    /// Only check the file and list its bad rows; send nothing.
    #[arg(long)]
    check: bool,
}

/// Reads, checks, sends and reports.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("could not read {}", args.file.display()))?;
    let registry = RegistryClient::sign_in(&args.url, &args.user, &args.password).await?;
    let clients: Vec<HerdClient> = registry
        .clients()
        .await?
        .into_iter()
        .filter(|client| client.mine)
        .map(|client| HerdClient {
            id: client.id,
            pic: client.pic,
        })
        .collect();
    let file = read_herd_file(&bytes, &clients)
        .with_context(|| format!("{} cannot be imported", args.file.display()))?;
    print_bad_rows(&file);
    if args.check {
        println!(
            "{} rows: {} can be imported, {} have problems; nothing was sent",
            file.rows.len(),
            file.valid_rows(),
            file.rows.len() - file.valid_rows()
        );
        return Ok(());
    }
    let started = Instant::now();
    let outcomes = send_rows(&file, RowSender::new(registry), args.senders).await;
    let report_path = args.report.unwrap_or_else(|| report_beside(&args.file));
    let pairs: Vec<_> = file.rows.iter().zip(outcomes.iter()).collect();
    std::fs::write(&report_path, import_report_csv(&pairs))
        .with_context(|| format!("could not write the report to {}", report_path.display()))?;
    let counts = Counts::of(&outcomes);
    let sent = counts.imported + counts.already;
    println!(
        "{} rows: {} imported, {} already registered, {} invalid, {} refused, {} not sent \
         ({:.0} rows a second); the report is in {}",
        outcomes.len(),
        counts.imported,
        counts.already,
        counts.invalid,
        counts.refused,
        counts.not_sent,
        sent as f64 / started.elapsed().as_secs_f64().max(0.001),
        report_path.display()
    );
    let missing = outcomes.len() - sent;
    if missing > 0 {
        anyhow::bail!(
            "{missing} rows are not in the registry; the report says why for each (rows not \
             sent go on a second import of the same file)"
        );
    }
    Ok(())
}

/// Sends every valid row, a few at a time, with a progress bar: each row's outcome in file
/// order. Once the registry refuses the user outright, the rows left are not sent.
async fn send_rows(file: &HerdFile, sender: RowSender, senders: usize) -> Vec<RowOutcome> {
    let bar = ProgressBar::new(file.valid_rows() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "importing [{bar:30}] {pos}/{len} rows {per_sec} (about {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let stop = Stop::default();
    let mut outcomes: Vec<Option<RowOutcome>> =
        file.rows.iter().map(RowOutcome::of_invalid).collect();
    let sends = file
        .rows
        .iter()
        .enumerate()
        .filter_map(|(index, row)| Some((index, row.command()?)))
        .map(|(index, command)| {
            let (sender, stop, bar) = (&sender, &stop, &bar);
            async move {
                let outcome = sender.send(&command, stop).await;
                bar.inc(1);
                (index, outcome)
            }
        });
    let mut done = futures::stream::iter(sends).buffer_unordered(senders);
    while let Some((index, outcome)) = done.next().await {
        outcomes[index] = Some(outcome);
    }
    bar.finish_and_clear();
    if let Some(reason) = stop.reason() {
        eprintln!("stopped sending: {reason}");
    }
    outcomes
        .into_iter()
        .map(|outcome| {
            outcome.unwrap_or(RowOutcome::NotSent {
                reason: "not sent".into(),
            })
        })
        .collect()
}

fn print_bad_rows(file: &HerdFile) {
    if !file.ignored_columns.is_empty() {
        println!("not read: the columns {}", file.ignored_columns.join(", "));
    }
    for row in &file.rows {
        if let Err(errors) = &row.checked {
            for error in errors {
                println!("line {}: {error}", row.line);
            }
        }
    }
}

fn report_beside(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".report.csv");
    file.with_file_name(name)
}

/// How many rows ended each way.
#[derive(Default)]
struct Counts {
    imported: usize,
    already: usize,
    invalid: usize,
    refused: usize,
    not_sent: usize,
}

impl Counts {
    fn of(outcomes: &[RowOutcome]) -> Self {
        let mut counts = Counts::default();
        for outcome in outcomes {
            let slot = match outcome {
                RowOutcome::Imported { .. } => &mut counts.imported,
                RowOutcome::AlreadyRegistered { .. } => &mut counts.already,
                RowOutcome::Invalid { .. } => &mut counts.invalid,
                RowOutcome::Refused { .. } => &mut counts.refused,
                RowOutcome::NotSent { .. } => &mut counts.not_sent,
            };
            *slot += 1;
        }
        counts
    }
}
