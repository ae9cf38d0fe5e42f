//! The browser's monotonic clock, for rates and time left on progress bars only (never for
//! anything the registry keeps).

/// Milliseconds since the page opened; 0 on the server.
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window()
            .performance()
            .map_or(0.0, |clock| clock.now())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}
