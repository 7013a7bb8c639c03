//! Decode errors: what is wrong and where, in words a user understands.
//!
//! Two kinds of failure, as in pprof: [`DecodeError::Unrecognized`] means "not
//! this format" (detection moves on to the next decoder), every other variant
//! means "this format, but broken" and stops with a precise message.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DecodeError {
    #[error("the file is empty")]
    Empty,

    /// None of the decoders recognised the content.
    #[error("not a Go profile or goroutine dump: {detail}")]
    Unrecognized { detail: String },

    /// A gzip stream that is broken (bad header, truncated, CRC mismatch).
    #[error("gzip data is broken at byte {offset}: {message}")]
    Gzip { offset: u64, message: String },

    /// The uncompressed data would exceed the size limit (a gzip bomb, or a
    /// profile too large for this tab).
    #[error("the uncompressed data exceeds the limit of {limit} bytes; the file is too large or a compression bomb")]
    TooLarge { limit: u64 },

    /// Malformed protobuf encoding.
    #[error("bad protobuf at byte {offset} (in {field}): {message}")]
    Protobuf {
        offset: u64,
        field: String,
        message: String,
    },

    /// Well-formed protobuf that breaks the pprof format's rules (ids, string
    /// indices, value counts).
    #[error("invalid pprof profile: {message}")]
    Invalid { message: String },

    /// A text format that could not be read.
    #[error("line {line}: {message}")]
    Text { line: u32, message: String },

    /// A recognised format that pprof-lens does not read yet.
    #[error("{format} is not supported yet")]
    Unsupported { format: String },

    /// The input could not be read (a file that changed or vanished while
    /// it was being read).
    #[error("the file could not be read: {message}")]
    Read { message: String },

    /// The caller asked to stop.
    #[error("cancelled")]
    Cancelled,
}

pub type Result<T, E = DecodeError> = std::result::Result<T, E>;
