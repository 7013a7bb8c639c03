//! The yew single-page app.
//!
//! One [`Reducible`] state with an [`Action`] enum; the worker's responses
//! become actions. Components render state and raise actions, nothing else.

mod worker_client;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{Blob, HtmlInputElement};
use yew::prelude::*;

use crate::decode::Stage;
use crate::protocol::{Request, Response, Summary};
use worker_client::WorkerClient;

/// Mounts the app on `<body>` and installs the panic hook.
pub fn start() {
    install_panic_hook();
    yew::Renderer::<App>::new().render();
}

thread_local! {
    /// Where the panic hook reports: set once the app is mounted.
    static PANIC_SINK: RefCell<Option<Callback<String>>> = const { RefCell::new(None) };
}

/// Turns a Rust panic into the error banner instead of a dead page.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!("internal error: {info}");
        web_sys::console::error_1(&message.clone().into());
        PANIC_SINK.with(|s| {
            if let Some(cb) = s.borrow().as_ref() {
                cb.emit(message);
            }
        });
    }));
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Idle,
    Loading,
    Ready,
    Error,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Loading => "loading",
            Status::Ready => "ready",
            Status::Error => "error",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub status: Status,
    pub loading_name: Option<String>,
    pub progress: Option<(Stage, u64, u64)>,
    pub summary: Option<Rc<Summary>>,
    pub error: Option<String>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState { status: Status::Idle, loading_name: None, progress: None, summary: None, error: None }
    }
}

pub enum Action {
    StartLoading(String),
    Worker(Response),
    Fail(String),
    DismissError,
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::StartLoading(name) => {
                s.status = Status::Loading;
                s.loading_name = Some(name);
                s.progress = None;
                s.error = None;
            }
            Action::Worker(Response::Ready) => return self,
            Action::Worker(Response::Progress { stage, done, total }) => {
                if s.status != Status::Loading {
                    return self;
                }
                s.progress = Some((stage, done, total));
            }
            Action::Worker(Response::Loaded { summary }) => {
                s.status = Status::Ready;
                s.summary = Some(Rc::new(summary));
                s.loading_name = None;
                s.progress = None;
            }
            Action::Worker(Response::Error { message }) | Action::Fail(message) => {
                s.status = Status::Error;
                s.error = Some(message);
                s.loading_name = None;
                s.progress = None;
            }
            Action::DismissError => {
                s.error = None;
                s.status = if s.summary.is_some() { Status::Ready } else { Status::Idle };
            }
        }
        Rc::new(s)
    }
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);
    let worker: Rc<RefCell<Option<WorkerClient>>> = use_mut_ref(|| None);

    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let d = dispatcher.clone();
            PANIC_SINK.with(|s| *s.borrow_mut() = Some(Callback::from(move |m| d.dispatch(Action::Fail(m)))));
            || ()
        });
    }

    let open_blob = {
        let dispatcher = state.dispatcher();
        let worker = worker.clone();
        Callback::from(move |(name, blob): (String, Blob)| {
            let mut w = worker.borrow_mut();
            if w.is_none() {
                let d = dispatcher.clone();
                match WorkerClient::spawn(move |resp| d.dispatch(Action::Worker(resp))) {
                    Ok(client) => *w = Some(client),
                    Err(e) => {
                        dispatcher.dispatch(Action::Fail(e));
                        return;
                    }
                }
            }
            dispatcher.dispatch(Action::StartLoading(name.clone()));
            if let Err(e) = w.as_ref().unwrap().send(&Request::Open { name }, Some(&blob)) {
                dispatcher.dispatch(Action::Fail(e));
            }
        })
    };

    let on_file_change = {
        let open_blob = open_blob.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                open_blob.emit((file.name(), file.unchecked_into()));
            }
            input.set_value("");
        })
    };

    let on_dismiss = {
        let d = state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::DismissError))
    };

    html! {
        <div class="app" data-testid="drop-zone">
            <header class="topbar">
                <span class="brand">{ "pprof-lens" }</span>
                <label class="button primary">
                    { "Open file" }
                    <input type="file" data-testid="file-input" multiple=true onchange={on_file_change} />
                </label>
                <StatusLine status={state.status} name={state.loading_name.clone()} progress={state.progress} />
            </header>
            if let Some(err) = &state.error {
                <div class="banner error" role="alert" data-testid="error">
                    <span>{ err.clone() }</span>
                    <button class="button" onclick={on_dismiss}>{ "Dismiss" }</button>
                </div>
            }
            <main>
                if let Some(summary) = &state.summary {
                    <SummaryView summary={summary.clone()} />
                } else {
                    <Landing />
                }
            </main>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct StatusLineProps {
    pub status: Status,
    pub name: Option<String>,
    pub progress: Option<(Stage, u64, u64)>,
}

#[component]
pub fn StatusLine(props: &StatusLineProps) -> Html {
    let text = match (props.status, &props.name, props.progress) {
        (Status::Loading, name, Some((stage, done, total))) => {
            let stage = match stage {
                Stage::Inflating => "reading",
                Stage::Decoding => "decoding",
                Stage::Analysing => "analysing",
            };
            format!("{stage} {} — {} of {}", name.as_deref().unwrap_or(""), human_bytes(done), human_bytes(total))
        }
        (Status::Loading, name, None) => format!("opening {}", name.as_deref().unwrap_or("")),
        (Status::Ready, _, _) => "ready".into(),
        (Status::Error, _, _) => "could not open the file".into(),
        (Status::Idle, _, _) => "no file open".into(),
    };
    let pct = props.progress.map(|(_, d, t)| if t == 0 { 0.0 } else { d as f64 * 100.0 / t as f64 });
    html! {
        <span class="status" data-testid="status" data-state={props.status.as_str()} aria-live="polite">
            if let (Status::Loading, Some(p)) = (props.status, pct) {
                <progress data-testid="progress" max="100" value={format!("{p:.0}")} />
            }
            { text }
        </span>
    }
}

#[component]
pub fn Landing() -> Html {
    html! {
        <section class="landing">
            <h1>{ "Look inside a Go profile" }</h1>
            <p>{ "Drop a pprof profile (cpu, heap, allocs, goroutine, mutex, block, threadcreate), a goroutine dump or a panic traceback anywhere on this page, or use Open file." }</p>
            <p class="privacy">{ "Everything happens in this tab: your file is never uploaded." }</p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct SummaryViewProps {
    pub summary: Rc<Summary>,
}

#[component]
pub fn SummaryView(props: &SummaryViewProps) -> Html {
    let s = &props.summary;
    html! {
        <section class="profile-header">
            <h2 data-testid="file-name">{ s.name.clone() }</h2>
            <p class="kind" data-testid="kind">{ s.kind.clone() }</p>
            <ul class="sample-types" data-testid="sample-types">
                { for s.sample_types.iter().zip(&s.totals).map(|(t, total)| html! {
                    <li>{ format!("{} ({}): total {}", t.name, t.unit, total) }</li>
                }) }
            </ul>
            <p>{ format!("{} samples", s.samples) }</p>
        </section>
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
