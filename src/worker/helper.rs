//! The helper: a second copy of this worker that decodes files for it.
//!
//! When several files are opened together, or added to the open profile,
//! this worker decodes the first while the helper decodes the next ones,
//! one job a file, and hands each model back as bytes
//! ([`crate::model::snapshot`]), moved rather than copied. This worker
//! merges (or holds) each as it comes, in the order chosen. Decoding is
//! about half of a fleet merge's time and nearly all of a pair's, and the
//! page's machine has a core for each worker: a fleet's files are decoded
//! there while this worker merges the ones before them.
//!
//! The helper holds at most [`IN_FLIGHT`] files, and is sent the next as
//! soon as one comes back, before that one is merged: it has a file queued
//! whenever it finishes one, yet never runs far ahead, as every decoded
//! file it posts waits here, whole, until merged. It answers jobs in the
//! order sent, so an answer is always for the oldest job; an answer to a
//! job whose files have failed (an earlier one did not decode or merge)
//! is dropped on arrival. While files wait for the helper, the worker's
//! other requests wait too (`busy`), so they are answered in the order
//! sent.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;

use super::read::Input;
use super::{change, decode_each, js_error_text, opened_many, post, run_queued, Share, State};
use crate::decode::{self, DecodeOptions, Stage};
use crate::model::{snapshot, Profile};
use crate::protocol::{FileCount, Request, Response};
use crate::session::{Named, NamedMerge, Opening};

/// Files the helper holds at once (see the module's doc).
const IN_FLIGHT: usize = 2;

/// What files decoded together go into.
pub(super) enum Target {
    /// Files opened together: a merge, a comparison or a series.
    Open(Opening),
    /// Files added to the open profile, merged into it.
    Add(NamedMerge),
}

impl Target {
    fn push(&mut self, (name, profile): Named) -> Result<(), String> {
        match self {
            Target::Open(opening) => opening.push((name, profile)),
            Target::Add(adding) => adding.push(name, &profile),
        }
    }

    /// Posts what the files made: the new session's summary, or the open
    /// one's with the files added, or the error.
    fn finish(self, state: &Rc<RefCell<State>>) {
        match self {
            Target::Open(opening) => opened_many(state, opening.finish()),
            Target::Add(adding) => change(state, |s| s.finish_add(adding)),
        }
    }
}

/// Files decoded together: the first here, the rest by the helper while
/// this worker merges what came before them.
pub(super) struct Pending {
    target: Target,
    /// Files not yet sent to the helper, in the order chosen, with their
    /// names.
    unsent: VecDeque<(String, Input)>,
    /// Files with the helper, in the order sent, with their job numbers:
    /// kept, to be decoded here if the helper stops.
    sent: VecDeque<(u32, String, Input)>,
    /// Files in `target` so far, and their bytes.
    done_files: u32,
    done_bytes: u64,
    /// Files chosen, and their bytes.
    chosen_files: u32,
    chosen_bytes: u64,
}

/// What the helper answered to a job.
enum Answer {
    /// The file's model.
    Decoded(Box<Profile>),
    /// The file cannot be opened: why, naming it.
    Failed(String),
    /// An answer this worker cannot read.
    Unreadable(String),
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

    /// Decodes `files` into the target `make` gives, with the helper's
    /// help ([`Pending::can_open`]).
    pub(super) fn open(
        state: &Rc<RefCell<State>>,
        make: impl FnOnce() -> Target,
        names: &[String],
        files: Vec<Input>,
    ) {
        let chosen_bytes = files.iter().map(Input::size).sum();
        let chosen_files = files.len() as u32;
        let mut unsent: VecDeque<(String, Input)> = names.iter().cloned().zip(files).collect();
        let (first_name, first) = unsent.pop_front().expect("two files or more");
        let first_size = first.size();
        // The helper starts on the next files before this worker makes
        // the target (an add merges the open profile into it first) and
        // decodes the first.
        let mut sent = VecDeque::new();
        send_more(state, &mut unsent, &mut sent);
        let mut pending = Pending {
            target: make(),
            unsent,
            sent,
            done_files: 0,
            done_bytes: 0,
            chosen_files,
            chosen_bytes,
        };
        let share = Share {
            files_before: 0,
            chosen_files,
            bytes_before: 0,
            chosen_bytes,
        };
        let opened = decode_each(&[first_name], vec![first], share, |input| {
            pending.target.push(input)
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
    /// first it cannot send, which is tried again at the next answer, or
    /// decoded here when the helper holds nothing.
    fn send_more(&mut self, state: &Rc<RefCell<State>>) {
        send_more(state, &mut self.unsent, &mut self.sent);
    }

    /// Waits for the helper's next answer, holding the worker's requests
    /// meanwhile, or, when the helper holds nothing, decodes what is left
    /// here, finishes the target and answers the requests held.
    fn advance(mut self, state: &Rc<RefCell<State>>) {
        self.send_more(state);
        if !self.sent.is_empty() {
            let mut st = state.borrow_mut();
            st.busy = true;
            st.pending = Some(self);
            return;
        }
        let Pending {
            mut target,
            unsent,
            done_files,
            done_bytes,
            chosen_files,
            chosen_bytes,
            ..
        } = self;
        let (names, files): (Vec<String>, Vec<Input>) = unsent.into_iter().unzip();
        let share = Share {
            files_before: done_files,
            chosen_files,
            bytes_before: done_bytes,
            chosen_bytes,
        };
        let held = state.borrow().busy;
        match decode_each(&names, files, share, |input| target.push(input)) {
            Ok(()) => target.finish(state),
            Err(message) => post(&Response::Error { message }),
        }
        if held {
            run_queued(state);
        }
    }

    /// The helper is not used again: the files it held are decoded here,
    /// with those not yet sent.
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

    /// The helper answered the oldest job.
    fn answered(mut self, state: &Rc<RefCell<State>>, answer: Answer) {
        let (job, name, file) = self.sent.pop_front().expect("an answered job");
        let profile = match answer {
            Answer::Decoded(profile) => profile,
            Answer::Failed(message) => return self.fail(state, message),
            Answer::Unreadable(why) => {
                web_sys::console::warn_1(&format!("the helper worker: {why}").into());
                if let Some(helper) = state.borrow().helper.as_ref() {
                    helper.ready.set(false);
                }
                self.sent.push_front((job, name, file));
                return self.helper_stopped(state);
            }
        };
        count_helped();
        // The helper starts on its next file while this one merges.
        self.send_more(state);
        let size = file.size();
        if let Err(message) = self.target.push((name, *profile)) {
            return self.fail(state, message);
        }
        self.done_one(size);
        self.advance(state);
    }

    /// Ends with `message` (an add leaves the open profile as it was), and
    /// answers the requests held. The answers to the jobs still with the
    /// helper find nothing waiting for them and are dropped.
    fn fail(self, state: &Rc<RefCell<State>>, message: String) {
        drop(self);
        post(&Response::Error { message });
        run_queued(state);
    }

    /// A file of `size` bytes is in the target: says so to the page while
    /// files remain (the last one's answer is the target's own).
    fn done_one(&mut self, size: u64) {
        self.done_files += 1;
        self.done_bytes += size;
        if self.done_files < self.chosen_files {
            post(&Response::Progress {
                stage: Stage::Decoding,
                done: self.done_bytes,
                total: self.chosen_bytes,
                files: Some(FileCount {
                    done: self.done_files,
                    chosen: self.chosen_files,
                }),
            });
        }
    }
}

/// Sends the helper files from `unsent` into `sent` until it holds
/// [`IN_FLIGHT`] (see [`Pending::send_more`]).
fn send_more(
    state: &Rc<RefCell<State>>,
    unsent: &mut VecDeque<(String, Input)>,
    sent: &mut VecDeque<(u32, String, Input)>,
) {
    while sent.len() < IN_FLIGHT {
        let Some((name, file)) = unsent.pop_front() else {
            return;
        };
        match send_to_helper(state, &name, &file) {
            Some(job) => sent.push_back((job, name, file)),
            None => {
                unsent.push_front((name, file));
                return;
            }
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
                // Its hello; tests wait for it here, where it counts.
                is_ready.set(true);
                set_global("__pprofLensHelperReady", &true.into());
                return;
            };
            // Out of the state while `answered` merges, posts, and may put
            // it back.
            let pending = state.borrow_mut().pending.take_if(|p| p.awaits(job as u32));
            let Some(pending) = pending else {
                return;
            };
            let snapshot = get("snapshot").and_then(|b| b.dyn_into::<Uint8Array>().ok());
            let answer = match (snapshot, get("error").and_then(|m| m.as_string())) {
                (Some(bytes), _) => match snapshot::from_bytes(&bytes.to_vec()) {
                    Ok(profile) => Answer::Decoded(Box::new(profile)),
                    Err(e) => Answer::Unreadable(format!("its model is unreadable: {e}")),
                },
                (None, Some(message)) => Answer::Failed(message),
                (None, None) => Answer::Unreadable("an answer with no model and no error".into()),
            };
            pending.answered(&state, answer);
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
    // Bytes go as a copy, moved rather than copied again: the original
    // stays here in case the helper stops.
    let transfer = js_sys::Array::new();
    match file {
        Input::Blob(b) => Reflect::set(&msg, &"file".into(), b).ok()?,
        Input::Bytes(b) => {
            let buffer = b.slice(0, b.length()).buffer();
            transfer.push(&buffer);
            Reflect::set(&msg, &"file".into(), &buffer).ok()?
        }
    };
    port.post_message_with_transferable(&msg, &transfer).ok()?;
    set_global("__pprofLensHelperJobs", &job.into());
    Some(job)
}

/// Sets `key` in this worker's global scope, where tests read it.
fn set_global(key: &str, value: &JsValue) {
    let _ = Reflect::set(&js_sys::global(), &key.into(), value);
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
/// parallel rather than only that they opened. The helper's hello
/// (`__pprofLensHelperReady`) and the last job sent to it
/// (`__pprofLensHelperJobs`) are kept there too.
fn count_helped() {
    let key = "__pprofLensHelped";
    let n = Reflect::get(&js_sys::global(), &key.into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    set_global(key, &(n + 1.0).into());
}
