//! The session cookie: its name, how it is set and cleared, and how a request names its
//! session (the cookie from a browser, or `Authorization: Bearer` from an API client).
use http::header::{AUTHORIZATION, COOKIE};
use http::HeaderMap;

/// The cookie holding the session token.
pub const SESSION_COOKIE: &str = "icattle_session";

/// The `Set-Cookie` value that opens a session: HttpOnly so scripts cannot read it,
/// SameSite=Lax so other sites cannot send commands with it, and `Secure` (HTTPS only)
/// when `secure`.
pub fn open_session_cookie(token: &str, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    )
}

/// The `Set-Cookie` value that ends a session in the browser (with the same attributes, so
/// the browser replaces the cookie it holds).
pub fn closed_session_cookie(secure: bool) -> String {
    open_session_cookie("", 0, secure)
}

/// The session token a request carries, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty());
    if let Some(token) = bearer {
        return Some(token.to_string());
    }
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use proptest::prelude::*;

    #[test]
    fn the_token_comes_from_the_cookie_or_the_bearer_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(session_token(&headers), None);
        headers.insert(
            COOKIE,
            HeaderValue::from_static("theme=dark; icattle_session=abc123"),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("abc123"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer xyz"));
        assert_eq!(session_token(&headers).as_deref(), Some("xyz"));
    }

    proptest! {
        #[test]
        fn any_cookie_header_parses_without_panic(raw in "[ -~]{0,200}") {
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(&raw) {
                headers.insert(COOKIE, value);
            }
            let _ = session_token(&headers);
        }
    }
}
