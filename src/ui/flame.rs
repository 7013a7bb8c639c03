//! The Flame tab: an icicle graph on canvas (root on top).
//!
//! The worker lays out boxes for the current zoom at the canvas width and
//! sends only those wider than a pixel; this component paints the rows in
//! view, hit-tests the pointer for the tooltip, zooms on click (with a
//! breadcrumb back), and searches (`/` focuses the box, `Esc` resets zoom).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement, HtmlInputElement, KeyboardEvent, MouseEvent};
use yew::prelude::*;

use super::WorkerHandle;
use crate::protocol::ReportOptions;
use crate::protocol::{Answer, FlameBox, FlameScene, NodeId, Query};
use crate::render::{self, canvas::CanvasPainter, canvas::CharWidths, Theme, Viewport};
use crate::view::flame_scene::hit_test;
use crate::view::measurement;

#[derive(Properties, PartialEq)]
pub struct FlameViewProps {
    pub worker: WorkerHandle,
    pub generation: u32,
    pub opts: ReportOptions,
    /// A function to highlight on arrival (clicked in the top table).
    #[prop_or_default]
    pub target: Option<String>,
}

#[derive(Clone, PartialEq)]
struct Hover {
    b: FlameBox,
    x: f64,
    y: f64,
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
    let scene = use_state(|| None::<Rc<FlameScene>>);
    let error = use_state(|| None::<String>);
    let hover = use_state(|| None::<Hover>);
    let size = use_state(|| (0.0f64, 0.0f64));
    let scroll_y = use_state(|| 0.0f64);
    let container = use_node_ref();
    let canvas = use_node_ref();
    let search_box = use_node_ref();
    let widths: Rc<RefCell<CharWidths>> = use_mut_ref(CharWidths::default).clone();

    // Follow the container's size.
    {
        let container = container.clone();
        let size = size.clone();
        use_effect_with((), move |_| {
            let measure = {
                let container = container.clone();
                let size = size.clone();
                move || {
                    if let Some(el) = container.cast::<HtmlElement>() {
                        let r = el.get_bounding_client_rect();
                        size.set((r.width().floor(), el.client_height() as f64));
                    }
                }
            };
            measure();
            let cb = Closure::<dyn FnMut()>::new(measure);
            let window = web_sys::window().unwrap();
            let _ = window.add_event_listener_with_callback("resize", cb.as_ref().unchecked_ref());
            move || {
                let _ = window
                    .remove_event_listener_with_callback("resize", cb.as_ref().unchecked_ref());
            }
        });
    }

    // Ask for the scene whenever what it depends on changes.
    {
        let scene = scene.clone();
        let error = error.clone();
        let worker = props.worker.clone();
        let width = size.0.max(1.0) as u32;
        let deps = (
            props.generation,
            props.opts.clone(),
            *zoom,
            width,
            (*search).clone(),
        );
        use_effect_with(deps, move |(_, opts, zoom, width, search)| {
            if *width > 1 {
                let q = Query::Flame {
                    opts: opts.clone(),
                    zoom: *zoom,
                    width_px: *width,
                    search: search.clone(),
                    dark: theme().dark,
                };
                worker.query(q, move |answer| match answer {
                    Answer::Flame(s) => {
                        error.set(None);
                        scene.set(Some(Rc::new(s)));
                    }
                    Answer::Failed { message } => error.set(Some(message)),
                    _ => {}
                });
            }
            || ()
        });
    }

    // Paint when the scene, size or scroll change.
    {
        let canvas = canvas.clone();
        let widths = widths.clone();
        let deps = (scene.clone(), *size, *scroll_y);
        use_effect_with(deps, move |(scene, (w, h), scroll_y)| {
            if let (Some(scene), Some(el)) = (scene.as_ref(), canvas.cast::<HtmlCanvasElement>()) {
                let vp = Viewport {
                    width: *w,
                    height: *h,
                    scroll_y: *scroll_y,
                };
                let cache = std::mem::take(&mut *widths.borrow_mut());
                let perf = web_sys::window().and_then(|w| w.performance());
                if let Some(p) = &perf {
                    let _ = p.mark("flame-draw-start");
                }
                if let Some(mut painter) = CanvasPainter::new(&el, vp.width, vp.height, cache) {
                    render::draw_flame(&mut painter, scene, vp, &theme());
                    // Benchmarks read these: performance.getEntriesByName("flame-draw").
                    if let Some(p) = &perf {
                        let _ = p.measure_with_start_mark("flame-draw", "flame-draw-start");
                        p.clear_marks_with_mark_name("flame-draw-start");
                    }
                    *widths.borrow_mut() = painter.into_widths();
                    let _ = el.set_attribute("data-drawn", "true");
                }
            }
            || ()
        });
    }

    // Keyboard: `/` focuses the search box, Esc resets the zoom.
    {
        let zoom = zoom.clone();
        let search_box = search_box.clone();
        use_effect_with((), move |_| {
            let cb = Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| {
                let typing = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| {
                        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    });
                if e.key() == "/" && !typing {
                    e.prevent_default();
                    if let Some(i) = search_box.cast::<HtmlInputElement>() {
                        let _ = i.focus();
                    }
                } else if e.key() == "Escape" {
                    zoom.set(None);
                }
            });
            let doc = web_sys::window().unwrap().document().unwrap();
            let _ = doc.add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
            move || {
                let _ =
                    doc.remove_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref());
            }
        });
    }

    let viewport = Viewport {
        width: size.0,
        height: size.1,
        scroll_y: *scroll_y,
    };
    let on_move = {
        let scene = scene.clone();
        let hover = hover.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(s) = scene.as_ref() else { return };
            let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
            let hit = box_at(s, viewport, x, y).cloned();
            let next = hit.map(|b| Hover { b, x, y });
            if *hover != next {
                hover.set(next);
            }
        })
    };
    let on_leave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };
    let on_click = {
        let scene = scene.clone();
        let zoom = zoom.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(s) = scene.as_ref() else { return };
            if let Some(b) = box_at(s, viewport, e.offset_x() as f64, e.offset_y() as f64) {
                zoom.set(if b.depth == 0 { None } else { Some(b.node) });
            }
        })
    };
    let on_scroll = {
        let scroll_y = scroll_y.clone();
        let hover = hover.clone();
        Callback::from(move |e: Event| {
            let el: HtmlElement = e.target_unchecked_into();
            scroll_y.set(el.scroll_top() as f64);
            hover.set(None);
        })
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            search.set(input.value());
        })
    };

    let graph_h = scene.as_ref().map_or(0.0, |s| render::graph_height(s));
    let unit = scene.as_ref().map(|s| s.unit.clone()).unwrap_or_default();
    let total = scene.as_ref().map_or(0, |s| s.total);
    let tooltip = hover.as_ref().map(|h| {
        let pct = |v: i64| measurement::percentage(v, total).trim().to_string();
        let left = (h.x + 14.0).min((size.0 - 320.0).max(0.0));
        let style = format!("left:{left}px;top:{}px", h.y + 16.0);
        html! {
            <div class="tooltip" data-testid="tooltip" {style}>
                <div class="tt-name">{ h.b.name.clone() }</div>
                if !h.b.file.is_empty() { <div class="tt-file">{ h.b.file.clone() }</div> }
                <div>{ format!("total {} ({})", measurement::label(h.b.total, &unit), pct(h.b.total)) }</div>
                <div>{ format!("self {} ({})", measurement::label(h.b.self_value, &unit), pct(h.b.self_value)) }</div>
            </div>
        }
    });
    let crumbs = scene.as_ref().map(|s| {
        let items = s.breadcrumb.iter().enumerate().map(|(i, (node, name))| {
            let zoom = zoom.clone();
            let target = if i == 0 { None } else { Some(*node) };
            html! { <button class="crumb" onclick={Callback::from(move |_| zoom.set(target))}>{ name.clone() }</button> }
        });
        items.collect::<Html>()
    });
    let search_info = scene.as_ref().and_then(|s| s.search.as_ref()).map(|r| {
        format!(
            "{} match{} · {:.2}% of total",
            r.matches,
            if r.matches == 1 { "" } else { "es" },
            r.share * 100.0
        )
    });

    html! {
        <section class="flame-view">
            <div class="toolbar">
                <input class="search" type="search" data-testid="flame-search" ref={search_box} placeholder="Search functions (regex) — press /"
                    value={(*search).clone()} oninput={on_search} spellcheck="false" />
                if let Some(info) = search_info { <span class="search-info" data-testid="flame-search-info">{ info }</span> }
                <nav class="breadcrumb" data-testid="flame-breadcrumb" aria-label="Zoom path">{ crumbs }</nav>
                <span class="spacer" />
                <span class="muted">{ "Click a box to zoom · Esc resets" }</span>
            </div>
            if let Some(e) = error.as_ref() {
                <div class="banner error inline">{ e.clone() }</div>
            }
            <div class="flame-scroll" ref={container} onscroll={on_scroll}>
                <div class="flame-spacer" style={format!("height:{}px", graph_h.max(size.1))}>
                    <div class="flame-sticky">
                        <canvas data-testid="flame-canvas" ref={canvas} class="flame-canvas"
                            style={format!("width:{}px;height:{}px", size.0, size.1)}
                            onmousemove={on_move} onmouseleave={on_leave} onclick={on_click} />
                        { tooltip.unwrap_or_default() }
                    </div>
                </div>
            </div>
        </section>
    }
}

/// The box under a point of the canvas (CSS pixels).
fn box_at(scene: &FlameScene, vp: Viewport, x: f64, y: f64) -> Option<&FlameBox> {
    let (x, row) = vp.locate(x, y)?;
    hit_test(scene, x, row)
}

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
