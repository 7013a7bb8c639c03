//! The Series view, the leak finder: goroutine snapshots of one process
//! side by side, their totals per state over time, and the matched groups
//! with suspects first, each saying why.

use std::rc::Rc;

use yew::prelude::*;

use super::group_table;

use super::hooks::{use_group_rows, use_query};
use super::WorkerHandle;
use crate::protocol::{Query, Reason, SeriesGroup, SeriesSummary, Severity, Verdict};
use crate::view::numbers::group_digits;
use crate::view::series::{bar_heights, state_chart};

#[derive(Properties, PartialEq)]
pub struct SeriesViewProps {
    pub worker: WorkerHandle,
    /// Bumped when a new series is opened.
    pub generation: u32,
}

/// Asks the worker for the series in the order the user arranges, and
/// shows it.
#[component]
pub fn SeriesView(props: &SeriesViewProps) -> Html {
    let summary = use_query::<Rc<SeriesSummary>>(&props.worker);
    // The user's order for one generation (indices as opened); another
    // series starts as opened.
    let moved = use_state(|| (0u32, Vec::<u32>::new()));
    let order = if moved.0 == props.generation {
        moved.1.clone()
    } else {
        Vec::new()
    };
    {
        let summary = summary.clone();
        use_effect_with((props.generation, order.clone()), move |(_, order)| {
            summary.fetch(
                Query::Series {
                    order: order.clone(),
                },
                Rc::new,
            );
            || ()
        });
    }
    if let Some(e) = summary.error() {
        return html! { <div class="banner error inline">{ e.to_string() }</div> };
    }
    let Some(s) = summary.value() else {
        return html! { <p class="muted">{ "Matching goroutines across snapshots…" }</p> };
    };
    let on_move = {
        let generation = props.generation;
        let n = s.snapshots.len();
        Callback::from(move |(from, to): (usize, usize)| {
            let mut o: Vec<u32> = if order.is_empty() {
                (0..n as u32).collect()
            } else {
                order.clone()
            };
            if from < o.len() && to < o.len() {
                o.swap(from, to);
                moved.set((generation, o));
            }
        })
    };
    html! { <SeriesSummaryView summary={s.clone()} on_move={Some(on_move)} /> }
}

#[derive(Properties, PartialEq)]
pub struct SeriesSummaryViewProps {
    pub summary: Rc<SeriesSummary>,
    /// Swap the snapshots at two positions; without it the order is fixed.
    #[prop_or_default]
    pub on_move: Option<Callback<(usize, usize)>>,
}

/// The series itself, apart from fetching it, so it can be tested alone.
#[component]
pub fn SeriesSummaryView(props: &SeriesSummaryViewProps) -> Html {
    let s = &props.summary;
    let group_rows = use_group_rows();
    let n = s.snapshots.len();

    let snapshots = s.snapshots.iter().enumerate().map(|(i, x)| {
        let mover = |to: Option<usize>, label: &'static str, title: &'static str| {
            let cb = props.on_move.clone().zip(to);
            html! {
                <button class="button small" {title} aria-label={title} disabled={cb.is_none()}
                    onclick={Callback::from(move |_| if let Some((cb, to)) = &cb { cb.emit((i, *to)) })}>
                    { label }
                </button>
            }
        };
        html! {
            <li class="series-snapshot" data-testid="series-snapshot" data-total={x.total.to_string()}>
                <span class="series-pos">{ format!("{}.", i + 1) }</span>
                <span class="mono ellipsis" title={x.name.clone()}>{ x.name.clone() }</span>
                <span class="num">{ group_digits(x.total) }</span>
                <span class="muted">{ x.format.clone() }</span>
                if x.leaked > 0 { <span class="tag leaked">{ format!("{} leaked", x.leaked) }</span> }
                if props.on_move.is_some() {
                    <span class="series-move">
                        { mover(i.checked_sub(1), "↑", "Move earlier") }
                        { mover((i + 1 < n).then_some(i + 1), "↓", "Move later") }
                    </span>
                }
            </li>
        }
    });

    let suspects = s.groups.iter().filter(|g| g.is_suspect()).count();
    let shown = group_rows.shown(s.groups.len());
    let rows = s
        .groups
        .iter()
        .take(shown)
        .enumerate()
        .map(|(i, g)| series_row(g, group_rows.is_open(i), group_rows.toggle(i)));

    html! {
        <section class="series-view" data-testid="series-view">
            <h3>{ format!("{n} snapshots, in the order chosen") }</h3>
            <ol class="series-snapshots">{ for snapshots }</ol>
            { for s.warnings.iter().map(|w| html! { <div class="banner warning inline" data-testid="series-warning">{ w.clone() }</div> }) }
            <h3>{ "Goroutines per state" }</h3>
            { states_chart(s) }
            <h3>{ match suspects {
                0 => "No leak suspects: no group grew at every step or is stuck".to_string(),
                1 => "1 leak suspect, then the other groups".to_string(),
                k => format!("{k} leak suspects, most likely first, then the other groups"),
            } }</h3>
            <table class="series-groups" data-testid="series-groups" aria-label="Goroutine groups across the snapshots">
                <colgroup><col class="w-verdict" /><col class="w-counts" /><col class="w-growth" /><col class="w-state" /><col class="w-wait" /><col /></colgroup>
                { group_table::head(&SERIES_COLUMNS) }
                { for rows }
            </table>
            { group_rows.show_all_button(s.groups.len()) }
        </section>
    }
}

/// The verdict's word, also its CSS class and `data-verdict`.
fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Leaked => "leaked",
        Verdict::Suspect => "suspect",
        Verdict::Changed => "changed",
        Verdict::Stable => "stable",
    }
}

/// Counts as small bars, one per snapshot, with the numbers as a title.
fn sparkline(counts: &[u64]) -> Html {
    let heights = bar_heights(counts);
    let w = 8.0 * counts.len().max(1) as f64;
    let bars = heights.iter().enumerate().map(|(i, h)| {
        let bh = (h * 18.0).max(if counts[i] > 0 { 1.0 } else { 0.0 });
        html! { <rect x={format!("{}", i as f64 * 8.0 + 1.0)} y={format!("{:.2}", 20.0 - bh)} width="6" height={format!("{bh:.2}")} /> }
    });
    let title = counts
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" → ");
    html! {
        <svg class="sparkline" width={format!("{w}")} height="20" viewBox={format!("0 0 {w} 20")} role="img" aria-label={title.clone()}>
            <title>{ title }</title>
            { for bars }
        </svg>
    }
}

fn waits(g: &SeriesGroup) -> String {
    if g.cells.iter().all(|c| c.wait.is_none()) {
        return String::new();
    }
    let parts: Vec<String> = g
        .cells
        .iter()
        .map(|c| match c.wait {
            Some(_) if c.count == 0 => "–".into(),
            Some(w) if w.min == w.max => format!("{}", w.max),
            Some(w) => format!("{}–{}", w.min, w.max),
            None => "–".into(),
        })
        .collect();
    format!("{} min", parts.join(" / "))
}

fn series_row(g: &SeriesGroup, is_open: bool, toggle: Callback<MouseEvent>) -> Html {
    let counts = g.counts();
    let data_counts = counts
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let v = verdict(g.verdict);
    let leaked: u64 = g.cells.iter().map(|c| c.leaked).max().unwrap_or(0);
    let first_reason = g.reasons.first();
    let reason = |r: &Reason| {
        html! {
            <p class={classes!("series-reason", severity(r.severity))} data-testid="series-reason">{ r.text.clone() }</p>
        }
    };
    let first = html! {
        <span class={classes!("verdict", v)}>{ v }
            if leaked > 0 { <span class="tag leaked">{ format!("{leaked} leaked") }</span> }
        </span>
    };
    let cells = html! {
        <>
            <td><span class="series-counts">{ sparkline(&counts) }<span class="mono">{ counts.iter().map(|c| group_digits(*c)).collect::<Vec<_>>().join(" → ") }</span></span></td>
            <td class="num">{ format!("{:+}", g.growth) }</td>
            <td class="g-state">{ if g.states.is_empty() { "–".to_string() } else { g.states.join(", ") } }</td>
            <td>{ waits(g) }</td>
            <td class="mono ellipsis" title={g.site.clone()}>{ g.site.clone() }</td>
        </>
    };
    let stack = html! {
        <div class="stack">
            { for g.reasons.iter().skip(1).map(reason) }
            <ol class="frames">
                { for g.stack.iter().map(|f| html! {
                    <li>
                        <span class="mono">{ f.function.clone() }</span>
                        if !f.file.is_empty() { <div class="mono muted">{ if f.line > 0 { format!("{}:{}", f.file, f.line) } else { f.file.clone() } }</div> }
                    </li>
                }) }
            </ol>
            if let Some(c) = &g.created_by { <div class="mono muted">{ format!("created by {c}") }</div> }
        </div>
    };
    html! {
        <tbody class={classes!("series-row", v, is_open.then_some("open"))} data-testid="series-row"
            data-counts={data_counts} data-growth={g.growth.to_string()}
            data-suspect={if g.is_suspect() { "yes" } else { "no" }} data-verdict={v}>
            { group_table::summary_row(is_open, toggle, "", first, cells) }
            if let Some(r) = first_reason { { group_table::detail_row("reason-row", SERIES_COLUMNS.len(), reason(r)) } }
            if is_open { { group_table::detail_row("group-detail", SERIES_COLUMNS.len(), stack) } }
        </tbody>
    }
}

/// The series table's columns.
const SERIES_COLUMNS: [&str; 6] = ["verdict", "counts", "#growth", "state", "waiting", "where"];

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Warn => "warn",
        Severity::Error => "error",
    }
}

/// Stacked columns of goroutines per state, one per snapshot, in SVG.
fn states_chart(s: &SeriesSummary) -> Html {
    let chart = state_chart(s);
    const H: f64 = 120.0;
    const COL: f64 = 48.0;
    const GAP: f64 = 24.0;
    let w = chart.columns.len() as f64 * (COL + GAP);
    let columns = chart.columns.iter().enumerate().map(|(i, c)| {
        let x = i as f64 * (COL + GAP) + GAP / 2.0;
        let segs = c.segments.iter().map(|seg| {
            let y = H - seg.y1 * H;
            let h = (seg.y1 - seg.y0) * H;
            html! {
                <rect class={format!("state-slot-{}", seg.slot)} x={format!("{x:.1}")} y={format!("{y:.2}")} width={format!("{COL}")} height={format!("{h:.2}")}>
                    <title>{ format!("{}: {} in {}", seg.state, seg.count, c.name) }</title>
                </rect>
            }
        });
        html! {
            <g>
                { for segs }
                <text x={format!("{:.1}", x + COL / 2.0)} y={format!("{:.1}", H + 14.0)} text-anchor="middle">{ group_digits(c.total) }</text>
            </g>
        }
    });
    html! {
        <div class="series-chart" data-testid="series-states">
            <svg width={format!("{w}")} height={format!("{}", H + 20.0)} viewBox={format!("0 0 {w} {}", H + 20.0)} role="img" aria-label="goroutines per state in each snapshot">
                { for columns }
            </svg>
            <ul class="legend">
                { for chart.legend.iter().map(|l| html! {
                    <li><span class={classes!("swatch", format!("state-slot-{}", l.slot))} />{ l.state.clone() }</li>
                }) }
            </ul>
        </div>
    }
}
