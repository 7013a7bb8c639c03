//! The Web Worker: decodes and analyses off the main thread.
//!
//! The page posts `{ req, file? }` objects (see [`crate::protocol`]); the
//! worker answers with [`Response`] values. Decoding runs here, so the page
//! stays responsive; progress messages are posted while it runs. The page
//! cancels a load by terminating this worker and starting another.
//!
//! A file comes as a `Blob`, read here a slice at a time, or as an
//! `ArrayBuffer` where this worker can read no `Blob` (it says so when it
//! starts, and the page reads the file instead). A plain goroutine dump is
//! streamed instead, its chunks arriving asynchronously ([`read`]); the
//! requests that come meanwhile wait in a queue, so every request is still
//! answered in the order it was sent.
//!
//! Files opened together, or added to the open profile, are decoded two
//! at a time: this worker decodes the first while its helper (a second
//! copy of itself) decodes the next ones and hands each model back as
//! bytes, and this worker merges or holds each as it comes ([`helper`]).
//! The page starts the helper beside this worker and joins the two with a
//! `MessageChannel` (a worker started from a worker stalled Firefox's
//! worker thread now and then), so opening files never fetches a script:
//! the page makes no request once it runs. Until this worker hears the
//! helper's hello through the channel, and where none runs, the files are
//! decoded one after the other here.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::decode::{self, DecodeOptions, Stage};
use crate::model::Profile;
use crate::protocol::{FileCount, OpenMode, Request, Response};
use crate::session::{Named, Opening, Session};

mod helper;
mod read;
use helper::{serve_as_helper, Helper, Pending, Target};
use read::{reads_blobs, Input, PlainDump};

#[derive(Default)]
struct State {
    session: Option<Session>,
    /// Files being opened or added with the helper's help.
    pending: Option<Pending>,
    /// The helper, when it runs (see the module's doc).
    helper: Option<Helper>,
    /// The number of the helper's last job (see [`helper`]).
    jobs: u32,
    /// A load awaits its file's next bytes ([`PlainDump::stream`]) or the
    /// helper's next file ([`Pending`]): requests wait in `queued` until it
    /// ends, so they are answered in the order sent, as when every load ran
    /// to its end before the next message.
    busy: bool,
    queued: std::collections::VecDeque<(Request, Option<Input>, Vec<Input>)>,
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(resp: &Response) {
    match crate::wire::to_js(resp) {
        Ok(v) => {
            let _ = scope().post_message_with_transfer(&v, &crate::wire::transfer_list(&v));
        }
        Err(e) => {
            // Tell the page rather than leave it waiting.
            let message = format!("internal error: cannot encode the worker's answer: {e}");
            web_sys::console::error_1(&message.clone().into());
            if let Ok(v) = crate::wire::to_js(&Response::Error { message }) {
                let _ = scope().post_message(&v);
            }
        }
    }
}

/// Entry point of the worker binary.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!("{}{info}", crate::protocol::WORKER_PANIC);
        web_sys::console::error_1(&message.clone().into());
        post(&Response::Error { message });
    }));
    let state = Rc::new(RefCell::new(State::default()));
    let for_messages = state.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let state = &for_messages;
        let data = ev.data();
        if let Some(port) = port_in(&data, "helper") {
            // This worker's end of the channel to its helper.
            let helper = Helper::attach(state, port);
            state.borrow_mut().helper = Some(helper);
            return;
        }
        if Reflect::get(&data, &"helperStopped".into()).is_ok_and(|v| v.is_truthy()) {
            // The page saw an error in the helper: nothing more goes to it,
            // and files waiting for it are decoded here. Not queued: the
            // files that hold the queue wait for this.
            state.borrow_mut().helper = None;
            let pending = state.borrow_mut().pending.take();
            if let Some(p) = pending {
                p.helper_stopped(state);
            }
            return;
        }
        if let Some(port) = port_in(&data, "port") {
            // This is a helper: its jobs come through the channel.
            serve_as_helper(port);
            return;
        }
        let req = Reflect::get(&data, &"req".into())
            .ok()
            .and_then(|r| crate::wire::from_js::<Request>(&r).ok());
        let Some(req) = req else {
            post(&Response::Error {
                message: "the worker got a message it does not understand".into(),
            });
            return;
        };
        let file = Reflect::get(&data, &"file".into())
            .ok()
            .and_then(Input::new);
        let files: Vec<Input> = Reflect::get(&data, &"files".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Array>().ok())
            .map(|a| a.iter().filter_map(Input::new).collect())
            .unwrap_or_default();
        if state.borrow().busy {
            state.borrow_mut().queued.push_back((req, file, files));
            return;
        }
        handle(state, req, file, files);
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Response::Ready {
        reads_blobs: reads_blobs(),
    });
}

/// The `MessagePort` under `key` in a message from the page.
fn port_in(data: &JsValue, key: &str) -> Option<web_sys::MessagePort> {
    Reflect::get(data, &key.into())
        .ok()?
        .dyn_into::<web_sys::MessagePort>()
        .ok()
}

/// Ends a load that held the requests (`busy`), and answers those that
/// came meanwhile, in order, until one of them holds them again.
fn run_queued(state: &Rc<RefCell<State>>) {
    state.borrow_mut().busy = false;
    loop {
        let next = state.borrow_mut().queued.pop_front();
        let Some((req, file, files)) = next else {
            break;
        };
        handle(state, req, file, files);
        if state.borrow().busy {
            break;
        }
    }
}

fn handle(state: &Rc<RefCell<State>>, req: Request, file: Option<Input>, files: Vec<Input>) {
    debug_assert!(
        state.borrow().pending.is_none(),
        "files waiting for the helper hold the requests"
    );
    match req {
        Request::Open { name } => {
            let Some(file) = file else {
                post(&Response::Error {
                    message: "no file was sent to the worker".into(),
                });
                return;
            };
            let size = file.size();
            post(&Response::Progress {
                stage: Stage::Decoding,
                done: 0,
                total: size,
                files: None,
            });
            let file = match file {
                Input::Blob(blob) => match PlainDump::sniff(blob) {
                    Ok(Ok(dump)) => return dump.stream(state, name),
                    Ok(Err(read)) => Ok(read),
                    Err(e) => Err(e),
                },
                bytes => bytes.reader(),
            };
            match file {
                Ok(reader) => load(state, &name, size, |opts, progress| {
                    decode::decode_reader(reader, size, opts, progress)
                }),
                Err(e) => post(&Response::Error {
                    message: format!("could not read {name}: {}", js_error_text(&e)),
                }),
            }
        }
        Request::OpenText { name, text } => {
            let size = text.len() as u64;
            load(state, &name, size, |opts, progress| {
                decode::decode_with(text.as_bytes(), opts, progress)
            })
        }
        Request::OpenMany { names, mode } => {
            // Drop the previous profile first: its memory is reused.
            state.borrow_mut().session = None;
            let bytes = files.iter().map(Input::size).sum();
            let mut opening = Opening::new(mode, files.len(), bytes);
            if Pending::can_open(state, &names, &files) {
                return Pending::open(state, || Target::Open(opening), &names, files);
            }
            let share = Share::all(&files);
            let opened = decode_each(&names, files, share, |input| opening.push(input));
            opened_many(state, opened.and_then(|()| opening.finish()));
        }
        Request::OpenBase { name } => {
            let files = file.into_iter().collect();
            change(state, |s| {
                let [base]: [Named; 1] = decode_all(&[name], files)?
                    .try_into()
                    .map_err(|_| "no base file was sent to the worker".to_string())?;
                s.set_base(base)
            })
        }
        Request::Add { names } => {
            // Each file is merged as it is decoded, then dropped, so adding
            // a fleet holds one file at a time, not all of them.
            if state.borrow().session.is_none() {
                return post(&Response::Error {
                    message: "open a profile first".into(),
                });
            }
            let start = || {
                let st = state.borrow();
                st.session.as_ref().expect("checked above").start_add()
            };
            if Pending::can_open(state, &names, &files) {
                return Pending::open(state, || Target::Add(start()), &names, files);
            }
            let mut adding = start();
            let share = Share::all(&files);
            match decode_each(&names, files, share, |(name, p)| adding.push(name, &p)) {
                Ok(()) => change(state, |s| s.finish_add(adding)),
                Err(message) => post(&Response::Error { message }),
            }
        }
        Request::SetCompare { mode, normalize } => {
            change(state, |s| s.set_compare(mode, normalize))
        }
        Request::Swap => change(state, Session::swap),
        // Comes through the helper's channel (see `serve_as_helper`).
        Request::Snapshot { .. } => {}
        Request::Query { id, query } => {
            let (kind, start) = (query.kind(), now());
            let answer = match state.borrow_mut().session.as_mut() {
                Some(session) => session.answer(query),
                None => crate::protocol::Answer::Failed {
                    message: "no profile is open".into(),
                },
            };
            post(&Response::Answer { id, answer });
            record_memory();
            record_query(kind, start);
        }
    }
}

/// Keeps the session several files made, or posts why they made none.
fn opened_many(state: &Rc<RefCell<State>>, opened: Result<(Session, OpenMode), String>) {
    match opened {
        Ok((session, _mode)) => {
            let summary = session.summary();
            state.borrow_mut().session = Some(session);
            record_memory();
            post(&Response::Loaded { summary });
        }
        Err(message) => post(&Response::Error { message }),
    }
}

/// Decodes with `decode` (given the options and a progress sink that posts
/// to the page) and keeps the profile as the session.
fn load(
    state: &Rc<RefCell<State>>,
    name: &str,
    size: u64,
    decode: impl FnOnce(
        &DecodeOptions,
        &mut dyn decode::Progress,
    ) -> decode::Result<crate::model::Profile>,
) {
    // Drop the previous profile first: its memory is reused for this one.
    state.borrow_mut().session = None;
    let decoded = decode(&DecodeOptions::default(), &mut progress_to_page());
    loaded(state, name, size, decoded);
}

/// The worker's clock, where it has one.
fn performance() -> Option<web_sys::Performance> {
    Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
}

/// The worker's clock in milliseconds (0 where it has none).
fn now() -> f64 {
    performance().map_or(0.0, |p| p.now())
}

/// Leaves the latest answered queries' timings (`{ kind, start, ms,
/// wasmBytes }`, the worker's clock, the last 64) where benchmarks can read
/// them (`__pprofLensQueries` in the worker's global scope): they say what
/// a view's first paint waited for, and which query grew the memory.
/// `ms` runs to the answer posted, so it includes encoding it for the
/// page; `wasmBytes` is the memory's size then.
fn record_query(kind: &str, start: f64) {
    const KEPT: u32 = 64;
    let key = JsValue::from_str("__pprofLensQueries");
    let list = Reflect::get(&js_sys::global(), &key)
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok())
        .unwrap_or_else(|| {
            let list = js_sys::Array::new();
            let _ = Reflect::set(&js_sys::global(), &key, &list);
            list
        });
    let entry = js_sys::Object::new();
    let _ = Reflect::set(&entry, &"kind".into(), &kind.into());
    let _ = Reflect::set(&entry, &"start".into(), &start.into());
    let _ = Reflect::set(&entry, &"ms".into(), &(now() - start).into());
    let _ = Reflect::set(&entry, &"wasmBytes".into(), &wasm_bytes());
    list.push(&entry);
    if list.length() > KEPT {
        list.shift();
    }
}

/// A progress sink that posts to the page, at most ~20 messages a second.
fn progress_to_page() -> impl FnMut(Stage, u64, u64) -> bool {
    let mut last = 0f64;
    let perf = performance();
    move |stage: Stage, done: u64, total: u64| {
        let now = perf.as_ref().map_or(0.0, |p| p.now());
        if now - last > 50.0 || done == total {
            last = now;
            post(&Response::Progress {
                stage,
                done,
                total,
                files: None,
            });
        }
        true
    }
}

/// Keeps a decoded profile as the session and posts its summary, or posts
/// the error naming the file.
fn loaded(state: &Rc<RefCell<State>>, name: &str, size: u64, decoded: decode::Result<Profile>) {
    match decoded {
        Ok(profile) => {
            let session = Session::named(profile, name, size);
            let summary = session.summary();
            state.borrow_mut().session = Some(session);
            record_memory();
            post(&Response::Loaded { summary });
        }
        Err(e) => post(&Response::Error {
            message: format!("{name}: {e}"),
        }),
    }
}

/// Changes the open session in place with `f` and posts its new summary,
/// or the error (the session is then as it was).
fn change(state: &Rc<RefCell<State>>, f: impl FnOnce(&mut Session) -> Result<(), String>) {
    let mut st = state.borrow_mut();
    let Some(session) = st.session.as_mut() else {
        drop(st);
        post(&Response::Error {
            message: "open a profile first".into(),
        });
        return;
    };
    let result = f(session);
    let summary = session.summary();
    drop(st);
    record_memory();
    post(&match result {
        Ok(()) => Response::Changed { summary },
        Err(message) => Response::Error { message },
    });
}

/// Decodes `files`, named by `names` in the same order, into a list.
fn decode_all(names: &[String], files: Vec<Input>) -> Result<Vec<Named>, String> {
    let mut out = Vec::with_capacity(files.len());
    let share = Share::all(&files);
    decode_each(names, files, share, |input| {
        out.push(input);
        Ok(())
    })?;
    Ok(out)
}

/// Where the files [`decode_each`] is given stand among all those chosen
/// together, for its progress messages: the files and bytes before them,
/// and the files and bytes chosen.
#[derive(Clone, Copy)]
struct Share {
    files_before: u32,
    chosen_files: u32,
    bytes_before: u64,
    chosen_bytes: u64,
}

impl Share {
    /// All of the files chosen.
    fn all(files: &[Input]) -> Share {
        Share {
            files_before: 0,
            chosen_files: files.len() as u32,
            bytes_before: 0,
            chosen_bytes: files.iter().map(Input::size).sum(),
        }
    }
}

/// Decodes `files`, named by `names` in the same order, handing each to
/// `sink` as soon as it is decoded, and posting progress over all of them:
/// the files done of those chosen as each file starts (one message a file,
/// so none is missed), the bytes within a file at most every 50 ms. The
/// first that fails is named in the error.
fn decode_each(
    names: &[String],
    files: Vec<Input>,
    share: Share,
    mut sink: impl FnMut(Named) -> Result<(), String>,
) -> Result<(), String> {
    if names.len() != files.len() {
        return Err(format!(
            "{} names came with {} files to the worker",
            names.len(),
            files.len()
        ));
    }
    let Share {
        files_before: first,
        chosen_files: chosen,
        bytes_before: mut before,
        chosen_bytes: total,
    } = share;
    let perf = performance();
    let mut last = 0f64;
    for (i, (name, file)) in names.iter().zip(files).enumerate() {
        let size = file.size();
        post(&Response::Progress {
            stage: Stage::Decoding,
            done: before,
            total,
            files: Some(FileCount {
                done: first + i as u32,
                chosen,
            }),
        });
        let reader = file
            .reader()
            .map_err(|e| format!("could not read {name}: {}", js_error_text(&e)))?;
        let mut progress = |stage: Stage, done: u64, _total: u64| {
            let now = perf.as_ref().map_or(0.0, |p| p.now());
            if now - last > 50.0 {
                last = now;
                post(&Response::Progress {
                    stage,
                    done: before + done.min(size),
                    total,
                    files: None,
                });
            }
            true
        };
        let profile = decode::decode_reader(reader, size, &DecodeOptions::default(), &mut progress)
            .map_err(|e| format!("{name}: {e}"))?;
        before += size;
        sink((name.clone(), profile))?;
    }
    Ok(())
}

/// Leaves the wasm memory size (after a load and after each answer; it only
/// grows) where benchmarks can read it from the worker's global scope
/// (`__pprofLensWasmBytes`): a page cannot see it.
fn record_memory() {
    let _ = Reflect::set(
        &js_sys::global(),
        &"__pprofLensWasmBytes".into(),
        &wasm_bytes(),
    );
}

/// The size of the worker's wasm memory (it only grows).
fn wasm_bytes() -> JsValue {
    Reflect::get(&wasm_bindgen::memory(), &"buffer".into())
        .and_then(|b| Reflect::get(&b, &"byteLength".into()))
        .unwrap_or(JsValue::UNDEFINED)
}

fn js_error_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            Reflect::get(e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "unknown error".into())
}
