//! `icattle replay --view NAME`: rebuilds a view of a running iCattle blue/green through its
//! API, as the operations page does, following it with a progress bar in the terminal.
//! Ctrl-C cancels the rebuild before its swap; the live view is never touched by a cancel.
//! With `--as-of`, the golden record is replayed only up to that point, into figures
//! (`herd_as_of_replay`), and nothing live changes.
use crate::seed::registry_client::{AdminSignIn, SeedError};
use anyhow::Context;
use app::model::{RebuildState, ViewName, ViewRebuild};
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::Method;
use std::time::Duration;

/// Which view, and the running iCattle that holds it.
#[derive(clap::Args, Debug)]
pub struct ReplayArgs {
    /// The view to rebuild from offset 0 (`golden_record`, `fraud_view`, `cache_view`, or
    /// `search_index` when the index is the embedded one).
    #[arg(long, value_parser = view_named)]
    view: ViewName,
    /// Replay the golden record only up to this date (the end of that day, UTC) or RFC 3339
    /// time and print the herd as it was then (head, value, status, breed, risk), instead
    /// of rebuilding the live view. Only for `golden_record`.
    #[arg(long)]
    as_of: Option<String>,
    /// The running iCattle that runs the view, and an administrator of it.
    #[command(flatten)]
    registry: AdminSignIn,
}

fn view_named(name: &str) -> Result<ViewName, String> {
    ViewName::from_wire(name).ok_or_else(|| {
        let known: Vec<&str> = ViewName::ALL.iter().map(|v| v.as_str()).collect();
        format!(
            "no view is named {name:?}; the views are {}",
            known.join(", ")
        )
    })
}

/// How often the rebuild is read.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);

fn read_run(answer: serde_json::Value) -> anyhow::Result<ViewRebuild> {
    serde_json::from_value(answer).context("the server's answer is not a rebuild")
}

/// Starts the rebuild and follows it to its end.
pub async fn run(args: ReplayArgs) -> anyhow::Result<()> {
    if let Some(as_of) = &args.as_of {
        if args.view != ViewName::GoldenRecord {
            anyhow::bail!(
                "--as-of replays the golden record; the {} view cannot be looked at as of a time",
                args.view.as_str()
            );
        }
        let client = args.registry.sign_in().await?;
        return crate::herd_as_of_replay::run(client, as_of).await;
    }
    let client = args.registry.sign_in().await?;
    let view = args.view.as_str();
    let started = match client.rebuild(view, Method::POST).await {
        Ok(answer) => read_run(answer)?,
        Err(SeedError::Refused { answer, .. }) => {
            let refusal: serde_json::Value = serde_json::from_str(&answer).unwrap_or_default();
            anyhow::bail!(
                "the rebuild of {view} was refused: {}",
                refusal["error"].as_str().unwrap_or(&answer)
            );
        }
        Err(error) => return Err(error.into()),
    };
    let bar = ProgressBar::new(started.total.max(1));
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {pos}/{len} events {per_sec} (about {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(view.to_string());
    let mut cancelling = false;
    let run = loop {
        let run = read_run(client.rebuild(view, Method::GET).await?)?;
        bar.set_length(run.total.max(1));
        bar.set_position(run.done.min(run.total));
        if run.state == RebuildState::Swapping {
            bar.set_message(format!("{view}: swapping in"));
        }
        if !run.state.is_active() {
            break run;
        }
        tokio::select! {
            _ = tokio::time::sleep(FOLLOW_EVERY) => {}
            _ = tokio::signal::ctrl_c(), if !cancelling => {
                cancelling = true;
                bar.set_message(format!("{view}: cancelling"));
                if let Err(error) = client.rebuild(view, Method::DELETE).await {
                    bar.println(format!("could not cancel: {error}"));
                }
            }
        }
    };
    bar.finish_and_clear();
    match run.state {
        RebuildState::Finished => {
            println!(
                "{view} rebuilt from {} events ({:.0} a second) and swapped in",
                run.done, run.per_second
            );
            Ok(())
        }
        RebuildState::Cancelled => {
            anyhow::bail!("the rebuild of {view} was cancelled; the live view is as it was")
        }
        state => anyhow::bail!(
            "the rebuild of {view} ended {state:?}: {}",
            run.error.unwrap_or_default()
        ),
    }
}
