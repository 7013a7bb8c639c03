//! Fuzz gzip inflate with a small limit: arbitrary bytes give output or an
//! error, never a panic, and output never exceeds the limit. Then the
//! gzipped goroutine dump path (inflated into the dump's piece cutter):
//! arbitrary text after a dump's first 64 KiB, and arbitrary damage to the
//! compressed stream of such a dump.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pprof_lens::decode::{self, gzip, DecodeOptions, NoProgress};

const LIMIT: u64 = 1 << 20;

/// A dump long enough (past detection's 64 KiB) to be streamed.
fn dump_head() -> &'static [u8] {
    static HEAD: OnceLock<Vec<u8>> = OnceLock::new();
    HEAD.get_or_init(|| {
        let block = "goroutine 7 [select]:\nmain.f(0x1)\n\t/app/f.go:12 +0x1d\n\n";
        block.repeat((80 << 10) / block.len()).into_bytes()
    })
}

fn gzip_of(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 1));
    out.extend(gzip::crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

fn streamed(gz: &[u8]) {
    let opts = DecodeOptions {
        dump_piece: 4096,
        max_uncompressed: LIMIT,
        max_goroutines: 100_000,
    };
    let _ = decode::decode_reader(gz, gz.len() as u64, &opts, &mut NoProgress);
}

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
    let mut text = dump_head().to_vec();
    text.extend_from_slice(data);
    let gz = gzip_of(&text);
    streamed(&gz);
    // The fuzz bytes over the compressed stream's second half.
    let mut broken = gzip_of(dump_head());
    let half = broken.len() / 2;
    for (b, d) in broken[half..].iter_mut().zip(data) {
        *b ^= d;
    }
    streamed(&broken);
});
