//! Keeps the page's URL hash in step with the view (see `state::url` for
//! what it holds and never holds).
//!
//! A hash the page opens with waits until a profile is shown, then is
//! applied once; what does not fit that profile (a sample type it lacks, a
//! tab it has not, a zoom past its tree) is left out with a quiet note.
//! Tabs, zooms and the sandwich function are steps Back and Forward walk
//! (`pushState`); filters, the sample type, granularity and order replace
//! the current step (`replaceState`), as typing should not fill the
//! history. Only the hash changes: no navigation, no request, so the
//! single-file page opened from `file://` keeps it too.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Blob;
use yew::prelude::*;

use super::state::url::{Graph, Parsed, UrlState, Zooms};
use super::state::{Action, AppState, Tab};
use crate::protocol::{Inputs, RowOrder, Summary};

/// What the app hands its views of the URL's state.
#[derive(Clone, PartialEq)]
pub struct UrlSync {
    /// Each flame graph's zoom, as child indices from its root; the
    /// sandwich's only while it shows the function they were made in.
    pub zooms: Zooms,
    /// The user zoomed in a graph.
    pub on_zoom: Callback<(Graph, Vec<u32>)>,
    /// A graph's zoom from the hash leads past its tree.
    pub on_zoom_missing: Callback<Graph>,
    pub order: RowOrder,
    pub on_order: Callback<RowOrder>,
    /// What of the hash could not be applied.
    pub note: Option<String>,
}

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The location's hash read, when there is one.
fn read_hash() -> Option<Parsed> {
    let hash = location_hash();
    (hash.len() > 1).then(|| UrlState::parse(&hash))
}

/// Whether `summary`'s page has the tab.
fn has_tab(summary: &Summary, tab: Tab) -> bool {
    match tab {
        Tab::Top => true,
        Tab::Flame | Tab::Sandwich | Tab::BottomUp => summary.fetch.is_none(),
        Tab::Goroutines => summary.has_goroutines,
        Tab::Series => matches!(summary.inputs, Inputs::Series { .. }),
    }
}

/// The zooms that hold for the page now: the sandwich's only while it
/// shows the function they were made in (`sandwich_of`).
fn holding(state: &AppState<Blob>, zooms: &Zooms, sandwich_of: &Option<String>) -> Zooms {
    if state.sandwich_function == *sandwich_of {
        zooms.clone()
    } else {
        zooms.without_sandwich()
    }
}

/// The state the page shows now, as the hash writes it.
fn current(state: &AppState<Blob>, zooms: Zooms, order: RowOrder) -> Option<UrlState> {
    let summary = state.summary.as_ref()?;
    let sample_type = state
        .opts
        .sample_index
        .filter(|&i| i != summary.default_index)
        .and_then(|i| summary.sample_types.get(i))
        .map(|t| t.name.clone());
    Some(UrlState {
        tab: Some(state.tab),
        sample_type,
        opts: state.opts.clone(),
        order,
        zooms,
        sandwich: state.sandwich_function.clone(),
    })
}

/// Writes `hash` as a new history step (`push`) or over the current one.
fn write(hash: &str, push: bool) {
    let Some(w) = web_sys::window() else { return };
    let Ok(history) = w.history() else { return };
    let url = if hash.is_empty() {
        // No bare `#` left behind: the path alone.
        let l = w.location();
        format!(
            "{}{}",
            l.pathname().unwrap_or_default(),
            l.search().unwrap_or_default()
        )
    } else {
        format!("#{hash}")
    };
    let r = if push {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    };
    if let Err(e) = r {
        web_sys::console::warn_2(&"pprof-lens: the URL keeps no view:".into(), &e);
    }
}

/// Applies a hash to the shown profile: the options, the sandwich
/// function, the tab, the zoom and the order; returns the note for what
/// did not fit.
fn apply(
    url: &UrlState,
    rejected: &[String],
    summary: &Summary,
    d: &UseReducerDispatcher<AppState<Blob>>,
) -> Option<String> {
    let names: Vec<&str> = summary
        .sample_types
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    let (opts, si_note) = url.options(&names, summary.default_index);
    let mut notes: Vec<String> = si_note.into_iter().collect();
    d.dispatch(Action::SetOptions(opts));
    if let Some(f) = &url.sandwich {
        if has_tab(summary, Tab::Sandwich) {
            d.dispatch(Action::ShowInSandwich(f.clone()));
        }
    }
    match url.tab {
        Some(t) if has_tab(summary, t) => d.dispatch(Action::SetTab(t)),
        Some(t) => notes.push(format!(
            "this profile has no {} view",
            super::state::url::tab_name(t)
        )),
        None => {}
    }
    if !rejected.is_empty() {
        notes.push(format!("ignored: {}", rejected.join(", ")));
    }
    (!notes.is_empty()).then(|| format!("The link's view did not fully fit: {}.", notes.join("; ")))
}

#[hook]
pub fn use_url_sync(state: &AppState<Blob>, d: UseReducerDispatcher<AppState<Blob>>) -> UrlSync {
    // The hash not applied yet: the one the page opened with, or one Back
    // or Forward went to.
    let pending = use_mut_ref(read_hash);
    let popped = use_state(|| 0u32);
    let zoom = use_state(Zooms::default);
    // The sandwich function the sandwich's zooms were made in.
    let sandwich_of = use_state(|| None::<String>);
    let order = use_state(|| RowOrder::Flat);
    let note = use_state(|| None::<String>);
    // The state last written or applied, and the generation and pop it
    // was for.
    let written = use_mut_ref(|| None::<UrlState>);
    let seen = use_mut_ref(|| (0u32, 0u32));

    // Back and Forward: the hash they land on becomes the view.
    {
        let (pending, popped) = (pending.clone(), popped.clone());
        let mut pops = 0;
        use_effect_with((), move |_| {
            let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                *pending.borrow_mut() = Some(read_hash().unwrap_or_default());
                pops += 1;
                popped.set(pops);
            });
            let w = web_sys::window();
            if let Some(w) = &w {
                let _ = w.add_event_listener_with_callback(
                    "popstate",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(w) = w {
                    let _ = w.remove_event_listener_with_callback(
                        "popstate",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    let baseline = written.clone();
    {
        let now = current(state, holding(state, &zoom, &sandwich_of), *order);
        let summary = state.summary.clone();
        let (zoom, order, note) = (zoom.clone(), order.clone(), note.clone());
        let sandwich_of = sandwich_of.clone();
        let deps = (state.generation, *popped, now);
        use_effect_with(deps, move |(generation, popped, now)| {
            let step = (*generation, *popped);
            let fresh = *seen.borrow() != step;
            *seen.borrow_mut() = step;
            let hash = match &summary {
                Some(_) if fresh => pending.take(),
                _ => None,
            };
            if let (Some(summary), Some(hash)) = (&summary, hash) {
                // Apply the hash; the state it makes is the baseline of the
                // user's next step.
                note.set(apply(&hash.state, &hash.rejected, summary, &d));
                zoom.set(hash.state.zooms.clone());
                sandwich_of.set(hash.state.sandwich.clone());
                order.set(hash.state.order);
                *written.borrow_mut() = None;
                return;
            }
            let Some(now) = now else { return };
            if fresh {
                // A profile opened: its first view is the baseline, and the
                // URL changes with the user's first step from it.
                zoom.set(Zooms::default());
                note.set(None);
                let now = UrlState {
                    zooms: Zooms::default(),
                    ..now.clone()
                };
                // A hash left by the last profile would bring its view back
                // on a reload of this one.
                if location_hash().len() > 1 {
                    write(&now.format(), false);
                }
                *written.borrow_mut() = Some(now);
                return;
            }
            let last = written.borrow().clone();
            let hash = now.format();
            // Just applied: the state the hash made is the baseline. The
            // URL changes only with the user's steps, as a URL change makes
            // Chromium ask for the page's icon again.
            let Some(last) = last else {
                *written.borrow_mut() = Some(now.clone());
                return;
            };
            let moved = last != *now;
            if moved {
                let push =
                    last.tab != now.tab || last.zooms != now.zooms || last.sandwich != now.sandwich;
                write(&hash, push);
            }
            *written.borrow_mut() = Some(now.clone());
        });
    }

    let on_zoom = {
        let (zoom, sandwich_of) = (zoom.clone(), sandwich_of.clone());
        let function = state.sandwich_function.clone();
        Callback::from(move |(g, path): (Graph, Vec<u32>)| {
            let mut z = if g.in_sandwich() && *sandwich_of != function {
                // Zooms made in another function's sandwich name no node of
                // this one's.
                sandwich_of.set(function.clone());
                zoom.without_sandwich()
            } else {
                (*zoom).clone()
            };
            z.set(g, path);
            zoom.set(z);
        })
    };
    let on_zoom_missing = {
        let (zoom, note) = (zoom.clone(), note.clone());
        Callback::from(move |g: Graph| {
            // Part of applying the hash, not a step of the user's.
            if let Some(w) = baseline.borrow_mut().as_mut() {
                w.zooms.set(g, Vec::new());
            }
            let mut z = (*zoom).clone();
            z.set(g, Vec::new());
            zoom.set(z);
            let missing = "The link's flame zoom is not in this profile: the whole graph shows.";
            note.set(Some(match &*note {
                Some(n) if n.contains(missing) => n.clone(),
                Some(n) => format!("{n} {missing}"),
                None => missing.to_string(),
            }));
        })
    };
    let on_order = {
        let order = order.clone();
        Callback::from(move |o| order.set(o))
    };
    UrlSync {
        zooms: holding(state, &zoom, &sandwich_of),
        on_zoom,
        on_zoom_missing,
        order: *order,
        on_order,
        note: (*note).clone(),
    }
}
