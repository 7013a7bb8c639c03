//! Peak heap while decoding: a gzipped profile must stream through the
//! decoder, never held whole in either form (issue 6: "never hold several
//! full copies"). Measured with a counting allocator, so it is its own test
//! binary, and the one test here runs alone.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use pprof_lens::decode::pprof::messages as pb;
use pprof_lens::decode::{decode_reader, DecodeOptions, NoProgress};
use prost::Message;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A CPU-like profile of `n` samples over a few stacks, each sample with
/// labels that make it large on disk but small in the model (the label sets
/// repeat), so the model is a small fraction of the file.
fn profile(n: usize) -> Vec<u8> {
    let mut strings: Vec<String> = [
        "",
        "samples",
        "count",
        "cpu",
        "nanoseconds",
        "main.go",
        "trace_id",
        "request",
    ]
    .map(String::from)
    .to_vec();
    let first_fn = strings.len() as i64;
    for f in 0..20 {
        strings.push(format!("example.com/app/pkg{f}.(*Server).handle{f}"));
    }
    let functions = (0..20)
        .map(|f| pb::Function {
            id: f + 1,
            name: first_fn + f as i64,
            system_name: 0,
            filename: 5,
            start_line: 1,
        })
        .collect();
    let locations = (0..20)
        .map(|f| pb::Location {
            id: f + 1,
            address: 0x1000 + f,
            line: vec![pb::Line {
                function_id: f + 1,
                line: 10 + f as i64,
                column: 0,
            }],
            ..Default::default()
        })
        .collect();
    let sample = (0..n)
        .map(|i| pb::Sample {
            location_id: (0..100)
                .map(|d| ((i * 7 + d * 3) % 20 + 1) as u64)
                .collect(),
            value: vec![1, 10_000_000],
            label: vec![
                pb::Label {
                    key: 6,
                    str: 0,
                    num: (i % 8) as i64,
                    num_unit: 7,
                },
                pb::Label {
                    key: 7,
                    str: 1,
                    num: 0,
                    num_unit: 0,
                },
            ],
        })
        .collect();
    pb::Profile {
        sample_type: vec![
            pb::ValueType { r#type: 1, unit: 2 },
            pb::ValueType { r#type: 3, unit: 4 },
        ],
        sample,
        location: locations,
        function: functions,
        string_table: strings,
        period_type: Some(pb::ValueType { r#type: 3, unit: 4 }),
        period: 10_000_000,
        ..Default::default()
    }
    .encode_to_vec()
}

#[test]
fn gzipped_profile_streams_through_the_decoder() {
    let raw = profile(200_000);
    let file = support::gzip(&raw);
    assert!(raw.len() > 20 << 20, "{} bytes", raw.len());
    // The file as it comes from disk, a slice at a time.
    let path = std::env::temp_dir().join(format!("pprof-lens-memory-{}.pb.gz", std::process::id()));
    std::fs::write(&path, &file).unwrap();
    let (raw_len, file_len) = (raw.len(), file.len());
    drop((raw, file));

    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let reader = std::fs::File::open(&path).unwrap();
    let p = decode_reader(
        reader,
        file_len as u64,
        &DecodeOptions::default(),
        &mut NoProgress,
    )
    .unwrap();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    std::fs::remove_file(&path).ok();

    assert_eq!(p.samples.len(), 200_000);
    let model = p.heap_bytes();
    // The model (about 24 bytes a sample here, against 120 in the file) plus buffers of about a
    // megabyte each and the stack interner's small table; a whole inflated
    // copy alone would be `raw_len`.
    eprintln!("uncompressed {raw_len} B, compressed {file_len} B, model {model} B, peak while decoding {peak} B");
    assert!(
        peak < raw_len / 2,
        "peak {peak} B while decoding {raw_len} B: a whole copy was held"
    );
    assert!(
        peak < model * 2 + (8 << 20),
        "peak {peak} B for a model of {model} B"
    );
}
