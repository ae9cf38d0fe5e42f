//! The operations page's consumer groups, as Kafka sees them: each group's state, its
//! members and the position it committed on the cattle log. The views read by assignment
//! from their own checkpoints and report their position to their group once a second, so
//! their groups stand `Empty` with no members; the views table above is their own truth.
use crate::model::ConsumerGroupStanding;
use crate::server_fns::{consumer_groups, flat};
use leptos::prelude::*;

/// The panel; `tick` moves when the page reads the server again.
#[component]
pub fn ConsumerGroupsPanel(tick: RwSignal<u64>) -> impl IntoView {
    let groups = Resource::new(
        move || tick.get(),
        |_| async { flat(consumer_groups().await) },
    );
    view! {
        <div class="panel" data-testid="consumer-groups">
            <h2>"Consumer groups"</h2>
            <p class="muted small">
                "What Kafka holds for each group of this deployment (as "
                <code>"kafka-consumer-groups.sh --describe"</code> " shows it), read at most every "
                "five seconds. The views read by assignment from their own checkpoints and report "
                "their position here once a second, so their groups stand Empty, with no members."
            </p>
            <Transition fallback=|| view! { <p class="loading">"Asking Kafka…"</p> }>
                {move || Suspend::new(async move {
                    match groups.await {
                        Ok(groups) if groups.is_empty() => view! {
                            <p class="muted">"Kafka holds no group of this deployment yet."</p>
                        }.into_any(),
                        Ok(groups) => view! {
                            <table class="herd" data-testid="consumer-group-list">
                                <thead><tr>
                                    <th>"Group"</th><th>"State"</th><th>"Members"</th>
                                    <th>"Committed"</th><th>"Behind (events)"</th>
                                </tr></thead>
                                <tbody>
                                    {groups.into_iter().map(|group| view! { <GroupRow group/> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
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
fn GroupRow(group: ConsumerGroupStanding) -> impl IntoView {
    let figure = |value: Option<i64>| value.map_or_else(|| "—".to_string(), |v| v.to_string());
    view! {
        <tr data-group=group.group.clone() data-state=group.state.clone()>
            <td class="mono">{group.group.clone()}</td>
            <td>{group.state.clone()}</td>
            <td>{group.members}</td>
            <td data-testid="group-committed">{figure(group.committed)}</td>
            <td data-testid="group-behind">{figure(group.behind)}</td>
        </tr>
    }
}
