//! The real `icattle` binary serving a test's settings, so a test can kill it with SIGKILL
//! like a crash, or run two of them side by side.
use super::eventually;
use server::config::Settings;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `icattle` process, killed when dropped (also when the test fails).
pub struct Served(Child);

impl Served {
    /// SIGKILL, like a crash.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The `icattle` binary serving `settings` on `port`, running the views or not.
pub fn serve(settings: &Settings, port: u16, views: bool) -> Served {
    serve_from(settings, &settings.data_dir, port, views)
}

/// [`serve`] with a data directory of its own (each instance has one; the engines and keys
/// are the shared ones of `settings`).
pub fn serve_from(settings: &Settings, data_dir: &Path, port: u16, views: bool) -> Served {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace holds the server crate");
    let text = |value: Option<&str>| value.unwrap_or_default().to_string();
    let mut command = Command::new(env!("CARGO_BIN_EXE_icattle"));
    command
        .current_dir(workspace)
        .env("ICATTLE_LISTEN", format!("127.0.0.1:{port}"))
        .env("ICATTLE_DATA_DIR", data_dir)
        .env("DATABASE_URL", text(settings.database_url.as_deref()))
        .env("KAFKA_BROKERS", text(settings.kafka_brokers.as_deref()))
        .env("REDIS_URL", text(settings.redis_url.as_deref()))
        .env("ICATTLE_TOPIC_PREFIX", &settings.topic_prefix)
        .env("ICATTLE_CACHE_PREFIX", &settings.cache_prefix)
        .env("ICATTLE_PARTITIONS", settings.partitions.to_string())
        .env("ICATTLE_REPLICATION", settings.replication.to_string())
        .env(
            "ICATTLE_SIGNING_SEED",
            text(settings.signing_seed.as_deref()),
        )
        .env("ICATTLE_ADMIN_PASSWORD", "the first admin's password")
        .env("ICATTLE_RUN_VIEWS", views.to_string())
        .env("ICATTLE_SHARE_VIEWS", settings.share_views.to_string())
        .env(
            "ICATTLE_RUN_LOG_COPIES",
            settings.run_log_copies.to_string(),
        )
        .env(
            "ICATTLE_FRAUD_DETECTOR",
            settings.fraud_detector.to_string(),
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if let Some(master) = &settings.master_key {
        command.env("ICATTLE_MASTER_KEY", master);
    }
    command
        .spawn()
        .map(Served)
        .expect("the icattle binary starts")
}

/// A port no one listens on.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

/// Waits until the server at `base` answers, within `within`.
pub async fn ready(http: &reqwest::Client, base: &str, within: Duration) {
    eventually(within, "the server to answer", || async {
        let answer = http.get(format!("{base}/api/keys")).send().await.ok()?;
        answer.status().is_success().then_some(())
    })
    .await;
}
