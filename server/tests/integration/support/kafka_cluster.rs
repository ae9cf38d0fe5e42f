//! A three-node Apache Kafka cluster of the test's own (KRaft: each JVM a broker and a voter
//! of the controller quorum), from the same jars as the embedded broker, on free loopback
//! ports with modest heaps; so a test can kill a broker with SIGKILL and start it again
//! without touching any other test's broker. Dropping the cluster kills it and removes its
//! directories.
use server::kafka::embedded_broker::{answers, cluster_id, java, BrokerLaunch, LOG4J2};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::Child;

/// Nodes in the cluster.
pub const NODES: usize = 3;

/// One node: its ports, directory and, while it runs, its process.
struct Node {
    launch: BrokerLaunch,
    dir: PathBuf,
    process: Option<Child>,
}

/// A running cluster.
pub struct KafkaCluster {
    nodes: Vec<Node>,
    home: PathBuf,
}

impl KafkaCluster {
    /// Formats and starts three nodes from the jars in `libs`; returns once each answers.
    pub async fn start(label: &str, libs: PathBuf) -> Self {
        let home = std::env::temp_dir().join(super::unique(&format!("icattle-cluster-{label}")));
        let ports: Vec<u16> = (0..NODES).map(|_| super::free_port_pair()).collect();
        let voters: Vec<String> = ports
            .iter()
            .enumerate()
            .map(|(i, port)| format!("{}@127.0.0.1:{}", i + 1, port + 1))
            .collect();
        let id = cluster_id().expect("a cluster id");
        let mut nodes = Vec::new();
        for (i, port) in ports.iter().enumerate() {
            let dir = home.join(format!("node{}", i + 1));
            std::fs::create_dir_all(&dir).expect("a node directory");
            let launch = BrokerLaunch {
                java: "java".into(),
                libs: libs.clone(),
                addr: format!("127.0.0.1:{port}"),
                data_dir: dir.clone(),
            };
            std::fs::write(
                dir.join("server.properties"),
                node_properties(i + 1, *port, &voters.join(","), &dir),
            )
            .expect("a node's properties");
            std::fs::write(dir.join("log4j2.properties"), LOG4J2).expect("logging");
            let formatted = java(&launch, &dir)
                .args(["kafka.tools.StorageTool", "format"])
                .arg(format!("--cluster-id={id}"))
                .arg("--config")
                .arg(dir.join("server.properties"))
                .output()
                .await
                .expect("the storage tool runs");
            assert!(formatted.status.success(), "format: {formatted:?}");
            nodes.push(Node {
                launch,
                dir,
                process: None,
            });
        }
        let mut cluster = Self { nodes, home };
        for node in 0..NODES {
            cluster.spawn(node);
        }
        for node in 0..NODES {
            cluster.await_answer(node).await;
        }
        cluster
    }

    /// The bootstrap list a client is given.
    pub fn bootstrap(&self) -> String {
        self.nodes
            .iter()
            .map(|node| node.launch.addr.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Kills node `node` (0-based) with SIGKILL, as a crash would: no clean shutdown.
    pub async fn kill(&mut self, node: usize) {
        if let Some(mut process) = self.nodes[node].process.take() {
            process.kill().await.expect("SIGKILL");
        }
    }

    /// Starts node `node` again on its own log, and waits until it answers.
    pub async fn restart(&mut self, node: usize) {
        self.spawn(node);
        self.await_answer(node).await;
    }

    fn spawn(&mut self, node: usize) {
        let Node {
            launch,
            dir,
            process,
        } = &mut self.nodes[node];
        let console = std::fs::File::options()
            .create(true)
            .append(true)
            .open(dir.join("console.log"))
            .expect("a console log");
        let child = java(launch, dir)
            .arg("kafka.Kafka")
            .arg(dir.join("server.properties"))
            .stdin(Stdio::null())
            .stdout(Stdio::from(console.try_clone().expect("a console log")))
            .stderr(Stdio::from(console))
            .kill_on_drop(true)
            .spawn()
            .expect("java starts");
        *process = Some(child);
    }

    async fn await_answer(&self, node: usize) {
        let node = &self.nodes[node];
        let started = Instant::now();
        while !answers(&node.launch.addr).await {
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "node {} did not answer; see {}",
                node.launch.addr,
                node.dir.join("server.log").display()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits until every partition of every topic has all three nodes in its in-sync
    /// replicas: a node started again has caught up, so killing another keeps two copies.
    pub async fn await_in_sync(&self, within: Duration) {
        let started = Instant::now();
        loop {
            let bootstrap = self.bootstrap();
            let in_sync = tokio::task::spawn_blocking(move || all_replicas_in_sync(&bootstrap))
                .await
                .unwrap_or(false);
            if in_sync {
                return;
            }
            assert!(
                started.elapsed() < within,
                "the cluster was not in sync within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

impl Drop for KafkaCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(process) = node.process.as_mut() {
                let _ = process.start_kill();
            }
        }
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

fn all_replicas_in_sync(bootstrap: &str) -> bool {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let Ok(consumer) = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("log_level", "0")
        .create::<BaseConsumer>()
    else {
        return false;
    };
    let Ok(metadata) = consumer.fetch_metadata(None, Duration::from_secs(5)) else {
        return false;
    };
    metadata.brokers().len() == NODES
        && metadata.topics().iter().all(|topic| {
            topic
                .partitions()
                .iter()
                .all(|p| p.isr().len() == NODES && p.leader() >= 0)
        })
}

/// A node's configuration: a broker and a voter, with the replication the seed asks for
/// (three copies, two in sync for a write). A lost node is fenced after 4 s rather than
/// Kafka's 9, so a campaign of ten crashes stays short.
fn node_properties(id: usize, port: u16, voters: &str, dir: &Path) -> String {
    format!(
        "process.roles=broker,controller\n\
         node.id={id}\n\
         controller.quorum.voters={voters}\n\
         listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}\n\
         advertised.listeners=PLAINTEXT://127.0.0.1:{port}\n\
         controller.listener.names=CONTROLLER\n\
         inter.broker.listener.name=PLAINTEXT\n\
         listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n\
         log.dirs={log}\n\
         default.replication.factor=3\n\
         min.insync.replicas=2\n\
         unclean.leader.election.enable=false\n\
         offsets.topic.replication.factor=3\n\
         offsets.topic.num.partitions=3\n\
         transaction.state.log.replication.factor=3\n\
         transaction.state.log.min.isr=2\n\
         transaction.state.log.num.partitions=3\n\
         share.coordinator.state.topic.replication.factor=3\n\
         share.coordinator.state.topic.min.isr=2\n\
         broker.session.timeout.ms=4000\n\
         broker.heartbeat.interval.ms=1000\n\
         group.initial.rebalance.delay.ms=0\n\
         auto.create.topics.enable=false\n",
        controller = port + 1,
        log = dir.join("log").display()
    )
}
