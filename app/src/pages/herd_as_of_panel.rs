//! The dashboard's "The herd as it was": a day picked, the server works the herd's figures
//! out again from every animal's signed events up to the end of that day, and the panel
//! follows the job's progress bar to the figures.
use crate::components::{FigureNames, HerdFigureCards};
use crate::model::{readable_instant, CommandFailure, HerdAsOfRun, HerdAsOfState};
use crate::server_fns::{flat, herd_as_of, start_herd_as_of};
use leptos::prelude::*;
use std::time::Duration;

/// How often a running job is read again.
const FOLLOW_EVERY: Duration = Duration::from_millis(400);

const AS_OF_NAMES: FigureNames = FigureNames {
    head: "as-of-head-count",
    value: "as-of-herd-value",
    by_status: "as-of-by-status",
    by_breed: "as-of-by-breed",
    by_risk: "as-of-by-risk",
    empty: "No animals then.",
};

/// What the user sees of a refusal to start: the message on `asOf`, or the refusal itself.
fn refusal_words(failure: &CommandFailure) -> String {
    match failure {
        CommandFailure::Invalid { errors } => errors
            .iter()
            .map(|error| error.message.clone())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// The panel.
#[component]
pub fn HerdAsOfPanel() -> impl IntoView {
    let day = RwSignal::new(String::new());
    let job = RwSignal::new(None::<HerdAsOfRun>);
    let refusal = RwSignal::new(None::<String>);
    let start = Action::new(move |day: &String| {
        let day = day.clone();
        async move { flat(start_herd_as_of(day).await) }
    });
    Effect::new(move |_| match start.value().get() {
        Some(Ok(run)) => {
            refusal.set(None);
            job.set(Some(run));
        }
        Some(Err(failure)) => refusal.set(Some(refusal_words(&failure))),
        None => {}
    });
    // While the job runs, read it again a little later; each answer schedules the next.
    Effect::new(move |_| {
        let Some(run) = job.get() else { return };
        if run.state != HerdAsOfState::Running {
            return;
        }
        set_timeout(
            move || {
                leptos::task::spawn_local(async move {
                    match flat(herd_as_of(run.job_id.clone()).await) {
                        Ok(Some(latest)) => {
                            refusal.set(None);
                            job.set(Some(latest));
                        }
                        Ok(None) => {
                            job.set(None);
                            refusal.set(Some(
                                "The server no longer knows this job (it restarted); ask again."
                                    .into(),
                            ));
                        }
                        // Not reached this time: said, and asked again a little later.
                        Err(failure) => {
                            refusal.set(Some(failure.to_string()));
                            job.set(Some(run));
                        }
                    }
                });
            },
            FOLLOW_EVERY,
        );
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        start.dispatch(day.get_untracked());
    };
    view! {
        <div class="panel wide" data-testid="herd-as-of">
            <h2>"The herd as it was"</h2>
            <p class="muted small">
                "Pick a day: the figures are worked out again from every animal's signed events up "
                "to the end of that day (UTC). A farmer's herd is the animals their clients owned then."
            </p>
            <form class="filters as-of-form" on:submit=submit>
                <label>
                    "As of "
                    <input type="date" name="asOf" required data-testid="as-of-day"
                        prop:value=move || day.get()
                        on:input=move |ev| day.set(event_target_value(&ev))/>
                </label>
                <button type="submit" data-testid="show-herd-as-of"
                    disabled=move || start.pending().get()
                        || job.with(|j| j.as_ref().is_some_and(|j| j.state == HerdAsOfState::Running))>
                    "Show the herd then"
                </button>
            </form>
            {move || refusal.get().map(|words| view! {
                <p class="field-error" role="alert" data-testid="as-of-error">{words}</p>
            })}
            {move || job.get().map(|run| view! { <JobView run/> })}
        </div>
    }
}

#[component]
fn JobView(run: HerdAsOfRun) -> impl IntoView {
    let percent = run.percent();
    let state = run.state.word();
    let body = match (run.state, run.figures.clone()) {
        (HerdAsOfState::Finished, Some(figures)) => view! {
            <p class="muted" data-testid="as-of-caption">
                "At the end of " {run.as_of.clone()} " (" {readable_instant(&run.as_of_instant)} "), from "
                {run.done} " events:"
            </p>
            <HerdFigureCards figures names=AS_OF_NAMES/>
        }
        .into_any(),
        (HerdAsOfState::Failed, _) => view! {
            <p class="error-state" role="alert">
                "The herd could not be worked out: " {run.error.clone().unwrap_or_default()}
            </p>
        }
        .into_any(),
        _ => view! {
            <p class="muted">
                "Reading " {run.done.min(run.total.max(run.done))} " of " {run.total} " events…"
            </p>
        }
        .into_any(),
    };
    view! {
        <div data-testid="as-of-job" data-state=state>
            <progress max="100" value=percent data-testid="as-of-progress"></progress>
            <span data-testid="as-of-percent">{format!(" {percent} %")}</span>
            {body}
        </div>
    }
}
