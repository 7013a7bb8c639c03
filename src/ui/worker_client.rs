//! The page's side of the worker connection.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, MessageEvent, Worker};

use crate::protocol::{Request, Response};

/// Script that starts the worker; relative, so the site works from any sub-path.
const WORKER_URL: &str = "./worker-loader.js";

/// A running worker and the closure that receives its messages (kept alive
/// as long as the worker is).
///
/// The worker sets its message handler only once its wasm has started, and a
/// message that arrives before that is lost; so requests wait in `pending`
/// until the worker says [`Response::Ready`].
pub struct WorkerClient {
    worker: Worker,
    pending: Rc<RefCell<Option<Vec<JsValue>>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerClient {
    pub fn spawn(on_response: impl Fn(Response) + 'static) -> Result<WorkerClient, String> {
        let worker = Worker::new(WORKER_URL).map_err(|e| format!("cannot start the worker: {e:?}"))?;
        let on_response = Rc::new(on_response);
        let cb = on_response.clone();
        let pending: Rc<RefCell<Option<Vec<JsValue>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let queue = pending.clone();
        let w = worker.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            match serde_wasm_bindgen::from_value::<Response>(ev.data()) {
                Ok(Response::Ready) => {
                    for msg in queue.borrow_mut().take().unwrap_or_default() {
                        let _ = w.post_message(&msg);
                    }
                }
                Ok(resp) => cb(resp),
                Err(e) => cb(Response::Error { message: format!("unreadable message from the worker: {e}") }),
            }
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_ev: web_sys::Event| {
            on_response(Response::Error { message: "the worker stopped unexpectedly (out of memory?)".into() });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerClient { worker, pending, _on_message: on_message, _on_error: on_error })
    }

    /// Sends a request, with a file (or blob) beside it when given.
    pub fn send(&self, req: &Request, file: Option<&Blob>) -> Result<(), String> {
        let msg = Object::new();
        let req = serde_wasm_bindgen::to_value(req).map_err(|e| e.to_string())?;
        Reflect::set(&msg, &"req".into(), &req).map_err(|e| format!("{e:?}"))?;
        if let Some(file) = file {
            Reflect::set(&msg, &"file".into(), file).map_err(|e| format!("{e:?}"))?;
        }
        if let Some(queue) = self.pending.borrow_mut().as_mut() {
            queue.push(msg.into());
            return Ok(());
        }
        self.worker.post_message(&msg).map_err(|e| format!("cannot reach the worker: {e:?}"))
    }
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
