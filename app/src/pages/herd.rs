use crate::components::{HerdTable, LiveConnection, RegisterAnimalForm};
use crate::model::LiveUpdate;
use crate::server_fns::list_herd;
use leptos::prelude::*;

/// Whether an update changes what the herd table shows (it is read from the golden record).
fn refreshes_herd(update: &LiveUpdate) -> bool {
    matches!(update, LiveUpdate::CattleChanged { view, .. } if view == "golden_record")
}

/// The herd: every animal in the golden record, kept current over the WebSocket.
#[component]
pub fn HerdPage() -> impl IntoView {
    // Bumped by every live update and by our own submissions: the herd is fetched again.
    let herd_version = RwSignal::new(0u64);
    let herd = Resource::new(move || herd_version.get(), |_| list_herd());

    view! {
        <section class="page herd-page">
            <div class="page-head">
                <h1>"Herd"</h1>
                <LiveConnection on_update=move |update| {
                    if refreshes_herd(&update) {
                        herd_version.update(|v| *v += 1);
                    }
                }/>
            </div>
            <div class="columns">
                <div class="panel">
                    <h2>"Animals"</h2>
                    <Transition fallback=|| view! { <p class="loading">"Loading the herd…"</p> }>
                        {move || Suspend::new(async move {
                            match herd.await {
                                Ok(cattle) => view! { <HerdTable cattle/> }.into_any(),
                                Err(error) => view! {
                                    <p class="error-state" role="alert">
                                        "The herd could not be loaded: " {error.to_string()}
                                    </p>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
                <div class="panel">
                    <h2>"Register an animal"</h2>
                    <RegisterAnimalForm/>
                </div>
            </div>
        </section>
    }
}
