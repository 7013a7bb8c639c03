//! Text formats: goroutine dumps, tracebacks, legacy text profiles. (Being written.)
use super::{DecodeError, DecodeOptions, Progress, Result};
use crate::model::Profile;

pub fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    !head.iter().any(|&b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x1b | 0x0c)))
}

pub fn decode(_bytes: &[u8], _opts: &DecodeOptions, _progress: &mut dyn Progress) -> Result<Profile> {
    Err(DecodeError::Unrecognized { detail: String::new() })
}
