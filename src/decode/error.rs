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

    /// The input, or what it inflates to, is over the size limit (a profile
    /// too large for this tab, or a gzip bomb). `size` is the file's size
    /// when known; `compressed` says the limit was crossed while inflating.
    #[error("{}", too_large_message(*limit, *size, *compressed))]
    TooLarge {
        limit: u64,
        size: Option<u64>,
        compressed: bool,
    },

    /// A goroutine dump with more goroutines than the model can hold in
    /// this tab ([`DecodeOptions::max_goroutines`](super::DecodeOptions)).
    #[error(
        "too many goroutines: the dump holds more than {limit} by line {line}, more than this \
         page can hold. Take a debug=1 dump instead (`/debug/pprof/goroutine?debug=1` groups \
         identical stacks), or cut the file into parts"
    )]
    TooManyGoroutines { limit: u64, line: u32 },

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

    /// A legacy binary CPU profile (gperftools, Go before 1.9) that breaks
    /// the format.
    #[error("legacy CPU profile broken at byte {offset}: {message}")]
    LegacyCpu { offset: u64, message: String },

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

/// What is over the limit, by how much, and what to do instead, in the
/// units pprof prints sizes in.
fn too_large_message(limit: u64, size: Option<u64>, compressed: bool) -> String {
    let human = |b: u64| crate::measurement::label(i64::try_from(b).unwrap_or(i64::MAX), "bytes");
    let what = match (compressed, size) {
        (true, Some(s)) => format!(
            "this {} gzip file inflates to more than {}",
            human(s),
            human(limit)
        ),
        (true, None) => format!("this gzip file inflates to more than {}", human(limit)),
        (false, Some(s)) => format!("this file is {}", human(s)),
        (false, None) => "this file".to_string(),
    };
    let bomb = if compressed {
        " (or it is a compression bomb)"
    } else {
        ""
    };
    format!(
        "too large: {what}, over the {} this page can decode{bomb}. Make a smaller profile first, \
         for example `go tool pprof -proto -focus=REGEX FILE > smaller.pb.gz` \
         (or -sample_index, -show_from), or take a goroutine dump with fewer goroutines",
        human(limit)
    )
}
