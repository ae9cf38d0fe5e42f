//! The registry as the seed reaches it: the JSON API of a running iCattle, signed in as one
//! user, so every seeded event takes the path a person's command takes.
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Why a request of the seed failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The server could not be reached.
    #[error("could not reach iCattle at {base}: {source}")]
    Unreachable {
        /// Where it was looked for.
        base: String,
        /// What the connection said.
        source: reqwest::Error,
    },
    /// The server answered something that is not what was asked for.
    #[error("the answer for {what} cannot be read: {reason}")]
    Unreadable {
        /// What was asked.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The server refused (a wrong password, a refused command, …).
    #[error("{what}: {status} {answer}")]
    Refused {
        /// What was asked.
        what: String,
        /// The status.
        status: StatusCode,
        /// The answer's body.
        answer: String,
    },
}

/// A running iCattle and an administrator of it, as the command-line tools take them.
#[derive(clap::Args, Debug, Clone)]
pub struct AdminSignIn {
    /// The running iCattle.
    #[arg(long, env = "ICATTLE_URL", default_value = "http://127.0.0.1:3000")]
    pub url: String,
    /// An administrator.
    #[arg(long, default_value = "admin")]
    pub admin: String,
    /// The administrator's password.
    #[arg(long, env = "ICATTLE_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: String,
}

impl AdminSignIn {
    /// Signs the administrator in.
    pub async fn sign_in(&self) -> Result<RegistryClient, SeedError> {
        RegistryClient::sign_in(&self.url, &self.admin, &self.admin_password).await
    }
}

/// A signed-in user of a running registry.
#[derive(Clone)]
pub struct RegistryClient {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl RegistryClient {
    /// Signs `username` in at `base` (e.g. `http://127.0.0.1:3000`).
    pub async fn sign_in(base: &str, username: &str, password: &str) -> Result<Self, SeedError> {
        let http = reqwest::Client::new();
        let base = base.trim_end_matches('/').to_string();
        let answer = request(
            &base,
            http.post(format!("{base}/api/session"))
                .json(&json!({"username": username, "password": password})),
            &format!("signing in as {username}"),
        )
        .await?;
        let token = answer["token"].as_str().unwrap_or_default().to_string();
        Ok(Self { http, base, token })
    }

    async fn call(&self, builder: reqwest::RequestBuilder, what: &str) -> Result<Value, SeedError> {
        request(&self.base, builder.bearer_auth(&self.token), what).await
    }

    /// Creates a user (administrators); `false` when the name is taken already.
    pub async fn create_user(
        &self,
        username: &str,
        password: &str,
        role: &str,
    ) -> Result<bool, SeedError> {
        let body = json!({"username": username, "password": password, "role": role});
        let what = format!("creating {username}");
        let sent = self.call(
            self.http
                .post(format!("{}/api/users", self.base))
                .json(&body),
            &what,
        );
        match sent.await {
            Ok(_) => Ok(true),
            Err(SeedError::Refused { status, .. }) if status == StatusCode::CONFLICT => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Sends a command; with `wait_applied`, answers once the golden record holds it.
    pub async fn send(&self, command: &Value, wait_applied: bool) -> Result<Value, SeedError> {
        let wait = if wait_applied {
            "?wait=applied&timeout_ms=30000"
        } else {
            ""
        };
        let kind = command["type"].as_str().unwrap_or("a command");
        self.call(
            self.http
                .post(format!("{}/api/commands{wait}", self.base))
                .json(command),
            &format!("sending {kind}"),
        )
        .await
    }

    /// The clients the user may see, each saying whether the user manages it.
    pub async fn clients(&self) -> Result<Vec<app::model::ClientSummary>, SeedError> {
        let answer = self
            .call(
                self.http.get(format!("{}/api/clients", self.base)),
                "reading the clients",
            )
            .await?;
        serde_json::from_value(answer).map_err(|error| SeedError::Unreadable {
            what: "the clients".into(),
            reason: error.to_string(),
        })
    }

    /// Starts (`POST`), follows (`GET`) or cancels (`DELETE`) the rebuild of `view`
    /// (administrators): the run as the server answers it.
    pub async fn rebuild(&self, view: &str, method: reqwest::Method) -> Result<Value, SeedError> {
        let what = format!("{method} the rebuild of {view}");
        let url = format!("{}/api/views/{view}/rebuild", self.base);
        let mut builder = self.http.request(method.clone(), url);
        if method != reqwest::Method::GET {
            builder = builder.json(&json!({}));
        }
        self.call(builder, &what).await
    }

    /// Starts working out the herd as of `as_of` (`POST /api/herd-as-of`): the job.
    pub async fn start_herd_as_of(&self, as_of: &str) -> Result<Value, SeedError> {
        let url = format!("{}/api/herd-as-of", self.base);
        let builder = self.http.post(url).json(&json!({ "asOf": as_of }));
        self.call(builder, &format!("the herd as of {as_of}")).await
    }

    /// A herd-as-of job as far as it got (`GET /api/herd-as-of/{job}`).
    pub async fn herd_as_of(&self, job_id: &str) -> Result<Value, SeedError> {
        let url = format!("{}/api/herd-as-of/{job_id}", self.base);
        self.call(self.http.get(url), "following the herd as of a date")
            .await
    }

    /// Messages of the log the golden record has not applied yet (administrators).
    pub async fn golden_record_lag(&self) -> Result<i64, SeedError> {
        let views = self
            .call(
                self.http.get(format!("{}/api/views", self.base)),
                "reading the views",
            )
            .await?;
        let lag = views["views"]
            .as_array()
            .and_then(|views| views.iter().find(|v| v["view"] == "golden_record"))
            .and_then(|golden| golden["partitions"].as_array())
            .map(|partitions| {
                partitions
                    .iter()
                    .filter_map(|p| p["lag_events"].as_i64())
                    .sum()
            })
            .unwrap_or_default();
        Ok(lag)
    }
}

/// Sends a request and reads its JSON answer (`null` for an empty one).
async fn request(
    base: &str,
    builder: reqwest::RequestBuilder,
    what: &str,
) -> Result<Value, SeedError> {
    let response = builder
        .send()
        .await
        .map_err(|source| SeedError::Unreachable {
            base: base.to_string(),
            source,
        })?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(SeedError::Refused {
            what: what.to_string(),
            status,
            answer: text,
        });
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}
