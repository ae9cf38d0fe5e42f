//! `icattle seed N`: a realistic herd of N animals with their histories (registrations,
//! vaccinations, weighings, locations, valuations, sales between properties and offers
//! between farmers), sent to a running iCattle through its JSON API as its users would, so
//! every event takes the real command path. For demos, the bench and the pages' tests at
//! size.
mod herd_plan;
pub mod registry_client;

use crate::cli_sizes::at_least_one;
use anyhow::Context;
use futures::StreamExt;
use herd_plan::{Property, Sender};
use indicatif::{ProgressBar, ProgressStyle};
use registry_client::{AdminSignIn, RegistryClient};
use serde_json::json;
use std::time::{Duration, Instant};

/// Who and what to seed.
#[derive(clap::Args, Debug)]
pub struct SeedArgs {
    /// Animals to register, each with a life of four to twelve events.
    #[arg(value_parser = at_least_one)]
    animals: usize,
    /// The running iCattle to seed, and the administrator who creates the seed's users.
    #[command(flatten)]
    registry: AdminSignIn,
    /// The password of the users the seed makes (`seed-farmer-01`…, `seed-assessor`); one
    /// is made up and printed when none is given. Users made by an earlier seed are signed
    /// in with it.
    #[arg(long, env = "ICATTLE_SEED_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// Farmers, each with two properties; one per 500 animals by default, 2 to 20.
    #[arg(long, value_parser = at_least_one)]
    farmers: Option<usize>,
    /// Animals whose commands are in flight at once.
    #[arg(long, default_value_t = 32, value_parser = at_least_one)]
    concurrency: usize,
}

/// The seed's users, signed in.
struct Crew {
    farmers: Vec<RegistryClient>,
    assessor: RegistryClient,
}

impl Crew {
    fn sender(&self, sender: Sender) -> &RegistryClient {
        match sender {
            Sender::Farmer(n) => &self.farmers[n],
            Sender::Assessor => &self.assessor,
        }
    }
}

/// Seeds the herd, waits for the golden record to hold it, and prints what it made.
pub async fn run(args: SeedArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let admin = args
        .registry
        .sign_in()
        .await
        .context("the administrator makes the seed's users")?;
    let (password, made_up) = match &args.password {
        Some(password) => (password.clone(), false),
        None => (
            uuid::Uuid::new_v4().simple().to_string()[..16].to_string(),
            true,
        ),
    };
    let farmers = args.farmers.unwrap_or((args.animals / 500).clamp(2, 20));
    let run = uuid::Uuid::new_v4().simple().to_string()[..4].to_ascii_uppercase();
    let stations = herd_plan::properties(farmers, 2, &run);
    let crew = sign_up(&admin, &args.registry.url, farmers, &password).await?;
    register_properties(&crew, &stations).await?;

    let progress = ProgressBar::new(args.animals as u64).with_style(
        ProgressStyle::with_template("animals [{bar:30}] {pos}/{len} {per_sec} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let lives = futures::stream::iter(0..args.animals)
        .map(|n| {
            let (crew, stations, run, progress) = (&crew, &stations, &run, &progress);
            async move {
                let outcome = live(crew, n, run, stations).await;
                progress.inc(1);
                outcome
            }
        })
        .buffer_unordered(args.concurrency);
    let outcomes: Vec<Result<usize, registry_client::SeedError>> = lives.collect().await;
    progress.finish_and_clear();
    let events: usize = outcomes.iter().filter_map(|o| o.as_ref().ok()).sum();
    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().err().map(ToString::to_string))
        .collect();
    let sent_in = started.elapsed();
    println!(
        "{} animals, {events} events sent in {:.1} s ({:.0} events/s)",
        args.animals - failures.len(),
        sent_in.as_secs_f64(),
        events as f64 / sent_in.as_secs_f64().max(0.001)
    );
    caught_up(&admin).await?;
    println!(
        "the golden record holds them all after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let shown = if made_up {
        password.as_str()
    } else {
        "(as given)"
    };
    println!("users: seed-farmer-01…seed-farmer-{farmers:02} and seed-assessor, password {shown}");
    if let Some(first) = failures.first() {
        anyhow::bail!(
            "{} animals were not seeded whole; the first: {first}",
            failures.len()
        );
    }
    Ok(())
}

/// Makes (or signs in) the farmers and the assessor.
async fn sign_up(
    admin: &RegistryClient,
    url: &str,
    farmers: usize,
    password: &str,
) -> anyhow::Result<Crew> {
    let mut signed_in = Vec::new();
    for n in 1..=farmers {
        let name = format!("seed-farmer-{n:02}");
        signed_in.push(member(admin, url, &name, "FARMER", password).await?);
    }
    let assessor = member(admin, url, "seed-assessor", "ASSESSOR", password).await?;
    Ok(Crew {
        farmers: signed_in,
        assessor,
    })
}

async fn member(
    admin: &RegistryClient,
    url: &str,
    name: &str,
    role: &str,
    password: &str,
) -> anyhow::Result<RegistryClient> {
    let made = admin.create_user(name, password, role).await?;
    RegistryClient::sign_in(url, name, password)
        .await
        .with_context(|| match made {
            true => format!("signing in the new user {name}"),
            false => format!("{name} was made by an earlier seed: give its --password"),
        })
}

/// Registers every farmer's properties and waits until the golden record has them: other
/// farmers' offers name them.
async fn register_properties(crew: &Crew, stations: &[Vec<Property>]) -> anyhow::Result<()> {
    for (farmer, properties) in stations.iter().enumerate() {
        for property in properties {
            let command = json!({"type": "REGISTER_CLIENT", "data": {
                "clientId": herd_plan::client_id(property),
                "name": property.name, "pic": property.pic}});
            crew.farmers[farmer]
                .send(&command, true)
                .await
                .with_context(|| format!("registering {}", property.pic))?;
        }
    }
    Ok(())
}

/// Sends animal `n`'s life, one command after the other: the events it made.
async fn live(
    crew: &Crew,
    n: usize,
    run: &str,
    stations: &[Vec<Property>],
) -> Result<usize, registry_client::SeedError> {
    let (_, steps) = herd_plan::life(n, run, stations);
    let mut cattle_id = None;
    for step in &steps {
        let mut command = step.command.clone();
        if let Some(id) = cattle_id {
            command["data"]["cattleId"] = json!(id);
        }
        let ack = crew
            .sender(step.sender)
            .send(&command, step.wait_applied)
            .await?;
        cattle_id = cattle_id.or_else(|| ack["cattle_id"].as_i64());
    }
    Ok(steps.len())
}

/// Waits until the golden record has applied everything in the log.
async fn caught_up(admin: &RegistryClient) -> anyhow::Result<()> {
    let waiting = ProgressBar::new_spinner().with_message("the golden record catching up");
    let started = Instant::now();
    loop {
        let lag = admin.golden_record_lag().await?;
        if lag == 0 {
            waiting.finish_and_clear();
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(600) {
            anyhow::bail!("the golden record is still {lag} events behind after 10 minutes");
        }
        waiting.set_message(format!(
            "the golden record catching up: {lag} events behind"
        ));
        waiting.tick();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
