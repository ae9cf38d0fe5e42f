//! The operations page's "Verify the whole log": starts a run on the server, follows its
//! progress bar, and lists what did not verify, each linked to its animal.
use crate::model::{BrokenEvent, LogVerificationRun, VerificationState};
use crate::server_fns::{flat, log_verification, verify_whole_log};
use leptos::prelude::*;

/// The panel; `tick` moves when the page reads the server again.
#[component]
pub fn LogVerificationPanel(tick: RwSignal<u64>) -> impl IntoView {
    let run = Resource::new(
        move || tick.get(),
        |_| async { flat(log_verification().await) },
    );
    let start = Action::new(move |_: &()| async move {
        let answer = flat(verify_whole_log().await);
        tick.update(|t| *t += 1);
        answer
    });
    let start_error =
        move || {
            start.value().get().and_then(Result::err).map(
                |failure| view! { <p class="error-state" role="alert">{failure.to_string()}</p> },
            )
        };
    view! {
        <div class="panel" data-testid="log-verification">
            <h2>"Verify the whole log"</h2>
            <p class="muted small">
                "Reads every event of the cattle log from its first offset and checks its hash, chain link, "
                "signature and author against the published keys, as the browser and "
                <code>"icattle verify"</code> " do, and holds every snapshot to the events it covers."
            </p>
            {start_error}
            <Transition fallback=|| view! { <p class="loading">"Reading the last run…"</p> }>
                {move || Suspend::new(async move {
                    match run.await {
                        Ok(run) => view! { <RunView run start/> }.into_any(),
                        Err(failure) => view! {
                            <p class="error-state" role="alert">{failure.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn RunView(
    run: LogVerificationRun,
    start: Action<(), crate::server_fns::Answer<LogVerificationRun>>,
) -> impl IntoView {
    let running = run.state == VerificationState::Running;
    let percent = run.percent();
    let state = match run.state {
        VerificationState::NeverRun => "not run since the server started".to_string(),
        VerificationState::Running => format!("checking: {} of {} events", run.checked, run.total),
        VerificationState::Finished if run.broken_count == 0 => {
            format!("all {} events verify", run.checked)
        }
        VerificationState::Finished => format!(
            "{} of {} events do not verify",
            run.broken_count, run.checked
        ),
        VerificationState::Failed => format!(
            "stopped after {} events: {}",
            run.checked,
            run.error.clone().unwrap_or_default()
        ),
    };
    let state_word = match run.state {
        VerificationState::NeverRun => "never-run",
        VerificationState::Running => "running",
        VerificationState::Finished => "finished",
        VerificationState::Failed => "failed",
    };
    view! {
        <div class="verification-run">
            <button class="switch" data-testid="verify-log"
                disabled=move || running || start.pending().get()
                on:click=move |_| { start.dispatch(()); }>
                "Verify the whole log"
            </button>
            <progress max="100" value=percent data-testid="verification-progress"></progress>
            <span data-testid="verification-percent">{format!("{percent} %")}</span>
        </div>
        <p data-testid="verification-state" data-state=state_word>{state}</p>
        {(!run.broken.is_empty()).then(|| view! {
            <ul class="broken" data-testid="broken-events">
                {run.broken.into_iter().map(|broken| view! { <BrokenRow broken/> }).collect_view()}
            </ul>
        })}
    }
}

#[component]
fn BrokenRow(broken: BrokenEvent) -> impl IntoView {
    let place = format!(
        "{} partition {} offset {}",
        broken.topic, broken.partition, broken.offset
    );
    let animal = broken.cattle_id.map(|id| {
        view! { <a href=format!("/cattle/{id}")>{format!("animal {id}")}</a> " " }
    });
    let id_attr = broken.event_id.clone().unwrap_or_default();
    let code_attr = broken.code.clone();
    let shown_id = broken.event_id.unwrap_or_else(|| "(unreadable)".into());
    view! {
        <li data-event-id=id_attr data-code=code_attr>
            <span class="badge broken">{broken.code}</span> " "
            {animal}
            <span class="mono small">{shown_id}</span>
            <span class="muted small">" · " {place} " · " {broken.reason}</span>
        </li>
    }
}
