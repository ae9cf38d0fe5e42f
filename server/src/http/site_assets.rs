//! The site's built assets (the wasm, its JS glue, the stylesheet), and how the browser
//! keeps them. Their names carry no content hash, so a long lifetime would keep an old wasm
//! against new pages after an upgrade, and hydration would fail. Instead the browser keeps
//! each file and asks before using it again: unchanged, the answer is `304 Not Modified`
//! (from `Last-Modified`) without a body. Leptos' own file handler passes on none of the
//! request's headers, so it could never answer 304; the assets are served here instead.
use axum::http::header::{HeaderValue, CACHE_CONTROL};
use leptos::prelude::LeptosOptions;
use std::path::Path;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

/// Where the assets are served (`/pkg`) and the service serving them from the site's
/// directory, each answer marked to be revalidated before use.
pub fn assets(leptos: &LeptosOptions) -> (String, SetResponseHeader<ServeDir, HeaderValue>) {
    let dir = Path::new(&*leptos.site_root).join(&*leptos.site_pkg_dir);
    let service = SetResponseHeader::overriding(
        // A release build made with `--precompress` leaves `.br` and `.gz` beside each asset,
        // compressed once at the highest levels: sent as they are to a browser that takes
        // them (the compression layer leaves an encoded answer alone).
        ServeDir::new(dir).precompressed_br().precompressed_gzip(),
        CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    (format!("/{}", leptos.site_pkg_dir), service)
}
