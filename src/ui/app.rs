//! The app: the state, the worker handle, and the callbacks handed down.

use std::cell::RefCell;

use web_sys::Blob;
use yew::prelude::*;

use super::bundle::{OfflineLink, UpdateNotice};
use super::flame::FlameView;
use super::goroutines::{GoroutinesView, SeriesOffer};
use super::header::ProfileHeader;
use super::inputs::OpenModeSelect;
use super::open::{DropZone, ExampleMenu, Landing, OpenButton, Opener, RecentMenu, StatusLine};
use super::sandwich::SandwichView;
use super::series::SeriesView;
use super::shortcuts::ShortcutsButton;
use super::state::url::Graph;
use super::state::RecentFile;
use super::state::{Action, AppState, Tab};
use super::top::TopView;
use super::url_sync::use_url_sync;
use super::worker_client::{Cancelled, Change, Source, WorkerHandle};
use crate::protocol::Reshape;

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

/// Opens several files together as `mode` says (None: the app's default
/// for them), and lists them as recent.
fn open_many_as(
    d: &UseReducerDispatcher<AppState<Blob>>,
    worker: &WorkerHandle,
    sources: &[Source],
    mode: Option<crate::protocol::OpenMode>,
) {
    let files = sources
        .iter()
        .filter_map(|s| {
            s.as_blob().map(|b| RecentFile {
                name: s.name.clone(),
                file: b.clone(),
            })
        })
        .collect();
    d.dispatch(Action::StartMany(files));
    if let Err(e) = worker.open_many(sources, mode) {
        d.dispatch(Action::Fail(e));
    }
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::<Blob>::default);
    let worker = {
        let d = state.dispatcher();
        let on_event = {
            let d = d.clone();
            Callback::from(move |resp| d.dispatch(Action::Worker(resp)))
        };
        let on_reopening = Callback::from(move |label| d.dispatch(Action::Reopening(label)));
        (*use_memo((), move |_| WorkerHandle::new(on_event, on_reopening))).clone()
    };

    // Start the worker with the page, so that opening a file makes no
    // request at all (the worker's script and wasm are already loaded).
    {
        let d = state.dispatcher();
        let worker = worker.clone();
        use_effect_with((), move |_| {
            let fail = Callback::from(move |m| d.dispatch(Action::Fail(m)));
            PANIC_SINK.with(|s| *s.borrow_mut() = Some(fail.clone()));
            if let Err(e) = worker.start() {
                fail.emit(e);
            }
            || ()
        });
    }

    let opener = {
        let d = state.dispatcher();
        let loading = move |source: &Source| Action::StartLoading {
            name: source.name.clone(),
            file: source.as_blob().cloned(),
        };
        let open = {
            let (d, worker) = (d.clone(), worker.clone());
            Callback::from(move |source: Source| {
                d.dispatch(loading(&source));
                if let Err(e) = worker.open(source) {
                    d.dispatch(Action::Fail(e));
                }
            })
        };
        let open_many = {
            let (d, worker) = (d.clone(), worker.clone());
            let mode = state.open_mode;
            Callback::from(move |sources: Vec<Source>| {
                open_many_as(&d, &worker, &sources, mode);
            })
        };
        let cancel = {
            let (d, worker) = (d.clone(), worker.clone());
            Callback::from(move |()| match worker.cancel() {
                Ok(Cancelled::Nothing) => {}
                Ok(Cancelled::Replaced(label)) => {
                    d.dispatch(Action::Cancelled);
                    if let Some(label) = label {
                        d.dispatch(Action::StartChange(label));
                    }
                }
                Err(e) => {
                    d.dispatch(Action::Cancelled);
                    d.dispatch(Action::Fail(e));
                }
            })
        };
        let add_recent = Callback::from(move |file| d.dispatch(Action::AddRecent(file)));
        Opener {
            open,
            open_many,
            add_recent,
            cancel,
        }
    };
    let on_change = {
        let (d, worker) = (state.dispatcher(), worker.clone());
        Callback::from(move |change: Change| {
            let label = match &change {
                Change::Base(s) => s.name.clone(),
                Change::Add(s) => format!("{} more files", s.len()),
                Change::Compare { .. } | Change::Swap => "the comparison".to_string(),
            };
            d.dispatch(Action::StartChange(label));
            if let Err(e) = worker.change(&change) {
                d.dispatch(Action::Fail(e));
            }
        })
    };
    let on_open_mode = {
        let d = state.dispatcher();
        let worker = worker.clone();
        let many = state.many.clone();
        Callback::from(move |mode| {
            d.dispatch(Action::SetOpenMode(mode));
            // Open the files last opened together again in the new mode.
            if many.len() > 1 {
                let sources: Vec<Source> = many
                    .iter()
                    .map(|f| Source::blob(f.name.clone(), f.file.clone()))
                    .collect();
                d.dispatch(Action::StartMany(many.clone()));
                if let Err(e) = worker.open_many(&sources, mode) {
                    d.dispatch(Action::Fail(e));
                }
            }
        })
    };

    // The dominant-group hint opens later dumps as a series, after the
    // open one when the page still holds its bytes.
    let series_offer = {
        let current = state.current_file().cloned();
        let open_one = opener.open.clone();
        let (d, worker) = (state.dispatcher(), worker.clone());
        SeriesOffer {
            with: current.as_ref().map(|f| f.name.clone()),
            open: Callback::from(move |chosen: Vec<Source>| {
                let mut sources: Vec<Source> = current
                    .iter()
                    .map(|f| Source::blob(f.name.clone(), f.file.clone()))
                    .collect();
                sources.extend(chosen);
                if sources.len() < 2 {
                    // One file alone is no series: open it as usual.
                    open_one.emit(sources.remove(0));
                    return;
                }
                open_many_as(
                    &d,
                    &worker,
                    &sources,
                    Some(crate::protocol::OpenMode::Series),
                );
            }),
        }
    };

    let url = use_url_sync(&state, state.dispatcher());
    let body = match &state.summary {
        Some(summary) => {
            let dispatch = state.dispatcher().to_callback();
            let tab = state.tab;
            let on_sample_index = dispatch.reform(Action::SetSampleIndex);
            let on_tab = dispatch.reform(Action::SetTab);
            let on_options = dispatch.reform(Action::SetOptions);
            let on_show_in_flame = dispatch.reform(Action::ShowInFlame);
            let on_show_in_sandwich = dispatch.reform(Action::ShowInSandwich);
            html! {
                <>
                    <ProfileHeader summary={summary.clone()} opts={state.opts.clone()} {tab} {on_sample_index} {on_tab} on_change={on_change.clone()} />
                    if let Some(note) = &url.note {
                        <p class="muted url-note" role="status" data-testid="url-note">{ note.clone() }</p>
                    }
                    <div class="tab-body">
                        if tab == Tab::Top {
                            <TopView worker={worker.clone()} generation={state.generation} opts={state.opts.clone()}
                                file_name={summary.name.clone()} {on_options} {on_show_in_flame} on_show_in_sandwich={on_show_in_sandwich.clone()}
                                order={Some(url.order)} on_order={url.on_order.clone()} />
                        }
                        if tab == Tab::Flame {
                            <FlameView worker={worker.clone()} generation={state.generation} opts={state.opts.clone()}
                                target={state.flame_target.clone()} file_name={summary.name.clone()}
                                on_sandwich={on_show_in_sandwich.clone()} zoom_path={Some(url.zooms.get(Graph::Flame).to_vec())}
                                on_zoom_path={url.on_zoom.reform(|p| (Graph::Flame, p))} on_zoom_missing={url.on_zoom_missing.reform(|()| Graph::Flame)} />
                        }
                        if tab == Tab::Sandwich {
                            <SandwichView worker={worker.clone()} generation={state.generation} opts={state.opts.clone()}
                                function={state.sandwich_function.clone()} on_function={on_show_in_sandwich.clone()}
                                zooms={url.zooms.clone()} on_zoom={url.on_zoom.clone()} on_zoom_missing={url.on_zoom_missing.clone()} />
                        }
                        if tab == Tab::BottomUp {
                            <FlameView worker={worker.clone()} generation={state.generation} opts={state.opts.clone()}
                                how={Some(Reshape::BottomUp)} file_name={summary.name.clone()}
                                on_sandwich={on_show_in_sandwich.clone()} zoom_path={Some(url.zooms.get(Graph::BottomUp).to_vec())}
                                on_zoom_path={url.on_zoom.reform(|p| (Graph::BottomUp, p))} on_zoom_missing={url.on_zoom_missing.reform(|()| Graph::BottomUp)} />
                        }
                        if tab == Tab::Goroutines {
                            <GoroutinesView worker={worker.clone()} generation={state.generation} series={Some(series_offer)}
                                file_name={summary.name.clone()} />
                        }
                        if tab == Tab::Series {
                            <SeriesView worker={worker.clone()} generation={state.generation} />
                        }
                    </div>
                </>
            }
        }
        None => html! { <Landing opener={opener.clone()} /> },
    };

    let on_dismiss = {
        let d = state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::DismissError))
    };
    html! {
        <DropZone opener={opener.clone()}>
            <header class="topbar">
                <span class="brand">{ "pprof-lens" }</span>
                <OpenButton opener={opener.clone()} />
                if state.summary.is_some() {
                    <ExampleMenu opener={opener.clone()} compact=true />
                }
                <RecentMenu recent={state.recent.clone()} opener={opener.clone()} />
                <OpenModeSelect choice={state.open_mode} used={state.many_mode()} on_change={on_open_mode} />
                <StatusLine status={state.status} name={state.loading_name.clone()} progress={state.progress}
                    on_cancel={opener.cancel.clone()} worker_ready={state.worker_ready} />
                <UpdateNotice />
                <OfflineLink />
                <ShortcutsButton />
            </header>
            if let Some(err) = &state.error {
                <div class="banner error">
                    <span role="alert" data-testid="error">{ err.clone() }</span>
                    <button class="button" aria-label="Dismiss this error" data-testid="error-dismiss" onclick={on_dismiss}>{ "Dismiss" }</button>
                </div>
            }
            <main>{ body }</main>
        </DropZone>
    }
}
