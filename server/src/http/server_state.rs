//! What every request handler can reach: the registry's one door, live push, Leptos' options.
use super::long_requests::LongRequests;
use crate::live::LiveHub;
use crate::registry_office::RegistryOffice;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

/// The state the router hands each handler.
#[derive(Clone)]
pub struct ServerState {
    /// Leptos' options (site root, output name, address).
    pub leptos: LeptosOptions,
    /// Sessions, commands and reads, each checked against the user.
    pub office: RegistryOffice,
    /// Live push.
    pub hub: LiveHub,
    /// The open long requests of each user.
    pub long_requests: LongRequests,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos.clone()
    }
}
