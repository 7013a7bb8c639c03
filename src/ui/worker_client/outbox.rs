//! Messages for the worker, held until it can take them (see [`Outbox`]).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, Worker};

/// The messages for the worker, posted in order.
///
/// The worker sets its message handler only once its wasm has started, and
/// a message that arrives before that is lost; so messages wait here until
/// the worker says [`Response::Ready`](crate::protocol::Response::Ready). Where it reads no `Blob`, a message
/// with files waits while the page reads them, and goes with their bytes
/// (the messages after it wait too, so the order holds).
#[derive(Clone)]
pub(super) struct Outbox(Rc<RefCell<OutboxState>>);

struct OutboxState {
    worker: Worker,
    waiting: std::collections::VecDeque<(Object, bool)>,
    /// Set by the worker's `Ready`: whether it reads blobs.
    open: Option<bool>,
    /// A message's files are being read.
    reading: bool,
}

impl Outbox {
    pub(super) fn new(worker: Worker) -> Outbox {
        Outbox(Rc::new(RefCell::new(OutboxState {
            worker,
            waiting: Default::default(),
            open: None,
            reading: false,
        })))
    }

    pub(super) fn open(&self, reads_blobs: bool) {
        self.0.borrow_mut().open = Some(reads_blobs);
        self.pump();
    }

    /// Queues `msg`; `has_files` when it carries files.
    pub(super) fn push(&self, msg: Object, has_files: bool) {
        self.0.borrow_mut().waiting.push_back((msg, has_files));
        self.pump();
    }

    /// Stops the worker. A message it posted before it stopped may still
    /// be on its way, and the handlers are dropped with their client, so
    /// they are unset first.
    pub(super) fn stop(&self) {
        let st = self.0.borrow();
        st.worker.set_onmessage(None);
        st.worker.set_onerror(None);
        st.worker.terminate();
    }

    fn pump(&self) {
        let mut st = self.0.borrow_mut();
        while let (Some(reads_blobs), false) = (st.open, st.reading) {
            let Some((msg, has_files)) = st.waiting.pop_front() else {
                return;
            };
            if has_files && !reads_blobs {
                st.reading = true;
                let (outbox, worker) = (self.clone(), st.worker.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let transfer = with_bytes(&msg).await;
                    let _ = worker.post_message_with_transfer(&msg, &transfer);
                    outbox.0.borrow_mut().reading = false;
                    outbox.pump();
                });
                return;
            }
            // A worker that is gone posts nothing; the page hears of it
            // through its error event. The channel to the helper moves.
            let _ = match Reflect::get(&msg, &"helper".into()) {
                Ok(port) if port.is_object() => st
                    .worker
                    .post_message_with_transfer(&msg, &js_sys::Array::of1(&port)),
                _ => st.worker.post_message(&msg),
            };
        }
    }
}

/// Replaces the blobs in `msg`'s `file` and `files` with their bytes, and
/// returns the buffers to transfer. A blob that cannot be read stays, so
/// the worker reports it as it reports any unreadable file.
async fn with_bytes(msg: &Object) -> js_sys::Array {
    async fn bytes(value: JsValue, transfer: &js_sys::Array) -> JsValue {
        let Ok(blob) = value.clone().dyn_into::<Blob>() else {
            return value;
        };
        match wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await {
            Ok(buffer) => {
                transfer.push(&buffer);
                buffer
            }
            Err(_) => value,
        }
    }
    let transfer = js_sys::Array::new();
    if let Ok(file) = Reflect::get(msg, &"file".into()) {
        let file = bytes(file, &transfer).await;
        let _ = Reflect::set(msg, &"file".into(), &file);
    }
    if let Ok(files) = Reflect::get(msg, &"files".into()) {
        if let Ok(files) = files.dyn_into::<js_sys::Array>() {
            let read = js_sys::Array::new();
            for f in files.iter() {
                read.push(&bytes(f, &transfer).await);
            }
            let _ = Reflect::set(msg, &"files".into(), &read);
        }
    }
    transfer
}
