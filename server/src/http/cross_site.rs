//! Refuses what a page of another site could make a signed-in browser send: every request
//! that changes something must say `Content-Type: application/json` (which a cross-site form
//! cannot send without the browser asking first), and when it carries a cookie, an `Origin`
//! that is this app's own.
use app::session_cookie::SESSION_COOKIE;
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HOST, ORIGIN, TRANSFER_ENCODING};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// What is wrong with a state-changing request, in words for its sender.
fn refusal(headers: &HeaderMap, method: &Method, has_body: bool) -> Option<(&'static str, String)> {
    let json = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    // A DELETE without a body has no type to name.
    if !json && (has_body || *method != Method::DELETE) {
        return Some((
            "content-type",
            "a request that changes something must say Content-Type: application/json".into(),
        ));
    }
    if !carries_session_cookie(headers) {
        return None;
    }
    let host = headers.get(HOST).and_then(|value| value.to_str().ok());
    let origin = headers.get(ORIGIN).and_then(|value| value.to_str().ok());
    match (origin, host) {
        (Some(origin), Some(host)) if same_site(origin, host) => None,
        (Some(origin), _) => Some((
            "origin",
            format!("a request from {origin} may not use this site's session"),
        )),
        (None, _) => Some((
            "origin",
            "a request that changes something with a session cookie must say its Origin".into(),
        )),
    }
}

fn carries_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .any(|pair| pair.trim().starts_with(&format!("{SESSION_COOKIE}=")))
}

/// Whether `origin` (`scheme://host[:port]`) names the host the request was sent to.
fn same_site(origin: &str, host: &str) -> bool {
    ["http://", "https://"]
        .iter()
        .filter_map(|scheme| origin.strip_prefix(scheme))
        .any(|authority| authority.eq_ignore_ascii_case(host))
}

/// The middleware: 403 naming what is missing, or the request passed on.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes {
        let headers = request.headers();
        let has_body = headers.contains_key(TRANSFER_ENCODING)
            || headers
                .get(CONTENT_LENGTH)
                .and_then(|value| value.to_str().ok())
                .is_some_and(|length| length.trim() != "0");
        if let Some((field, message)) = refusal(request.headers(), request.method(), has_body) {
            return (
                StatusCode::FORBIDDEN,
                Json(json!({ "error": message, "field": field })),
            )
                .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                value.parse().expect("value"),
            );
        }
        map
    }

    #[test]
    fn a_cookie_needs_this_sites_origin() {
        let cookie = format!("{SESSION_COOKIE}=abc");
        let own = headers(&[
            ("content-type", "application/json; charset=utf-8"),
            ("cookie", &cookie),
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert_eq!(refusal(&own, &Method::POST, true), None);
        let other = headers(&[
            ("content-type", "application/json"),
            ("cookie", &cookie),
            ("host", "127.0.0.1:3000"),
            ("origin", "https://evil.example"),
        ]);
        assert_eq!(
            refusal(&other, &Method::POST, true).map(|r| r.0),
            Some("origin")
        );
        let none = headers(&[
            ("content-type", "application/json"),
            ("cookie", &cookie),
            ("host", "127.0.0.1:3000"),
        ]);
        assert_eq!(
            refusal(&none, &Method::POST, true).map(|r| r.0),
            Some("origin")
        );
    }

    #[test]
    fn a_bearer_client_needs_json_but_no_origin() {
        let json = headers(&[
            ("content-type", "application/json"),
            ("authorization", "Bearer x"),
        ]);
        assert_eq!(refusal(&json, &Method::POST, true), None);
        let form = headers(&[("content-type", "application/x-www-form-urlencoded")]);
        assert_eq!(
            refusal(&form, &Method::POST, true).map(|r| r.0),
            Some("content-type")
        );
        assert_eq!(refusal(&HeaderMap::new(), &Method::DELETE, false), None);
        assert_eq!(
            refusal(&HeaderMap::new(), &Method::DELETE, true).map(|r| r.0),
            Some("content-type")
        );
    }

    proptest! {
        #[test]
        fn no_other_host_passes_for_this_one(other in "[a-z0-9.-]{1,30}(:[0-9]{1,5})?") {
            prop_assume!(other != "app.example:8080");
            for scheme in ["http", "https"] {
                let origin = format!("{scheme}://{other}");
                prop_assert!(!same_site(&origin, "app.example:8080"));
            }
            prop_assert!(same_site("https://APP.example:8080", "app.example:8080"));
        }
    }
}
