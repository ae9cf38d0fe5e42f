//! The clocks the pages read: the browser's monotonic clock for rates and time left on
//! progress bars, and today's date for what is still in force (never for anything the
//! registry keeps).

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

/// Today's UTC day ("YYYY-MM-DD"): the browser's clock in the browser, the server's when it
/// renders the page.
pub fn today() -> String {
    #[cfg(feature = "hydrate")]
    let millis = js_sys::Date::now() as i64;
    #[cfg(not(feature = "hydrate"))]
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64);
    domain::day_of_millis(millis)
}
