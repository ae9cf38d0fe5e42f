//! The axum router: Leptos pages and server functions, the JSON API and the WebSocket.
use super::body_limit::{refuse_large_bodies, BODY_LIMIT};
use super::server_state::ServerState;
use super::{
    accounts_api, api, cross_site, heads_api, herd_as_of_api, openapi, operations_api, site_assets,
    source_address, ws,
};
use app::registry::SharedRegistry;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultMakeSpan, TraceLayer};

/// Builds the whole HTTP application. Serve it with connect info (`SocketAddr`), so the
/// sign-in throttle knows where a request came from.
pub fn build(state: ServerState) -> Router {
    let routes = generate_route_list(app::App);
    let registry: SharedRegistry = Arc::new(state.office.clone());
    let leptos = state.leptos.clone();
    let (assets_at, assets) = site_assets::assets(&state.leptos);
    Router::new()
        .route("/api/commands", post(api::post_command))
        .route("/api/cattle/{id}", get(api::get_cattle))
        .route("/api/search", get(api::get_search))
        .route("/api/cattle/{id}/from-log", get(api::get_cattle_from_log))
        .route("/api/events/{event_id}/status", get(api::get_event_status))
        .route("/api/openapi.json", get(openapi::openapi))
        .route("/api/clients", get(api::get_clients))
        .route("/api/keys", get(api::get_keys))
        .route("/api/keys/stream", get(api::get_key_stream))
        .route("/api/heads/latest", get(heads_api::latest))
        .route("/api/heads/consistency", get(heads_api::consistency))
        .route("/api/heads/{number}", get(heads_api::numbered))
        .route("/api/cattle/{id}/proof", get(heads_api::inclusion))
        .route(
            "/api/cattle/{id}/inclusion",
            get(heads_api::animal_inclusion),
        )
        .route(
            "/api/session",
            post(accounts_api::sign_in)
                .get(accounts_api::whoami)
                .delete(accounts_api::sign_out),
        )
        .route("/api/session/password", post(accounts_api::change_password))
        .route(
            "/api/users",
            get(accounts_api::list_users).post(accounts_api::create_user),
        )
        .route(
            "/api/users/{username}/disabled",
            post(accounts_api::set_disabled),
        )
        .route(
            "/api/users/{username}/password",
            post(accounts_api::reset_password),
        )
        .route("/api/users/{username}/key", post(accounts_api::rotate_key))
        .route("/api/users/{username}/role", post(accounts_api::set_role))
        .route("/api/herd-as-of", post(herd_as_of_api::start))
        .route("/api/herd-as-of/{job}", get(herd_as_of_api::follow))
        .route("/api/alerts", get(operations_api::alerts))
        .route("/api/views", get(operations_api::views))
        .route("/api/consumer-groups", get(operations_api::consumer_groups))
        .route(
            "/api/log-verification",
            get(operations_api::log_verification).post(operations_api::start_log_verification),
        )
        .route("/api/views/{view}/paused", post(operations_api::set_paused))
        .route("/api/rebuilds", get(operations_api::rebuilds))
        .route(
            "/api/views/{view}/rebuild",
            get(operations_api::rebuild)
                .post(operations_api::start_rebuild)
                .delete(operations_api::cancel_rebuild),
        )
        .route("/health", get(operations_api::health))
        .route("/metrics", get(api::metrics))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(registry.clone()),
            move || app::shell(leptos.clone()),
        )
        .nest_service(&assets_at, assets)
        .fallback(leptos_axum::file_and_error_handler::<ServerState, _>(
            app::shell,
        ))
        // Pages, JSON and the wasm in brotli or gzip, as the browser accepts (the debug
        // wasm travels at a sixth of its size). The WebSocket, added after, is left alone.
        .layer(CompressionLayer::new())
        .route("/ws", get(ws::live_socket))
        .layer(from_fn(cross_site::refuse_cross_site))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn(refuse_large_bodies))
        .layer(from_fn(source_address::remember_source))
        // A span per request (method, path), the parent of the command span a POST makes.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO)),
        )
        .with_state(state)
}
