//! How many long requests (`?wait=applied`, `/from-log`) one user may have open at once, so
//! one user cannot hold the server's connections, database reads and Kafka readers.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Long requests one user may have open at once.
pub const LONG_REQUESTS_PER_USER: usize = 4;

/// The open long requests of every user.
#[derive(Clone, Default)]
pub struct LongRequests {
    per_user: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

/// A long request's place, given back when dropped.
pub struct LongRequest {
    _permit: OwnedSemaphorePermit,
}

/// The user has as many long requests open as they may.
#[derive(Debug)]
pub struct TooManyLongRequests;

impl IntoResponse for TooManyLongRequests {
    fn into_response(self) -> Response {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, "1")],
            Json(json!({
                "error": format!(
                    "at most {LONG_REQUESTS_PER_USER} waiting or from-log requests at once; \
                     try again when one has answered"
                ),
            })),
        )
            .into_response()
    }
}

impl LongRequests {
    /// A place for one more long request of `username`, or why not (a 429).
    pub fn admit(&self, username: &str) -> Result<LongRequest, TooManyLongRequests> {
        let semaphore = {
            let mut per_user = self
                .per_user
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(
                per_user
                    .entry(username.to_string())
                    .or_insert_with(|| Arc::new(Semaphore::new(LONG_REQUESTS_PER_USER))),
            )
        };
        semaphore
            .try_acquire_owned()
            .map(|permit| LongRequest { _permit: permit })
            .map_err(|_| TooManyLongRequests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_four_places_and_others_are_not_held_back() {
        let requests = LongRequests::default();
        let held: Vec<LongRequest> = (0..LONG_REQUESTS_PER_USER)
            .map(|_| requests.admit("ann").expect("a place"))
            .collect();
        let refused = requests.admit("ann").err().expect("refused");
        assert_eq!(
            refused.into_response().status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert!(requests.admit("bob").is_ok());
        drop(held);
        assert!(requests.admit("ann").is_ok());
    }
}
