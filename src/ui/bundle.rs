//! What the single-file build carries inside the page.
//!
//! `dist/pprof-lens.html` (made by `tools/single-file.mjs`) opens from
//! `file://`, where a browser fetches nothing: its start script unpacks the
//! worker into a Blob URL and the built-in examples into Blobs, and leaves
//! them in `window.pprofLensBundle` as `{ worker: "blob:…", examples: {
//! "examples/cpu.pb.gz": Blob, … } }` before the app starts. The hosted site
//! has no bundle and loads both from its own origin.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

/// The worker's start script on the hosted site; relative, so the site works
/// from any sub-path.
const WORKER_URL: &str = "./worker-loader.js";

fn bundle() -> Option<JsValue> {
    let window = web_sys::window()?;
    let b = Reflect::get(&window, &JsValue::from_str("pprofLensBundle")).ok()?;
    (!b.is_undefined() && !b.is_null()).then_some(b)
}

/// Whether the page is the single file (which has nothing to download).
pub fn is_single_file() -> bool {
    bundle().is_some()
}

/// Where the worker starts from.
pub fn worker_url() -> String {
    bundle()
        .and_then(|b| Reflect::get(&b, &JsValue::from_str("worker")).ok())
        .and_then(|u| u.as_string())
        .unwrap_or_else(|| WORKER_URL.to_string())
}

/// A built-in example the page carries, by its path on the hosted site.
pub fn example(path: &str) -> Option<Blob> {
    let examples = Reflect::get(&bundle()?, &JsValue::from_str("examples")).ok()?;
    Reflect::get(&examples, &JsValue::from_str(path))
        .ok()?
        .dyn_into::<Blob>()
        .ok()
}

/// The single file, for offline use: a plain same-origin download of the
/// file the build writes beside the site. The single file itself shows
/// none.
#[yew::component]
pub fn OfflineLink() -> yew::Html {
    if is_single_file() {
        return yew::Html::default();
    }
    yew::html! {
        <a class="offline-link" href="pprof-lens.html" download="pprof-lens.html" data-testid="download-offline"
            title="One self-contained HTML file: copy it anywhere and open it with no network and no server">
            { "Download for offline use" }
        </a>
    }
}
