//! The herd's head, value and its breakdowns by status, breed and risk, as cards and bar
//! charts: the live dashboard's and the herd as it was on a chosen day look alike.
use super::{dollars, BarChart};
use crate::model::HerdFigures;
use leptos::prelude::*;

/// The test ids and chart names of one showing of the figures (the dashboard shows two).
#[derive(Debug, Clone, Copy)]
pub struct FigureNames {
    /// The head count card.
    pub head: &'static str,
    /// The herd value card.
    pub value: &'static str,
    /// The status chart.
    pub by_status: &'static str,
    /// The breed chart.
    pub by_breed: &'static str,
    /// The risk chart.
    pub by_risk: &'static str,
    /// What a chart says with no animal to count.
    pub empty: &'static str,
}

/// The cards and the three charts.
#[component]
pub fn HerdFigureCards(figures: HerdFigures, names: FigureNames) -> impl IntoView {
    view! {
        <div class="cards">
            <div class="card" data-testid=names.head>
                <span class="card-label">"Head"</span>
                <span class="card-value">{figures.head_count}</span>
            </div>
            <div class="card" data-testid=names.value>
                <span class="card-label">"Herd value"</span>
                <span class="card-value">{dollars(figures.herd_value_cents)}</span>
            </div>
        </div>
        <div class="grid">
            <div class="panel">
                <h2>"By status"</h2>
                <BarChart tallies=figures.by_status name=names.by_status empty=names.empty/>
            </div>
            <div class="panel">
                <h2>"By breed"</h2>
                <BarChart tallies=figures.by_breed name=names.by_breed empty=names.empty/>
            </div>
            <div class="panel">
                <h2>"Risk"</h2>
                <BarChart tallies=figures.by_risk name=names.by_risk empty=names.empty/>
                <p class="muted small"><a href="/scoring">"How animals are scored"</a></p>
            </div>
        </div>
    }
}
