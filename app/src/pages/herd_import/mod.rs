//! The import page (farmers): a herd file (the template offered here, or an NLIS herd
//! export) read in the browser with the registry's own rules, a preview with each row's
//! problems beside it, then the valid rows registered a few at a time with a progress bar,
//! and a report of what became of each row to download. Importing the same file again
//! creates nothing new: each row is answered with its first registration.
mod row_sending;

use crate::components::SignedInOnly;
use crate::model::{csv_data_url, ClientSummary, ImportProgress, SignedInUser};
use crate::server_fns::{client_list, flat, Answer};
use domain::herd_file::{
    import_report_csv, read_herd_file, HerdClient, HerdFile, HerdFileRow, RowOutcome,
    HERD_FILE_TEMPLATE,
};
use domain::Role;
use leptos::prelude::*;
use row_sending::start_import;
use std::sync::Arc;

/// Rows shown in the preview besides every row with a problem; the report has them all.
const ROWS_SHOWN: usize = 200;

/// The import page.
#[component]
pub fn HerdImportPage() -> impl IntoView {
    view! { <SignedInOnly render=|user| view! { <ImportFor user/> }/> }
}

/// What the page holds about the chosen file and its run.
#[derive(Clone, Copy)]
pub(super) struct ImportRun {
    /// The chosen file's text, or why it could not be read.
    text: RwSignal<Option<Result<String, String>>>,
    /// That text read as a herd file against the farmer's clients (once both are here).
    file: Memo<Option<Result<HerdFile, String>>>,
    pub(super) outcomes: RwSignal<Vec<Option<RowOutcome>>>,
    pub(super) progress: RwSignal<Option<ImportProgress>>,
    pub(super) stopped: RwSignal<Option<String>>,
}

impl ImportRun {
    fn new(clients: Resource<Answer<Vec<ClientSummary>>>) -> Self {
        let text = RwSignal::new(None::<Result<String, String>>);
        let file = Memo::new(move |_| {
            let text = text.get()?;
            let mine: Vec<HerdClient> = match clients.get()? {
                Ok(list) => list
                    .into_iter()
                    .filter(|client| client.mine)
                    .map(|client| HerdClient {
                        id: client.id,
                        pic: client.pic,
                    })
                    .collect(),
                Err(failure) => return Some(Err(failure.to_string())),
            };
            Some(text.and_then(|text| read_text(&text, &mine)))
        });
        Self {
            text,
            file,
            outcomes: RwSignal::new(Vec::new()),
            progress: RwSignal::new(None),
            stopped: RwSignal::new(None),
        }
    }

    /// A new file was chosen: whatever the last one did is forgotten.
    fn choose(&self, text: Result<String, String>) {
        self.outcomes.set(Vec::new());
        self.progress.set(None);
        self.stopped.set(None);
        self.text.set(Some(text));
    }

    fn running(&self) -> bool {
        self.progress
            .get()
            .is_some_and(|progress| progress.done < progress.total)
    }
}

/// The browser's text of a file (bytes it could not read as UTF-8 became U+FFFD).
fn read_text(text: &str, clients: &[HerdClient]) -> Result<HerdFile, String> {
    if text.contains('\u{FFFD}') {
        return Err(
            "the file is not UTF-8 text; save it as \"CSV UTF-8\" and choose it again".into(),
        );
    }
    read_herd_file(text.as_bytes(), clients).map_err(|error| error.to_string())
}

#[component]
fn ImportFor(user: SignedInUser) -> impl IntoView {
    if user.role != Role::Farmer {
        return view! {
            <p class="error-state" role="alert" data-testid="forbidden">
                "Only farmers import herds: an animal is registered by the farmer whose client owns it."
            </p>
        }
        .into_any();
    }
    let clients = Resource::new(|| (), |_| async { flat(client_list().await) });
    let run = ImportRun::new(clients);
    let chosen = move |text: Result<String, String>| run.choose(text);
    view! {
        <section class="page herd-import" data-testid="herd-import">
            <div class="page-head">
                <h1>"Import a herd"</h1>
                <span class="muted">"Register many animals from one file"</span>
            </div>
            <div class="panel">
                <p>
                    "Choose a CSV file with a header row: the NLIS ID, the PIC of the property "
                    "(one of your clients), the breed, the sex and, if known, the date of birth "
                    "(day first, 15/08/2024). An NLIS herd export works as it is. Every row is "
                    "checked before anything is sent; importing a file twice registers nothing twice."
                </p>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        clients.await.ok().map(|list| {
                            let pics: Vec<String> = list
                                .into_iter()
                                .filter(|client| client.mine)
                                .map(|client| format!("{} ({})", client.pic, client.name))
                                .collect();
                            view! {
                                <p class="muted small" data-testid="import-clients">
                                    {if pics.is_empty() {
                                        "Register a client first: each animal belongs to one of your clients.".to_string()
                                    } else {
                                        format!("Your clients' PICs: {}.", pics.join(", "))
                                    }}
                                </p>
                            }
                        })
                    })}
                </Transition>
                <p>
                    <a href=csv_data_url(HERD_FILE_TEMPLATE) download="herd-template.csv" data-testid="import-template">
                        "Download the template"
                    </a>
                </p>
                <label class="field">
                    <span>"Herd file"</span>
                    <input type="file" accept=".csv,text/csv" data-testid="import-file"
                        disabled=move || run.running()
                        on:change=move |ev| read_chosen_file(ev, chosen)/>
                </label>
            </div>
            {move || run.file.get().map(|read| match read {
                Ok(file) => view! { <FilePreview file run/> }.into_any(),
                Err(reason) => view! {
                    <p class="error-state" role="alert" data-testid="import-file-error">{reason}</p>
                }.into_any(),
            })}
        </section>
    }
    .into_any()
}

/// Reads the file chosen in the input `ev` came from, and hands its text to `chosen`.
#[allow(unused_variables)]
fn read_chosen_file(ev: leptos::ev::Event, chosen: impl Fn(Result<String, String>) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(file) = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|text| text.as_string())
                .ok_or_else(|| "the browser could not read the file; choose it again".to_string());
            chosen(text);
        });
    }
}

#[component]
fn FilePreview(file: HerdFile, run: ImportRun) -> impl IntoView {
    let total = file.rows.len();
    let valid = file.valid_rows();
    let ignored = (!file.ignored_columns.is_empty())
        .then(|| format!("Not read: the columns {}.", file.ignored_columns.join(", ")));
    let rows = Arc::new(file.rows);
    let send_rows = rows.clone();
    let start = move |_| start_import(&send_rows, run);
    let report_rows = rows.clone();
    view! {
        <div class="panel" data-testid="import-preview">
            <p data-testid="import-summary">
                {format!("{total} rows: {valid} ready to import, {} with problems", total - valid)}
                {(total > valid).then_some(" (they are not sent; the report lists them)")}
            </p>
            {ignored.map(|text| view! { <p class="muted small">{text}</p> })}
            <button class="primary" data-testid="import-send"
                disabled=move || valid == 0 || run.progress.get().is_some()
                on:click=start>
                {format!("Import {valid} animals")}
            </button>
            <ImportProgressBar run/>
            {move || finished(run).then(|| {
                let outcomes = run.outcomes.get();
                let pairs: Vec<(&HerdFileRow, &RowOutcome)> = report_rows
                    .iter()
                    .zip(outcomes.iter())
                    .filter_map(|(row, outcome)| Some((row, outcome.as_ref()?)))
                    .collect();
                view! {
                    <p data-testid="import-done" role="status">{tally(&outcomes)}</p>
                    <a href=csv_data_url(&import_report_csv(&pairs)) download="herd-import-report.csv" data-testid="import-report">
                        "Download the report"
                    </a>
                }
            })}
        </div>
        <PreviewTable rows run/>
    }
}

/// Whether every row has its outcome after a run.
fn finished(run: ImportRun) -> bool {
    run.progress.get().is_some() && !run.running()
}

fn tally(outcomes: &[Option<RowOutcome>]) -> String {
    let count = |word: &str| {
        outcomes
            .iter()
            .flatten()
            .filter(|outcome| outcome.word() == word)
            .count()
    };
    format!(
        "Imported {} · already registered {} · with problems {} · refused {} · not sent {}",
        count("imported"),
        count("already registered"),
        count("invalid"),
        count("refused"),
        count("not sent"),
    )
}

#[component]
fn ImportProgressBar(run: ImportRun) -> impl IntoView {
    move || {
        run.progress.get().map(|progress| {
            view! {
                <div class="import-progress" data-testid="import-progress">
                    <progress max="100" value=progress.percent()></progress>
                    <span class="muted small">{progress.describe()}</span>
                </div>
                {run.stopped.get().map(|reason| view! {
                    <p class="error-state" role="alert">{format!("Stopped sending: {reason}")}</p>
                })}
            }
        })
    }
}

#[component]
fn PreviewTable(rows: Arc<Vec<HerdFileRow>>, run: ImportRun) -> impl IntoView {
    let hidden = rows
        .iter()
        .enumerate()
        .filter(|(index, row)| *index >= ROWS_SHOWN && row.checked.is_ok())
        .count();
    let shown = move || {
        let outcomes = run.outcomes.get();
        rows.iter()
            .enumerate()
            .filter(|(index, row)| *index < ROWS_SHOWN || row.checked.is_err())
            .map(|(index, row)| {
                let outcome = outcomes.get(index).cloned().flatten();
                view! { <PreviewRow row=row.clone() outcome/> }
            })
            .collect_view()
    };
    view! {
        {(hidden > 0).then(|| view! {
            <p class="muted small" data-testid="import-rows-hidden">
                {format!(
                    "Showing the first {ROWS_SHOWN} rows and every row with a problem; the other {hidden} are counted above and listed in the report."
                )}
            </p>
        })}
        <div class="table-wrap">
            <table class="herd import-table" data-testid="import-rows">
                <thead>
                    <tr><th>"Line"</th><th>"NLIS ID"</th><th>"Breed"</th><th>"Sex"</th><th>"Born"</th><th>"Check"</th></tr>
                </thead>
                <tbody>{shown}</tbody>
            </table>
        </div>
    }
}

#[component]
fn PreviewRow(row: HerdFileRow, outcome: Option<RowOutcome>) -> impl IntoView {
    let (breed, sex, born) = match &row.checked {
        Ok(create) => (
            create.breed.clone(),
            create.sex.as_str().to_lowercase(),
            create.birth_date.clone().unwrap_or_default(),
        ),
        Err(_) => Default::default(),
    };
    let state = match (&outcome, &row.checked) {
        (Some(outcome), _) => outcome.word().replace(' ', "-"),
        (None, Ok(_)) => "ready".to_string(),
        (None, Err(_)) => "invalid".to_string(),
    };
    let check = match (&outcome, &row.checked) {
        (_, Err(errors)) => view! {
            <ul class="row-problems">
                {errors.iter().map(|e| view! { <li>{format!("{}: {}", e.field, e.message)}</li> }).collect_view()}
            </ul>
        }
        .into_any(),
        (Some(RowOutcome::Refused { reason }), _) | (Some(RowOutcome::NotSent { reason }), _) => {
            view! { <span class="error">{format!("{}: {reason}", outcome_word(&outcome))}</span> }.into_any()
        }
        (Some(done), _) => view! { <span class="ok">{done.word()}</span> }.into_any(),
        (None, Ok(_)) => view! { <span class="muted">"ready"</span> }.into_any(),
    };
    view! {
        <tr data-testid=format!("import-row-{}", row.line) data-state=state>
            <td>{row.line}</td>
            <td class="mono">{row.nlis_id}</td>
            <td>{breed}</td>
            <td>{sex}</td>
            <td>{born}</td>
            <td>{check}</td>
        </tr>
    }
}

fn outcome_word(outcome: &Option<RowOutcome>) -> &'static str {
    outcome.as_ref().map_or("", RowOutcome::word)
}
