//! The flame graph's canvas: paints the rows in view, scrolls, hit-tests the
//! pointer for the tooltip and zooms on click.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::{HtmlCanvasElement, HtmlElement, KeyboardEvent, MouseEvent};
use yew::prelude::*;

use super::tooltip::{FlameTooltip, Hover};
use super::{theme, NodeId, Scene};
use crate::protocol::{FlameBox, FlameScene};
use crate::render::{self, canvas::CanvasPainter, canvas::CharWidths, Viewport};

#[derive(Properties, PartialEq)]
pub struct FlameCanvasProps {
    pub scene: Option<Scene>,
    /// The scroll container's width and height (the canvas fills it).
    pub size: (f64, f64),
    /// The scroll container, which the parent measures.
    pub container: NodeRef,
    /// A box was clicked: zoom to it (`None`: the root).
    pub on_zoom: Callback<Option<NodeId>>,
    /// Draw the graph upward (a sandwich's callers): row 0 at the bottom,
    /// shown first scrolled to the bottom.
    #[prop_or_default]
    pub inverted: bool,
    /// The keyboard's focus box.
    pub focus: Option<NodeId>,
    /// A key pressed on the focused canvas.
    pub on_key: Callback<KeyboardEvent>,
    /// The canvas got the keyboard focus.
    pub on_focus: Callback<()>,
}

#[component]
pub fn FlameCanvas(props: &FlameCanvasProps) -> Html {
    let hover = use_state(|| None::<Hover>);
    let scroll_y = use_state(|| 0.0f64);
    let canvas = use_node_ref();
    // Label widths measured by earlier paints, kept across paints.
    let widths: Rc<RefCell<CharWidths>> = use_mut_ref(CharWidths::default);
    let size = props.size;
    let inverted = props
        .scene
        .as_ref()
        .filter(|_| props.inverted)
        .map(|s| s.depth);
    let viewport = Viewport {
        width: size.0,
        height: size.1,
        scroll_y: *scroll_y,
        inverted,
    };

    // An upward graph starts at its bottom, where its root row is.
    {
        let container = props.container.clone();
        use_effect_with(inverted, move |inverted| {
            if let (Some(_), Some(el)) = (inverted, container.cast::<HtmlElement>()) {
                el.set_scroll_top(el.scroll_height());
            }
            || ()
        });
    }

    // Paint when the scene, size, scroll or focus box change.
    {
        let canvas = canvas.clone();
        let deps = (props.scene.clone(), viewport, props.focus);
        use_effect_with(deps, move |(scene, vp, focus)| {
            if let (Some(scene), Some(el)) = (scene, canvas.cast::<HtmlCanvasElement>()) {
                paint(&el, scene, *vp, &widths, *focus);
            }
            || ()
        });
    }

    // Scroll the focus box into view when the keys move it off screen.
    {
        let container = props.container.clone();
        let deps = (props.focus, props.scene.clone());
        use_effect_with(deps, move |(focus, scene)| {
            let b = scene
                .as_ref()
                .zip(*focus)
                .and_then(|(s, f)| s.boxes.iter().find(|b| b.node == f));
            if let (Some(b), Some(el)) = (b, container.cast::<HtmlElement>()) {
                let (top, h) = (el.scroll_top() as f64, el.client_height() as f64);
                // The row's y in the scrolled content.
                let y = Viewport {
                    scroll_y: 0.0,
                    ..viewport
                }
                .row_top(b.depth);
                if y < top || y + render::ROW_HEIGHT > top + h {
                    el.set_scroll_top((y - h / 2.0).max(0.0) as i32);
                }
            }
            || ()
        });
    }

    let on_move = {
        let scene = props.scene.clone();
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
        let scene = props.scene.clone();
        let on_zoom = props.on_zoom.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(s) = scene.as_ref() else { return };
            if let Some(b) = box_at(s, viewport, e.offset_x() as f64, e.offset_y() as f64) {
                on_zoom.emit(if b.depth == 0 { None } else { Some(b.node) });
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

    let graph_h = props
        .scene
        .as_ref()
        .map_or(0.0, |s| render::graph_height(s));
    let tooltip = match (props.scene.as_ref(), hover.as_ref()) {
        (Some(s), Some(h)) => html! {
            <FlameTooltip hover={h.clone()} unit={s.unit.clone()} total={s.total} width={size.0}
                base_total={s.base_total.filter(|_| s.sized_by_base)} />
        },
        _ => Html::default(),
    };
    html! {
        <div class="flame-scroll" ref={props.container.clone()} onscroll={on_scroll}>
            <div class="flame-spacer" style={format!("height:{}px", graph_h.max(size.1))}>
                <div class="flame-sticky">
                    <canvas data-testid="flame-canvas" ref={canvas} class="flame-canvas"
                        style={format!("width:{}px;height:{}px", size.0, size.1)}
                        onmousemove={on_move} onmouseleave={on_leave} onclick={on_click}
                        tabindex="0" role="img"
                        aria-label="Flame graph: arrows move, Enter zooms, Backspace goes up, n and N step through matches, s opens the sandwich"
                        onkeydown={props.on_key.clone()} onfocus={props.on_focus.reform(|_: FocusEvent| ())} />
                    { tooltip }
                </div>
            </div>
        </div>
    }
}

/// Draws `scene` at `vp`, reusing the label widths measured before, and
/// marks the canvas drawn (a test hook).
fn paint(
    el: &HtmlCanvasElement,
    scene: &Scene,
    vp: Viewport,
    widths: &RefCell<CharWidths>,
    focus: Option<NodeId>,
) {
    let cache = std::mem::take(&mut *widths.borrow_mut());
    let perf = web_sys::window().and_then(|w| w.performance());
    if let Some(p) = &perf {
        let _ = p.mark("flame-draw-start");
    }
    if let Some(mut painter) = CanvasPainter::new(el, vp.width, vp.height, cache) {
        let theme = theme();
        render::draw_flame(&mut painter, scene, vp, &theme);
        if let Some(f) = focus {
            render::draw_focus(&mut painter, scene, vp, f, &theme);
        }
        // Benchmarks read these: performance.getEntriesByName("flame-draw").
        if let Some(p) = &perf {
            let _ = p.measure_with_start_mark("flame-draw", "flame-draw-start");
            p.clear_marks_with_mark_name("flame-draw-start");
        }
        *widths.borrow_mut() = painter.into_widths();
        let _ = el.set_attribute("data-drawn", "true");
    }
}

/// The box under a point of the canvas (CSS pixels).
fn box_at(scene: &FlameScene, vp: Viewport, x: f64, y: f64) -> Option<&FlameBox> {
    let (x, row) = vp.locate(x, y)?;
    crate::view::flame_scene::hit_test(scene, x, row)
}
