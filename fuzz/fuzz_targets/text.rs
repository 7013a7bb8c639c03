//! Fuzzes the text decoders (goroutine dumps, tracebacks, debug=1, legacy
//! text profiles, pasted go tool pprof output) through detection, so both `decode::decode` and
//! `text::decode` paths are exercised. Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprof_lens::decode::{self, text, DecodeOptions, NoProgress};

fuzz_target!(|data: &[u8]| {
    let _ = decode::decode(data);
    // The header and label-set readers directly, on every input.
    if let Some(h) = text::header::parse_header(data) {
        let _ = h.extras().count();
        if let Some(set) = h.labels {
            let _ = text::labels::parse_set(set);
        }
    }
    let _ = text::labels::parse_set(data);
    // Pasted go tool pprof output, whatever detection says.
    let _ = text::pprof_text::top::decode(data);
    let _ = text::pprof_text::traces::decode(data);
    if text::looks_like_text(data) {
        if let Ok(p) = text::decode(data, &DecodeOptions::default(), &mut NoProgress) {
            // Every goroutine row and sample must agree, and stacks resolve.
            assert!(p.goroutines.rows.len() <= p.samples.len() || p.samples.is_empty());
            for leaf in p.samples.stack.iter().flatten() {
                for loc in p.stacks.frames(*leaf) {
                    let _ = p.location_lines(loc);
                }
            }
        }
    }
});
