//! The rows that need the views running in the bench's own process: publish → applied,
//! the replay into a fresh golden record, and the reads of the animal page. An instance
//! that leaves its views to others (`--run-views false`) measures its write path alone.
use super::report::{at_least, below, Row, Verdict};
use super::{applied, bar, done, reads, reference, replay};
use anyhow::Context;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::json;
use server::accounts::Actor;
use server::command_handler::CommandHandler;
use server::instance::Instance;
use server::views::consumer::ConsumerSource;
use server::views::group_turns::Sharing;
use std::time::Duration;

/// What the write path's rows leave behind for these.
pub struct Written<'a> {
    /// The command handler the bench sends through.
    pub handler: &'a CommandHandler,
    /// The farmer it sends as.
    pub actor: &'a Actor,
    /// The animals the burst registered.
    pub herd: &'a [i64],
    /// The raw produce rate of the same run.
    pub raw_rate: f64,
    /// Signatures checked a second on one core, in the same run.
    pub verifying: f64,
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

/// The rows of the views, measured once every reader has caught up with the burst.
pub async fn measure(
    args: &super::BenchArgs,
    scratch: &super::scratch::Scratch,
    instance: &Instance,
    written: &Written<'_>,
) -> anyhow::Result<Vec<Row>> {
    let topic = instance.topics.cattle_events();
    all_caught_up(instance, &scratch.settings, &topic).await?;
    let mut rows = vec![publish_to_applied(args, instance, written).await?];
    rows.push(replay_row(scratch, instance, &topic, written).await?);
    rows.extend(read_rows(args, &scratch.settings, instance, written.herd).await?);
    Ok(rows)
}

/// Waits for every reader, so none is still working through the burst while the next
/// measurement runs: the SQL views by their checkpoints, the others by what they report to
/// Kafka.
async fn all_caught_up(
    instance: &Instance,
    settings: &server::config::Settings,
    topic: &str,
) -> anyhow::Result<()> {
    let ends = server::kafka::topics::end_offsets(&instance.brokers, topic)?;
    let mut readers = vec![
        Reader::View(server::golden::PROJECTION.as_str()),
        Reader::View(server::fraud::PROJECTION.as_str()),
        Reader::Group("cache-view"),
    ];
    // The relay runs only with the log's copies.
    if settings.run_log_copies {
        readers.push(Reader::Group("category-relay"));
    }
    for reader in readers {
        let progress = bar(&format!("{} catching up", reader.name()), 0);
        let within = Duration::from_secs(600);
        match reader {
            Reader::View(view) => {
                replay::caught_up(&instance.db, view, topic, &ends, within, &progress).await?
            }
            Reader::Group(name) => {
                let group = instance.topics.group(name);
                replay::group_caught_up(&instance.brokers, &group, topic, &ends, within, &progress)
                    .await?
            }
        }
        let took = progress.elapsed().as_secs();
        done(&progress, format!("caught up ({took}s)"));
    }
    Ok(())
}

/// Publish → applied at a fixed offered load.
async fn publish_to_applied(
    args: &super::BenchArgs,
    instance: &Instance,
    written: &Written<'_>,
) -> anyhow::Result<Row> {
    let offered = u64::from(args.offered_rate) * args.offered_seconds;
    let progress = bar(
        &format!("publish → applied, {}/s", args.offered_rate),
        offered,
    );
    let pool = &written.herd[..written.herd.len().min(args.offered_rate as usize)];
    let applied = applied::at_offered_rate(
        written.handler,
        written.actor,
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
    Ok(Row {
        what: format!("publish → applied, {}/s offered", args.offered_rate),
        target: "p99 < 100 ms".into(),
        measured: format!("{}; {} not seen applied", applied.applied, applied.missing),
        reference: format!("publish alone under this load {}", applied.published),
        ratio: None,
        verdict: if applied.missing == 0 {
            below(applied.applied.p99_ms, 100.0)
        } else {
            Verdict::Missed
        },
        figures: json!({"applied": applied.applied, "published": applied.published, "missing": applied.missing}),
    })
}

/// Replay into a fresh golden record, of a log no longer growing.
async fn replay_row(
    scratch: &super::scratch::Scratch,
    instance: &Instance,
    topic: &str,
    written: &Written<'_>,
) -> anyhow::Result<Row> {
    let settings = &scratch.settings;
    let mut writers = vec![server::golden::PROJECTION.as_str()];
    if settings.fraud_detector {
        writers.push(server::fraud_detector::PROJECTION.as_str());
    }
    let progress = bar("the log settling", 0);
    let within = Duration::from_secs(600);
    replay::settled_ends(
        &instance.db,
        &instance.brokers,
        topic,
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
        topic: topic.to_string(),
        group: instance.topics.group("bench-replay"),
        dead_letter_topic: None,
        sharing: Sharing::ReadsAll,
    };
    let progress = bar("replay into a fresh golden record", 0);
    let mark = super::cpu::CpuMark::now();
    let (replayed, replay_rate) =
        replay::replay(replay_db.clone(), trusted, source, &progress).await?;
    let cpu = mark.spent().per_event(replayed.max(0) as u64);
    done(
        &progress,
        format!("{replay_rate:.0} events/s ({replayed} messages); {cpu}"),
    );
    let (original, rebuilt) = (
        count_events(&instance.db).await?,
        count_events(&replay_db).await?,
    );
    anyhow::ensure!(
        original == rebuilt,
        "the replay holds {rebuilt} events, the golden record {original}"
    );
    Ok(Row {
        what: "replay into a fresh golden record".into(),
        target: "≥ 10,000 events/s".into(),
        measured: format!(
            "{replay_rate:.0} events/s ({replayed} messages); {cpu}{}",
            super::cores_for_target(&cpu)
        ),
        reference: format!(
            "raw produce {:.0} msg/s; checking {:.0} signatures/s on one core",
            written.raw_rate, written.verifying
        ),
        ratio: Some(replay_rate / written.raw_rate.max(1.0)),
        verdict: at_least(replay_rate, 10_000.0),
        figures: json!({"rate_per_s": replay_rate, "messages": replayed, "cpu_per_event": cpu}),
    })
}

/// Reads of the animal page, from PostgreSQL and cache-first.
async fn read_rows(
    args: &super::BenchArgs,
    settings: &server::config::Settings,
    instance: &Instance,
    herd: &[i64],
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    let progress = bar("reads", 0);
    let page = reads::animal_page(&instance.db, herd, args.read_samples).await?;
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
    let cached = reads::cached_animal(&reader, herd, args.read_samples).await?;
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
    Ok(rows)
}

async fn count_events(db: &sea_orm::DatabaseConnection) -> anyhow::Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(server::entity::cattle_event::Entity::find()
        .count(db)
        .await?)
}
