//! The page's side of the worker connection.
//!
//! [`WorkerHandle`] is all the app and its views hold. It starts the worker,
//! opens files in it, cancels a load by replacing the worker (as it
//! replaces a worker that fails), and sends queries, whose answers go to
//! the callback given with each. Requests are built in this file only, so a
//! query can never travel as an open.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, MessageEvent, Worker};
use yew::Callback;

use crate::protocol::{Answer, CompareMode, OpenMode, Query, Request, Response, WORKER_PANIC};

mod helper_link;
mod outbox;
use helper_link::HelperLink;
use outbox::Outbox;

/// What [`WorkerHandle::cancel`] did.
#[derive(Clone, Debug, PartialEq)]
pub enum Cancelled {
    /// No load was running: the last one has ended, and its answer is with
    /// the page. Nothing changes.
    Nothing,
    /// The worker was replaced. The new one makes the profile the page
    /// showed again, when there was one: what the status line should say
    /// while it loads.
    Replaced(Option<String>),
}

/// What to open: a file (or any blob) or text the user pasted or dropped.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub name: String,
    pub content: Content,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    Blob(Blob),
    Text(String),
}

impl Source {
    pub fn blob(name: String, blob: Blob) -> Source {
        Source {
            name,
            content: Content::Blob(blob),
        }
    }

    pub fn text(name: String, text: String) -> Source {
        Source {
            name,
            content: Content::Text(text),
        }
    }

    /// The blob, if this is one: what the recent list can open again.
    pub fn as_blob(&self) -> Option<&Blob> {
        match &self.content {
            Content::Blob(b) => Some(b),
            Content::Text(_) => None,
        }
    }
}

/// A change to the open profile, made in place.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Compare the open profile with this base.
    Base(Source),
    /// Merge these into the open profile.
    Add(Vec<Source>),
    /// Another compare mode or normalize setting.
    Compare {
        mode: CompareMode,
        normalize: bool,
    },
    Swap,
}

/// A request that sets what the worker holds, with the files it reads:
/// kept so a replaced worker can be brought back to the same profile.
#[derive(Clone)]
struct Load {
    req: Request,
    file: Option<Blob>,
    files: Vec<Blob>,
    /// Replaces the profile (rather than changing it in place).
    fresh: bool,
    /// What the status line says while it runs.
    label: String,
}

impl Load {
    fn source(source: &Source) -> Load {
        let name = source.name.clone();
        let (req, file) = match &source.content {
            Content::Blob(blob) => (Request::Open { name: name.clone() }, Some(blob.clone())),
            Content::Text(text) => (
                Request::OpenText {
                    name: name.clone(),
                    text: text.clone(),
                },
                None,
            ),
        };
        Load {
            req,
            file,
            files: Vec::new(),
            fresh: true,
            label: name,
        }
    }

    /// The blobs of `sources`: only files can be read together.
    fn blobs(sources: &[Source]) -> Result<(Vec<String>, Vec<Blob>), String> {
        sources
            .iter()
            .map(|s| match &s.content {
                Content::Blob(b) => Ok((s.name.clone(), b.clone())),
                Content::Text(_) => Err(format!(
                    "{} is text, not a file: open it on its own",
                    s.name
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|v| v.into_iter().unzip())
    }

    fn many(sources: &[Source], mode: Option<OpenMode>) -> Result<Load, String> {
        let (names, files) = Load::blobs(sources)?;
        Ok(Load {
            label: format!("{} files", names.len()),
            req: Request::OpenMany { names, mode },
            file: None,
            files,
            fresh: true,
        })
    }

    fn change(change: &Change) -> Result<Load, String> {
        let plain = |req, label: &str| Load {
            req,
            file: None,
            files: Vec::new(),
            fresh: false,
            label: label.to_string(),
        };
        Ok(match change {
            Change::Base(source) => {
                let Some(blob) = source.as_blob() else {
                    return Err("the base must be a file".into());
                };
                Load {
                    file: Some(blob.clone()),
                    ..plain(
                        Request::OpenBase {
                            name: source.name.clone(),
                        },
                        &source.name,
                    )
                }
            }
            Change::Add(sources) => {
                let (names, files) = Load::blobs(sources)?;
                Load {
                    files,
                    ..plain(Request::Add { names }, &format!("{} more", sources.len()))
                }
            }
            Change::Compare { mode, normalize } => plain(
                Request::SetCompare {
                    mode: *mode,
                    normalize: *normalize,
                },
                "the comparison",
            ),
            Change::Swap => plain(Request::Swap, "the comparison"),
        })
    }
}

type Pending = Rc<RefCell<HashMap<u32, Box<dyn FnOnce(Answer)>>>>;

/// A running worker and the closures that receive its messages (kept alive
/// as long as the worker is).
struct WorkerClient {
    outbox: Outbox,
    answers: Pending,
    next_id: Cell<u32>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
    /// Stops with the worker.
    _helper: Option<HelperLink>,
}

impl WorkerClient {
    /// Starts a worker whose messages go to `on_event`. When it fails (an
    /// error event: a trap, as when its memory cannot grow), `on_crash`
    /// runs, given a cell that says whether the worker's panic hook has
    /// just said why.
    fn spawn(
        on_event: impl Fn(Response) + 'static,
        on_crash: impl Fn(Rc<Cell<bool>>) + 'static,
    ) -> Result<WorkerClient, String> {
        let url = super::bundle::worker_url();
        let worker = Worker::new(&url).map_err(|e| format!("cannot start the worker: {e:?}"))?;
        let on_event = Rc::new(on_event);
        let outbox = Outbox::new(worker.clone());
        let helper = HelperLink::start(&url, &outbox);
        let answers: Pending = Rc::new(RefCell::new(HashMap::new()));
        let reported = Rc::new(Cell::new(false));
        let (cb, out, a, said) = (
            on_event.clone(),
            outbox.clone(),
            answers.clone(),
            reported.clone(),
        );
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let resp = crate::wire::from_js::<Response>(&ev.data());
            said.set(matches!(&resp, Ok(Response::Error { message }) if message.starts_with(WORKER_PANIC)));
            match resp {
                Ok(Response::Ready { reads_blobs }) => {
                    out.open(reads_blobs);
                    cb(Response::Ready { reads_blobs });
                }
                Ok(Response::Answer { id, answer }) => {
                    let f = a.borrow_mut().remove(&id);
                    if let Some(f) = f {
                        f(answer);
                    }
                }
                Ok(resp) => cb(resp),
                Err(e) => cb(Response::Error {
                    message: format!("unreadable message from the worker: {e}"),
                }),
            }
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            ev.prevent_default();
            on_crash(reported.clone());
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerClient {
            outbox,
            answers,
            next_id: Cell::new(1),
            _on_message: on_message,
            _on_error: on_error,
            _helper: helper,
        })
    }

    /// Sends a request, with a file (or blob) beside it when given.
    fn send(&self, req: &Request, file: Option<&Blob>) -> Result<(), String> {
        self.send_with(req, file, &[])
    }

    /// Sends a request with a file and a list of files beside it.
    fn send_with(&self, req: &Request, file: Option<&Blob>, files: &[Blob]) -> Result<(), String> {
        let msg = Object::new();
        let req = crate::wire::to_js(req)?;
        Reflect::set(&msg, &"req".into(), &req).map_err(|e| format!("{e:?}"))?;
        if let Some(file) = file {
            Reflect::set(&msg, &"file".into(), file).map_err(|e| format!("{e:?}"))?;
        }
        if !files.is_empty() {
            let list: js_sys::Array = files.iter().collect();
            Reflect::set(&msg, &"files".into(), &list).map_err(|e| format!("{e:?}"))?;
        }
        self.outbox.push(msg, file.is_some() || !files.is_empty());
        Ok(())
    }

    fn load(&self, load: &Load) -> Result<(), String> {
        self.send_with(&load.req, load.file.as_ref(), &load.files)
    }

    /// Asks a question about the open profile; `on_answer` runs when the
    /// worker answers.
    fn query(&self, query: Query, on_answer: impl FnOnce(Answer) + 'static) {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        self.answers.borrow_mut().insert(id, Box::new(on_answer));
        if let Err(message) = self.send(&Request::Query { id, query }, None) {
            if let Some(f) = self.answers.borrow_mut().remove(&id) {
                f(Answer::Failed { message });
            }
        }
    }
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        self.outbox.stop();
    }
}

/// Answers queries in the page instead of the worker (component tests).
pub type Responder = Rc<dyn Fn(Query) -> Answer>;

/// What was opened, as the handle follows it through the worker's events.
#[derive(Default)]
struct Opened {
    /// The loads sent and not yet answered, in order (the worker answers
    /// them in order).
    loading: std::collections::VecDeque<Load>,
    /// The loads that made the profile the page shows: a fresh load, then
    /// the changes made to it. Cancelling replaces the worker, which must
    /// make that profile again.
    shown: Vec<Load>,
    /// A failed worker was replaced, and the user has started no load
    /// since: another failure starts no worker (see `Connection::recover`).
    recovering: bool,
}

struct Connection {
    client: RefCell<Option<WorkerClient>>,
    on_event: Callback<Response>,
    /// Told when a failed worker's replacement makes the shown profile
    /// again: what the status line should say while it loads.
    on_reopening: Callback<String>,
    opened: Rc<RefCell<Opened>>,
    /// The backend this is in, for a failed worker's replacement, which
    /// runs after the failed worker's handler rather than in it.
    this: std::rc::Weak<Backend>,
    /// Counts the workers started, so a failure is acted on only while
    /// its worker is the one running.
    started: Cell<u32>,
}

enum Backend {
    Worker(Connection),
    Local(Responder),
}

/// The one handle to the worker, shared by the app and its views; it stays
/// the same while the worker behind it is replaced.
///
/// For component tests it can instead answer through a [`Responder`]
/// ([`WorkerHandle::local`]), e.g. a `Session` in the page. It is a closure
/// so that the app binary, which never makes one, does not link the analysis
/// code that only the worker needs.
#[derive(Clone)]
pub struct WorkerHandle(Rc<Backend>);

impl PartialEq for WorkerHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl WorkerHandle {
    /// A handle whose worker's events (progress, loaded, errors, ready) go
    /// to `on_event`; the worker starts with [`WorkerHandle::start`] or the
    /// first open. When the worker fails, a new one makes the profile shown
    /// again, and `on_reopening` gets what the status line should say
    /// meanwhile.
    pub fn new(on_event: Callback<Response>, on_reopening: Callback<String>) -> WorkerHandle {
        WorkerHandle(Rc::new_cyclic(|this| {
            Backend::Worker(Connection {
                client: RefCell::new(None),
                on_event,
                on_reopening,
                opened: Rc::default(),
                this: this.clone(),
                started: Cell::new(0),
            })
        }))
    }

    /// A handle that answers with `responder` on the main thread (tests
    /// only: real loads go through the worker).
    pub fn local(responder: impl Fn(Query) -> Answer + 'static) -> WorkerHandle {
        WorkerHandle(Rc::new(Backend::Local(Rc::new(responder))))
    }

    /// Starts the worker unless it runs.
    pub fn start(&self) -> Result<(), String> {
        match &*self.0 {
            Backend::Worker(c) => c.start(),
            Backend::Local(_) => Ok(()),
        }
    }

    /// Opens `source` in the worker (replacing its profile), starting the
    /// worker first if needed.
    pub fn open(&self, source: Source) -> Result<(), String> {
        self.load(Load::source(&source))
    }

    /// Opens several files as one profile, made as `mode` says (the worker
    /// chooses when `None`).
    pub fn open_many(&self, sources: &[Source], mode: Option<OpenMode>) -> Result<(), String> {
        self.load(Load::many(sources, mode)?)
    }

    /// Changes the open profile in place.
    pub fn change(&self, change: &Change) -> Result<(), String> {
        self.load(Load::change(change)?)
    }

    fn load(&self, load: Load) -> Result<(), String> {
        match &*self.0 {
            Backend::Worker(c) => {
                // The user's load: a worker that fails from here on is
                // replaced once more.
                c.opened.borrow_mut().recovering = false;
                c.load(load)
            }
            Backend::Local(_) => Err("this handle only answers queries".into()),
        }
    }

    /// Stops a load. The worker cannot be interrupted while it decodes, so
    /// it is replaced by a fresh one, which makes the profile the page
    /// shows again, if any (see [`Cancelled`]).
    pub fn cancel(&self) -> Result<Cancelled, String> {
        match &*self.0 {
            Backend::Worker(c) => c.cancel(),
            Backend::Local(_) => Ok(Cancelled::Nothing),
        }
    }

    pub fn query(&self, query: Query, on_answer: impl FnOnce(Answer) + 'static) {
        match &*self.0 {
            Backend::Local(responder) => {
                // Answer asynchronously, as the worker would.
                let answer = responder(query);
                wasm_bindgen_futures::spawn_local(async move { on_answer(answer) });
            }
            Backend::Worker(c) => match c.client.borrow().as_ref() {
                Some(w) => w.query(query, on_answer),
                None => on_answer(Answer::Failed {
                    message: "the worker is not running".into(),
                }),
            },
        }
    }
}

impl Connection {
    fn start(&self) -> Result<(), String> {
        if self.client.borrow().is_some() {
            return Ok(());
        }
        let (on_event, opened) = (self.on_event.clone(), self.opened.clone());
        let (this, started) = (self.this.clone(), self.started.get().wrapping_add(1));
        self.started.set(started);
        let on_crash = move |reported: Rc<Cell<bool>>| {
            let this = this.clone();
            // After the tasks already queued: the panic hook's message may
            // come after the error event it precedes.
            let recover = Closure::once_into_js(move || {
                if let Some(Backend::Worker(c)) = this.upgrade().as_deref() {
                    if c.started.get() == started {
                        c.recover(reported.get());
                    }
                }
            });
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                    recover.unchecked_ref(),
                    0,
                );
            }
        };
        let client = WorkerClient::spawn(
            move |resp| {
                {
                    let mut o = opened.borrow_mut();
                    match &resp {
                        Response::Loaded { .. } | Response::Changed { .. } => {
                            if let Some(load) = o.loading.pop_front() {
                                if load.fresh {
                                    o.shown.clear();
                                }
                                o.shown.push(load);
                            }
                        }
                        Response::Error { .. } => {
                            o.loading.pop_front();
                        }
                        _ => {}
                    }
                }
                on_event.emit(resp);
            },
            on_crash,
        )?;
        *self.client.borrow_mut() = Some(client);
        Ok(())
    }

    fn load(&self, load: Load) -> Result<(), String> {
        self.start()?;
        let sent = match self.client.borrow().as_ref() {
            Some(w) => w.load(&load),
            None => Err("the worker is not running".into()),
        };
        if sent.is_ok() {
            self.opened.borrow_mut().loading.push_back(load);
        }
        sent
    }

    fn cancel(&self) -> Result<Cancelled, String> {
        // The worker's last answer may have come between the page's last
        // render and the click: that load is shown, not stopped.
        if self.opened.borrow().loading.is_empty() {
            return Ok(Cancelled::Nothing);
        }
        self.replace().map(Cancelled::Replaced)
    }

    /// After the worker failed: a new one makes the profile the page
    /// shows again. When that one fails too before the user starts another
    /// load (the reopening itself, or a view's question, may be what
    /// fails, or no worker can start), no other is started until then. The
    /// page is told what stopped and what is open again, unless the
    /// worker's panic hook has said why (`reported`).
    fn recover(&self, reported: bool) {
        let (running, queued, again) = {
            let mut o = self.opened.borrow_mut();
            let mut labels = o.loading.iter().map(|l| l.label.clone());
            let running = labels.next();
            let queued: Vec<String> = labels.collect();
            (running, queued, std::mem::replace(&mut o.recovering, true))
        };
        let reopened = if again {
            self.client.borrow_mut().take();
            let mut o = self.opened.borrow_mut();
            o.loading.clear();
            o.shown.clear();
            Ok(None)
        } else {
            self.replace()
        };
        if !reported {
            self.on_event.emit(Response::Error {
                message: crash_message(running, &queued, again, &reopened),
            });
        }
        if let Ok(Some(label)) = reopened {
            self.on_reopening.emit(label);
        }
    }

    /// Stops the worker and starts another, which makes the profile the
    /// page shows again, if any: what the status line should say while it
    /// loads.
    fn replace(&self) -> Result<Option<String>, String> {
        self.client.borrow_mut().take();
        let shown = {
            let mut o = self.opened.borrow_mut();
            o.loading.clear();
            std::mem::take(&mut o.shown)
        };
        // Start the next worker now, so that it is ready (and opening a file
        // makes no request) whether or not anything is reopened.
        self.start()?;
        let Some(first) = shown.first() else {
            return Ok(None);
        };
        let label = first.label.clone();
        // Each answer files its load under `shown` as the first time.
        for load in shown {
            self.load(load)?;
        }
        Ok(Some(label))
    }
}

/// What the page says when the worker failed while `running` loaded (if
/// anything did), as [`Connection::recover`] replaced it. The loads
/// `queued` behind it are dropped with the worker, so they are named: a
/// file opened while a large one loads would otherwise vanish unsaid.
fn crash_message(
    running: Option<String>,
    queued: &[String],
    again: bool,
    reopened: &Result<Option<String>, String>,
) -> String {
    let mut what = running.map_or(String::new(), |l| format!(" while loading {l}"));
    if let Some((last, before)) = queued.split_last() {
        let names = match before {
            [] => format!("{last} was"),
            _ => format!("{} and {last} were", before.join(", ")),
        };
        what = format!("{what} (out of memory?); {names} not loaded");
    } else {
        what.push_str(" (out of memory?)");
    }
    match reopened {
        _ if again => format!("the worker stopped again{what}: open a file to go on"),
        Ok(Some(label)) => format!("the worker stopped{what}; {label} is open again"),
        Ok(None) => format!("the worker stopped{what}"),
        Err(e) => format!("the worker stopped{what}; no new worker could start: {e}"),
    }
}
