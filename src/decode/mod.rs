//! Decoding: bytes in, one [`Profile`] out, or a [`DecodeError`] saying what
//! is wrong and where.
//!
//! Formats are recognised by content, never by file name:
//! 1. gzip (`1f 8b`) is inflated with a size limit, then detection runs again
//!    on the content; a gzipped pprof profile or goroutine dump is decoded
//!    as it is inflated, never held whole ([`decode_reader`] does the same
//!    for input read from a file, and streams a plain dump too);
//! 2. the header of a legacy binary CPU profile (words 0, 3) goes to
//!    [`legacy_cpu`] (no protobuf or text starts with a zero byte);
//! 3. text that looks like a goroutine dump, traceback or legacy text
//!    profile goes to [`text`];
//! 4. anything else is tried as pprof protobuf ([`pprof`]).
//!
//! Only this layer sees prost types and file-level ids.

mod dump_feed;
pub mod error;
pub mod gzip;
pub mod legacy_cpu;
pub mod memory_map;
pub mod pprof;
pub mod text;

pub use dump_feed::DumpPush;
pub use error::{DecodeError, Result};

use dump_feed::{decode_dump_stream, warn_cut_short};

use std::io::Read;

use crate::model::Profile;

/// Limits and knobs for decoding.
#[derive(Clone, Debug)]
pub struct DecodeOptions {
    /// Largest uncompressed size accepted, in bytes. Inflating stops with
    /// [`DecodeError::TooLarge`] beyond it, so a gzip bomb costs at most this
    /// much memory.
    pub max_uncompressed: u64,
    /// Most goroutines a dump may hold, [`DecodeError::TooManyGoroutines`]
    /// beyond it. A dump read from a file, or gzipped, is streamed
    /// ([`dump::DumpStream`](text::dump::DumpStream)), so its size is not
    /// limited by [`Self::max_uncompressed`]; what it costs is the model,
    /// about 125 bytes per goroutine (a goroutine table row, a sample, an
    /// argument id per frame) plus its distinct frames and stacks.
    pub max_goroutines: u64,
    /// How many bytes of a goroutine dump are read at a time: large enough
    /// that the first piece's goroutines say how many the dump holds (the
    /// goroutine table is sized from them), small beside any model worth
    /// streaming. Tests make it small to cut dumps in many places.
    pub dump_piece: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        // 1.5 GiB of input fits a wasm32 tab (4 GiB address space) with
        // room for the model; so do 16M goroutines, a model of about 2 GB.
        // 16M is under 2^24, so a goroutine vector that grows by doubling
        // (when the dump's size says nothing of its goroutines) never
        // takes the step to 2^25 rows (3 GB of rows alone).
        DecodeOptions {
            max_uncompressed: 1536 << 20,
            max_goroutines: 16_000_000,
            dump_piece: 8 << 20,
        }
    }
}

/// The stage a long decode is in, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Stage {
    Inflating,
    Decoding,
    Analysing,
}

/// Receives progress reports; returning `false` cancels the decode
/// ([`DecodeError::Cancelled`]). Called at most every few hundred kilobytes.
pub trait Progress {
    fn report(&mut self, stage: Stage, done: u64, total: u64) -> bool;
}

impl<F: FnMut(Stage, u64, u64) -> bool> Progress for F {
    fn report(&mut self, stage: Stage, done: u64, total: u64) -> bool {
        self(stage, done, total)
    }
}

/// A [`Progress`] that never cancels and reports nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&mut self, _: Stage, _: u64, _: u64) -> bool {
        true
    }
}

/// Decodes any supported input with default options.
pub fn decode(bytes: &[u8]) -> Result<Profile> {
    decode_with(bytes, &DecodeOptions::default(), &mut NoProgress)
}

/// Decodes any supported input held in memory.
pub fn decode_with(
    bytes: &[u8],
    opts: &DecodeOptions,
    progress: &mut dyn Progress,
) -> Result<Profile> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if gzip::is_gzip(bytes) {
        return decode_gzip(&mut &bytes[..], bytes.len() as u64, opts, progress);
    }
    if bytes.len() as u64 > opts.max_uncompressed {
        return Err(DecodeError::TooLarge {
            limit: opts.max_uncompressed,
            size: Some(bytes.len() as u64),
            compressed: false,
        });
    }
    decode_plain(bytes, false, opts, progress)
}

/// How many bytes are looked at to tell text from protobuf.
pub const SNIFF: usize = 64 << 10;

/// How many bytes a plain (not gzipped) input is read at a time.
const READ_CHUNK: usize = 1 << 20;

/// Decodes any supported input from `reader`, which holds `size` bytes, in
/// one pass: a pprof profile (gzipped or not) is never held whole, in either
/// form, so peak memory is the model plus about a megabyte of buffers. A
/// goroutine dump is read a piece at a time ([`DecodeOptions::dump_piece`]),
/// gzipped or not, so it has no size limit, only a goroutine limit. Other
/// text formats are read whole (they are small, and their parsers are not
/// streaming).
pub fn decode_reader<R: Read>(
    mut reader: R,
    size: u64,
    opts: &DecodeOptions,
    progress: &mut dyn Progress,
) -> Result<Profile> {
    // One copy of the code below for every kind of reader (it is big).
    decode_dyn_reader(&mut reader, size, opts, progress)
}

fn decode_dyn_reader(
    reader: &mut dyn Read,
    size: u64,
    opts: &DecodeOptions,
    progress: &mut dyn Progress,
) -> Result<Profile> {
    let mut head = Vec::new();
    read_up_to(reader, &mut head, SNIFF)?;
    if head.is_empty() {
        return Err(DecodeError::Empty);
    }
    if gzip::is_gzip(&head) {
        return decode_gzip(
            &mut std::io::Cursor::new(head).chain(reader),
            size,
            opts,
            progress,
        );
    }
    if is_plain_dump(&head) {
        return decode_dump_stream(&mut { reader }, head, size, false, opts, progress);
    }
    if size > opts.max_uncompressed {
        return Err(DecodeError::TooLarge {
            limit: opts.max_uncompressed,
            size: Some(size),
            compressed: false,
        });
    }
    if head.len() < SNIFF || text::looks_like_text(&head) || legacy_cpu::detect(&head).is_some() {
        // Small, text or legacy CPU: read it whole.
        read_up_to(
            reader,
            &mut head,
            usize::try_from(opts.max_uncompressed).unwrap_or(usize::MAX),
        )?;
        return decode_plain(&head, false, opts, progress);
    }
    let mut decoder = pprof::StreamDecoder::new(false, size).expecting(size, false);
    let mut chunk = head;
    loop {
        decoder
            .feed(&chunk)
            .map_err(|e| unrecognized(e, &chunk, false))?;
        if !progress.report(
            Stage::Decoding,
            decoder.bytes_fed(),
            size.max(decoder.bytes_fed()),
        ) {
            return Err(DecodeError::Cancelled);
        }
        chunk.clear();
        read_up_to(reader, &mut chunk, READ_CHUNK)?;
        if chunk.is_empty() {
            break;
        }
    }
    decoder.finish()
}

/// Whether an input whose first bytes are `head` (up to [`SNIFF`] of them,
/// fewer only when that is all there is) is a plain goroutine dump, which
/// is streamed whatever its size ([`DumpPush`] where the bytes are pushed).
/// Detection sees only the head: a dump whose first header comes later is
/// read whole.
pub fn is_plain_dump(head: &[u8]) -> bool {
    if gzip::is_gzip(head) || !text::looks_like_text(head) {
        return false;
    }
    let dump = if head.len() < SNIFF {
        text::detect(head)
    } else {
        text::detect_prefix(head)
    };
    dump == Some(text::TextKind::Dump)
}

/// Inflates and decodes a gzip stream of `size` compressed bytes, the
/// inflated bytes going to the decoder as they come.
fn decode_gzip(
    reader: &mut dyn Read,
    size: u64,
    opts: &DecodeOptions,
    progress: &mut dyn Progress,
) -> Result<Profile> {
    let mut inflater = gzip::Inflater::new(reader, opts.max_uncompressed)
        .with_input_size(size)
        .with_stage(Stage::Decoding);
    let mut head = Vec::new();
    let mut ended = false;
    // A small dump cut short: read whole, with a warning (as streamed).
    let mut cut = None;
    while head.len() < SNIFF {
        let failed = match inflater.next_chunk(progress) {
            Ok(Some(chunk)) => {
                head.extend_from_slice(chunk);
                continue;
            }
            Ok(None) => None,
            Err(e) => Some(e),
        };
        ended = true;
        match (failed, inflater.cut_short()) {
            (None, _) => {}
            (Some(DecodeError::Gzip { offset, message }), Some(at))
                if text::looks_like_text(&head)
                    && text::detect_prefix(&head) == Some(text::TextKind::Dump) =>
            {
                cut = Some((offset, message, at));
            }
            (Some(e), _) => return Err(e),
        }
        break;
    }
    if head.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some((offset, message, at)) = cut {
        let mut profile = decode_plain(&head, true, opts, progress)?;
        let lines = head.split(|&b| b == b'\n').count() as u32;
        warn_cut_short(&mut profile, lines, offset, &message, at);
        return Ok(profile);
    }
    // A gzipped goroutine dump is streamed too, with no size limit but the
    // goroutine limit, as a plain one read from a file. (The output goes
    // on, so the head is a prefix.)
    if !ended
        && text::looks_like_text(&head)
        && text::detect_prefix(&head) == Some(text::TextKind::Dump)
    {
        inflater.set_limit(u64::MAX);
        return decode_dump_stream(&mut inflater, head, size, true, opts, progress);
    }
    if ended || text::looks_like_text(&head) || legacy_cpu::detect(&head).is_some() {
        while let Some(chunk) = inflater.next_chunk(progress)? {
            head.extend_from_slice(chunk);
        }
        return decode_plain(&head, true, opts, progress);
    }
    let mut decoder = pprof::StreamDecoder::new(true, opts.max_uncompressed).expecting(size, true);
    decoder
        .feed(&head)
        .map_err(|e| unrecognized(e, &head, true))?;
    head.truncate(200);
    while let Some(chunk) = inflater.next_chunk(progress)? {
        decoder
            .feed(chunk)
            .map_err(|e| unrecognized(e, &head, true))?;
    }
    decoder.finish().map_err(|e| unrecognized(e, &head, true))
}

/// Appends from `reader` to `out` until it holds `limit` bytes or the input
/// ends.
fn read_up_to(reader: &mut dyn Read, out: &mut Vec<u8>, limit: usize) -> Result<()> {
    reader
        .take(limit.saturating_sub(out.len()) as u64)
        .read_to_end(out)
        .map_err(|e| DecodeError::Read {
            message: e.to_string(),
        })?;
    Ok(())
}

/// "Not a profile" from the pprof decoder, in words about the content.
fn unrecognized(e: DecodeError, head: &[u8], gzipped: bool) -> DecodeError {
    match e {
        DecodeError::Unrecognized { .. } => DecodeError::Unrecognized {
            detail: describe_unknown(head, gzipped),
        },
        other => other,
    }
}

fn decode_plain(
    bytes: &[u8],
    gzipped: bool,
    opts: &DecodeOptions,
    progress: &mut dyn Progress,
) -> Result<Profile> {
    if legacy_cpu::detect(bytes).is_some() {
        return legacy_cpu::decode(bytes, progress);
    }
    if text::looks_like_text(bytes) {
        match text::decode(bytes, opts, progress) {
            Err(DecodeError::Unrecognized { .. }) => {}
            other => return other,
        }
    }
    pprof::decode(bytes, gzipped, opts, progress).map_err(|e| unrecognized(e, bytes, gzipped))
}

/// A short description of unrecognised content for the error message;
/// `gzipped` content is described as what the gzip file holds.
fn describe_unknown(bytes: &[u8], gzipped: bool) -> String {
    let head = &bytes[..bytes.len().min(16)];
    let holding = if gzipped { "gzip data holding " } else { "" };
    if text::looks_like_text(bytes) {
        let first = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]);
        let line = first.lines().next().unwrap_or("").trim();
        let line: String = line.chars().take(60).collect();
        format!(
            "{holding}a text file that is neither a goroutine dump, a traceback nor a pprof text profile (first line: {line:?})"
        )
    } else if gzipped {
        let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "gzip data holding binary data that is not a pprof protobuf (it starts with {})",
            hex.join(" ")
        )
    } else {
        let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "binary data that is not gzip or a pprof protobuf (starts with {})",
            hex.join(" ")
        )
    }
}
