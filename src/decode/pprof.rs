//! pprof protobuf decoding. (Being written.)
use super::{DecodeError, DecodeOptions, Progress, Result};
use crate::model::Profile;

pub fn decode(_bytes: &[u8], _gzipped: bool, _opts: &DecodeOptions, _progress: &mut dyn Progress) -> Result<Profile> {
    Err(DecodeError::Unrecognized { detail: String::new() })
}
