use crate::model::Tally;
use leptos::prelude::*;

pub use domain::dollars;

/// Horizontal bars, one per tally, drawn as SVG; an empty list shows `empty`.
#[component]
pub fn BarChart(
    /// What is counted.
    tallies: Vec<Tally>,
    /// The chart's accessible name and test id.
    name: &'static str,
    /// What to say when there is nothing to count.
    empty: &'static str,
) -> impl IntoView {
    if tallies.is_empty() {
        return view! { <p class="empty" data-chart=name>{empty}</p> }.into_any();
    }
    let max = tallies.iter().map(|t| t.count).max().unwrap_or(1).max(1) as f64;
    let row = 26.0;
    let height = row * tallies.len() as f64;
    let bars = tallies
        .into_iter()
        .enumerate()
        .map(|(i, tally)| {
            let y = i as f64 * row;
            let width = 60.0 * tally.count as f64 / max;
            let class = format!("bar bar-{}", tally.label.to_lowercase().replace(' ', "-"));
            view! {
                <g data-label=tally.label.clone() data-count=tally.count>
                    <text x="0" y=y + 17.0 class="bar-label">{tally.label.clone()}</text>
                    <rect x="35%" y=y + 4.0 width=format!("{width:.1}%") height=row - 8.0 rx="3" class=class/>
                    <text x=format!("{:.1}%", 36.0 + width) y=y + 17.0 class="bar-value">{tally.count}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart bars" data-chart=name role="img" aria-label=name
            width="100%" height=height>
            {bars}
        </svg>
    }
    .into_any()
}

/// A line over time (e.g. the herd's value by day), drawn as SVG with its first and last
/// values written out.
#[component]
pub fn TrendChart(
    /// `(label, value in cents)`, oldest first.
    points: Vec<(String, i64)>,
    /// The chart's accessible name and test id.
    name: &'static str,
    /// What to say when there is nothing to draw.
    empty: &'static str,
    /// How a value reads (dollars unless told).
    #[prop(default = dollars)]
    shown_as: fn(i64) -> String,
) -> impl IntoView {
    if points.is_empty() {
        return view! { <p class="empty" data-chart=name>{empty}</p> }.into_any();
    }
    let (w, h, pad) = (600.0_f64, 180.0_f64, 24.0_f64);
    let max = points.iter().map(|p| p.1).max().unwrap_or(0) as f64;
    let min = points.iter().map(|p| p.1).min().unwrap_or(0).min(0) as f64;
    let span = (max - min).max(1.0);
    let step = if points.len() > 1 {
        (w - 2.0 * pad) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let xy: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = pad
                + step * i as f64
                + if points.len() == 1 {
                    (w - 2.0 * pad) / 2.0
                } else {
                    0.0
                };
            let y = h - pad - (p.1 as f64 - min) / span * (h - 2.0 * pad);
            (x, y)
        })
        .collect();
    let line = xy
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let first = points.first().map(|p| (p.0.clone(), shown_as(p.1)));
    let last = points.last().map(|p| (p.0.clone(), shown_as(p.1)));
    let dots = xy
        .iter()
        .zip(points.iter())
        .map(|((x, y), p)| {
            view! { <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="4" class="dot"><title>{format!("{}: {}", p.0, shown_as(p.1))}</title></circle> }
        })
        .collect_view();
    view! {
        <figure class="trend" data-chart=name data-points=points.len()>
            <svg class="chart line" role="img" aria-label=name viewBox=format!("0 0 {w} {h}")>
                <line x1=pad y1=h - pad x2=w - pad y2=h - pad class="axis"/>
                <polyline points=line class="trend-line" fill="none"/>
                {dots}
            </svg>
            <figcaption class="muted">
                {first.map(|(day, value)| format!("{day}: {value}"))}
                " → "
                {last.map(|(day, value)| format!("{day}: {value}"))}
            </figcaption>
        </figure>
    }
    .into_any()
}
