//! The Goroutines tab: how many, in which states, grouped by identical stack,
//! how long they have waited, what each symptom usually means, and the panic
//! first when there is one.

use std::rc::Rc;

use yew::prelude::*;

use super::hooks::use_query;
use super::WorkerHandle;
use crate::protocol::Query;
use crate::protocol::{GoroutineSummary, Group, PanicKind, Severity};
use crate::view::numbers::group_digits;

/// Groups shown before "show all".
const GROUPS_SHOWN: usize = 200;

#[derive(Properties, PartialEq)]
pub struct GoroutinesViewProps {
    pub worker: WorkerHandle,
    pub generation: u32,
}

#[component]
pub fn GoroutinesView(props: &GoroutinesViewProps) -> Html {
    let summary = use_query::<Rc<GoroutineSummary>>(&props.worker);
    {
        let summary = summary.clone();
        use_effect_with(props.generation, move |_| {
            summary.fetch(Query::Goroutines, Rc::new);
            || ()
        });
    }
    if let Some(e) = summary.error() {
        return html! { <div class="banner error inline">{ e.to_string() }</div> };
    }
    match summary.value() {
        Some(s) => html! { <GoroutineSummaryView summary={s.clone()} /> },
        None => html! { <p class="muted">{ "Grouping goroutines…" }</p> },
    }
}

#[derive(Properties, PartialEq)]
pub struct GoroutineSummaryViewProps {
    pub summary: Rc<GoroutineSummary>,
}

/// The summary itself, separate from fetching it so it can be tested alone.
#[component]
pub fn GoroutineSummaryView(props: &GoroutineSummaryViewProps) -> Html {
    let s = &props.summary;
    let show_all = use_state(|| false);
    let open = use_state(|| None::<usize>);
    let max_state = s.states.iter().map(|c| c.count).max().unwrap_or(1).max(1);

    let panics = s.panics.iter().map(|p| {
        let kind = match p.kind {
            PanicKind::Panic => "panic",
            PanicKind::FatalError => "fatal error",
            PanicKind::Signal => "signal",
        };
        html! {
            <div class="panic" data-testid="panic">
                <div class="panic-kind">{ kind }{ p.goroutine.map(|g| format!(" in goroutine {g}")).unwrap_or_default() }</div>
                <pre class="panic-message">{ p.message.clone() }</pre>
                if let Some(g) = p.group { <a href={format!("#group-{g}")}>{ format!("see its group (#{})", g + 1) }</a> }
            </div>
        }
    });

    let hints = s.hints.iter().map(|h| {
        let sev = match h.severity {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Error => "error",
        };
        let links = h.groups.iter().take(8).map(|&g| {
            let open = open.clone();
            let onclick = Callback::from(move |_| open.set(Some(g as usize)));
            html! { <a href={format!("#group-{g}")} {onclick}>{ format!("group #{}", g + 1) }</a> }
        });
        html! {
            <li class={classes!("hint", sev)} data-testid="hint" data-severity={sev}>
                <strong>{ h.title.clone() }</strong>
                <span>{ format!(" {}", h.text) }</span>
                if !h.groups.is_empty() { <span class="hint-links">{ for links }</span> }
            </li>
        }
    });

    let states = s.states.iter().map(|c| {
        let pct = c.count as f64 * 100.0 / max_state as f64;
        html! {
            <div class="state-row" data-testid="state-row" data-state={c.state.clone()} data-count={c.count.to_string()}>
                <span class="state-name" title={c.state.clone()}>{ c.state.clone() }</span>
                <span class="bar"><span style={format!("width:{pct:.1}%")} /></span>
                <span class="num">{ group_digits(c.count) }</span>
            </div>
        }
    });

    let histogram = (!s.wait_histogram.rows.is_empty()).then(|| {
        html! {
            <table class="histogram" data-testid="wait-histogram">
                <thead><tr><th>{ "state \\ waiting" }</th>{ for s.wait_histogram.buckets.iter().map(|b| html! { <th>{ b.clone() }</th> }) }</tr></thead>
                <tbody>
                    { for s.wait_histogram.rows.iter().map(|r| html! {
                        <tr><td>{ r.state.clone() }</td>{ for r.counts.iter().map(|c| html! {
                            <td class={classes!("num", (*c == 0).then_some("zero"))}>{ group_digits(*c) }</td>
                        }) }</tr>
                    }) }
                </tbody>
            </table>
        }
    });

    let shown = if *show_all {
        s.groups.len()
    } else {
        s.groups.len().min(GROUPS_SHOWN)
    };
    let groups = s.groups.iter().take(shown).enumerate().map(|(i, g)| {
        let is_open = *open == Some(i);
        let toggle = {
            let open = open.clone();
            Callback::from(move |_| open.set(if is_open { None } else { Some(i) }))
        };
        group_row(i, g, is_open, toggle)
    });

    html! {
        <section class="goroutines-view">
            { for panics }
            <div class="g-top">
                <div class="g-total">
                    <div class="big" data-testid="goroutine-total">{ s.total.to_string() }</div>
                    <div class="muted">{ "goroutines" }{ if s.locked_to_thread > 0 { format!(" · {} locked to a thread", s.locked_to_thread) } else { String::new() } }</div>
                </div>
                <div class="g-states">
                    if let Some(note) = &s.state_note { <p class="muted">{ note.clone() }</p> }
                    if s.states_recorded { { for states } }
                </div>
            </div>
            if !s.hints.is_empty() {
                <h3>{ "What this suggests" }</h3>
                <ul class="hints">{ for hints }</ul>
            }
            if let Some(h) = histogram {
                <h3>{ "How long they have waited" }</h3>
                { h }
            }
            <h3>{ format!("{} groups of identical stacks", group_digits(s.groups.len() as u64)) }</h3>
            <div class="groups" data-testid="goroutine-groups">
                <div class="group head">
                    <span class="num">{ "count" }</span><span>{ "state" }</span><span>{ "waiting" }</span><span>{ "top of stack" }</span><span>{ "created by" }</span>
                </div>
                { for groups }
            </div>
            if shown < s.groups.len() {
                <button class="button" onclick={let show_all = show_all.clone(); Callback::from(move |_| show_all.set(true))}>
                    { format!("Show all {} groups", s.groups.len()) }
                </button>
            }
        </section>
    }
}

fn group_row(i: usize, g: &Group, is_open: bool, toggle: Callback<MouseEvent>) -> Html {
    let wait = match (g.min_wait_minutes, g.max_wait_minutes) {
        (Some(a), Some(b)) if a == b => format!("{a} min"),
        (Some(a), Some(b)) => format!("{a}–{b} min"),
        _ => String::new(),
    };
    let top = g
        .stack
        .first()
        .map(|f| f.function.clone())
        .unwrap_or_else(|| "(no stack)".into());
    let created = g.created_by.clone().unwrap_or_default();
    let mut tags = Vec::new();
    if g.panicking {
        tags.push("panicking".to_string());
    }
    if g.locked_to_thread > 0 {
        tags.push(format!("{} locked", g.locked_to_thread));
    }
    html! {
        <div class={classes!("group", g.panicking.then_some("panicking"), is_open.then_some("open"))}
            id={format!("group-{i}")} data-testid="goroutine-group" data-count={g.count.to_string()}>
            <button class="group-summary" onclick={toggle} aria-expanded={is_open.to_string()}>
                <span class="num">{ group_digits(g.count) }</span>
                <span class="g-state">{ g.state.clone() }{ for tags.iter().map(|t| html! { <span class="tag">{ t.clone() }</span> }) }</span>
                <span>{ wait }</span>
                <span class="mono ellipsis" title={top.clone()}>{ top }</span>
                <span class="mono ellipsis muted" title={created.clone()}>{ created }</span>
            </button>
            if is_open {
                <div class="stack">
                    if !g.labels.is_empty() { <div class="muted">{ format!("labels: {}", g.labels.join(", ")) }</div> }
                    if !g.goroutine_ids.is_empty() {
                        <div class="muted">{ format!("goroutines {}", g.goroutine_ids.iter().map(|id| id.to_string()).collect::<Vec<_>>().join(", ")) }{ if (g.goroutine_ids.len() as u64) < g.count { " …" } else { "" } }</div>
                    }
                    <ol class="frames">
                        { for g.stack.iter().map(|f| html! {
                            <li>
                                <span class="mono">{ format!("{}({})", f.function, f.args) }</span>
                                if f.inlined { <span class="tag">{ "inlined" }</span> }
                                if !f.file.is_empty() { <div class="mono muted">{ if f.line > 0 { format!("{}:{}", f.file, f.line) } else { f.file.clone() } }</div> }
                            </li>
                        }) }
                        if g.frames_elided { <li class="muted">{ "…additional frames elided…" }</li> }
                    </ol>
                    if let Some(c) = &g.created_by {
                        <div class="mono muted">{ format!("created by {c}") }{ g.creator_goroutine.map(|n| format!(" in goroutine {n}")).unwrap_or_default() }{ g.created_at.as_ref().map(|a| format!(" at {a}")).unwrap_or_default() }</div>
                    }
                </div>
            }
        </div>
    }
}
