//! The Sandwich tab: one function, its callers above and its callees below,
//! each as a flame graph and as the rows `go tool pprof -peek` prints.
//!
//! The function comes from the `sandwich-function` box (a name or a pprof
//! regex, applied on Enter), a top table row's button, or a click on a
//! caller or callee row, which moves the sandwich to that function.

use std::rc::Rc;

use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use super::flame::FlameView;
use super::hooks::use_query;
use super::state::url::{Graph, Zooms};
use super::WorkerHandle;
use crate::protocol::{Query, ReportOptions, Reshape, Sandwich, SandwichRow};

#[derive(Properties, PartialEq)]
pub struct SandwichViewProps {
    pub worker: WorkerHandle,
    pub generation: u32,
    pub opts: ReportOptions,
    /// What the user asked for; `None` until they pick a function.
    pub function: Option<String>,
    /// The user picked another function.
    pub on_function: Callback<String>,
    /// The URL's zooms of the callers and callees graphs.
    #[prop_or_default]
    pub zooms: Zooms,
    #[prop_or_default]
    pub on_zoom: Callback<(Graph, Vec<u32>)>,
    #[prop_or_default]
    pub on_zoom_missing: Callback<Graph>,
}

#[component]
pub fn SandwichView(props: &SandwichViewProps) -> Html {
    let sandwich = use_query::<Rc<Sandwich>>(&props.worker);
    let text = use_state(|| props.function.clone().unwrap_or_default());
    {
        let text = text.clone();
        use_effect_with(props.function.clone(), move |f| {
            if let Some(f) = f {
                text.set(f.clone());
            }
            || ()
        });
    }
    {
        let sandwich = sandwich.clone();
        let deps = (props.generation, props.opts.clone(), props.function.clone());
        use_effect_with(deps, move |(_, opts, function)| {
            if let Some(function) = function {
                let q = Query::Sandwich {
                    opts: opts.clone(),
                    function: function.clone(),
                };
                sandwich.fetch(q, Rc::new);
            }
            || ()
        });
    }
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            text.set(input.value());
        })
    };
    let onkeydown = {
        let on_function = props.on_function.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                let input: HtmlInputElement = e.target_unchecked_into();
                on_function.emit(input.value());
            }
        })
    };
    // A stale answer (another function) is not shown under a new name.
    let shown = sandwich
        .value()
        .filter(|_| props.function.is_some() && sandwich.error().is_none())
        .cloned();
    html! {
        <section class="sandwich-view" data-testid="sandwich">
            <div class="toolbar">
                <label class="field">
                    { "Function " }
                    <input type="text" class="search" data-testid="sandwich-function" value={(*text).clone()}
                        {oninput} {onkeydown} spellcheck="false" placeholder="name or regex, then Enter" />
                </label>
                if let Some(note) = shown.as_ref().and_then(|s| s.note.clone()) {
                    <span class="muted" data-testid="sandwich-note">{ note }</span>
                }
            </div>
            if props.function.is_none() {
                <p class="muted" data-testid="sandwich-empty">{ "Type a function name and press Enter, or use a top table row's ⇅ button." }</p>
            }
            if let Some(e) = sandwich.error().filter(|_| props.function.is_some()) {
                <div class="banner error inline" data-testid="sandwich-error">{ e.to_string() }</div>
            }
            if let Some(s) = shown {
                <SandwichBody sandwich={s} worker={props.worker.clone()} generation={props.generation}
                    opts={props.opts.clone()} on_function={props.on_function.clone()}
                    zooms={props.zooms.clone()} on_zoom={props.on_zoom.clone()} on_zoom_missing={props.on_zoom_missing.clone()} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct SandwichBodyProps {
    sandwich: Rc<Sandwich>,
    worker: WorkerHandle,
    generation: u32,
    opts: ReportOptions,
    on_function: Callback<String>,
    zooms: Zooms,
    on_zoom: Callback<(Graph, Vec<u32>)>,
    on_zoom_missing: Callback<Graph>,
}

#[component]
fn SandwichBody(props: &SandwichBodyProps) -> Html {
    let s = &props.sandwich;
    let rows = |rows: &[SandwichRow]| -> Html {
        let max = rows
            .iter()
            .map(|r| r.cum.unsigned_abs())
            .max()
            .unwrap_or(1)
            .max(1);
        rows.iter()
            .map(|r| {
                let name = r.name.clone();
                let onclick = props.on_function.reform(move |_: MouseEvent| name.clone());
                let width = format!("width:{:.1}%", r.cum.unsigned_abs() as f64 * 100.0 / max as f64);
                html! {
                    <button class="sandwich-row" data-testid="sandwich-row" data-name={r.name.clone()}
                        data-flat={r.flat_text.clone()} data-cum={r.cum_text.clone()} data-inline={r.inline.to_string()}
                        title={format!("{} of {}'s cum; click for its sandwich", r.percent, s.name)} {onclick}>
                        <span class="bar" style={width}></span>
                        <span class="num">{ &r.cum_text }</span>
                        <span class="num">{ &r.percent }</span>
                        <span class="name">{ &r.name }{ if r.inline { " (inline)" } else { "" } }</span>
                    </button>
                }
            })
            .collect()
    };
    // Each half's zoom as the URL holds it.
    let zoom = |g: Graph| {
        (
            Some(props.zooms.get(g).to_vec()),
            props.on_zoom.reform(move |path| (g, path)),
            props.on_zoom_missing.reform(move |()| g),
        )
    };
    let (callers_zoom, on_callers_zoom, callers_missing) = zoom(Graph::Callers);
    let (callees_zoom, on_callees_zoom, callees_missing) = zoom(Graph::Callees);
    html! {
        <div class="sandwich-body">
            <h3 class="sandwich-title">{ format!("Callers of {}", s.name) }</h3>
            <FlameView worker={props.worker.clone()} generation={props.generation} opts={props.opts.clone()}
                how={Some(Reshape::Callers(s.name.clone()))} class={classes!("sandwich-half")}
                on_sandwich={props.on_function.clone()} zoom_path={callers_zoom}
                on_zoom_path={on_callers_zoom} on_zoom_missing={callers_missing} />
            <div class="sandwich-rows" data-testid="sandwich-callers" role="list">
                if s.callers.is_empty() { <p class="muted">{ "no callers: a root of every stack it is on" }</p> }
                { rows(&s.callers) }
            </div>
            <div class="sandwich-self" data-testid="sandwich-self" data-name={s.name.clone()}
                data-flat={s.flat_text.clone()} data-cum={s.cum_text.clone()}>
                <span class="name">{ &s.name }</span>
                <span>{ format!("flat {} ({})", s.flat_text, s.flat_percent) }</span>
                <span>{ format!("cum {} ({})", s.cum_text, s.cum_percent) }</span>
            </div>
            <div class="sandwich-rows" data-testid="sandwich-callees" role="list">
                if s.callees.is_empty() { <p class="muted">{ "no callees: all its time is its own" }</p> }
                { rows(&s.callees) }
            </div>
            <h3 class="sandwich-title">{ format!("Callees of {}", s.name) }</h3>
            <FlameView worker={props.worker.clone()} generation={props.generation} opts={props.opts.clone()}
                how={Some(Reshape::Callees(s.name.clone()))} class={classes!("sandwich-half")}
                on_sandwich={props.on_function.clone()} zoom_path={callees_zoom}
                on_zoom_path={on_callees_zoom} on_zoom_missing={callees_missing} />
        </div>
    }
}
