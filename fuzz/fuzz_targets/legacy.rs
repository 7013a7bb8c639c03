//! Fuzzes the legacy binary CPU decoder and the memory map reader it shares
//! with the legacy text profiles. Arbitrary bytes rarely start with the
//! 0, 3 header, so the first byte picks a word layout and a valid header is
//! put in front of the rest: most inputs then reach the records, the frame
//! clean-ups and the map text. Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprof_lens::decode::{legacy_cpu, memory_map, NoProgress};

fuzz_target!(|data: &[u8]| {
    let _ = legacy_cpu::decode(data, &mut NoProgress);
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let header: [u64; 5] = [0, 3, 0, 1 + u64::from(pick >> 2), 0];
    let mut bytes = Vec::with_capacity(40 + rest.len());
    for w in header {
        match pick & 3 {
            0 => bytes.extend_from_slice(&(w as u32).to_le_bytes()),
            1 => bytes.extend_from_slice(&(w as u32).to_be_bytes()),
            2 => bytes.extend_from_slice(&w.to_le_bytes()),
            _ => bytes.extend_from_slice(&w.to_be_bytes()),
        }
    }
    bytes.extend_from_slice(rest);
    if let Ok(p) = legacy_cpu::decode(&bytes, &mut NoProgress) {
        assert_eq!(p.samples.values.len(), p.samples.len() * 2);
        for m in p.locations.iter().filter_map(|l| l.mapping) {
            assert!(m.index() < p.mappings.len());
        }
    }
    // The map reader alone, on text.
    let _ = memory_map::parse(rest, |_, _| {});
});
