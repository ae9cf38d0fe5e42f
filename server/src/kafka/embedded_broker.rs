//! The embedded default event log: a single-node Apache Kafka (KRaft: broker and controller
//! in one JVM) that this process starts from the jars `scripts/setup.sh` fetched from Maven
//! Central, with its log under `data/kafka`, and stops when the app stops.
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// How long the broker may take to answer after it was started.
const START_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a clean shutdown may take before the broker is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the embedded broker could not be had.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedBrokerError {
    /// A file or directory of the broker could not be prepared.
    #[error("could not prepare {path}: {source}")]
    DataDir {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The Kafka jars are not where they should be.
    #[error(
        "Apache Kafka's jars are not in {0} (run scripts/setup.sh, or set ICATTLE_KAFKA_LIBS)"
    )]
    NoJars(PathBuf),
    /// The address is not `host:port`.
    #[error("the embedded broker address {0} is not host:port")]
    BadAddress(String),
    /// Java could not be started.
    #[error("could not run `{program}` (Apache Kafka needs Java 17 or newer): {source}")]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Formatting the log directory failed.
    #[error("formatting the Kafka log directory failed: {0}")]
    Format(String),
    /// The broker exited before it answered (its port taken, Java too old, a broken log).
    #[error("the broker exited ({status}) before it answered on {addr}; see {console} and {log}")]
    Exited {
        /// Its address.
        addr: String,
        /// How it exited.
        status: std::process::ExitStatus,
        /// What Java printed.
        console: PathBuf,
        /// Its log file.
        log: PathBuf,
    },
    /// The broker runs but did not answer in time.
    #[error("the broker did not answer on {addr} within {seconds} s; see {log}")]
    NotAnswering {
        /// Its address.
        addr: String,
        /// How long we waited.
        seconds: u64,
        /// Its log file.
        log: PathBuf,
    },
}

/// Where the broker comes from and how it runs.
#[derive(Debug, Clone)]
pub struct BrokerLaunch {
    /// The `java` program.
    pub java: PathBuf,
    /// The directory of Apache Kafka's jars.
    pub libs: PathBuf,
    /// Where clients connect (`host:port`); the controller listens on the next port.
    pub addr: String,
    /// The data directory; the broker keeps everything under its `kafka/`.
    pub data_dir: PathBuf,
}

/// A running embedded broker. `stop` shuts it down cleanly; dropping it kills it.
pub struct EmbeddedBroker {
    /// Bootstrap address to hand to clients.
    pub addr: String,
    child: Option<Child>,
}

impl EmbeddedBroker {
    /// Starts the broker (formatting its log directory on the first start), or reuses one
    /// already answering on the address (a broker left by an earlier run of the app).
    pub async fn start(launch: &BrokerLaunch) -> Result<Self, EmbeddedBrokerError> {
        let addr = launch.addr.clone();
        if answers(&addr).await {
            tracing::info!(%addr, "reusing the Kafka broker already answering there");
            return Ok(Self { addr, child: None });
        }
        if !has_kafka_jar(&launch.libs) {
            return Err(EmbeddedBrokerError::NoJars(launch.libs.clone()));
        }
        let dir = launch.data_dir.join("kafka");
        let controller = controller_addr(&addr)?;
        let prepare = |path: &Path, source| EmbeddedBrokerError::DataDir {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(|e| prepare(&dir, e))?;
        let dir = dir.canonicalize().map_err(|e| prepare(&dir, e))?;
        let properties = dir.join("server.properties");
        std::fs::write(&properties, server_properties(&addr, &controller, &dir))
            .map_err(|e| prepare(&properties, e))?;
        let log4j = dir.join("log4j2.properties");
        std::fs::write(&log4j, LOG4J2).map_err(|e| prepare(&log4j, e))?;
        if !dir.join("log").join("meta.properties").exists() {
            format_log_dir(launch, &dir, &properties).await?;
        }
        let console = dir.join("console.log");
        let out = std::fs::File::create(&console).map_err(|e| prepare(&console, e))?;
        let err = out.try_clone().map_err(|e| prepare(&console, e))?;
        let child = java(launch, &dir)
            .arg("kafka.Kafka")
            .arg(&properties)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| EmbeddedBrokerError::Spawn {
                program: launch.java.clone(),
                source,
            })?;
        let mut broker = Self {
            addr: addr.clone(),
            child: Some(child),
        };
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if let Some(status) = broker.exit_status() {
                return Err(EmbeddedBrokerError::Exited {
                    addr,
                    status,
                    console,
                    log: dir.join("server.log"),
                });
            }
            if answers(&addr).await {
                tracing::info!(%addr, dir = %dir.display(), "embedded Apache Kafka started");
                return Ok(broker);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Err(EmbeddedBrokerError::NotAnswering {
            addr,
            seconds: START_TIMEOUT.as_secs(),
            log: dir.join("server.log"),
        })
    }

    /// How the broker exited, if it has.
    fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.as_mut()?.try_wait().ok().flatten()
    }

    /// Asks the broker to shut down cleanly (SIGTERM, as `kafka-server-stop.sh` does) and
    /// waits for it; kills it if it takes too long.
    pub async fn stop(mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Some(pid) = child.id().and_then(|pid| i32::try_from(pid).ok()) {
            // SAFETY: kill(2) on our own child's pid, which it still holds (not yet reaped).
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        match tokio::time::timeout(STOP_TIMEOUT, child.wait()).await {
            Ok(_) => tracing::info!(addr = %self.addr, "embedded Apache Kafka stopped"),
            Err(_) => {
                tracing::warn!("the embedded broker did not stop in time; killing it");
                let _ = child.kill().await;
            }
        }
    }
}

fn has_kafka_jar(libs: &Path) -> bool {
    std::fs::read_dir(libs).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with("kafka_2.13-") && name.ends_with(".jar")
        })
    })
}

/// The controller's address: the client port plus one.
fn controller_addr(addr: &str) -> Result<String, EmbeddedBrokerError> {
    let bad = || EmbeddedBrokerError::BadAddress(addr.to_string());
    let (host, port) = addr.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let next = port.checked_add(1).ok_or_else(bad)?;
    Ok(format!("{host}:{next}"))
}

/// A JVM with the broker's class path, heap and logging, run in `dir` (which holds its
/// `log4j2.properties`); the test suite starts its three-node clusters with it too.
pub fn java(launch: &BrokerLaunch, dir: &Path) -> Command {
    let mut command = Command::new(&launch.java);
    command
        .current_dir(dir)
        .args([
            "-Xms128m",
            "-Xmx512m",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
        ])
        .arg("-Djava.awt.headless=true")
        .arg(format!(
            "-Dlog4j2.configurationFile={}",
            dir.join("log4j2.properties").display()
        ))
        .arg(format!("-Dkafka.logs.dir={}", dir.display()))
        .arg("-cp")
        .arg(format!("{}/*", launch.libs.display()));
    command
}

/// `kafka-storage.sh format --standalone`: a new cluster whose one node is its own quorum.
async fn format_log_dir(
    launch: &BrokerLaunch,
    dir: &Path,
    properties: &Path,
) -> Result<(), EmbeddedBrokerError> {
    let spawn = |source| EmbeddedBrokerError::Spawn {
        program: launch.java.clone(),
        source,
    };
    let cluster_id = cluster_id()?;
    let output = java(launch, dir)
        .args(["kafka.tools.StorageTool", "format"])
        .arg(format!("--cluster-id={cluster_id}"))
        .arg("--config")
        .arg(properties)
        .arg("--standalone")
        .output()
        .await
        .map_err(spawn)?;
    if !output.status.success() {
        return Err(EmbeddedBrokerError::Format(format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    tracing::info!(%cluster_id, dir = %dir.display(), "formatted a new Kafka log directory");
    Ok(())
}

/// A new cluster id: 16 random bytes, URL-safe base64 without padding, as Kafka writes them,
/// and like Kafka's own never starting with `-` (a command line would read it as an option).
pub fn cluster_id() -> Result<String, EmbeddedBrokerError> {
    use base64::Engine;
    loop {
        let seed =
            crate::keys::random_seed().map_err(|e| EmbeddedBrokerError::Format(e.to_string()))?;
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&seed[..16]);
        if !id.starts_with('-') {
            return Ok(id);
        }
    }
}

/// Whether a Kafka broker answers a metadata request on `addr`.
pub async fn answers(addr: &str) -> bool {
    if TcpStream::connect(addr).await.is_err() {
        return false;
    }
    let addr = addr.to_string();
    tokio::task::spawn_blocking(move || {
        let consumer: Result<BaseConsumer, _> = ClientConfig::new()
            .set("bootstrap.servers", &addr)
            .set("log_level", "0")
            .create();
        consumer.is_ok_and(|c| {
            c.fetch_metadata(None, Duration::from_secs(2))
                .is_ok_and(|m| !m.brokers().is_empty())
        })
    })
    .await
    .unwrap_or(false)
}

fn server_properties(addr: &str, controller: &str, dir: &Path) -> String {
    format!(
        "# Written by iCattle at every start of its embedded broker.\n\
         process.roles=broker,controller\n\
         node.id=1\n\
         controller.quorum.bootstrap.servers={controller}\n\
         listeners=PLAINTEXT://{addr},CONTROLLER://{controller}\n\
         advertised.listeners=PLAINTEXT://{addr}\n\
         controller.listener.names=CONTROLLER\n\
         inter.broker.listener.name=PLAINTEXT\n\
         listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n\
         log.dirs={log}\n\
         offsets.topic.replication.factor=1\n\
         offsets.topic.num.partitions=10\n\
         transaction.state.log.replication.factor=1\n\
         transaction.state.log.min.isr=1\n\
         transaction.state.log.num.partitions=10\n\
         share.coordinator.state.topic.replication.factor=1\n\
         share.coordinator.state.topic.min.isr=1\n\
         group.initial.rebalance.delay.ms=0\n\
         auto.create.topics.enable=false\n",
        log = dir.join("log").display()
    )
}

/// The broker's logging: INFO lines to `server.log` in its directory.
pub const LOG4J2: &str = "status = warn\n\
appender.file.type = File\n\
appender.file.name = file\n\
appender.file.fileName = ${sys:kafka.logs.dir}/server.log\n\
appender.file.layout.type = PatternLayout\n\
appender.file.layout.pattern = [%d] %p %m (%c)%n\n\
rootLogger.level = INFO\n\
rootLogger.appenderRef.file.ref = file\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_ids_are_22_url_safe_characters_never_read_as_an_option() {
        for _ in 0..2_000 {
            let id = cluster_id().unwrap();
            assert_eq!(id.len(), 22);
            assert!(id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            assert!(!id.starts_with('-'), "{id}");
        }
    }

    #[test]
    fn the_controller_listens_on_the_next_port() {
        assert_eq!(
            controller_addr("127.0.0.1:19092").unwrap(),
            "127.0.0.1:19093"
        );
        assert!(controller_addr("localhost").is_err());
        assert!(controller_addr("127.0.0.1:65535").is_err());
    }
}
