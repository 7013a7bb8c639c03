//! The Goroutines tab: how many, in which states, grouped by identical stack,
//! how long they have waited, what each symptom usually means, and the panic
//! first when there is one.

use std::rc::Rc;

use yew::prelude::*;

use super::export::goroutines_export;
use super::group_table;
use super::hooks::{use_group_rows, use_query};
use super::inputs::chosen_files;
use super::worker_client::Source;
use super::WorkerHandle;
use crate::protocol::Query;
use crate::protocol::{GoroutineSummary, Group, PanicKind, Severity};
use crate::view::goroutine_labels::{group_has, label_counts};
use crate::view::hints::hint_kind_name;
use crate::view::numbers::group_digits;

#[derive(Properties, PartialEq)]
pub struct GoroutinesViewProps {
    pub worker: WorkerHandle,
    pub generation: u32,
    /// Opens later snapshots of this process, chosen in the dominant-group
    /// hint, as a series (see [`GoroutineSummaryViewProps::series`]).
    #[prop_or_default]
    pub series: Option<SeriesOffer>,
    /// The open file's name, which the Markdown export is named after.
    #[prop_or_default]
    pub file_name: String,
}

/// The dominant-group hint's way to the series view: the files chosen
/// there go to `open`, which opens them as a series after `with` (the
/// open file) when the page still holds it.
#[derive(Clone, PartialEq)]
pub struct SeriesOffer {
    pub with: Option<String>,
    pub open: Callback<Vec<Source>>,
}

#[component]
pub fn GoroutinesView(props: &GoroutinesViewProps) -> Html {
    let summary = use_query::<Rc<GoroutineSummary>>(&props.worker);
    let ignore_labels = use_state(|| false);
    {
        let summary = summary.clone();
        use_effect_with(
            (props.generation, *ignore_labels),
            move |&(_, ignore_labels)| {
                summary.fetch(Query::Goroutines { ignore_labels }, Rc::new);
                || ()
            },
        );
    }
    if let Some(e) = summary.error() {
        return html! { <div class="banner error inline">{ e.to_string() }</div> };
    }
    let on_ignore_labels = {
        let ignore_labels = ignore_labels.clone();
        Callback::from(move |v: bool| ignore_labels.set(v))
    };
    match summary.value() {
        Some(s) => html! {
            <GoroutineSummaryView summary={s.clone()} ignore_labels={*ignore_labels} {on_ignore_labels} series={props.series.clone()} file_name={props.file_name.clone()} />
        },
        None => html! { <p class="muted">{ "Grouping goroutines…" }</p> },
    }
}

/// A file input, in the look of a button, that opens later dumps of the
/// same process as a series, with the open one first when the page holds
/// it.
fn series_control(offer: &SeriesOffer) -> Html {
    let open = offer.open.clone();
    let onchange = Callback::from(move |e: Event| {
        let files = chosen_files(&e);
        if !files.is_empty() {
            open.emit(files);
        }
    });
    let (label, title) = match &offer.with {
        Some(name) => (
            "Compare with later dumps as a series…",
            format!("Later dumps of this process open with {name} as a series"),
        ),
        None => (
            "Open dumps as a series…",
            "Dumps of this process, taken apart, open as a series".to_string(),
        ),
    };
    html! {
        <label class="button small hint-action" data-testid="hint-series" data-with-open={offer.with.is_some().to_string()} {title}>
            { label }
            <input type="file" data-testid="hint-series-input" multiple=true {onchange} />
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct GoroutineSummaryViewProps {
    pub summary: Rc<GoroutineSummary>,
    /// Whether the summary was grouped ignoring labels.
    #[prop_or_default]
    pub ignore_labels: bool,
    /// Asks for the summary grouped with or without labels; the control is
    /// offered only when the goroutines carry labels.
    #[prop_or_default]
    pub on_ignore_labels: Option<Callback<bool>>,
    /// Offered in the dominant-group hint: a leak shows as growth between
    /// dumps, which the series view measures.
    #[prop_or_default]
    pub series: Option<SeriesOffer>,
    /// The open file's name, which the Markdown export is named after.
    #[prop_or_default]
    pub file_name: String,
}

/// The summary itself, separate from fetching it so it can be tested alone.
#[component]
pub fn GoroutineSummaryView(props: &GoroutineSummaryViewProps) -> Html {
    let s = &props.summary;
    let rows = use_group_rows();
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
            let onclick = rows.open(g as usize);
            html! { <a href={format!("#group-{g}")} {onclick}>{ format!("group #{}", g + 1) }</a> }
        });
        let series = (hint_kind_name(h.kind) == "dominant-group")
            .then_some(props.series.as_ref())
            .flatten()
            .map(series_control);
        html! {
            <li class={classes!("hint", sev)} data-testid="hint" data-severity={sev} data-kind={hint_kind_name(h.kind)}>
                <strong>{ h.title.clone() }</strong>
                <span>{ format!(" {}", h.text) }</span>
                if !h.groups.is_empty() { <span class="hint-links">{ for links }</span> }
                { for series }
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
            <table class="histogram" data-testid="wait-histogram" aria-label="Goroutines by state and time waited">
                <thead><tr><th scope="col">{ "state \\ waiting" }</th>{ for s.wait_histogram.buckets.iter().map(|b| html! { <th scope="col">{ b.clone() }</th> }) }</tr></thead>
                <tbody>
                    { for s.wait_histogram.rows.iter().map(|r| html! {
                        <tr><th scope="row">{ r.state.clone() }</th>{ for r.counts.iter().map(|c| html! {
                            <td class={classes!("num", (*c == 0).then_some("zero"))}>{ group_digits(*c) }</td>
                        }) }</tr>
                    }) }
                </tbody>
            </table>
        }
    });

    // The label filter keeps each group's index, which hints link to.
    let label_filter = use_state(String::new);
    let counts = label_counts(&s.groups);
    let picked = if counts.iter().any(|c| c.label == *label_filter) {
        (*label_filter).clone()
    } else {
        String::new()
    };
    let kept: Vec<(usize, &Group)> = s
        .groups
        .iter()
        .enumerate()
        .filter(|(_, g)| group_has(g, &picked))
        .collect();
    let kept_count: u64 = kept.iter().map(|(_, g)| g.count).sum();
    let shown = rows.shown(kept.len());
    let groups = kept
        .iter()
        .take(shown)
        .map(|&(i, g)| group_row(i, g, rows.is_open(i), rows.toggle(i)));
    let label_select = (!counts.is_empty()).then(|| {
        let label_filter = label_filter.clone();
        let onchange = Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            label_filter.set(sel.value());
        });
        html! {
            <label class="field small" data-testid="goroutine-label-count" data-label={picked.clone()} data-count={kept_count.to_string()}>
                { "Only goroutines labelled " }
                <select data-testid="goroutine-label-filter" {onchange}>
                    <option value="" selected={picked.is_empty()}>{ "(any label)" }</option>
                    { for counts.iter().map(|c| html! {
                        <option value={c.label.clone()} selected={c.label == picked}>{ format!("{} ({})", c.label, group_digits(c.count)) }</option>
                    }) }
                </select>
                if !picked.is_empty() { { format!(" {} goroutines", group_digits(kept_count)) } }
            </label>
        }
    });

    let has_labels = s
        .groups
        .iter()
        .any(|g| !g.labels.is_empty() || g.labels_vary);
    let label_toggle = match (&props.on_ignore_labels, has_labels || props.ignore_labels) {
        (Some(cb), true) => {
            let cb = cb.clone();
            let onchange = Callback::from(move |e: Event| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                cb.emit(input.checked());
            });
            html! {
                <label class="toggle">
                    <input type="checkbox" data-testid="group-ignore-labels" checked={props.ignore_labels} {onchange} />
                    { " group goroutines with different labels together" }
                </label>
            }
        }
        _ => Html::default(),
    };
    let mut facts = vec!["goroutines".to_string()];
    if s.leaked > 0 {
        facts.push(format!("{} leaked", group_digits(s.leaked)));
    }
    if s.locked_to_thread > 0 {
        facts.push(format!(
            "{} locked to a thread",
            group_digits(s.locked_to_thread)
        ));
    }

    html! {
        <section class="goroutines-view">
            if let Some(p) = &s.partial {
                <p class="banner warning inline" data-testid="traceback-partial">
                    { format!("This traceback shows {p}; the others were not printed. ") }
                    { "Go prints every goroutine only under GOTRACEBACK=all (or in a goroutine dump)." }
                </p>
            }
            if s.leak_profile {
                <p class="banner error inline" data-testid="leak-profile">
                    { if s.leaked == s.total {
                        "A goroutine leak profile: Go's leak detector found every goroutine here blocked on something no live goroutine can reach."
                    } else {
                        "Go's leak detector marked some goroutines of this dump (leaked): they are blocked on something no live goroutine can reach."
                    } }
                </p>
            }
            { for panics }
            <div class="g-top">
                <div class="g-total">
                    <div class="big" data-testid="goroutine-total">{ s.total.to_string() }</div>
                    <div class="muted" data-testid="goroutine-facts" data-leaked={s.leaked.to_string()}>{ facts.join(" · ") }</div>
                    { goroutines_export(s, &props.file_name) }
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
            { label_toggle }
            { label_select }
            <table class="groups" data-testid="goroutine-groups" aria-label="Groups of goroutines with identical stacks">
                <colgroup><col class="w-count" /><col class="w-state" /><col class="w-wait" /><col class="w-top" /><col /></colgroup>
                { group_table::head(&GROUP_COLUMNS) }
                { for groups }
            </table>
            { rows.show_all_button(kept.len()) }
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
    if g.durable > 0 {
        tags.push(format!("{} durable", g.durable));
    }
    let leaked = (g.leaked > 0).then(|| {
        let text = if g.leaked == g.count {
            "leaked".to_string()
        } else {
            format!("{} leaked", g.leaked)
        };
        html! { <span class="tag leaked" data-testid="leaked-badge" title="Go's leak detector found these goroutines blocked on something no live goroutine can reach">{ text }</span> }
    });
    let labels = if g.labels_vary {
        html! { <span class="labels muted">{ "labels vary" }</span> }
    } else {
        html! { <span class="labels">{ for g.labels.iter().map(|l| html! { <span class="label-chip">{ l.clone() }</span> }) }</span> }
    };
    let cells = html! {
        <>
            <td class="g-state">{ g.state.clone() }{ leaked }{ for tags.iter().map(|t| html! { <span class="tag">{ t.clone() }</span> }) }</td>
            <td>{ wait }</td>
            <td><div class="g-top-frame"><span class="mono ellipsis" title={top.clone()}>{ top }</span>{ labels }</div></td>
            <td class="mono ellipsis muted" title={created.clone()}>{ created }</td>
        </>
    };
    let stack = html! {
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
    };
    html! {
        <tbody class={classes!("group", g.panicking.then_some("panicking"), (g.leaked > 0).then_some("leaked"), is_open.then_some("open"))}
            id={format!("group-{i}")} data-testid="goroutine-group" data-count={g.count.to_string()}
            data-labels={g.labels.join(";")} data-leaked={g.leaked.to_string()}>
            { group_table::summary_row(is_open, toggle, "num", html! { group_digits(g.count) }, cells) }
            if is_open { { group_table::detail_row("group-detail", GROUP_COLUMNS.len(), stack) } }
        </tbody>
    }
}

/// The groups table's columns.
const GROUP_COLUMNS: [&str; 5] = ["#count", "state", "waiting", "top of stack", "created by"];
