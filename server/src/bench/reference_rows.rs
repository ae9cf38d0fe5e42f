//! The reference rows of a run: the bytes of a real envelope produced with rdkafka alone on
//! the same broker, and Ed25519 alone on one core.
use super::report::{Row, Verdict};
use super::{bar, done, reference, replay, BenchArgs};
use anyhow::Context;
use indicatif::ProgressBar;
use serde_json::json;
use server::config::Settings;
use server::instance::Instance;
use std::time::Duration;

/// The reference figures of a run, which the rows of iCattle's own are judged by.
pub struct References {
    /// Sequential raw produce latency.
    pub raw_latency: super::latency::Percentiles,
    /// Raw produce rate, many in flight.
    pub raw_rate: f64,
    /// Signatures made a second on one core.
    pub signing: f64,
    /// Signatures checked a second on one core.
    pub verifying: f64,
}

/// Measures the references: the bytes of a real envelope produced with rdkafka alone on the
/// same broker, sequentially and with many in flight, and Ed25519 alone on one core.
pub async fn references(
    args: &BenchArgs,
    instance: &Instance,
    settings: &Settings,
    topic: &str,
) -> anyhow::Result<(References, Vec<Row>)> {
    // The raw reference sends a real envelope's bytes, once the views (when they run here)
    // are done with the latency samples.
    if settings.run_views {
        let ends = server::kafka::topics::end_offsets(&instance.brokers, topic)?;
        let progress = bar("golden record catching up", 0);
        replay::caught_up(
            &instance.db,
            server::golden::PROJECTION.as_str(),
            topic,
            &ends,
            Duration::from_secs(120),
            &progress,
        )
        .await?;
        progress.finish_and_clear();
    }
    let body = first_envelope(&instance.brokers, topic).await?;
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
    let progress = bar("Ed25519 checking, one core", 0);
    let verifying = reference::verifying_rate(args.signatures)?;
    done(&progress, format!("{verifying:.0} signatures/s"));
    let rows = vec![
        Row {
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
        },
        Row {
            what: "Ed25519 signing, one core (reference)".into(),
            target: "—".into(),
            measured: format!("{signing:.0} signatures/s"),
            reference: "ed25519-dalek alone".into(),
            ratio: None,
            verdict: Verdict::Reference,
            figures: json!({"rate_per_s": signing}),
        },
        Row {
            what: "Ed25519 checking, one core (reference)".into(),
            target: "—".into(),
            measured: format!("{verifying:.0} signatures/s"),
            reference: "ed25519-dalek alone, strict, as every view checks".into(),
            ratio: None,
            verdict: Verdict::Reference,
            figures: json!({"rate_per_s": verifying}),
        },
    ];
    let refs = References {
        raw_latency,
        raw_rate,
        signing,
        verifying,
    };
    Ok((refs, rows))
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

/// The first message of `topic`: the bytes of a real envelope, as the log holds them.
async fn first_envelope(brokers: &str, topic: &str) -> anyhow::Result<Vec<u8>> {
    let (brokers, topic) = (brokers.to_string(), topic.to_string());
    tokio::task::spawn_blocking(move || {
        let mut first = None;
        server::kafka::log_reader::each_message(
            &brokers,
            &topic,
            Duration::from_secs(60),
            |_| {},
            |message| {
                if first.is_none() && !message.body.is_empty() {
                    first = Some(message.body.to_vec());
                }
            },
        )?;
        first.with_context(|| format!("{topic} holds no envelope to copy"))
    })
    .await?
}
