//! iCattle's web app: pages, components and server functions. The same crate runs on the
//! server (feature `ssr`, rendering HTML) and in the browser (feature `hydrate`), so a
//! command is defined once, in `domain`, and validated alike on both sides.
#![recursion_limit = "256"]

pub mod browser_clock;
pub mod components;
pub mod live_bus;
pub mod model;
pub mod outbox;
pub mod pages;
pub mod refetch_pace;
#[cfg(feature = "ssr")]
pub mod registry;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod session_cookie;
mod shell;

pub use shell::{shell, App};
