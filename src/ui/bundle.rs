//! What the build tells the page: where the worker starts from, what the
//! single-file build carries inside it, and whether this is a new version.
//!
//! On the hosted site the worker's loader has a content-hashed name, which
//! `tools/hash-worker.mjs` writes into `<meta name="pprof-lens-worker">`,
//! and `www/sw-register.js` leaves `window.pprofLensUpdate` when this
//! browser last ran another build, or when a new one took over while a
//! profile is open.
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

/// Where the worker starts from: the single file's Blob URL, else the
/// hashed loader the page names, else the unhashed one (a build without the
/// post-build hook, such as the component tests').
pub fn worker_url() -> String {
    bundle()
        .and_then(|b| Reflect::get(&b, &JsValue::from_str("worker")).ok())
        .and_then(|u| u.as_string())
        .or_else(|| meta("pprof-lens-worker"))
        .unwrap_or_else(|| WORKER_URL.to_string())
}

fn meta(name: &str) -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector(&format!("meta[name=\"{name}\"]"))
        .ok()??
        .get_attribute("content")
}

/// What `window.pprofLensUpdate` says.
#[derive(Clone, Copy, PartialEq)]
enum Update {
    None,
    /// This browser last ran another build: this one replaced it.
    Done,
    /// A new build took over while this page shows a profile.
    Pending,
}

fn update() -> Update {
    let Some(u) = web_sys::window()
        .and_then(|w| Reflect::get(&w, &JsValue::from_str("pprofLensUpdate")).ok())
        .filter(|u| u.is_object())
    else {
        return Update::None;
    };
    let pending = Reflect::get(&u, &JsValue::from_str("pending"))
        .ok()
        .and_then(|p| p.as_bool())
        .unwrap_or(false);
    if pending {
        Update::Pending
    } else {
        Update::Done
    }
}

/// A small notice in the header when a new deployment is in use, or ready.
#[yew::component]
pub fn UpdateNotice() -> yew::Html {
    use yew::prelude::*;
    let state = use_state(update);
    let dismissed = use_state(|| false);
    {
        let state = state.clone();
        super::hooks::use_document_event("pprof-lens-update", move |_: web_sys::Event| {
            state.set(update())
        });
    }
    if *dismissed || *state == Update::None {
        return Html::default();
    }
    let dismiss = {
        let dismissed = dismissed.clone();
        Callback::from(move |_| dismissed.set(true))
    };
    let reload = Callback::from(|_| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    html! {
        <span class="updated" data-testid="updated" data-update={if *state == Update::Pending { "ready" } else { "done" }} role="status">
            if *state == Update::Pending {
                { "A new version of pprof-lens is ready. " }
                <button class="link" onclick={reload}>{ "Reload" }</button>
            } else {
                { "pprof-lens was updated. " }
            }
            <button class="link" aria-label="Dismiss this notice" onclick={dismiss}>{ "×" }</button>
        </span>
    }
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
