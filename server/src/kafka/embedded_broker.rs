//! The embedded default event log: a Kafka-protocol broker (nisshi) started by this
//! process, keeping its log in SQLite under the data directory.
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// Why the embedded broker could not be had.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedBrokerError {
    /// The data directory could not be prepared.
    #[error("could not prepare {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The broker program could not be started.
    #[error(
        "could not start the broker `{program}` (run scripts/setup.sh to install it): {source}"
    )]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The broker started but never listened.
    #[error("the broker did not listen on {addr} within {seconds} s; see {log}")]
    NotListening {
        /// Its address.
        addr: String,
        /// How long we waited.
        seconds: u64,
        /// Its log file.
        log: PathBuf,
    },
}

/// A running embedded broker; it is stopped when this is dropped.
pub struct EmbeddedBroker {
    /// Bootstrap address to hand to clients.
    pub addr: String,
    _child: Option<Child>,
}

async fn listening(addr: &str) -> bool {
    TcpStream::connect(addr).await.is_ok()
}

impl EmbeddedBroker {
    /// Starts the broker on `addr` with its log under `data_dir/kafka`, or reuses one
    /// already listening there (a broker left by an earlier run of the app).
    pub async fn start(
        program: &Path,
        addr: &str,
        data_dir: &Path,
    ) -> Result<Self, EmbeddedBrokerError> {
        if listening(addr).await {
            tracing::info!(%addr, "reusing the broker already listening");
            return Ok(Self {
                addr: addr.to_string(),
                _child: None,
            });
        }
        let dir = data_dir.join("kafka");
        std::fs::create_dir_all(&dir).map_err(|source| EmbeddedBrokerError::DataDir {
            path: dir.clone(),
            source,
        })?;
        let log_path = dir.join("broker.log");
        let log =
            std::fs::File::create(&log_path).map_err(|source| EmbeddedBrokerError::DataDir {
                path: log_path.clone(),
                source,
            })?;
        let log_err = log
            .try_clone()
            .map_err(|source| EmbeddedBrokerError::DataDir {
                path: log_path.clone(),
                source,
            })?;
        let url = format!("tcp://{addr}");
        let child = Command::new(program)
            .current_dir(&dir)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            // The SQLite path is relative to the working directory set above.
            .args(["--storage-engine", "sqlite://broker.db"])
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| EmbeddedBrokerError::Spawn {
                program: program.to_path_buf(),
                source,
            })?;
        const WAIT_SECONDS: u64 = 30;
        for _ in 0..(WAIT_SECONDS * 10) {
            if listening(addr).await {
                tracing::info!(%addr, dir = %dir.display(), "embedded broker started");
                return Ok(Self {
                    addr: addr.to_string(),
                    _child: Some(child),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(EmbeddedBrokerError::NotListening {
            addr: addr.to_string(),
            seconds: WAIT_SECONDS,
            log: log_path,
        })
    }
}
