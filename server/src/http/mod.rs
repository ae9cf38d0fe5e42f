//! The HTTP surface: the Leptos app, the JSON API and the WebSocket.
pub mod accounts_api;
pub mod api;
pub mod applied_wait;
pub mod as_of_param;
pub mod auth;
pub mod body_limit;
pub mod cross_site;
pub mod herd_as_of_api;
pub mod long_requests;
pub mod openapi;
pub mod operations_api;
pub mod responses;
pub mod router;
pub mod server_state;
pub mod site_assets;
pub mod source_address;
pub mod ws;
