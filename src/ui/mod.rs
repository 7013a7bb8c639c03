//! The yew single-page app.
//!
//! One [`Reducible`] state with an [`Action`] enum; the worker's events become
//! actions. Views ask the worker for what they show through a shared
//! [`WorkerHandle`]: the profile itself stays in the worker.

mod flame;
mod goroutines;
mod header;
mod open;
mod top;
mod worker_client;

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::Blob;
use yew::prelude::*;

pub use flame::{FlameView, FlameViewProps};
pub use goroutines::{
    GoroutineSummaryView, GoroutineSummaryViewProps, GoroutinesView, GoroutinesViewProps,
};
pub use header::{ProfileHeader, ProfileHeaderProps};
pub use open::{Landing, LandingProps, StatusLine, StatusLineProps};
pub use top::{TopView, TopViewProps};
pub use worker_client::{WorkerClient, WorkerHandle};

use crate::protocol::{ReportOptions, Stage};
use crate::protocol::{Request, Response, Summary};

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
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Loading => "loading",
            Status::Ready => "ready",
            Status::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Top,
    Flame,
    Goroutines,
}

/// A file opened in this page session, kept so it can be opened again.
#[derive(Clone, Debug, PartialEq)]
pub struct RecentFile {
    pub name: String,
    pub blob: Blob,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub status: Status,
    pub loading_name: Option<String>,
    pub progress: Option<(Stage, u64, u64)>,
    pub summary: Option<Rc<Summary>>,
    pub error: Option<String>,
    /// Increases with every profile loaded, so views know to ask again.
    pub generation: u32,
    pub opts: ReportOptions,
    pub tab: Tab,
    pub recent: Vec<RecentFile>,
    /// The file being loaded, to put in `recent` once it opens.
    pub loading_blob: Option<RecentFile>,
    /// A function the flame graph should show (set by clicking a top row).
    pub flame_target: Option<String>,
    /// The worker has started (its code is loaded; opening a file now makes
    /// no request).
    pub worker_ready: bool,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            status: Status::Idle,
            loading_name: None,
            progress: None,
            summary: None,
            error: None,
            generation: 0,
            opts: ReportOptions::default(),
            tab: Tab::Top,
            recent: Vec::new(),
            loading_blob: None,
            flame_target: None,
            worker_ready: false,
        }
    }
}

pub enum Action {
    StartLoading { name: String, blob: Option<Blob> },
    Worker(Response),
    Fail(String),
    Cancelled,
    DismissError,
    SetSampleIndex(usize),
    SetOptions(ReportOptions),
    SetTab(Tab),
    ShowInFlame(String),
    AddRecent(RecentFile),
}

/// How many files the recent list keeps.
const RECENT_MAX: usize = 8;

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::StartLoading { name, blob } => {
                s.status = Status::Loading;
                s.loading_blob = blob.map(|blob| RecentFile {
                    name: name.clone(),
                    blob,
                });
                s.loading_name = Some(name);
                s.progress = None;
                s.error = None;
            }
            Action::Worker(Response::Ready) => s.worker_ready = true,
            Action::Worker(Response::Answer { .. }) => return self,
            Action::Worker(Response::Progress { stage, done, total }) => {
                if s.status != Status::Loading {
                    return self;
                }
                s.progress = Some((stage, done, total));
            }
            Action::Worker(Response::Loaded { summary }) => {
                s.status = Status::Ready;
                s.opts = ReportOptions {
                    sample_index: Some(summary.default_index),
                    ..ReportOptions::default()
                };
                if s.tab == Tab::Goroutines && !summary.has_goroutines {
                    s.tab = Tab::Top;
                }
                if summary.has_goroutines && s.summary.as_ref().is_none_or(|p| !p.has_goroutines) {
                    s.tab = Tab::Goroutines;
                }
                s.summary = Some(Rc::new(summary));
                s.generation += 1;
                s.loading_name = None;
                s.progress = None;
                s.flame_target = None;
                if let Some(file) = s.loading_blob.take() {
                    s.recent.retain(|r| r.name != file.name);
                    s.recent.insert(0, file);
                    s.recent.truncate(RECENT_MAX);
                }
            }
            Action::Worker(Response::Error { message }) | Action::Fail(message) => {
                s.status = Status::Error;
                s.error = Some(message);
                s.loading_name = None;
                s.loading_blob = None;
                s.progress = None;
            }
            Action::Cancelled => {
                s.worker_ready = false;
                s.status = if s.summary.is_some() {
                    Status::Ready
                } else {
                    Status::Idle
                };
                s.loading_name = None;
                s.loading_blob = None;
                s.progress = None;
            }
            Action::DismissError => {
                s.error = None;
                s.status = if s.summary.is_some() {
                    Status::Ready
                } else {
                    Status::Idle
                };
            }
            Action::SetSampleIndex(i) => s.opts.sample_index = Some(i),
            Action::SetOptions(o) => s.opts = o,
            Action::SetTab(t) => s.tab = t,
            Action::AddRecent(file) => {
                s.recent.retain(|r| r.name != file.name);
                s.recent.insert(0, file);
                s.recent.truncate(RECENT_MAX);
            }
            Action::ShowInFlame(f) => {
                s.flame_target = Some(f);
                s.tab = Tab::Flame;
            }
        }
        Rc::new(s)
    }
}

/// Everything a component needs to open files.
#[derive(Clone, PartialEq)]
pub struct Opener {
    pub open_blob: Callback<(String, Blob)>,
    pub open_text: Callback<(String, String)>,
    /// Puts a file in the recent list without opening it.
    pub add_recent: Callback<(String, Blob)>,
    pub cancel: Callback<()>,
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);
    let worker = use_memo((), |_| WorkerHandle::default());
    let worker = (*worker).clone();

    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let d = dispatcher.clone();
            PANIC_SINK.with(|s| {
                *s.borrow_mut() = Some(Callback::from(move |m| d.dispatch(Action::Fail(m))))
            });
            || ()
        });
    }

    let ensure_worker = {
        let dispatcher = state.dispatcher();
        let worker = worker.clone();
        move || -> bool {
            let mut w = worker.0.borrow_mut();
            if w.is_some() {
                return true;
            }
            let d = dispatcher.clone();
            match WorkerClient::spawn(move |resp| d.dispatch(Action::Worker(resp))) {
                Ok(client) => {
                    *w = Some(client);
                    true
                }
                Err(e) => {
                    dispatcher.dispatch(Action::Fail(e));
                    false
                }
            }
        }
    };

    // Start the worker with the page, so that opening a file makes no
    // request at all (the worker's script and wasm are already loaded).
    {
        let ensure_worker = ensure_worker.clone();
        use_effect_with((), move |_| {
            ensure_worker();
            || ()
        });
    }

    let send = {
        let dispatcher = state.dispatcher();
        let worker = worker.clone();
        let ensure_worker = ensure_worker.clone();
        Rc::new(move |req: Request, blob: Option<Blob>| {
            if !ensure_worker() {
                return;
            }
            let name = match &req {
                Request::Open { name } | Request::OpenText { name, .. } => name.clone(),
                Request::Query { .. } => String::new(),
            };
            dispatcher.dispatch(Action::StartLoading {
                name,
                blob: blob.clone(),
            });
            let result = worker
                .0
                .borrow()
                .as_ref()
                .map(|w| w.send(&req, blob.as_ref()));
            if let Some(Err(e)) = result {
                dispatcher.dispatch(Action::Fail(e));
            }
        })
    };

    let opener = {
        let send_blob = send.clone();
        let send_text = send.clone();
        let dispatcher = state.dispatcher();
        let worker = worker.clone();
        let state_for_cancel = state.clone();
        let send_again = send.clone();
        Opener {
            open_blob: Callback::from(move |(name, blob): (String, Blob)| {
                send_blob(Request::Open { name }, Some(blob));
            }),
            open_text: Callback::from(move |(name, text): (String, String)| {
                send_text(Request::OpenText { name, text }, None);
            }),
            add_recent: {
                let d = state.dispatcher();
                Callback::from(move |(name, blob): (String, Blob)| {
                    d.dispatch(Action::AddRecent(RecentFile { name, blob }))
                })
            },
            // The worker is busy decoding and cannot be interrupted, so
            // cancelling stops it and starts a fresh one, which then reopens
            // the profile that was open before, if any.
            cancel: Callback::from(move |_| {
                worker.0.borrow_mut().take();
                dispatcher.dispatch(Action::Cancelled);
                if let (Some(summary), Some(prev)) =
                    (&state_for_cancel.summary, state_for_cancel.recent.first())
                {
                    if prev.name == summary.name {
                        send_again(
                            Request::Open {
                                name: prev.name.clone(),
                            },
                            Some(prev.blob.clone()),
                        );
                    }
                }
            }),
        }
    };

    let on_dismiss = {
        let d = state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::DismissError))
    };
    let dispatch = {
        let d = state.dispatcher();
        Callback::from(move |a: Action| d.dispatch(a))
    };

    let body = match &state.summary {
        Some(summary) => {
            let tab = state.tab;
            html! {
                <>
                    <ProfileHeader summary={summary.clone()} opts={state.opts.clone()} tab={tab} dispatch={dispatch.clone()} />
                    <div class="tab-body">
                        if tab == Tab::Top {
                            <TopView worker={worker.clone()} generation={state.generation} opts={state.opts.clone()}
                                file_name={summary.name.clone()} dispatch={dispatch.clone()} />
                        }
                        if tab == Tab::Flame {
                            <FlameView worker={worker.clone()} generation={state.generation} opts={state.opts.clone()}
                                target={state.flame_target.clone()} />
                        }
                        if tab == Tab::Goroutines {
                            <GoroutinesView worker={worker.clone()} generation={state.generation} />
                        }
                    </div>
                </>
            }
        }
        None => html! { <Landing opener={opener.clone()} /> },
    };

    html! {
        <open::DropZone opener={opener.clone()}>
            <header class="topbar">
                <span class="brand">{ "pprof-lens" }</span>
                <open::OpenButton opener={opener.clone()} />
                if state.summary.is_some() {
                    <open::ExampleMenu opener={opener.clone()} compact=true />
                }
                <open::RecentMenu recent={state.recent.clone()} opener={opener.clone()} />
                <StatusLine status={state.status} name={state.loading_name.clone()} progress={state.progress}
                    on_cancel={opener.cancel.clone()} worker_ready={state.worker_ready} />
            </header>
            if let Some(err) = &state.error {
                <div class="banner error" role="alert" data-testid="error">
                    <span>{ err.clone() }</span>
                    <button class="button" onclick={on_dismiss}>{ "Dismiss" }</button>
                </div>
            }
            <main>{ body }</main>
        </open::DropZone>
    }
}
