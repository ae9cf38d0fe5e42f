//! A real RFC 3161 time-stamping authority on loopback: Debian's `openssl ts -reply` behind a
//! small HTTP endpoint, with an RSA key and a certificate made for the test.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The TSA's section of `openssl ts`'s configuration; `{dir}` is its directory.
const TSA_CONFIG: &str = "[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
";

/// Makes an RSA key and a self-signed time-stamping certificate named `name` in `dir`.
pub fn make_certificate(dir: &Path, name: &str) -> PathBuf {
    let cert = dir.join(format!("{name}.pem"));
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .arg("-keyout")
        .arg(dir.join(format!("{name}.key")))
        .arg("-out")
        .arg(&cert)
        .args(["-subj", &format!("/CN=iCattle test {name}")])
        .args(["-addext", "extendedKeyUsage=critical,timeStamping"])
        .args([
            "-addext",
            "keyUsage=critical,digitalSignature,nonRepudiation",
        ])
        .output()
        .expect("openssl runs");
    assert!(
        status.status.success(),
        "openssl req: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    cert
}

/// A TSA answering on loopback until dropped.
pub struct OpensslTsa {
    /// Where to POST `application/timestamp-query`.
    pub url: String,
    /// Its certificate (PEM).
    pub cert: PathBuf,
    /// Its directory (keys, configuration, requests).
    pub dir: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

struct Desk {
    dir: PathBuf,
    next: AtomicU64,
}

async fn reply(State(desk): State<Arc<Desk>>, query: Bytes) -> impl IntoResponse {
    let n = desk.next.fetch_add(1, Ordering::SeqCst);
    let (asked, answered) = (
        desk.dir.join(format!("query-{n}.tsq")),
        desk.dir.join(format!("reply-{n}.tsr")),
    );
    std::fs::write(&asked, &query).expect("the query is kept");
    let output = tokio::process::Command::new("openssl")
        .args(["ts", "-reply", "-config"])
        .arg(desk.dir.join("ts.cnf"))
        .arg("-queryfile")
        .arg(&asked)
        .arg("-out")
        .arg(&answered)
        .output()
        .await
        .expect("openssl runs");
    assert!(
        output.status.success(),
        "openssl ts -reply: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let body = std::fs::read(&answered).expect("the reply");
    ([(CONTENT_TYPE, "application/timestamp-reply")], body)
}

impl OpensslTsa {
    /// Makes a key, a certificate and a configuration under a fresh directory, and serves.
    pub async fn start(label: &str) -> Self {
        let dir = std::env::temp_dir().join(super::unique(label));
        std::fs::create_dir_all(&dir).expect("a directory");
        let cert = make_certificate(&dir, "tsa");
        std::fs::write(dir.join("serial"), "01\n").expect("the serial file");
        let config = TSA_CONFIG.replace("{dir}", &dir.display().to_string());
        std::fs::write(dir.join("ts.cnf"), config).expect("the configuration");
        let desk = Arc::new(Desk {
            dir: dir.clone(),
            next: AtomicU64::new(0),
        });
        let app = Router::new().route("/", post(reply)).with_state(desk);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let addr = listener.local_addr().expect("an address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}/"),
            cert,
            dir,
            task,
        }
    }
}

impl Drop for OpensslTsa {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
