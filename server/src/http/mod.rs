//! The HTTP surface: the Leptos app, the JSON API and the WebSocket.
pub mod api;
pub mod openapi;
pub mod router;
pub mod ws;
