//! The helper: a second copy of this worker that decodes files for it.
//!
//! When several files are opened together, this worker decodes the first
//! while the helper decodes the next ones, one job a file, and hands each
//! model back as bytes ([`crate::model::snapshot`]), moved rather than
//! copied. This worker merges (or holds) each as it comes, in the order
//! chosen. Decoding is about half of a fleet merge's time and nearly all
//! of a pair's, and the page's machine has a core for each worker: a
//! fleet's files are decoded there while this worker merges the ones
//! before them.
//!
//! The helper is given at most [`IN_FLIGHT`] files at a time, so that it
//! always has the next file queued when it posts one, yet never runs far
//! ahead: every decoded file it posts waits here, whole, until merged.
//! It answers jobs in the order sent, so an answer is always for the
//! oldest job; an answer to a job whose opening was given up (another
//! file was opened meanwhile) is dropped on arrival.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;

use super::read::Input;
use super::{decode_each, js_error_text, opened_many, post, Share, State};
use crate::decode::{self, DecodeOptions, Stage};
use crate::model::{snapshot, Profile};
use crate::protocol::{FileCount, Request, Response};
use crate::session::Opening;

/// Files the helper holds at once (see the module's doc).
const IN_FLIGHT: usize = 2;

/// Files opened together: the first decoded here, the rest by the helper
/// while this worker merges what came before them.
pub(super) struct Pending {
    opening: Opening,
    /// Files not yet sent to the helper, in the order chosen, with their
    /// names.
    unsent: VecDeque<(String, Input)>,
    /// Files with the helper, in the order sent, with their job numbers:
    /// kept, to be decoded here if the helper stops.
    sent: VecDeque<(u32, String, Input)>,
    /// Files in `opening` so far, and their bytes.
    done: u32,
    done_bytes: u64,
    /// Files chosen, and their bytes.
    chosen: u32,
    total: u64,
}

impl Pending {
    /// Whether a helper runs to share the decoding of `files`: two or more,
    /// named by `names` in the same order.
    pub(super) fn can_open(state: &Rc<RefCell<State>>, names: &[String], files: &[Input]) -> bool {
        let ready = state
            .borrow()
            .helper
            .as_ref()
            .is_some_and(|h| h.ready.get());
        ready && files.len() >= 2 && names.len() == files.len()
    }

    /// Opens `files` with the helper's help ([`Pending::can_open`]).
    pub(super) fn open(
        state: &Rc<RefCell<State>>,
        opening: Opening,
        names: &[String],
        files: Vec<Input>,
    ) {
        let total = files.iter().map(Input::size).sum();
        let chosen = files.len() as u32;
        let mut unsent: VecDeque<(String, Input)> = names.iter().cloned().zip(files).collect();
        let (first_name, first) = unsent.pop_front().expect("two files or more");
        let first_size = first.size();
        let mut pending = Pending {
            opening,
            unsent,
            sent: VecDeque::new(),
            done: 0,
            done_bytes: 0,
            chosen,
            total,
        };
        // The helper starts on the next files before this worker decodes
        // the first.
        pending.send_more(state);
        let share = Share {
            files_before: 0,
            chosen,
            bytes_before: 0,
            total,
        };
        let opened = decode_each(&[first_name], vec![first], share, |input| {
            pending.opening.push(input)
        });
        match opened {
            Ok(()) => {
                pending.done_one(first_size);
                pending.advance(state);
            }
            Err(message) => post(&Response::Error { message }),
        }
    }

    /// Sends the helper files until it holds [`IN_FLIGHT`]; stops at the
    /// first it cannot send (that one and those after it are decoded here
    /// once the helper's jobs are in).
    fn send_more(&mut self, state: &Rc<RefCell<State>>) {
        while self.sent.len() < IN_FLIGHT {
            let Some((name, file)) = self.unsent.pop_front() else {
                return;
            };
            match send_to_helper(state, &name, &file) {
                Some(job) => self.sent.push_back((job, name, file)),
                None => {
                    self.unsent.push_front((name, file));
                    return;
                }
            }
        }
    }

    /// Waits for the helper's next answer, or, when it holds nothing,
    /// decodes what is left here and finishes the opening.
    fn advance(mut self, state: &Rc<RefCell<State>>) {
        self.send_more(state);
        if !self.sent.is_empty() {
            state.borrow_mut().pending = Some(self);
            return;
        }
        let Pending {
            mut opening,
            unsent,
            done,
            done_bytes,
            chosen,
            total,
            ..
        } = self;
        let (names, files): (Vec<String>, Vec<Input>) = unsent.into_iter().unzip();
        let share = Share {
            files_before: done,
            chosen,
            bytes_before: done_bytes,
            total,
        };
        let opened = decode_each(&names, files, share, |input| opening.push(input));
        opened_many(state, opened.and_then(|()| opening.finish()));
    }

    /// The helper stopped (its wasm failed): the files it held are decoded
    /// here, with those not yet sent.
    pub(super) fn helper_stopped(mut self, state: &Rc<RefCell<State>>) {
        while let Some((_, name, file)) = self.sent.pop_back() {
            self.unsent.push_front((name, file));
        }
        self.advance(state);
    }

    /// Whether `job` is the one this opening waits for next.
    fn awaits(&self, job: u32) -> bool {
        self.sent.front().is_some_and(|&(j, ..)| j == job)
    }

    /// The helper's model for the oldest job arrived, or its error, or the
    /// answer could not be read.
    fn answered(mut self, state: &Rc<RefCell<State>>, from_helper: Result<Profile, String>) {
        let (_, name, file) = self.sent.pop_front().expect("an answered job");
        let size = file.size();
        if from_helper.is_ok() {
            count_helped();
        }
        // On an error the opening ends here: the answers to the jobs still
        // with the helper find no opening and are dropped.
        if let Err(message) = from_helper.and_then(|p| self.opening.push((name, p))) {
            post(&Response::Error { message });
            return;
        }
        self.done_one(size);
        self.advance(state);
    }

    /// A file of `size` bytes is in the opening: says so to the page while
    /// files remain (the last one's answer is the opening itself).
    fn done_one(&mut self, size: u64) {
        self.done += 1;
        self.done_bytes += size;
        if self.done < self.chosen {
            post(&Response::Progress {
                stage: Stage::Decoding,
                done: self.done_bytes,
                total: self.total,
                files: Some(FileCount {
                    done: self.done,
                    chosen: self.chosen,
                }),
            });
        }
    }
}

/// This worker's end of the channel to its helper, a second copy of this
/// worker that decodes a file when asked.
pub(super) struct Helper {
    port: web_sys::MessagePort,
    /// The helper said hello through the channel: it runs, and reads what
    /// is sent to it.
    ready: Rc<Cell<bool>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Helper {
    /// Listens on `port`; the helper's answers go to `state.pending`.
    pub(super) fn attach(state: &Rc<RefCell<State>>, port: web_sys::MessagePort) -> Helper {
        let ready = Rc::new(Cell::new(false));
        let (state, is_ready) = (state.clone(), ready.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            let get = |key: &str| Reflect::get(&data, &key.into()).ok();
            let Some(job) = get("job").and_then(|j| j.as_f64()) else {
                is_ready.set(true); // its hello
                return;
            };
            // Taken out first: finishing posts and may start over.
            let pending = state.borrow_mut().pending.take_if(|p| p.awaits(job as u32));
            let Some(pending) = pending else {
                return;
            };
            let result = if let Some(bytes) =
                get("snapshot").and_then(|b| b.dyn_into::<Uint8Array>().ok())
            {
                snapshot::from_bytes(&bytes.to_vec())
            } else {
                Err(get("error")
                    .and_then(|m| m.as_string())
                    .unwrap_or_else(|| "the helper worker's answer is unreadable".into()))
            };
            pending.answered(&state, result);
        });
        port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Helper {
            port,
            ready,
            _on_message: on_message,
        }
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        self.port.set_onmessage(None);
        self.port.close();
    }
}

/// Sends `file` to the helper to decode; its job number, or `None` when no
/// helper runs.
fn send_to_helper(state: &Rc<RefCell<State>>, name: &str, file: &Input) -> Option<u32> {
    let mut st = state.borrow_mut();
    let port = st.helper.as_ref().filter(|h| h.ready.get())?.port.clone();
    st.jobs = st.jobs.wrapping_add(1);
    let job = st.jobs;
    drop(st);
    let msg = js_sys::Object::new();
    let req = crate::wire::to_js(&Request::Snapshot {
        name: name.to_string(),
        job,
    })
    .ok()?;
    Reflect::set(&msg, &"req".into(), &req).ok()?;
    let sent = match file {
        Input::Blob(b) => Reflect::set(&msg, &"file".into(), b),
        Input::Bytes(b) => Reflect::set(&msg, &"file".into(), &b.slice(0, b.length()).buffer()),
    };
    sent.ok()?;
    port.post_message(&msg).ok()?;
    Some(job)
}

/// As a helper: answers the jobs that come through `port`, and says hello
/// through it first.
pub(super) fn serve_as_helper(port: web_sys::MessagePort) {
    let reply_to = port.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let data = ev.data();
        let req = Reflect::get(&data, &"req".into())
            .ok()
            .and_then(|r| crate::wire::from_js::<Request>(&r).ok());
        if let Some(Request::Snapshot { name, job }) = req {
            let file = Reflect::get(&data, &"file".into())
                .ok()
                .and_then(Input::new);
            snapshot(&reply_to, &name, job, file);
        }
    });
    port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The helper serves as long as the page runs.
    on_message.forget();
    let _ = port.post_message(&js_sys::Object::new());
}

/// As a helper: decodes `file` and posts its model as bytes, moved rather
/// than copied, or the error naming the file.
fn snapshot(port: &web_sys::MessagePort, name: &str, job: u32, file: Option<Input>) {
    // Plain objects: the worker reads no `Response` (its decoder is the
    // page's, and large).
    let answer = || {
        let msg = js_sys::Object::new();
        let _ = Reflect::set(&msg, &"job".into(), &job.into());
        msg
    };
    let failed = |message: &str| {
        let msg = answer();
        let _ = Reflect::set(&msg, &"error".into(), &message.into());
        let _ = port.post_message(&msg);
    };
    let Some(file) = file else {
        return failed("no file was sent to the helper worker");
    };
    let size = file.size();
    let decoded = file
        .reader()
        .map_err(|e| format!("could not read {name}: {}", js_error_text(&e)))
        .and_then(|reader| {
            decode::decode_reader(
                reader,
                size,
                &DecodeOptions::default(),
                &mut decode::NoProgress,
            )
            .map_err(|e| format!("{name}: {e}"))
        });
    match decoded {
        Ok(profile) => {
            let bytes = snapshot::to_bytes(&profile);
            drop(profile);
            let array = Uint8Array::from(bytes.as_slice());
            drop(bytes);
            let msg = answer();
            let _ = Reflect::set(&msg, &"snapshot".into(), &array);
            let _ = port.post_message_with_transferable(&msg, &crate::wire::transfer_list(&array));
        }
        Err(message) => failed(&message),
    }
}

/// Counts the files the helper decoded (`__pprofLensHelped` in this
/// worker's global scope), for tests that check files were decoded in
/// parallel rather than only that they opened.
fn count_helped() {
    let key = JsValue::from_str("__pprofLensHelped");
    let n = Reflect::get(&js_sys::global(), &key)
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    let _ = Reflect::set(&js_sys::global(), &key, &(n + 1.0).into());
}
