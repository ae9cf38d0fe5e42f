use crate::components::{CurrentUser, FormMemory, LiveConnection, OpenActions, SearchBox};
use crate::live_bus::LiveBus;
use crate::outbox::Outbox;
use crate::pages::{
    AnimalPage, DashboardPage, FraudDeskLink, FraudDeskPage, HerdImportPage, HerdPage,
    OperationsPage, OutboxLink, OutboxPage, PasswordPage, ScoringPage, SearchPage, SignInPage,
    UsersPage,
};
use crate::server_fns::{current_user, flat, sign_out};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, StaticSegment,
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

/// The iCattle app: navigation, the live connection and the routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, so this marks the moment hydration finished.
    Effect::new(move |_| hydrated.set(true));
    let user: CurrentUser = Resource::new(|| (), |_| async { flat(current_user().await) });
    provide_context(user);
    let bus = LiveBus::new();
    provide_context(bus);
    provide_context(FormMemory::new());
    provide_context(OpenActions::new());
    provide_context(Outbox::new());
    // The service worker keeps the app and the pages opened, so a farmer with no signal
    // can still open them and fill in forms.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let _ = window().navigator().service_worker().register("/sw.js");
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/icattle.css"/>
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Title text="iCattle"/>
        <Router>
            <header class="topbar">
                <a class="brand" href="/">"iCattle"</a>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(Some(user)) => view! { <SignedInBar user bus/> }.into_any(),
                            _ => view! {
                                <span class="tagline">"Livestock registry with a verifiable history"</span>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </header>
            <main class="content" data-hydrated=move || hydrated.get().then_some("true")>
                <Routes fallback=|| view! { <p class="empty">"There is no page here."</p> }>
                    <Route path=StaticSegment("") view=DashboardPage/>
                    <Route path=StaticSegment("herd") view=HerdPage/>
                    <Route path=StaticSegment("import") view=HerdImportPage/>
                    <Route path=path!("/cattle/:id") view=AnimalPage/>
                    <Route path=StaticSegment("sign-in") view=SignInPage/>
                    <Route path=StaticSegment("password") view=PasswordPage/>
                    <Route path=StaticSegment("operations") view=OperationsPage/>
                    <Route path=StaticSegment("users") view=UsersPage/>
                    <Route path=StaticSegment("fraud") view=FraudDeskPage/>
                    <Route path=StaticSegment("search") view=SearchPage/>
                    <Route path=StaticSegment("outbox") view=OutboxPage/>
                    <Route path=StaticSegment("scoring") view=ScoringPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Navigation, the live indicator and the user's name with a sign-out button.
#[component]
fn SignedInBar(user: crate::model::SignedInUser, bus: LiveBus) -> impl IntoView {
    let leave = Action::new(|_: &()| sign_out());
    Effect::new(move |_| {
        if leave.value().get().is_some() {
            #[cfg(feature = "hydrate")]
            forget_pages_then_leave();
        }
    });
    let outbox = use_context::<Outbox>().unwrap_or_default();
    let owner = user.username.clone();
    Effect::new(move |_| outbox.open_for(owner.clone()));
    let role = user.role.as_str().to_lowercase();
    let role_attr = role.clone();
    view! {
        <nav class="nav">
            <a href="/">"Dashboard"</a>
            <a href="/herd">"Herd"</a>
            {(user.role == domain::Role::Farmer).then(|| view! { <a href="/import">"Import"</a> })}
            {matches!(user.role, domain::Role::Assessor | domain::Role::Admin).then(|| view! { <FraudDeskLink/> })}
            {(user.role == domain::Role::Admin).then(|| view! {
                <a href="/operations">"Operations"</a>
                <a href="/users">"Users"</a>
            })}
            <OutboxLink/>
        </nav>
        <SearchBox/>
        <div class="who">
            // Live updates start once a printed password is replaced (the socket refuses before).
            {(!user.must_change_password).then(|| view! { <LiveConnection on_update=move |update| bus.push(update)/> })}
            <a class="user" href="/password" title="Change your password" data-testid="user" data-role=role_attr>
                {user.username} <span class="role">{role}</span>
            </a>
            <button class="link" data-testid="sign-out" on:click=move |_| { leave.dispatch(()); }>
                "Sign out"
            </button>
        </div>
    }
}

/// The pages the service worker kept show this user's herd: they go with the session, so
/// the next person on a shared device cannot open them offline. The outbox stays: its
/// commands are sent when their owner signs in again.
#[cfg(feature = "hydrate")]
fn forget_pages_then_leave() {
    leptos::task::spawn_local(async {
        if let Ok(caches) = window().caches() {
            let _ = wasm_bindgen_futures::JsFuture::from(caches.delete(PAGE_CACHE)).await;
        }
        let _ = window().location().set_href("/sign-in");
    });
}

/// The service worker's cache of pages (`public/sw.js` names it too).
#[cfg(feature = "hydrate")]
const PAGE_CACHE: &str = "icattle-pages";
