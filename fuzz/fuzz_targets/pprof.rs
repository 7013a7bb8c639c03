//! Fuzz the whole decode entry point (gzip, detection, pprof protobuf) on
//! arbitrary bytes: it must return a profile or an error, never panic.
//! A small size limit keeps inflated inputs cheap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprof_lens::decode::{decode_with, pprof, DecodeOptions, NoProgress};

fuzz_target!(|data: &[u8]| {
    let opts = DecodeOptions {
        max_uncompressed: 16 << 20,
        ..DecodeOptions::default()
    };
    let _ = decode_with(data, &opts, &mut NoProgress);
    // The protobuf decoder directly, so detection never hides it.
    if let Ok(p) = pprof::decode(data, false, &opts, &mut NoProgress) {
        // Everything the decoder returns must be consistent: ids in range.
        let n = p.num_sample_types();
        assert_eq!(p.samples.values.len(), p.samples.len() * n);
        for leaf in p.samples.stack.iter().flatten() {
            for loc in p.stacks.frames(*leaf) {
                for line in p.location_lines(loc) {
                    let f = &p.functions[line.func.index()];
                    let _ = p.str(f.name);
                }
            }
        }
        for &l in &p.samples.labels {
            for label in p.label_sets.get(l) {
                let _ = p.str(label.key);
            }
        }
    }
});
