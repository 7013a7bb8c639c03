//! The Flame tab: an icicle graph on canvas (root on top).
//!
//! The worker lays out boxes for the current zoom at the canvas width and
//! sends only those wider than a pixel. This component holds what the scene
//! depends on (zoom, search, width) and asks for it; the [`toolbar`] searches
//! and walks the breadcrumb back, the [`canvas`] paints the rows in view,
//! zooms on click and shows the [`tooltip`]. Keys: `/` focuses the search
//! box, `Esc` goes up one zoom level; on the focused canvas, [`keys`] move
//! a focus box, whose function the line under the toolbar announces.

mod canvas;
mod export;
mod keys;
mod toolbar;
mod tooltip;

use std::ops::Deref;
use std::rc::Rc;

use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use super::hooks::{is_typing_in_field, use_document_event, use_element_size, use_query};
use super::WorkerHandle;
use crate::protocol::{Answer, FlameScene, Query, ReportOptions, Reshape};
use crate::render::Theme;
use crate::view::flame_nav;
use canvas::FlameCanvas;
use export::flame_export;
use toolbar::FlameToolbar;

/// A flame node, as the scene names it (zoom targets, breadcrumb entries).
use crate::protocol::NodeId;

/// A scene compared by identity: every answer is a new scene, and comparing
/// thousands of boxes on each hover would cost more than the paint it saves.
#[derive(Clone)]
struct Scene(Rc<FlameScene>);

impl PartialEq for Scene {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for Scene {
    type Target = FlameScene;
    fn deref(&self) -> &FlameScene {
        &self.0
    }
}

#[derive(Properties, PartialEq)]
pub struct FlameViewProps {
    pub worker: WorkerHandle,
    pub generation: u32,
    pub opts: ReportOptions,
    /// A function to highlight on arrival (clicked in the top table).
    #[prop_or_default]
    pub target: Option<String>,
    /// Draw the stacks reshaped so (bottom-up, a sandwich's half) instead
    /// of the call tree.
    #[prop_or_default]
    pub how: Option<Reshape>,
    /// A class for the section, to size a sandwich's halves.
    #[prop_or_default]
    pub class: Classes,
    /// The open file's name, which exports are named after.
    #[prop_or_default]
    pub file_name: String,
    /// Open a function's sandwich (the focused box's `s`, its button).
    #[prop_or_default]
    pub on_sandwich: Option<Callback<String>>,
    /// The zoom the page's URL asks for, as child indices from the root
    /// (see `state::url`); `None` leaves the zoom to this view alone.
    #[prop_or_default]
    pub zoom_path: Option<Vec<u32>>,
    /// The user zoomed: the zoom as child indices, once its scene is in.
    #[prop_or_default]
    pub on_zoom_path: Callback<Vec<u32>>,
    /// The zoom asked for in `zoom_path` leads past this tree.
    #[prop_or_default]
    pub on_zoom_missing: Callback<()>,
}

#[component]
pub fn FlameView(props: &FlameViewProps) -> Html {
    let zoom = use_state(|| None::<NodeId>);
    let search = use_state(|| {
        props
            .target
            .as_ref()
            .map(|f| format!("^{}$", regex_lite::escape(f)))
            .unwrap_or_default()
    });
    let scene = use_query::<Scene>(&props.worker);
    let container = use_node_ref();
    let size = use_element_size(container.clone()).unwrap_or_default();
    let search_box = use_node_ref();
    // When comparing: boxes sized by the base instead of the new profile.
    let by_base = use_state(|| false);
    // The keyboard's focus box; `None` until the canvas is first focused.
    let focus = use_state(|| None::<NodeId>);
    // A search step waiting for the zoomed-out scene (forward or not).
    let step_later = use_state(|| None::<bool>);
    // The user zoomed and the URL is not told yet: zooms the URL asked for
    // are not echoed back to it.
    let user_zoomed = use_mut_ref(|| false);
    // Counts the user's zooms. A zoom the URL asks for is found by a worker
    // query, and the URL asks for each zoom the user makes; one the user
    // made since the query went out wins, or an Escape pressed before the
    // answer came would be undone.
    let zooms_made = use_mut_ref(|| 0u32);

    // Another reshaping is another tree: a zoom into the last one names no
    // node of it.
    {
        let zoom = zoom.clone();
        use_effect_with(props.how.clone(), move |_| {
            zoom.set(None);
            || ()
        });
    }

    // Go to the zoom the URL asks for, in the tree for these options (a
    // filter typed keeps the zoom on the same path, as the URL has it).
    {
        let zoom = zoom.clone();
        let zooms_made = zooms_made.clone();
        let worker = props.worker.clone();
        let missing = props.on_zoom_missing.clone();
        let deps = (
            props.zoom_path.clone(),
            props.generation,
            props.opts.clone(),
            props.how.clone(),
        );
        use_effect_with(deps, move |(want, _, opts, how)| {
            match want {
                Some(path) if path.is_empty() => zoom.set(None),
                Some(path) => {
                    let q = Query::FlameNode {
                        opts: opts.clone(),
                        how: how.clone(),
                        path: path.clone(),
                    };
                    let asked = *zooms_made.borrow();
                    worker.query(q, move |a| {
                        if *zooms_made.borrow() != asked {
                            return;
                        }
                        let node = match a {
                            Answer::Node(n) => n,
                            _ => None,
                        };
                        if node.is_none() {
                            missing.emit(());
                        }
                        zoom.set(node);
                    });
                }
                None => {}
            }
            || ()
        });
    }

    // Tell the URL where the user zoomed once the scene for it is in.
    {
        let (user_zoomed, on_path) = (user_zoomed.clone(), props.on_zoom_path.clone());
        let now = scene.value().cloned();
        let at = (*zoom).unwrap_or_default();
        use_effect_with(now, move |now| {
            let shown = now
                .as_ref()
                .and_then(|s| s.breadcrumb.last())
                .map(|(n, _)| *n);
            if *user_zoomed.borrow() && shown == Some(at) {
                *user_zoomed.borrow_mut() = false;
                on_path.emit(
                    now.as_ref()
                        .map(|s| s.zoom_path.clone())
                        .unwrap_or_default(),
                );
            }
            || ()
        });
    }

    // Ask for the scene whenever what it depends on changes.
    {
        let scene = scene.clone();
        let width = size.0.max(1.0) as u32;
        let deps = (
            props.generation,
            props.opts.clone(),
            *zoom,
            width,
            (*search).clone(),
            *by_base,
            props.how.clone(),
        );
        use_effect_with(deps, move |(_, opts, zoom, width, search, by_base, how)| {
            if *width > 1 {
                let q = match how {
                    Some(how) => Query::Reshaped {
                        how: how.clone(),
                        opts: opts.clone(),
                        zoom: *zoom,
                        width_px: *width,
                        search: search.clone(),
                        dark: theme().dark,
                    },
                    None => Query::Flame {
                        opts: opts.clone(),
                        zoom: *zoom,
                        width_px: *width,
                        search: search.clone(),
                        dark: theme().dark,
                        by_base: *by_base,
                    },
                };
                scene.fetch(q, |s| Scene(Rc::new(s)));
            }
            || ()
        });
    }

    {
        let (zoom, user_zoomed) = (zoom.clone(), user_zoomed.clone());
        let zooms_made = zooms_made.clone();
        let search_box = search_box.clone();
        let scene_for_keys = scene.clone();
        use_document_event("keydown", move |e: KeyboardEvent| {
            if e.key() == "/" && !is_typing_in_field(&e) {
                e.prevent_default();
                if let Some(i) = search_box.cast::<HtmlInputElement>() {
                    let _ = i.focus();
                }
            } else if e.key() == "Escape" && !is_typing_in_field(&e) {
                if let Some(s) = scene_for_keys.value() {
                    *user_zoomed.borrow_mut() = zoom.is_some();
                    *zooms_made.borrow_mut() += 1;
                    zoom.set(keys::zoom_up(s));
                }
            }
        });
    }

    let scene_now = scene.value().cloned();
    // The focus as shown: a box that left the view falls back to the
    // zoomed box.
    let focus_now = scene_now.as_ref().and_then(|s| {
        focus.map(|f| {
            flame_nav::box_of(s, f)
                .map(|_| f)
                .or_else(|| flame_nav::home(s))
                .unwrap_or(f)
        })
    });
    {
        let (focus, step_later) = (focus.clone(), step_later.clone());
        use_effect_with(scene_now.clone(), move |s| {
            if let (Some(s), Some(forward)) = (s, *step_later) {
                if s.breadcrumb.len() <= 1 {
                    step_later.set(None);
                    if let Some(n) = flame_nav::step_match(s, None, forward) {
                        focus.set(Some(n));
                    }
                }
            }
            || ()
        });
    }
    let set_focus = {
        let focus = focus.clone();
        Callback::from(move |n| focus.set(Some(n)))
    };
    // Every zoom the user makes (click, keys, breadcrumb) goes to the URL.
    let on_zoom = {
        let (zoom, user_zoomed) = (zoom.clone(), user_zoomed.clone());
        Callback::from(move |node| {
            *user_zoomed.borrow_mut() = true;
            *zooms_made.borrow_mut() += 1;
            zoom.set(node);
        })
    };
    let keys = keys::Keys {
        scene: scene_now.clone(),
        focus: focus_now,
        set_focus: set_focus.clone(),
        on_zoom: on_zoom.clone(),
        on_step_later: {
            let (on_zoom, step_later) = (on_zoom.clone(), step_later.clone());
            Callback::from(move |forward| {
                step_later.set(Some(forward));
                on_zoom.emit(None);
            })
        },
        on_sandwich: props.on_sandwich.clone(),
    };
    let focused_name = keys.focused_name();
    let announce = scene_now.as_ref().and_then(|s| {
        let b = &s.boxes[flame_nav::box_of(s, focus_now?)?];
        Some(flame_nav::announce(s, b))
    });
    let sandwich_button = match (&props.on_sandwich, focused_name) {
        (Some(cb), Some(name)) => {
            let onclick = cb.reform(move |_: MouseEvent| name.clone());
            html! { <button class="button small" data-testid="flame-sandwich" {onclick}
            title="Callers and callees of this function (key s)">{ "Sandwich" }</button> }
        }
        _ => Html::default(),
    };
    let on_key = Callback::from(move |e: KeyboardEvent| {
        if keys.handle(&e) {
            e.prevent_default();
        }
    });
    let on_canvas_focus = {
        let focus = focus.clone();
        let home = scene_now.as_ref().and_then(|s| flame_nav::home(s));
        Callback::from(move |()| {
            if focus.is_none() {
                focus.set(home);
            }
        })
    };

    // A click zooms to a box and puts the focus box on it.
    let on_canvas_zoom = {
        let (on_zoom, focus) = (on_zoom.clone(), focus.clone());
        let root = scene_now
            .as_ref()
            .and_then(|s| s.breadcrumb.first().map(|&(n, _)| n));
        Callback::from(move |node: Option<NodeId>| {
            on_zoom.emit(node);
            focus.set(node.or(root));
        })
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |s| search.set(s))
    };
    let on_by_base = {
        let (by_base, zoom) = (by_base.clone(), zoom.clone());
        // The two sizings draw different trees: a zoom into one is no node
        // of the other.
        Callback::from(move |b: bool| {
            zoom.set(None);
            by_base.set(b);
        })
    };
    // A sandwich's callers grow upward from the function, on the callees.
    let inverted = matches!(props.how, Some(Reshape::Callers(_)));
    // The sandwich's two halves have no exports of their own: the test
    // hooks name one graph per tab.
    let exports = match &props.how {
        None => Some("flame"),
        Some(Reshape::BottomUp) => Some("bottom-up"),
        Some(_) => None,
    }
    .map(|what| {
        flame_export(
            scene_now.clone(),
            size.0,
            inverted,
            container.clone(),
            &props.file_name,
            what,
        )
    })
    .unwrap_or_default();
    html! {
        <section class={classes!("flame-view", props.class.clone())}>
            <FlameToolbar scene={scene_now.clone()} search={(*search).clone()} {on_search}
                on_zoom={on_zoom.clone()} {search_box} by_base={*by_base} {on_by_base} extra={exports} />
            if let Some(e) = scene.error() {
                <div class="banner error inline">{ e.to_string() }</div>
            }
            <p class="flame-focus" data-testid="flame-focus" aria-live="polite">
                { announce.unwrap_or_default() }{ sandwich_button }
            </p>
            <FlameCanvas scene={scene_now} {size} {container} on_zoom={on_canvas_zoom}
                focus={focus_now} {on_key} on_focus={on_canvas_focus} {inverted} />
        </section>
    }
}

/// The colours for the page's colour scheme.
fn theme() -> Theme {
    let dark = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches());
    if dark {
        Theme::dark()
    } else {
        Theme::light()
    }
}
