//! The page's side of the worker connection.
//!
//! Events (progress, loaded, errors) go to one handler; answers to queries go
//! to the callback given with the query, matched by id.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, MessageEvent, Worker};

use crate::protocol::{Answer, Query, Request, Response};

/// Script that starts the worker; relative, so the site works from any sub-path.
const WORKER_URL: &str = "./worker-loader.js";

type Pending = Rc<RefCell<HashMap<u32, Box<dyn FnOnce(Answer)>>>>;

/// A running worker and the closures that receive its messages (kept alive
/// as long as the worker is).
///
/// The worker sets its message handler only once its wasm has started, and a
/// message that arrives before that is lost; so requests wait in `queue`
/// until the worker says [`Response::Ready`].
pub struct WorkerClient {
    worker: Worker,
    queue: Rc<RefCell<Option<Vec<JsValue>>>>,
    answers: Pending,
    next_id: Cell<u32>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerClient {
    pub fn spawn(on_event: impl Fn(Response) + 'static) -> Result<WorkerClient, String> {
        let worker =
            Worker::new(WORKER_URL).map_err(|e| format!("cannot start the worker: {e:?}"))?;
        let on_event = Rc::new(on_event);
        let queue: Rc<RefCell<Option<Vec<JsValue>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let answers: Pending = Rc::new(RefCell::new(HashMap::new()));
        let (cb, q, w, a) = (
            on_event.clone(),
            queue.clone(),
            worker.clone(),
            answers.clone(),
        );
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            match crate::wire::from_js::<Response>(&ev.data()) {
                Ok(Response::Ready) => {
                    for msg in q.borrow_mut().take().unwrap_or_default() {
                        let _ = w.post_message(&msg);
                    }
                    cb(Response::Ready);
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
            on_event(Response::Error {
                message: "the worker stopped unexpectedly (out of memory?)".into(),
            });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerClient {
            worker,
            queue,
            answers,
            next_id: Cell::new(1),
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends a request, with a file (or blob) beside it when given.
    pub fn send(&self, req: &Request, file: Option<&Blob>) -> Result<(), String> {
        let msg = Object::new();
        let req = crate::wire::to_js(req)?;
        Reflect::set(&msg, &"req".into(), &req).map_err(|e| format!("{e:?}"))?;
        if let Some(file) = file {
            Reflect::set(&msg, &"file".into(), file).map_err(|e| format!("{e:?}"))?;
        }
        if let Some(queue) = self.queue.borrow_mut().as_mut() {
            queue.push(msg.into());
            return Ok(());
        }
        self.worker
            .post_message(&msg)
            .map_err(|e| format!("cannot reach the worker: {e:?}"))
    }

    /// Asks a question about the open profile; `on_answer` runs when the
    /// worker answers.
    pub fn query(&self, query: Query, on_answer: impl FnOnce(Answer) + 'static) {
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
        self.worker.terminate();
    }
}

/// Answers queries in the page instead of the worker (component tests).
pub type Responder = Rc<dyn Fn(Query) -> Answer>;

/// A shared, replaceable handle: cancelling a load terminates the worker and
/// starts a new one, and components keep the same handle throughout.
///
/// For component tests it can instead answer through a [`Responder`]
/// ([`WorkerHandle::local`]), e.g. a `Session` in the page. It is a closure
/// so that the app binary, which never makes one, does not link the analysis
/// code that only the worker needs.
#[derive(Clone, Default)]
pub struct WorkerHandle(pub Rc<RefCell<Option<WorkerClient>>>, Option<Responder>);

impl PartialEq for WorkerHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl WorkerHandle {
    /// A handle that answers with `responder` on the main thread (tests
    /// only: real loads go through the worker).
    pub fn local(responder: impl Fn(Query) -> Answer + 'static) -> WorkerHandle {
        WorkerHandle(Rc::default(), Some(Rc::new(responder)))
    }

    pub fn query(&self, query: Query, on_answer: impl FnOnce(Answer) + 'static) {
        if let Some(responder) = &self.1 {
            // Answer asynchronously, as the worker would.
            let answer = responder(query);
            wasm_bindgen_futures::spawn_local(async move { on_answer(answer) });
            return;
        }
        match self.0.borrow().as_ref() {
            Some(w) => w.query(query, on_answer),
            None => on_answer(Answer::Failed {
                message: "the worker is not running".into(),
            }),
        }
    }
}
