//! The users page (administrators): every account with its role and state; making one,
//! changing a role, disabling and enabling, a new signing key, resetting a forgotten
//! password. Every change is checked again on the server, and a refusal shows beside the
//! field it concerns.
use crate::components::{SignedInOnly, TextField};
use crate::model::{readable_day, CommandFailure, SignedInUser, UserAccount};
use crate::server_fns::{
    create_account, flat, reset_account_password, rotate_account_key, set_account_disabled,
    set_account_role, user_accounts,
};
use domain::{FieldError, Role};
use leptos::prelude::*;

/// The users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    view! { <SignedInOnly render=|user| view! { <UsersFor user/> }/> }
}

/// The word for a role in a sentence.
fn role_word(role: Role) -> &'static str {
    match role {
        Role::Farmer => "farmer",
        Role::Assessor => "assessor",
        Role::Admin => "administrator",
    }
}

/// "a farmer", "an assessor".
fn a_role(role: Role) -> String {
    let word = role_word(role);
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word}")
}

/// The errors a refusal names by field, or `None` for one that names no field.
fn field_errors(failure: &CommandFailure) -> Option<Vec<FieldError>> {
    match failure {
        CommandFailure::Invalid { errors } => Some(errors.clone()),
        CommandFailure::Rejected {
            field: Some(field),
            message,
            ..
        } => Some(vec![FieldError::new(field.clone(), message.clone())]),
        _ => None,
    }
}

#[component]
fn UsersFor(user: SignedInUser) -> impl IntoView {
    if user.role != Role::Admin {
        return view! {
            <p class="error-state" role="alert" data-testid="forbidden">
                "Only administrators manage users."
            </p>
        }
        .into_any();
    }
    // Bumped after every change, so the list is read again.
    let tick = RwSignal::new(0u64);
    let said = RwSignal::new(None::<String>);
    let accounts = Resource::new(
        move || tick.get(),
        |_| async { flat(user_accounts().await) },
    );
    let me = user.username.clone();
    view! {
        <section class="page users" data-testid="users">
            <div class="page-head">
                <h1>"Users"</h1>
                <span class="muted">"Who may sign in, and what they do"</span>
            </div>
            <NewAccountForm tick said/>
            <p class="ok" data-testid="users-said" role="status">{move || said.get()}</p>
            <Transition fallback=|| view! { <p class="loading">"Reading the users…"</p> }>
                {move || {
                    let me = me.clone();
                    Suspend::new(async move {
                        match accounts.await {
                            Ok(list) => view! { <AccountTable list me tick said/> }.into_any(),
                            Err(failure) => view! {
                                <p class="error-state" role="alert">
                                    "The users could not be read: " {failure.to_string()}
                                </p>
                            }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
    .into_any()
}

/// A role chooser; `on_choose`, when given, hears each role picked.
#[component]
fn RoleChoice(
    id: String,
    name: &'static str,
    value: RwSignal<Role>,
    #[prop(optional)] disabled: Option<Signal<bool>>,
    #[prop(optional)] on_choose: Option<Callback<Role>>,
) -> impl IntoView {
    view! {
        <select
            id=id
            name=name
            prop:value=move || value.get().as_str()
            prop:disabled=move || disabled.is_some_and(|d| d.get())
            on:change=move |ev| {
                if let Some(role) = Role::parse(&event_target_value(&ev)) {
                    value.set(role);
                    if let Some(on_choose) = on_choose {
                        on_choose.run(role);
                    }
                }
            }
        >
            {Role::ALL
                .iter()
                .map(|role| view! { <option value=role.as_str()>{role_word(*role)}</option> })
                .collect_view()}
        </select>
    }
}

#[component]
fn NewAccountForm(tick: RwSignal<u64>, said: RwSignal<Option<String>>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Farmer);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let problem = RwSignal::new(None::<String>);
    let create = Action::new(|(username, password, role): &(String, String, Role)| {
        let (username, password, role) = (username.clone(), password.clone(), *role);
        async move { flat(create_account(username, password, role).await) }
    });
    Effect::new(move |_| match create.value().get() {
        Some(Ok(created)) => {
            said.set(Some(format!(
                "Made {}: they can sign in now as {}.",
                created.username,
                a_role(created.role)
            )));
            username.set(String::new());
            password.set(String::new());
            tick.update(|t| *t += 1);
        }
        Some(Err(failure)) => match field_errors(&failure) {
            Some(found) => errors.set(found),
            None => problem.set(Some(failure.to_string())),
        },
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        problem.set(None);
        said.set(None);
        create.dispatch((
            username.get_untracked().trim().to_lowercase(),
            password.get_untracked(),
            role.get_untracked(),
        ));
    };
    let role_errors = move || {
        errors
            .get()
            .into_iter()
            .find(|e| e.field == "role")
            .map(|e| e.message)
    };
    view! {
        <div class="panel">
            <h2>"New user"</h2>
            <form class="command-form account-form" data-testid="new-user-form" on:submit=on_submit novalidate>
                <TextField name="username" label="Username" placeholder="jo.farmer" value=username errors/>
                <TextField name="password" label="First password" kind="password" autocomplete="new-password" value=password errors/>
                <div class="field">
                    <label for="field-new-role">"Role"</label>
                    <RoleChoice id="field-new-role".to_string() name="role" value=role/>
                    <p class="field-error" data-error-for="role" role="alert">{role_errors}</p>
                </div>
                <button type="submit" disabled=move || create.pending().get()>"Make user"</button>
                <p class="error-state" role="alert">{move || problem.get()}</p>
            </form>
        </div>
    }
}

#[component]
fn AccountTable(
    list: Vec<UserAccount>,
    me: String,
    tick: RwSignal<u64>,
    said: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="panel">
            <table class="herd accounts" data-testid="accounts">
                <thead>
                    <tr><th>"User"</th><th>"Role"</th><th>"State"</th><th>"Made"</th><th>"Actions"</th></tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|account| {
                            let own = account.username == me;
                            view! { <AccountRow account own tick said/> }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// What an administrator changes on one account.
#[derive(Clone)]
enum AccountChange {
    Role(Role),
    Disabled(bool),
    Password(String),
    NewKey,
}

#[component]
fn AccountRow(
    account: UserAccount,
    own: bool,
    tick: RwSignal<u64>,
    said: RwSignal<Option<String>>,
) -> impl IntoView {
    let username = account.username.clone();
    let role = RwSignal::new(account.role);
    let resetting = RwSignal::new(false);
    let new_password = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let problem = RwSignal::new(None::<String>);
    let change = Action::new({
        let username = username.clone();
        move |change: &AccountChange| {
            let (username, change) = (username.clone(), change.clone());
            async move {
                let answer = match &change {
                    AccountChange::Role(role) => set_account_role(username, *role).await,
                    AccountChange::Disabled(disabled) => {
                        set_account_disabled(username, *disabled).await
                    }
                    AccountChange::Password(password) => {
                        reset_account_password(username, password.clone()).await
                    }
                    AccountChange::NewKey => rotate_account_key(username).await,
                };
                (change, flat(answer))
            }
        }
    });
    let (name, was) = (username.clone(), account.role);
    Effect::new(move |_| match change.value().get() {
        Some((done, Ok(()))) => {
            said.set(Some(match done {
                AccountChange::Role(role) => format!("{name} is now {}.", a_role(role)),
                AccountChange::Disabled(true) => {
                    format!("{name} is disabled: their sessions ended and they cannot sign in.")
                }
                AccountChange::Disabled(false) => format!("{name} can sign in again."),
                AccountChange::Password(_) => format!(
                    "{name}'s password is reset: they choose their own when they next sign in."
                ),
                AccountChange::NewKey => format!(
                    "{name} signs with a new key from now; the old one is revoked, and what it \
                     signed before still verifies."
                ),
            }));
            resetting.set(false);
            new_password.set(String::new());
            tick.update(|t| *t += 1);
        }
        Some((refused, Err(failure))) => {
            if let AccountChange::Role(_) = refused {
                role.set(was);
            }
            match field_errors(&failure) {
                Some(found) => errors.set(found),
                None => problem.set(Some(failure.to_string())),
            }
        }
        None => {}
    });
    let clear = move || {
        errors.set(Vec::new());
        problem.set(None);
        said.set(None);
    };
    // A role picked in the row is sent at once.
    let choose_role = Callback::new(move |chosen: Role| {
        clear();
        change.dispatch(AccountChange::Role(chosen));
    });
    let disabled = account.disabled;
    let state = if disabled {
        "Disabled"
    } else if account.must_change_password {
        "Chooses a new password at sign-in"
    } else {
        "Active"
    };
    let made = match &account.created_by {
        Some(by) => format!("{} by {by}", readable_day(&account.created_at)),
        None => readable_day(&account.created_at),
    };
    let on_reset = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        clear();
        change.dispatch(AccountChange::Password(new_password.get_untracked()));
    };
    let row_problem = move || {
        errors
            .get()
            .into_iter()
            .filter(|e| e.field != "password")
            .map(|e| e.message)
            .chain(problem.get())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let busy = Signal::derive(move || change.pending().get());
    let reset_id = format!("reset-{username}");
    view! {
        <tr data-testid="account" data-username=username.clone() data-disabled=disabled.to_string()>
            <td>
                <strong>{username.clone()}</strong>
                {own.then(|| view! { <span class="muted small">" (you)"</span> })}
                <div class="muted small">{account.user_id.clone()}</div>
            </td>
            <td>
                {if own {
                    view! { <span>{role_word(account.role)}</span> }.into_any()
                } else {
                    let id = format!("role-{username}");
                    view! {
                        <label class="visually-hidden" for=id.clone()>{format!("Role of {username}")}</label>
                        <RoleChoice id name="role" value=role disabled=busy on_choose=choose_role/>
                    }.into_any()
                }}
            </td>
            <td data-testid="account-state">{state}</td>
            <td class="small">{made}</td>
            <td>
                <div class="account-actions">
                    {(!own).then(|| view! {
                        <button class="switch" data-testid="toggle-disabled" disabled=move || busy.get()
                            on:click=move |_| { clear(); change.dispatch(AccountChange::Disabled(!disabled)); }>
                            {if disabled { "Enable" } else { "Disable" }}
                        </button>
                        {(!disabled).then(|| view! {
                            <button class="switch" data-testid="new-key" disabled=move || busy.get()
                                on:click=move |_| { clear(); change.dispatch(AccountChange::NewKey); }>
                                "New signing key"
                            </button>
                        })}
                        <button class="switch" data-testid="reset-password" disabled=move || busy.get()
                            on:click=move |_| resetting.update(|open| *open = !*open)>
                            "Reset password"
                        </button>
                        <Show when=move || resetting.get()>
                            <form class="command-form reset-form" data-testid="reset-form" on:submit=on_reset novalidate>
                                <TextField name="password" id=reset_id.clone() label="New password (they replace it at sign-in)" kind="password" autocomplete="new-password" value=new_password errors/>
                                <button type="submit" disabled=move || busy.get()>"Set password"</button>
                            </form>
                        </Show>
                    })}
                </div>
                <p class="error-state small" role="alert" data-testid="account-error">{row_problem}</p>
            </td>
        </tr>
    }
}
