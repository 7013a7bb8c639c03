//! The Web Worker: decodes and analyses off the main thread.
//!
//! The page posts `{ req, file? }` objects (see [`crate::protocol`]); the
//! worker answers with [`Response`] values. Decoding runs synchronously here,
//! so the page stays responsive; progress messages are posted while it runs.
//! The page cancels a load by terminating this worker and starting another.
//!
//! A file comes as a `Blob`, read here a slice at a time, or as an
//! `ArrayBuffer` where this worker can read no `Blob` (it says so when it
//! starts, and the page reads the file instead).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::ArrayBuffer;
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use crate::decode::{self, DecodeOptions, Stage};
use crate::protocol::{FileCount, Request, Response};
use crate::session::{Named, Opening, Session};

#[derive(Default)]
struct State {
    session: Option<Session>,
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
        let message = format!("internal error in the worker: {info}");
        web_sys::console::error_1(&message.clone().into());
        post(&Response::Error { message });
    }));
    let state = Rc::new(RefCell::new(State::default()));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let data = ev.data();
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
        handle(&state, req, file, files);
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Response::Ready {
        reads_blobs: reads_blobs(),
    });
}

/// Whether a `Blob` can be read here: one made here is read back.
fn reads_blobs() -> bool {
    let parts = js_sys::Array::of1(&"pprof-lens".into());
    let read = || -> Result<f64, JsValue> {
        let blob = Blob::new_with_str_sequence(&parts)?;
        Ok(FileReaderSync::new()?
            .read_as_array_buffer(&blob)?
            .byte_length() as f64)
    };
    matches!(read(), Ok(n) if n > 0.0)
}

/// A file as the page sent it.
enum Input {
    Blob(Blob),
    Bytes(Uint8Array),
}

impl Input {
    fn new(value: JsValue) -> Option<Input> {
        if value.is_instance_of::<Blob>() {
            Some(Input::Blob(value.unchecked_into()))
        } else if value.is_instance_of::<ArrayBuffer>() {
            Some(Input::Bytes(Uint8Array::new(&value)))
        } else {
            None
        }
    }

    fn size(&self) -> u64 {
        match self {
            Input::Blob(b) => b.size() as u64,
            Input::Bytes(b) => b.length() as u64,
        }
    }

    /// Reads the input a slice at a time, so it is never copied whole into
    /// wasm memory: the decoder streams through it.
    fn reader(self) -> Result<Box<dyn std::io::Read>, JsValue> {
        Ok(match self {
            Input::Blob(blob) => Box::new(BlobReader::new(blob)?),
            Input::Bytes(bytes) => Box::new(BytesReader { bytes, pos: 0 }),
        })
    }
}

/// Reads an `ArrayBuffer` the page sent.
struct BytesReader {
    bytes: Uint8Array,
    pos: u32,
}

impl std::io::Read for BytesReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let len = (self.bytes.length() - self.pos).min(buf.len().min(1 << 22) as u32);
        self.bytes
            .subarray(self.pos, self.pos + len)
            .copy_to(&mut buf[..len as usize]);
        self.pos += len;
        Ok(len as usize)
    }
}

fn handle(state: &Rc<RefCell<State>>, req: Request, file: Option<Input>, files: Vec<Input>) {
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
            match file.reader() {
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
            let opened = decode_each(&names, files, |input| opening.push(input))
                .and_then(|()| opening.finish());
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
        Request::OpenBase { name } => {
            let files = file.into_iter().collect();
            change(state, |s| {
                let [base]: [Named; 1] = decode_all(&[name], files)?
                    .try_into()
                    .map_err(|_| "no base file was sent to the worker".to_string())?;
                s.set_base(base)
            })
        }
        Request::Add { names } => change(state, |s| s.add(decode_all(&names, files)?)),
        Request::SetCompare { mode, normalize } => {
            change(state, |s| s.set_compare(mode, normalize))
        }
        Request::Swap => change(state, Session::swap),
        Request::Query { id, query } => {
            let answer = match state.borrow_mut().session.as_mut() {
                Some(session) => session.answer(query),
                None => crate::protocol::Answer::Failed {
                    message: "no profile is open".into(),
                },
            };
            post(&Response::Answer { id, answer });
            record_memory();
        }
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
    let mut last = 0f64;
    let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok());
    let mut progress = |stage: Stage, done: u64, total: u64| {
        // At most ~20 messages a second.
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
    };
    match decode(&DecodeOptions::default(), &mut progress) {
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
    decode_each(names, files, |input| {
        out.push(input);
        Ok(())
    })?;
    Ok(out)
}

/// Decodes `files`, named by `names` in the same order, handing each to
/// `sink` as soon as it is decoded, and posting progress over all of them:
/// the files done of those chosen as each file starts (one message a file,
/// so none is missed), the bytes within a file at most every 50 ms. The
/// first that fails is named in the error.
fn decode_each(
    names: &[String],
    files: Vec<Input>,
    mut sink: impl FnMut(Named) -> Result<(), String>,
) -> Result<(), String> {
    if names.len() != files.len() {
        return Err(format!(
            "{} names came with {} files to the worker",
            names.len(),
            files.len()
        ));
    }
    let total: u64 = files.iter().map(Input::size).sum();
    let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok());
    let mut last = 0f64;
    let mut before = 0u64;
    let chosen = files.len() as u32;
    for (i, (name, file)) in names.iter().zip(files).enumerate() {
        let size = file.size();
        post(&Response::Progress {
            stage: Stage::Decoding,
            done: before,
            total,
            files: Some(FileCount {
                done: i as u32,
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

/// Reads a `Blob` (the dropped file) synchronously, a slice at a time.
/// `FileReaderSync` exists only in workers, which is where this runs.
struct BlobReader {
    blob: Blob,
    reader: FileReaderSync,
    pos: f64,
    size: f64,
}

impl BlobReader {
    fn new(blob: Blob) -> Result<Self, JsValue> {
        let size = blob.size();
        Ok(BlobReader {
            blob,
            reader: FileReaderSync::new()?,
            pos: 0.0,
            size,
        })
    }
}

impl std::io::Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Slices of up to 4 MiB: few calls into JS, little memory.
        let n = (buf.len() as f64)
            .min(4.0 * 1024.0 * 1024.0)
            .min(self.size - self.pos);
        if n <= 0.0 {
            return Ok(0);
        }
        let to_io = |e: JsValue| std::io::Error::other(js_error_text(&e));
        let slice = self
            .blob
            .slice_with_f64_and_f64(self.pos, self.pos + n)
            .map_err(to_io)?;
        let array = self.reader.read_as_array_buffer(&slice).map_err(to_io)?;
        let bytes = Uint8Array::new(&array);
        let len = bytes.length() as usize;
        if len == 0 {
            return Err(std::io::Error::other(
                "the file ended early (did it change while being read?)",
            ));
        }
        let len = len.min(buf.len());
        bytes.subarray(0, len as u32).copy_to(&mut buf[..len]);
        self.pos += len as f64;
        Ok(len)
    }
}

/// Leaves the wasm memory size (after a load and after each answer; it only
/// grows) where benchmarks can read it from the worker's global scope
/// (`__pprofLensWasmBytes`): a page cannot see it.
fn record_memory() {
    let bytes = Reflect::get(&wasm_bindgen::memory(), &"buffer".into())
        .and_then(|b| Reflect::get(&b, &"byteLength".into()))
        .unwrap_or(JsValue::UNDEFINED);
    let _ = Reflect::set(&js_sys::global(), &"__pprofLensWasmBytes".into(), &bytes);
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
