//! `icattle replay --view golden_record --as-of TIME`: the golden record's herd as it was
//! at a date or time, worked out by a running iCattle from every animal's accepted events
//! (as the dashboard's "As of" does), followed with a progress bar and printed as a table.
use crate::seed::registry_client::{RegistryClient, SeedError};
use anyhow::Context;
use app::model::{HerdAsOfRun, HerdAsOfState, HerdFigures, Tally};
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

/// How often the job is read.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);

fn read_run(answer: serde_json::Value) -> anyhow::Result<HerdAsOfRun> {
    serde_json::from_value(answer).context("the server's answer is not a herd-as-of job")
}

/// The refusal's sentence, from the answer's `error` or its field errors.
fn refusal_words(answer: &str) -> String {
    let refusal: serde_json::Value = serde_json::from_str(answer).unwrap_or_default();
    if let Some(error) = refusal["error"].as_str() {
        return error.to_string();
    }
    let fields: Vec<String> = refusal["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{}: {}",
                e["field"].as_str().unwrap_or("?"),
                e["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    if fields.is_empty() {
        answer.to_string()
    } else {
        fields.join("; ")
    }
}

fn tallies_line(tallies: &[Tally]) -> String {
    if tallies.is_empty() {
        return "none".into();
    }
    let parts: Vec<String> = tallies
        .iter()
        .map(|t| format!("{} {}", t.label, t.count))
        .collect();
    parts.join(" · ")
}

/// The figures as the terminal shows them.
pub fn figures_table(run: &HerdAsOfRun, figures: &HerdFigures) -> String {
    [
        format!(
            "The herd as of {} ({}), from {} events:",
            run.as_of, run.as_of_instant, run.done
        ),
        format!("  head       {}", figures.head_count),
        format!("  value      {}", domain::dollars(figures.herd_value_cents)),
        format!("  by status  {}", tallies_line(&figures.by_status)),
        format!("  by breed   {}", tallies_line(&figures.by_breed)),
        format!("  by risk    {}", tallies_line(&figures.by_risk)),
    ]
    .join("\n")
}

/// Starts the job and follows it to its figures.
pub async fn run(client: RegistryClient, as_of: &str) -> anyhow::Result<()> {
    let started = match client.start_herd_as_of(as_of).await {
        Ok(answer) => read_run(answer)?,
        Err(SeedError::Refused { answer, .. }) => {
            anyhow::bail!(
                "the herd as of {as_of} was refused: {}",
                refusal_words(&answer)
            )
        }
        Err(error) => return Err(error.into()),
    };
    let bar = ProgressBar::new(started.total.max(1));
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} events (about {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(format!("the herd as of {as_of}"));
    let run = loop {
        let run = read_run(client.herd_as_of(&started.job_id).await?)?;
        bar.set_length(run.total.max(run.done).max(1));
        bar.set_position(run.done);
        if run.state != HerdAsOfState::Running {
            break run;
        }
        tokio::time::sleep(FOLLOW_EVERY).await;
    };
    bar.finish_and_clear();
    match (&run.state, &run.figures) {
        (HerdAsOfState::Finished, Some(figures)) => {
            println!("{}", figures_table(&run, figures));
            Ok(())
        }
        _ => anyhow::bail!(
            "the herd as of {as_of} could not be worked out: {}",
            run.error.unwrap_or_default()
        ),
    }
}
