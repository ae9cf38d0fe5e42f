//! A row of buttons, each opening one action below it, one at a time: the animal page's
//! forms take no room until the user picks one.
use leptos::prelude::*;
use std::collections::HashMap;

/// Which action each bar has open, by the bar's scope ("cattle-42"), kept across the
/// re-renders live updates cause: a form stays open while its event is applied.
#[derive(Clone, Copy)]
pub struct OpenActions(RwSignal<HashMap<String, &'static str>>);

impl OpenActions {
    /// No bar has anything open.
    pub fn new() -> Self {
        Self(RwSignal::new(HashMap::new()))
    }
}

impl Default for OpenActions {
    fn default() -> Self {
        Self::new()
    }
}

/// One action of a bar.
pub struct BarAction {
    /// What the action opens is named by (the command's wire name for a single form).
    pub key: &'static str,
    /// The button's words.
    pub label: &'static str,
    /// What opens: the action's forms.
    pub view: AnyView,
}

impl BarAction {
    /// An action opening `view` from a button reading `label`.
    pub fn new(key: &'static str, label: &'static str, view: impl IntoView + 'static) -> Self {
        Self {
            key,
            label,
            view: view.into_any(),
        }
    }
}

/// The buttons, then the open action's forms (the others stay in the page, hidden, so what
/// was typed in them is kept).
#[component]
pub fn ActionBar(
    /// Names the bar for `OpenActions` (one bar per animal).
    scope: String,
    /// The actions, in the order of their buttons.
    actions: Vec<BarAction>,
) -> impl IntoView {
    let opened = use_context::<OpenActions>().unwrap_or_default().0;
    let open_key = {
        let scope = scope.clone();
        Memo::new(move |_| opened.with(|open| open.get(&scope).copied()))
    };
    let toggle = move |key: &'static str| {
        opened.update(|open| {
            if open.get(&scope) == Some(&key) {
                open.remove(&scope);
            } else {
                open.insert(scope.clone(), key);
            }
        });
    };
    let buttons = actions
        .iter()
        .map(|action| {
            let (key, label) = (action.key, action.label);
            let toggle = toggle.clone();
            view! {
                <button
                    type="button"
                    class="action-button"
                    data-opens=key
                    aria-expanded=move || (open_key.get() == Some(key)).to_string()
                    on:click=move |_| toggle(key)
                >
                    {label}
                </button>
            }
        })
        .collect_view();
    let panes = actions
        .into_iter()
        .map(|action| {
            let key = action.key;
            view! {
                <div class="action-pane" data-action=key hidden=move || open_key.get() != Some(key)>
                    {action.view}
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="action-bar" role="toolbar" aria-label="Actions" data-testid="action-bar">
            {buttons}
        </div>
        {panes}
    }
}
