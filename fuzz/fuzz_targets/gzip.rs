//! Fuzz gzip inflate with a small limit: arbitrary bytes give output or an
//! error, never a panic, and output never exceeds the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprof_lens::decode::{gzip, NoProgress};

const LIMIT: u64 = 1 << 20;

fuzz_target!(|data: &[u8]| {
    if let Ok(out) = gzip::inflate(data, LIMIT, &mut NoProgress) {
        assert!(out.len() as u64 <= LIMIT);
    }
    // Also with the magic forced, so most inputs reach the header parser
    // and the deflate decoder.
    let mut forced = vec![0x1f, 0x8b, 8];
    forced.extend_from_slice(data);
    if let Ok(out) = gzip::inflate(&forced, LIMIT, &mut NoProgress) {
        assert!(out.len() as u64 <= LIMIT);
    }
});
