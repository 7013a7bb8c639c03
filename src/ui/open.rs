//! Every way to open a file: the drop zone, the file input, paste, the
//! built-in examples and the recent list; and the status line with progress.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ClipboardEvent, DragEvent, HtmlInputElement};
use yew::prelude::*;

use super::hooks::{is_typing_in_field, use_document_event};
use super::state::{LoadProgress, RecentFile, Status};
use super::worker_client::Source;

/// Everything a component needs to open files.
#[derive(Clone, PartialEq)]
pub struct Opener {
    pub open: Callback<Source>,
    /// Opens several files together, as the `open-mode` choice says.
    pub open_many: Callback<Vec<Source>>,
    /// Puts a file in the recent list without opening it.
    pub add_recent: Callback<RecentFile<Blob>>,
    pub cancel: Callback<()>,
}

#[derive(Properties, PartialEq)]
pub struct DropZoneProps {
    pub opener: Opener,
    pub children: Children,
}

/// The whole window is the drop zone; it also takes pasted files and text
/// (a goroutine dump copied from a terminal), except while typing in a field.
#[component]
pub fn DropZone(props: &DropZoneProps) -> Html {
    let dragging = use_state(|| false);
    {
        let opener = props.opener.clone();
        use_document_event("paste", move |ev: ClipboardEvent| {
            if is_typing_in_field(&ev) {
                return;
            }
            let Some(data) = ev.clipboard_data() else {
                return;
            };
            if let Some(file) = data.files().and_then(|f| f.get(0)) {
                ev.prevent_default();
                opener
                    .open
                    .emit(Source::blob(file.name(), file.unchecked_into()));
                return;
            }
            if let Ok(text) = data.get_data("text") {
                if !text.trim().is_empty() {
                    ev.prevent_default();
                    opener
                        .open
                        .emit(Source::text("pasted text".to_string(), text));
                }
            }
        });
    }
    let on_dragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let on_dragleave = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            // Only when leaving the window, not when moving between children.
            if e.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let on_drop = {
        let dragging = dragging.clone();
        let opener = props.opener.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let Some(dt) = e.data_transfer() else { return };
            if let Some(files) = dt.files() {
                if files.length() > 0 {
                    open_files(&opener, &files);
                    return;
                }
            }
            if let Ok(text) = dt.get_data("text") {
                if !text.trim().is_empty() {
                    opener
                        .open
                        .emit(Source::text("dropped text".to_string(), text));
                }
            }
        })
    };
    let class = classes!("app", dragging.then_some("dragging"));
    html! {
        <div {class} data-testid="drop-zone" ondragover={on_dragover} ondragenter={Callback::from(|e: DragEvent| e.prevent_default())}
            ondragleave={on_dragleave} ondrop={on_drop}>
            { for props.children.iter() }
            if *dragging {
                <div class="drop-overlay">{ "Drop to open — the file stays on this machine" }</div>
            }
        </div>
    }
}

/// Opens one file, or several together (merged, compared or a series).
fn open_files(opener: &Opener, files: &web_sys::FileList) {
    let mut sources: Vec<Source> = (0..files.length())
        .filter_map(|i| files.get(i))
        .map(|f| Source::blob(f.name(), f.unchecked_into()))
        .collect();
    if sources.len() > 1 {
        opener.open_many.emit(sources);
    } else if let Some(one) = sources.pop() {
        opener.open.emit(one);
    }
}

#[derive(Properties, PartialEq)]
pub struct OpenButtonProps {
    pub opener: Opener,
}

#[component]
pub fn OpenButton(props: &OpenButtonProps) -> Html {
    let onchange = {
        let opener = props.opener.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(files) = input.files() {
                open_files(&opener, &files);
            }
            input.set_value("");
        })
    };
    html! {
        <label class="button primary" title="Open a profile, goroutine dump or traceback (or drop or paste it)">
            { "Open file" }
            <input type="file" data-testid="file-input" multiple=true {onchange} />
        </label>
    }
}

/// The built-in examples, shipped inside the site under `examples/`.
const EXAMPLES: [(&str, &str, &str, &str); 3] = [
    (
        "example-heap",
        "examples/heap.pb.gz",
        "heap profile",
        "A heap profile of a session store with LRU eviction",
    ),
    (
        "example-cpu",
        "examples/cpu.pb.gz",
        "CPU profile",
        "3 s of CPU: regular expressions and JSON",
    ),
    (
        "example-goroutine",
        "examples/goroutines.txt.gz",
        "goroutine dump",
        "1,267 goroutines in many states (debug=2)",
    ),
];

#[derive(Properties, PartialEq)]
pub struct ExampleMenuProps {
    pub opener: Opener,
    #[prop_or_default]
    pub compact: bool,
}

#[component]
pub fn ExampleMenu(props: &ExampleMenuProps) -> Html {
    let buttons = EXAMPLES.iter().map(|&(testid, url, label, title)| {
        let opener = props.opener.clone();
        let onclick = Callback::from(move |_| {
            let opener = opener.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match fetch_blob(url).await {
                    Ok(blob) => opener
                        .open
                        .emit(Source::blob(format!("example {label}"), blob)),
                    Err(e) => web_sys::console::error_1(&format!("example {url}: {e}").into()),
                }
            });
        });
        let text = if props.compact {
            label.to_string()
        } else {
            format!("Try a {label}")
        };
        html! { <button class="button" data-testid={testid} {title} {onclick}>{ text }</button> }
    });
    html! { <span class="examples">{ for buttons }</span> }
}

async fn fetch_blob(url: &str) -> Result<Blob, String> {
    if let Some(blob) = super::bundle::example(url) {
        return Ok(blob);
    }
    let window = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("{e:?}"))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| "not a response")?;
    if !resp.ok() {
        return Err(format!("HTTP {}", resp.status()));
    }
    let blob = JsFuture::from(resp.blob().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| format!("{e:?}"))?;
    blob.dyn_into::<Blob>()
        .map_err(|_| "not a blob".to_string())
}

#[derive(Properties, PartialEq)]
pub struct RecentMenuProps {
    pub recent: Vec<RecentFile<Blob>>,
    pub opener: Opener,
}

/// Files opened earlier in this page session.
#[component]
pub fn RecentMenu(props: &RecentMenuProps) -> Html {
    if props.recent.is_empty() {
        return html! {};
    }
    let onchange = {
        let recent = props.recent.clone();
        let opener = props.opener.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(i) = sel.value().parse::<usize>() {
                if let Some(r) = recent.get(i) {
                    opener
                        .open
                        .emit(Source::blob(r.name.clone(), r.file.clone()));
                }
            }
            sel.set_selected_index(0);
        })
    };
    html! {
        <select class="recent" data-testid="recent" {onchange} title="Open a file again">
            <option value="" selected=true>{ "Recent…" }</option>
            { for props.recent.iter().enumerate().map(|(i, r)| html! {
                <option value={i.to_string()}>{ r.name.clone() }</option>
            }) }
        </select>
    }
}

#[derive(Properties, PartialEq)]
pub struct StatusLineProps {
    pub status: Status,
    pub name: Option<String>,
    pub progress: Option<LoadProgress>,
    #[prop_or_default]
    pub on_cancel: Option<Callback<()>>,
    /// Shown as `data-worker="ready"` once the worker runs (a test hook).
    #[prop_or_default]
    pub worker_ready: bool,
}

#[component]
pub fn StatusLine(props: &StatusLineProps) -> Html {
    let text = match (props.status, &props.name, props.progress) {
        (Status::Loading, name, Some(p)) => p.describe(name.as_deref().unwrap_or("")),
        (Status::Loading, name, None) => format!("opening {}", name.as_deref().unwrap_or("")),
        (Status::Ready, _, _) => "ready".into(),
        (Status::Error, _, _) => "could not open the file".into(),
        (Status::Idle, _, _) => "no file open".into(),
    };
    let pct = props.progress.map_or(0.0, |p| p.percent());
    let files = props.progress.and_then(|p| p.files);
    html! {
        <span class="status" data-testid="status" data-state={props.status.as_str()} aria-live="polite"
            data-worker={if props.worker_ready { "ready" } else { "starting" }}>
            if props.status == Status::Loading {
                <progress data-testid="progress" max="100" value={format!("{pct:.0}")} />
                if let Some(f) = files {
                    <span hidden=true data-testid="progress-files" data-done={f.done.to_string()} data-chosen={f.chosen.to_string()} />
                }
            }
            { text }
            if let (Status::Loading, Some(cancel)) = (props.status, &props.on_cancel) {
                <button class="button small" data-testid="cancel" onclick={cancel.reform(|_| ())}>{ "Cancel" }</button>
            }
        </span>
    }
}

#[derive(Properties, PartialEq)]
pub struct LandingProps {
    pub opener: Opener,
}

#[component]
pub fn Landing(props: &LandingProps) -> Html {
    html! {
        <section class="landing">
            <h1>{ "Look inside a Go profile" }</h1>
            <p>{ "Drop a pprof profile (cpu, heap, allocs, goroutine, mutex, block, threadcreate), a goroutine dump or a panic traceback anywhere on this page, open it, or paste it with Ctrl+V." }</p>
            <div class="landing-actions">
                <OpenButton opener={props.opener.clone()} />
                <ExampleMenu opener={props.opener.clone()} />
            </div>
            <p class="privacy">{ "Everything happens in this tab: your file is never uploaded, and after this page has loaded it makes no network request at all. " }
                <super::bundle::OfflineLink /></p>
            <p class="how-to">{ "Get a profile from a Go program with " }<code>{ "curl -o cpu.pb.gz 'localhost:6060/debug/pprof/profile?seconds=10'" }</code>
                { ", or a goroutine dump with " }<code>{ "curl 'localhost:6060/debug/pprof/goroutine?debug=2'" }</code>{ "." }</p>
        </section>
    }
}
