//! Decode throughput and memory for one profile file.
//!
//! ```text
//! cargo run --release --example bench_decode -- FILE [RUNS]
//! ```
//!
//! Make a large input with `../shared/tools/synth_pprof.py` (this example
//! generates nothing). Prints, per run and best of RUNS: inflate and decode
//! time, uncompressed MB/s, samples/s; then the model's heap bytes against the
//! uncompressed size, and the process's peak RSS (Linux `VmHWM`).

use std::time::Instant;

use pprof_lens::decode::{gzip, pprof, DecodeOptions, NoProgress};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: bench_decode FILE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let file = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    });
    let rss_after_read = peak_rss_kib();
    let opts = DecodeOptions::default();
    let gzipped = gzip::is_gzip(&file);

    let mut best_inflate = f64::MAX;
    let mut best_decode = f64::MAX;
    let mut last: Option<pprof_lens::model::Profile> = None;
    let mut raw_len = file.len();
    for run in 0..runs.max(1) {
        // Drop the previous run's model first so peak RSS reflects one run.
        drop(last.take());
        let t0 = Instant::now();
        let inflated;
        let raw: &[u8] = if gzipped {
            inflated = gzip::inflate(&file, opts.max_uncompressed, &mut NoProgress).unwrap_or_else(|e| {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            });
            &inflated
        } else {
            &file
        };
        let t1 = Instant::now();
        let profile = pprof::decode(raw, gzipped, &opts, &mut NoProgress).unwrap_or_else(|e| {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        });
        let t2 = Instant::now();
        raw_len = raw.len();
        let (inflate, decode) = ((t1 - t0).as_secs_f64(), (t2 - t1).as_secs_f64());
        best_inflate = best_inflate.min(inflate);
        best_decode = best_decode.min(decode);
        println!(
            "run {run}: inflate {:7.1} ms, decode {:7.1} ms, total {:7.1} ms",
            inflate * 1e3,
            decode * 1e3,
            (inflate + decode) * 1e3
        );
        last = Some(profile);
    }
    let p = last.expect("at least one run");
    let samples = p.samples.len();
    let total = best_inflate + best_decode;
    println!("file: {path}");
    println!(
        "  {:.1} MB compressed, {:.1} MB uncompressed; {samples} samples, {} locations, {} functions, {} stack nodes, {} strings",
        mb(file.len()),
        mb(raw_len),
        p.locations.len(),
        p.functions.len(),
        p.stacks.len(),
        p.strings.len()
    );
    println!(
        "best of {runs}: inflate {:.1} ms ({:.0} MB/s out), decode {:.1} ms ({:.0} MB/s, {:.1} M samples/s), total {:.1} ms ({:.0} MB/s uncompressed)",
        best_inflate * 1e3,
        mb(raw_len) / best_inflate.max(1e-9),
        best_decode * 1e3,
        mb(raw_len) / best_decode,
        samples as f64 / best_decode / 1e6,
        total * 1e3,
        mb(raw_len) / total
    );
    let heap = p.heap_bytes();
    println!(
        "model heap: {:.1} MB = {:.2}x the uncompressed input ({:.2}x the file)",
        mb(heap),
        heap as f64 / raw_len as f64,
        heap as f64 / file.len() as f64
    );
    if let (Some(peak), Some(base)) = (peak_rss_kib(), rss_after_read) {
        println!(
            "peak RSS: {:.1} MB ({:.1} MB after reading the file; {:.2}x the uncompressed size)",
            peak as f64 * 1024.0 / 1e6,
            base as f64 * 1024.0 / 1e6,
            peak as f64 * 1024.0 / raw_len as f64
        );
    }
}
