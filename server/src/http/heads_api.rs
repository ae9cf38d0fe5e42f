//! The signed tree heads over HTTP: `GET /api/heads/latest`, `GET /api/heads/{number}`
//! (both with `?animals=true`, for assessors and administrators, for the animal heads the
//! head commits to, the file `icattle verify --expect-head` reads), `GET /api/heads/consistency?from=&to=` and
//! `GET /api/cattle/{id}/proof?sequence=k[&head=n]` and `GET /api/cattle/{id}/inclusion`.
use super::auth::SignedIn;
use super::responses::{failure_response, not_found};
use super::server_state::ServerState;
use crate::tree_heads::head_answers::InclusionRefusal;
use crate::tree_heads::head_proofs::NoInclusion;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::collections::HashMap;

type Params = Query<HashMap<String, String>>;

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

/// A whole number parameter (`name`) of the query or path, or a sentence naming it.
fn number<T: std::str::FromStr>(name: &str, raw: &str) -> Result<T, String> {
    raw.trim()
        .parse::<T>()
        .map_err(|_| format!("{name} {raw:?} is not a whole number"))
}

fn required<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str, String> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| format!("give {name}="))
}

fn wants_animals(params: &HashMap<String, String>) -> Result<bool, String> {
    match params.get("animals").map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(format!("animals {other:?} is neither true nor false")),
    }
}

async fn head_answer(
    state: &ServerState,
    number: Option<u64>,
    params: &HashMap<String, String>,
    mut parts: Parts,
) -> Response {
    let animals = match wants_animals(params) {
        Ok(animals) => animals,
        Err(message) => return bad_request(message),
    };
    let missing = || {
        not_found(match number {
            Some(number) => format!("no tree head #{number} was signed"),
            None => "no tree head has been signed yet".into(),
        })
    };
    if animals {
        // The listing names every herd's animals: it asks for a session (and the office for
        // a user who may see every herd).
        let SignedIn(user) = match SignedIn::from_request_parts(&mut parts, state).await {
            Ok(signed_in) => signed_in,
            Err(refusal) => return refusal,
        };
        match state.office.committed_head(&user, number).await {
            Ok(Some(committed)) => Json(committed).into_response(),
            Ok(None) => missing(),
            Err(failure) => failure_response(failure),
        }
    } else {
        match state.office.tree_head(number).await {
            Ok(Some(head)) => Json(head).into_response(),
            Ok(None) => missing(),
            Err(failure) => failure_response(failure),
        }
    }
}

/// `GET /api/heads/latest`: the newest signed tree head (public, like the keys).
pub async fn latest(
    State(state): State<ServerState>,
    Query(params): Params,
    parts: Parts,
) -> Response {
    head_answer(&state, None, &params, parts).await
}

/// `GET /api/heads/{number}`: one signed tree head.
pub async fn numbered(
    State(state): State<ServerState>,
    Path(raw): Path<String>,
    Query(params): Params,
    parts: Parts,
) -> Response {
    match number::<u64>("head number", &raw) {
        Ok(number) => head_answer(&state, Some(number), &params, parts).await,
        Err(message) => bad_request(message),
    }
}

/// `GET /api/heads/consistency?from=m&to=n`: heads m and n and the proof that n only adds to m.
pub async fn consistency(State(state): State<ServerState>, Query(params): Params) -> Response {
    let asked = required(&params, "from")
        .and_then(|raw| number::<u64>("from", raw))
        .and_then(|from| Ok((from, number::<u64>("to", required(&params, "to")?)?)));
    let (from, to) = match asked {
        Ok(asked) => asked,
        Err(message) => return bad_request(message),
    };
    if from > to {
        return bad_request(format!("from ({from}) must not be after to ({to})"));
    }
    match state.office.head_consistency(from, to).await {
        Ok(Ok(answer)) => Json(answer).into_response(),
        Ok(Err(missing)) => not_found(missing.to_string()),
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/cattle/{id}/proof?sequence=k[&head=n]`: the proof that the animal's event k is
/// in head n (the newest when not named), with that head.
pub async fn inclusion(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(raw_id): Path<String>,
    Query(params): Params,
) -> Response {
    let asked = number::<i64>("cattle id", &raw_id).and_then(|id| {
        let sequence = number::<i64>("sequence", required(&params, "sequence")?)?;
        let head = params
            .get("head")
            .map(|raw| number::<u64>("head", raw))
            .transpose()?;
        Ok((id, sequence, head))
    });
    let (id, sequence, head) = match asked {
        Ok(asked) => asked,
        Err(message) => return bad_request(message),
    };
    match state
        .office
        .event_inclusion(&user, id, sequence, head)
        .await
    {
        Ok(Ok(answer)) => Json(answer).into_response(),
        Ok(Err(refusal @ InclusionRefusal::Event(NoInclusion::NotYetSigned { .. }))) => (
            StatusCode::CONFLICT,
            Json(json!({ "error": refusal.to_string(), "code": "NOT_YET_SIGNED" })),
        )
            .into_response(),
        Ok(Err(refusal)) => not_found(refusal.to_string()),
        Err(failure) => failure_response(failure),
    }
}

/// `GET /api/cattle/{id}/inclusion`: the newest head and the proof of the newest of the
/// animal's events it includes, `{head, proof}` (each null when there is none yet), always
/// 200 for who may see the animal: what the animal page's timeline checks.
pub async fn animal_inclusion(
    State(state): State<ServerState>,
    SignedIn(user): SignedIn,
    Path(raw_id): Path<String>,
) -> Response {
    let id = match number::<i64>("cattle id", &raw_id) {
        Ok(id) => id,
        Err(message) => return bad_request(message),
    };
    match state.office.animal_inclusion(&user, id).await {
        Ok(answer) => Json(answer).into_response(),
        Err(failure) => failure_response(failure),
    }
}
