use crate::pages::HerdPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    StaticSegment,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The iCattle app: navigation and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, so this marks the moment hydration finished.
    Effect::new(move |_| hydrated.set(true));

    view! {
        <Stylesheet id="leptos" href="/pkg/icattle.css"/>
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Title text="iCattle"/>
        <Router>
            <header class="topbar">
                <a class="brand" href="/">"iCattle"</a>
                <span class="tagline">"Livestock registry with a verifiable history"</span>
            </header>
            <main class="content" data-hydrated=move || hydrated.get().then_some("true")>
                <Routes fallback=|| view! { <p class="empty">"There is no page here."</p> }>
                    <Route path=StaticSegment("") view=HerdPage/>
                </Routes>
            </main>
        </Router>
    }
}
