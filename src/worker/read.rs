//! Reading the file the page sent: a `Blob` read a slice at a time with
//! `FileReaderSync`, or streamed where it is a plain goroutine dump
//! ([`PlainDump`]), or an `ArrayBuffer` where this worker reads no `Blob`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{ArrayBuffer, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, FileReaderSync};

use super::{js_error_text, loaded, performance, progress_to_page, run_queued, State};
use crate::decode::{self, DecodeOptions};
use crate::model::Profile;

/// Whether a `Blob` can be read here: one made here is read back.
pub(super) fn reads_blobs() -> bool {
    let parts = js_sys::Array::of1(&"pprof-lens".into());
    let read = || -> Result<f64, JsValue> {
        let blob = Blob::new_with_str_sequence(&parts)?;
        Ok(FileReaderSync::new()?
            .read_as_array_buffer(&blob)?
            .byte_length() as f64)
    };
    matches!(read(), Ok(n) if n > 0.0)
}

/// The bytes read from a `Blob` at a time, at least (see [`Input::reader`]):
/// the decoder's own buffer for compressed input is this size too.
const BLOB_SLICE: usize = 1 << 20;

/// A file as the page sent it.
pub(super) enum Input {
    Blob(Blob),
    Bytes(Uint8Array),
}

impl Input {
    pub(super) fn new(value: JsValue) -> Option<Input> {
        if value.is_instance_of::<Blob>() {
            Some(Input::Blob(value.unchecked_into()))
        } else if value.is_instance_of::<ArrayBuffer>() {
            Some(Input::Bytes(Uint8Array::new(&value)))
        } else {
            None
        }
    }

    pub(super) fn size(&self) -> u64 {
        match self {
            Input::Blob(b) => b.size() as u64,
            Input::Bytes(b) => b.length() as u64,
        }
    }

    /// Reads the input a slice at a time, so it is never copied whole into
    /// wasm memory: the decoder streams through it.
    ///
    /// A `Blob` is read through a buffer of [`BLOB_SLICE`]: each read of
    /// one costs a call into the browser of a millisecond or more whatever
    /// its size, and the decoder's first reads are small (it sniffs the
    /// first 64 KiB, which `read_to_end` reads in growing steps from 32
    /// bytes). Unbuffered, those calls cost 15 ms of each 0.8 MB profile of
    /// a fleet, half its decode; buffered, a file that size is one call.
    /// Reads as large as the buffer skip it.
    pub(super) fn reader(self) -> Result<Box<dyn std::io::Read>, JsValue> {
        Ok(match self {
            Input::Blob(blob) => Box::new(buffered(BlobReader::new(blob)?)),
            Input::Bytes(bytes) => Box::new(BytesReader { bytes, pos: 0 }),
        })
    }
}

/// `reader` read through a buffer of [`BLOB_SLICE`] (see [`Input::reader`]).
fn buffered(reader: BlobReader) -> std::io::BufReader<BlobReader> {
    std::io::BufReader::with_capacity(BLOB_SLICE, reader)
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

/// A plain goroutine dump read with `Blob.stream()`, which browsers read
/// 2-3x faster than `FileReaderSync` (431 MB: 310-365 ms against 634-920 ms
/// in Chromium), and the dump is the one input large enough for that to
/// matter. Its bytes arrive asynchronously, so they are pushed into the
/// decoder ([`decode::DumpPush`]) while the worker queues other requests.
pub(super) struct PlainDump {
    blob: Blob,
    head: Vec<u8>,
}

impl PlainDump {
    /// Reads the head of `blob`: a plain dump where the browser can stream
    /// it, or else a reader for the whole file (which reads the head again:
    /// it is small, and a chained reader would add a copy of every `Read`
    /// method to the worker's code).
    pub(super) fn sniff(blob: Blob) -> Result<Result<PlainDump, Box<dyn std::io::Read>>, JsValue> {
        let head = blob.slice_with_f64_and_f64(0.0, decode::SNIFF as f64)?;
        let head = FileReaderSync::new()?.read_as_array_buffer(&head)?;
        let head = Uint8Array::new(&head).to_vec();
        let streams = Reflect::has(&blob, &"stream".into()).unwrap_or(false);
        Ok(if streams && decode::is_plain_dump(&head) {
            Ok(PlainDump { blob, head })
        } else {
            Err(Box::new(buffered(BlobReader::new(blob)?)))
        })
    }

    /// Decodes the dump as it streams in, then keeps it as the session and
    /// answers what was queued meanwhile.
    pub(super) fn stream(self, state: &Rc<RefCell<State>>, name: String) {
        state.borrow_mut().session = None;
        state.borrow_mut().busy = true;
        let state = state.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let size = self.blob.size() as u64;
            let decoded = self.decode(size).await;
            let decoded = decoded.map_err(|e| decode::DecodeError::Read {
                message: js_error_text(&e),
            });
            loaded(&state, &name, size, decoded.and_then(|d| d));
            run_queued(&state);
        });
    }

    /// The outer error is the browser's, reading the file; the inner one
    /// the decoder's.
    async fn decode(self, size: u64) -> Result<decode::Result<Profile>, JsValue> {
        let opts = DecodeOptions::default();
        let mut progress = progress_to_page();
        let from = self.head.len() as f64;
        let mut push = decode::DumpPush::new(self.head, size, &opts);
        let reader: web_sys::ReadableStreamDefaultReader = self
            .blob
            .slice_with_f64(from)?
            .stream()
            .get_reader()
            .unchecked_into();
        let mut times = StreamTimes::default();
        loop {
            let awaited = times.now();
            let next = wasm_bindgen_futures::JsFuture::from(reader.read()).await?;
            let done = Reflect::get(&next, &"done".into())?.is_truthy();
            times.awaited(awaited, !done);
            if done {
                break;
            }
            let chunk: Uint8Array = Reflect::get(&next, &"value".into())?.unchecked_into();
            let pushed = push.push_with(
                chunk.length() as usize,
                |buf| chunk.copy_to(buf),
                &mut progress,
            );
            if let Err(e) = pushed {
                let _ = reader.cancel();
                return Ok(Err(e));
            }
        }
        let decoded = push.finish(&mut progress);
        times.record();
        Ok(decoded)
    }
}

/// Where a streamed dump's time went: awaiting the file's next bytes, or
/// decoding them (the rest; this thread does one or the other). Left in
/// the worker's global scope (`__pprofLensStreamed`: `{awaitMs, decodeMs,
/// chunks}`) for the browser benchmark, which prints the split.
struct StreamTimes {
    perf: Option<web_sys::Performance>,
    start: f64,
    awaiting: f64,
    chunks: u32,
}

impl Default for StreamTimes {
    fn default() -> Self {
        let perf = performance();
        let start = perf.as_ref().map_or(0.0, |p| p.now());
        StreamTimes {
            perf,
            start,
            awaiting: 0.0,
            chunks: 0,
        }
    }
}

impl StreamTimes {
    fn now(&self) -> f64 {
        self.perf.as_ref().map_or(0.0, |p| p.now())
    }

    /// A read that began at `since` has come back, with a chunk or not.
    fn awaited(&mut self, since: f64, chunk: bool) {
        self.awaiting += self.now() - since;
        self.chunks += u32::from(chunk);
    }

    fn record(&self) {
        let total = self.now() - self.start;
        let times = js_sys::Object::new();
        let _ = Reflect::set(&times, &"awaitMs".into(), &self.awaiting.into());
        let _ = Reflect::set(&times, &"decodeMs".into(), &(total - self.awaiting).into());
        let _ = Reflect::set(&times, &"chunks".into(), &self.chunks.into());
        let _ = Reflect::set(&js_sys::global(), &"__pprofLensStreamed".into(), &times);
    }
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
