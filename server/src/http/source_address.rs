//! Puts the address a request came from into its extensions as an `app` type, so the JSON
//! handlers and the server functions (which know no axum) read the same value.
use app::registry::SourceAddress;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;

/// The peer of the connection. Not `X-Forwarded-For`: anyone can write that header, and
/// the sign-in throttle must not be dodged by writing a new address into each request.
pub async fn remember_source(mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| SourceAddress(peer.ip()));
    if let Some(peer) = peer {
        request.extensions_mut().insert(peer);
    }
    next.run(request).await
}
