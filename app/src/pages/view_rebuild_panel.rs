//! The operations page's "Rebuild a view": starts a blue/green rebuild on the server and
//! follows it (events done of the log's total, rate, time left) until the rebuilt copy
//! replaces the live view, with a button to cancel it before then.
use crate::model::{readable_instant, RebuildState, ViewName, ViewRebuild};
use crate::server_fns::{cancel_view_rebuild, flat, rebuild_view, view_rebuilds, Answer};
use leptos::prelude::*;

type RebuildAction = Action<ViewName, Answer<ViewRebuild>>;

/// The panel; `tick` moves when the page reads the server again.
#[component]
pub fn ViewRebuildPanel(tick: RwSignal<u64>) -> impl IntoView {
    let rebuilds = Resource::new(
        move || tick.get(),
        |_| async { flat(view_rebuilds().await) },
    );
    let start = Action::new(move |view: &ViewName| {
        let view = *view;
        async move {
            let answer = flat(rebuild_view(view).await);
            tick.update(|t| *t += 1);
            answer
        }
    });
    let cancel = Action::new(move |view: &ViewName| {
        let view = *view;
        async move {
            let answer = flat(cancel_view_rebuild(view).await);
            tick.update(|t| *t += 1);
            answer
        }
    });
    let refusal = move || {
        let failed = |action: RebuildAction| action.value().get().and_then(Result::err);
        failed(start)
            .or_else(|| failed(cancel))
            .map(|failure| view! { <p class="error-state" role="alert">{failure.to_string()}</p> })
    };
    view! {
        <div class="panel" data-testid="view-rebuilds">
            <h2>"Rebuild a view"</h2>
            <p class="muted small">
                "Replays the whole cattle log into a fresh copy beside the live view, which keeps "
                "serving; when the copy has caught up it replaces the live view at once (the tables "
                "in one transaction; the cache's keys, the search index and the audit archive as a "
                "new generation) and the old one is dropped. Nobody sees an empty or half-built view."
            </p>
            {refusal}
            <Transition fallback=|| view! { <p class="loading">"Reading the rebuilds…"</p> }>
                {move || Suspend::new(async move {
                    match rebuilds.await {
                        Ok(runs) if runs.is_empty() => view! {
                            <p class="muted">"No view runs in this instance, so none can be rebuilt here."</p>
                        }.into_any(),
                        Ok(runs) => runs.into_iter()
                            .map(|run| view! { <RebuildRow run start cancel/> })
                            .collect_view()
                            .into_any(),
                        Err(failure) => view! {
                            <p class="error-state" role="alert">{failure.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// "3 min 20 s" for people.
fn duration_words(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3599 => format!("{} min {} s", seconds / 60, seconds % 60),
        _ => format!("{} h {} min", seconds / 3600, (seconds % 3600) / 60),
    }
}

fn state_sentence(run: &ViewRebuild) -> String {
    match run.state {
        RebuildState::NeverRun => "not rebuilt since the server started".into(),
        RebuildState::Running => {
            let left = run
                .seconds_left
                .map(|s| format!(", about {} left", duration_words(s)))
                .unwrap_or_default();
            let resumed = if run.resumed_from > 0 {
                format!(
                    " (went on from the {} events an interrupted copy held)",
                    run.resumed_from
                )
            } else {
                String::new()
            };
            format!(
                "replaying: {} of {} events, {:.0} a second{left}{resumed}",
                run.done, run.total, run.per_second
            )
        }
        RebuildState::Swapping => "caught up: replacing the live view".into(),
        RebuildState::Finished => format!(
            "rebuilt from {} events and swapped in at {}",
            run.done,
            run.finished_at
                .as_deref()
                .map(readable_instant)
                .unwrap_or_default()
        ),
        RebuildState::Cancelled => "cancelled; the live view was not touched".into(),
        RebuildState::Failed => format!(
            "failed, the live view was not touched: {}",
            run.error.clone().unwrap_or_default()
        ),
    }
}

#[component]
fn RebuildRow(run: ViewRebuild, start: RebuildAction, cancel: RebuildAction) -> impl IntoView {
    let view_name = run.view;
    let active = run.state.is_active();
    let percent = run.percent();
    let sentence = state_sentence(&run);
    let label = view_name.as_str().replace('_', " ");
    view! {
        <div class="rebuild" data-testid="view-rebuild" data-view=view_name.as_str()>
            <div class="verification-run">
                <strong>{label}</strong>
                <button class="switch" data-testid="rebuild-view"
                    disabled=move || active || start.pending().get()
                    on:click=move |_| { start.dispatch(view_name); }>
                    "Rebuild"
                </button>
                <progress max="100" value=percent data-testid="rebuild-progress"></progress>
                <span data-testid="rebuild-percent">{format!("{percent} %")}</span>
                {(run.state == RebuildState::Running).then(|| view! {
                    <button class="switch" data-testid="cancel-rebuild"
                        disabled=move || cancel.pending().get()
                        on:click=move |_| { cancel.dispatch(view_name); }>
                        "Cancel"
                    </button>
                })}
            </div>
            <p data-testid="rebuild-state" data-state=run.state.word()>{sentence}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_as_people_say_it() {
        assert_eq!(duration_words(42), "42 s");
        assert_eq!(duration_words(200), "3 min 20 s");
        assert_eq!(duration_words(7260), "2 h 1 min");
    }
}
