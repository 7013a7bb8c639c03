//! gzip: detection and size-limited inflate. (Being written.)
use super::{DecodeError, Progress, Result};

pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
}

pub fn inflate(_bytes: &[u8], _limit: u64, _progress: &mut dyn Progress) -> Result<Vec<u8>> {
    Err(DecodeError::Unsupported { format: "gzip".into() })
}
