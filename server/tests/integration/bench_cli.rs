//! `icattle bench` as an operator runs it: sizes that make no sense are refused naming the
//! flag, and a small run against the real engines reports every row and leaves no topic,
//! database, cache key or directory of its own behind. (Its figures are not judged here:
//! performance is the bench's business, not a test's.)
use crate::support;

use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::Value;
use std::process::{Command, Output};
use std::time::Duration;

fn icattle(args: &[&str], envs: &[(&str, String)]) -> Output {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace holds the server crate");
    Command::new(env!("CARGO_BIN_EXE_icattle"))
        .current_dir(workspace)
        .args(args)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .env("RUST_LOG", "error")
        .output()
        .expect("icattle runs")
}

#[test]
fn sizes_that_make_no_sense_are_refused_naming_the_flag() {
    for (flag, value) in [
        ("--events", "0"),
        ("--clients", "0"),
        ("--offered-rate", "0"),
        ("--read-samples", "many"),
        ("--search-animals", "0"),
    ] {
        let output = icattle(&["bench", flag, value], &[]);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let error = String::from_utf8_lossy(&output.stderr);
        assert!(error.contains(flag), "{flag}: {error}");
    }
}

fn admin_url() -> String {
    std::env::var("ICATTLE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/postgres".into())
}

async fn bench_databases() -> Vec<String> {
    let admin = Database::connect(admin_url())
        .await
        .expect("PostgreSQL answers");
    let rows = admin
        .query_all(Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'icattle_bench_%'",
        ))
        .await
        .expect("databases are listed");
    rows.iter()
        .map(|row| row.try_get::<String>("", "datname").expect("a name"))
        .collect()
}

fn topics_with(prefix: &str) -> Vec<String> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", support::brokers())
        .create()
        .expect("a client");
    let metadata = consumer
        .fetch_metadata(None, Duration::from_secs(10))
        .expect("the broker answers");
    metadata
        .topics()
        .iter()
        .map(|t| t.name().to_string())
        .filter(|name| name.starts_with(prefix))
        .collect()
}

/// A small run of the bench in a corner of the engines of its own, with `extra` flags: the
/// rows it reported, once it is checked to have left nothing behind.
async fn small_run(extra: &[&str]) -> Vec<Value> {
    let before = bench_databases().await;
    let prefix = format!("{}.", support::unique("bench"));
    let data_dir = std::env::temp_dir().join(support::unique("icattle-bench"));
    let report = data_dir.join("report.json");
    let envs = [
        ("KAFKA_BROKERS", support::brokers()),
        ("DATABASE_URL", admin_url()),
        ("REDIS_URL", support::redis_url()),
        ("ICATTLE_TOPIC_PREFIX", prefix.clone()),
        ("ICATTLE_CACHE_PREFIX", format!("{prefix}:")),
        ("ICATTLE_PARTITIONS", support::TEST_PARTITIONS.to_string()),
        ("ICATTLE_DATA_DIR", data_dir.display().to_string()),
    ];
    let sizes = [
        "bench",
        "--latency-samples",
        "20",
        "--raw-messages",
        "200",
        "--signatures",
        "100",
        "--events",
        "100",
        "--clients",
        "4",
        "--offered-rate",
        "20",
        "--offered-seconds",
        "1",
        "--read-samples",
        "20",
        "--search-animals",
        "500",
        "--search-queries",
        "40",
        "--json",
    ];
    let mut args: Vec<&str> = sizes.to_vec();
    let report_path = report.display().to_string();
    args.push(&report_path);
    args.extend_from_slice(extra);
    let output = icattle(&args, &envs);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let text = std::fs::read_to_string(&report).expect("the JSON report is written");
    let report: Value = serde_json::from_str(&text).expect("the report is JSON");
    let rows = report["rows"].as_array().expect("rows").clone();
    assert!(rows.iter().all(
        |r| ["met", "missed", "reference"].contains(&r["verdict"].as_str().unwrap_or_default())
    ));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains("| what"),
        "the table is printed: {printed}"
    );
    assert_nothing_left(&prefix, &data_dir, &before).await;
    let _ = std::fs::remove_dir_all(&data_dir);
    rows
}

async fn assert_nothing_left(prefix: &str, data_dir: &std::path::Path, databases: &[String]) {
    assert!(
        topics_with(prefix).is_empty(),
        "the bench's topics are deleted"
    );
    assert_eq!(
        bench_databases().await,
        databases,
        "the bench's databases are dropped"
    );
    let left: Vec<_> = std::fs::read_dir(data_dir)
        .expect("the data directory stays")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("bench-"))
        .collect();
    assert!(
        left.is_empty(),
        "the bench's directory is removed: {left:?}"
    );
    let redis = redis::Client::open(support::redis_url()).expect("a Redis client");
    let mut connection = redis
        .get_multiplexed_async_connection()
        .await
        .expect("Redis answers");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query_async(&mut connection)
        .await
        .expect("keys are listed");
    assert!(
        keys.is_empty(),
        "the bench's cache keys are deleted: {keys:?}"
    );
}

fn row<'r>(rows: &'r [Value], start: &str) -> Option<&'r Value> {
    rows.iter().find(|row| {
        row["what"]
            .as_str()
            .is_some_and(|what| what.starts_with(start))
    })
}

fn whats(rows: &[Value]) -> Vec<&str> {
    rows.iter().filter_map(|row| row["what"].as_str()).collect()
}

fn has_row(rows: &[Value], start: &str) -> bool {
    row(rows, start).is_some()
}

/// The row starting `start` says what CPU each event took, in this process and machine-wide.
fn assert_cpu_per_event(rows: &[Value], start: &str) {
    let cpu = &row(rows, start).expect("the row")["figures"]["cpu_per_event"];
    let process = cpu["process_us"].as_f64().unwrap_or_default();
    assert!(process > 0.0, "{start}: {cpu}");
    let busy = cpu["machine_busy"].as_f64().unwrap_or_default();
    assert!(busy > 0.0 && busy <= 1.0 + 1e-9, "{start}: {cpu}");
    let measured = row(rows, start).expect("the row")["measured"].to_string();
    assert!(measured.contains("µs/event"), "{start}: {measured}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_run_reports_every_row_and_leaves_nothing_behind() {
    let rows = small_run(&[]).await;
    for expected in [
        "raw produce",
        "Ed25519 signing",
        "Ed25519 checking",
        "publish (validate + sign + acks=all), sequential",
        "signed events published",
        "publish → applied",
        "replay into a fresh golden record",
        "animal page from PostgreSQL",
        "animal read, cache-first (Redis)",
        "search index: indexing 500 animals",
        "search over 500 animals",
    ] {
        assert!(
            has_row(&rows, expected),
            "no row {expected:?} in {:?}",
            whats(&rows)
        );
    }
    assert_cpu_per_event(&rows, "signed events published");
    assert_cpu_per_event(&rows, "replay into a fresh golden record");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_without_views_measures_the_write_path_alone() {
    let rows = small_run(&["--run-views", "false"]).await;
    for expected in [
        "raw produce",
        "Ed25519 signing",
        "Ed25519 checking",
        "publish (validate + sign + acks=all), sequential",
        "signed events published",
    ] {
        assert!(
            has_row(&rows, expected),
            "no row {expected:?} in {:?}",
            whats(&rows)
        );
    }
    for left_out in [
        "publish → applied",
        "replay into a fresh golden record",
        "animal page",
    ] {
        assert!(
            !has_row(&rows, left_out),
            "{left_out:?} needs the views: {:?}",
            whats(&rows)
        );
    }
}
