//! Decoding: bytes in, one [`Profile`] out, or a [`DecodeError`] saying what
//! is wrong and where.
//!
//! Formats are recognised by content, never by file name:
//! 1. gzip (`1f 8b`) is inflated with a size limit, then detection runs again
//!    on the content (a gzipped goroutine dump works too);
//! 2. text that looks like a goroutine dump, traceback or legacy text
//!    profile goes to [`text`];
//! 3. anything else is tried as pprof protobuf ([`pprof`]).
//!
//! Only this layer sees prost types and file-level ids.

pub mod error;
pub mod gzip;
pub mod pprof;
pub mod proto;
pub mod text;

pub use error::{DecodeError, Result};

use crate::model::Profile;

/// Limits and knobs for decoding.
#[derive(Clone, Debug)]
pub struct DecodeOptions {
    /// Largest uncompressed size accepted, in bytes. Inflating stops with
    /// [`DecodeError::TooLarge`] beyond it, so a gzip bomb costs at most this
    /// much memory.
    pub max_uncompressed: u64,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        // Fits a wasm32 tab (4 GiB address space) with room for the model.
        DecodeOptions { max_uncompressed: 1536 << 20 }
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

/// Decodes any supported input.
pub fn decode_with(bytes: &[u8], opts: &DecodeOptions, progress: &mut dyn Progress) -> Result<Profile> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if gzip::is_gzip(bytes) {
        let inflated = gzip::inflate(bytes, opts.max_uncompressed, progress)?;
        if inflated.is_empty() {
            return Err(DecodeError::Empty);
        }
        return decode_plain(&inflated, true, opts, progress);
    }
    decode_plain(bytes, false, opts, progress)
}

fn decode_plain(bytes: &[u8], gzipped: bool, opts: &DecodeOptions, progress: &mut dyn Progress) -> Result<Profile> {
    if text::looks_like_text(bytes) {
        match text::decode(bytes, opts, progress) {
            Err(DecodeError::Unrecognized { .. }) => {}
            other => return other,
        }
    }
    match pprof::decode(bytes, gzipped, opts, progress) {
        Err(DecodeError::Unrecognized { .. }) => Err(DecodeError::Unrecognized { detail: describe_unknown(bytes) }),
        other => other,
    }
}

/// A short description of unrecognised content for the error message.
fn describe_unknown(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(16)];
    if text::looks_like_text(bytes) {
        let first = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]);
        let line = first.lines().next().unwrap_or("").trim();
        let line: String = line.chars().take(60).collect();
        format!(
            "a text file that is neither a goroutine dump, a traceback nor a pprof text profile (first line: {line:?})"
        )
    } else {
        let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
        format!("binary data that is not gzip or a pprof protobuf (starts with {})", hex.join(" "))
    }
}
