//! The page's link to the worker's helper (see [`HelperLink`]).

use std::cell::Cell;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use super::outbox::Outbox;
use crate::protocol::Response;

/// The worker's helper: a second copy of the worker, which decodes the
/// files after the first of several opened together or added, while the
/// worker decodes the first and merges or holds each (see `crate::worker`).
/// Started here, beside the worker, rather than by it: it is fetched with
/// the page, never while a file opens, and a worker that starts a worker
/// stalled Firefox's worker thread now and then. The two talk through a
/// `MessageChannel`: the worker's end waits in the outbox for the worker's
/// `Ready`, the helper's end goes once the helper says `Ready`. Where it
/// cannot start, the worker decodes every file.
pub(super) struct HelperLink {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl HelperLink {
    pub(super) fn start(url: &str, outbox: &Outbox) -> Option<HelperLink> {
        let opts = web_sys::WorkerOptions::new();
        opts.set_name("pprof-lens-helper");
        let worker = Worker::new_with_options(url, &opts).ok()?;
        let channel = web_sys::MessageChannel::new().ok()?;
        let to_worker = Object::new();
        Reflect::set(&to_worker, &"helper".into(), &channel.port1()).ok()?;
        outbox.push(to_worker, false);
        let (port, helper) = (Cell::new(Some(channel.port2())), worker.clone());
        helper_state("starting");
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            // Its Ready; anything else it says (a panic's message) is the
            // worker's to report, through the channel's silence.
            if !matches!(
                crate::wire::from_js::<Response>(&ev.data()),
                Ok(Response::Ready { .. })
            ) {
                return;
            }
            if let Some(port) = port.take() {
                let msg = Object::new();
                let _ = Reflect::set(&msg, &"port".into(), &port);
                let _ = helper.post_message_with_transfer(&msg, &js_sys::Array::of1(&port));
                helper_state("ready");
            }
        });
        // A helper that fails only costs its speed-up: the worker is told,
        // and decodes the files the helper held and the rest itself, so it
        // is not an error the user sees.
        let outbox = outbox.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            ev.prevent_default();
            helper_state("failed");
            let msg = Object::new();
            let _ = Reflect::set(&msg, &"helperStopped".into(), &true.into());
            outbox.push(msg, false);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(HelperLink {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }
}

/// Leaves where the helper is (`starting`, `ready` once its wasm runs, or
/// `failed`) in the page's global scope (`__pprofLensHelper`): its start
/// fetches the worker's wasm, and tests that count the requests a file
/// causes wait for it to be done first.
fn helper_state(state: &str) {
    let _ = Reflect::set(
        &js_sys::global(),
        &"__pprofLensHelper".into(),
        &state.into(),
    );
}

impl Drop for HelperLink {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
