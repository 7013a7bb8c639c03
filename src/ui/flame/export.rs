//! The flame graph's exports: SVG, the whole graph at the current zoom
//! and width (written by [`crate::render::svg`], labels sized by the
//! canvas's font), and PNG, the canvas as it shows, at the screen's pixel
//! ratio (its backing store is already that size).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::{theme, Scene};
use crate::render::canvas::{CanvasPainter, CharWidths};
use crate::render::svg::flame_svg;
use crate::ui::export::{download_blob, download_text, report};
use crate::view::export::export_name;

/// The SVG and PNG buttons for `scene` drawn `width` CSS pixels wide in
/// the canvas inside `container`; `what` names the graph in the files'
/// names (`flame`, `bottom-up`).
pub fn flame_export(
    scene: Option<Scene>,
    width: f64,
    inverted: bool,
    container: NodeRef,
    file: &str,
    what: &str,
) -> Html {
    let disabled = scene.is_none();
    let svg_name = export_name(file, what, "svg");
    let on_svg =
        Callback::from(move |_: MouseEvent| {
            if let Some(scene) = scene.as_ref() {
                report(svg(scene, width, inverted).and_then(|text| {
                    download_text(&svg_name, &text, "image/svg+xml;charset=utf-8")
                }));
            }
        });
    let png_name = export_name(file, what, "png");
    let on_png = Callback::from(move |_: MouseEvent| {
        let canvas = container
            .cast::<web_sys::Element>()
            .and_then(|c| c.query_selector("canvas").ok().flatten())
            .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok());
        let Some(canvas) = canvas else { return };
        let name = png_name.clone();
        let done = Closure::once_into_js(move |blob: JsValue| {
            report(match blob.dyn_into::<web_sys::Blob>() {
                Ok(b) => download_blob(&name, &b),
                Err(_) => Err("the canvas gave no image".to_string()),
            });
        });
        report(
            canvas
                .to_blob(done.unchecked_ref())
                .map_err(|e| format!("{e:?}")),
        );
    });
    html! {
        <span class="export">
            <button class="button small" data-testid="export-svg" {disabled} onclick={on_svg}
                title="Download the whole graph at this zoom as SVG, the names as text">{ "SVG" }</button>
            <button class="button small" data-testid="export-png" {disabled} onclick={on_png}
                title="Download the graph as shown as PNG, at the screen's pixel ratio">{ "PNG" }</button>
        </span>
    }
}

/// The SVG, its labels measured in the canvas's font on a canvas of its own
/// (the shown one keeps its size).
fn svg(scene: &Scene, width: f64, inverted: bool) -> Result<String, String> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let canvas: HtmlCanvasElement = doc
        .create_element("canvas")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    let mut measure = CanvasPainter::new(&canvas, 1.0, 1.0, CharWidths::default())
        .ok_or("no 2D canvas to measure labels")?;
    Ok(flame_svg(scene, width, &theme(), inverted, &mut measure))
}
