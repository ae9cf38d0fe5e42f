//! The herd as it was at a date or time over HTTP: `POST /api/herd-as-of` `{asOf}` starts
//! working it out (202 with the job), `GET /api/herd-as-of/{job}` follows it to its figures.
use super::auth::SignedIn;
use super::responses::{bad_field, failure_response, not_found};
use super::server_state::ServerState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HerdAsOfRequest {
    as_of: String,
}

/// `POST /api/herd-as-of` `{"asOf": "2026-11-30"}`: 202 with the job; 400 for a body of
/// another shape, 422 naming `asOf` when it is no date or time, 409 while another of the
/// user's jobs runs.
pub async fn start(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    body: Bytes,
) -> Response {
    let request: HerdAsOfRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => {
            return bad_field(
                "body",
                format!("the body must be {{\"asOf\": \"2026-11-30\"}}: {error}"),
            )
        }
    };
    match state
        .office
        .work_out_herd_as_of(&user, &request.as_of)
        .await
    {
        Ok(run) => (StatusCode::ACCEPTED, Json(run)).into_response(),
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/herd-as-of/{job}`: the job as far as it got; 404 for a job this instance does
/// not know or that another user started.
pub async fn follow(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(job_id): Path<String>,
) -> Response {
    match state.office.herd_as_of_job(&user, &job_id) {
        Some(run) => Json(run).into_response(),
        None => not_found(format!(
            "no herd-as-of job {job_id:?} of yours is known here"
        )),
    }
}
