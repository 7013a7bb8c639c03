//! Big goroutine dump benchmark (issue 15, "dumps of any size"): a real
//! debug=2 dump (the corpus' goroutine_states.debug2.txt, 1,267 goroutines)
//! repeated under fresh ids, decoded and summarised
//!
//! * streamed from a generating `Read` (the text never exists whole), at
//!   `--mb` MB (the 431 MB dump of 1M goroutines) and at `--gb` GB
//!   (a dump no wasm32 tab could hold whole);
//! * held whole in memory, as text pasted into the page is read, at
//!   `--mb` MB.
//!
//! Prints wall time and peak heap (a counting allocator; a realloc counts
//! both blocks), best of `--runs`; asserts nothing.
//!
//! `tools/bench.sh --dump [--mb N] [--gb N] [--runs N]` runs it in release
//! mode. With `--write FILE` it only writes the `--mb` dump there, for the
//! browser benchmark to open.

use std::time::Instant;

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
#[path = "support/repeat_dump.rs"]
mod repeat_dump;

use pprof_lens::analysis::goroutines::{summarize, GoroutineOptions};
use pprof_lens::decode::{decode_reader, decode_with, DecodeOptions, NoProgress};
use repeat_dump::RepeatedDump;

#[global_allocator]
static ALLOC: counting_alloc::Counting = counting_alloc::Counting;

fn die(msg: impl std::fmt::Display) -> ! {
    eprintln!("bench_dump: {msg}");
    std::process::exit(2)
}

/// One run: seconds, peak heap bytes above what was live before, and the
/// goroutine count.
struct Run {
    secs: f64,
    peak: usize,
    goroutines: u64,
}

fn measure(f: impl FnOnce() -> u64) -> Run {
    let t = Instant::now();
    let (goroutines, peak) = counting_alloc::peak_during(f);
    Run {
        secs: t.elapsed().as_secs_f64(),
        peak,
        goroutines,
    }
}

fn best(runs: usize, mut f: impl FnMut() -> Run) -> Run {
    let mut best: Option<Run> = None;
    for _ in 0..runs.max(1) {
        let r = f();
        if best.as_ref().is_none_or(|b| r.secs < b.secs) {
            best = Some(r);
        }
    }
    best.expect("one run")
}

/// A run over a generated dump of about `bytes`, and its exact size.
fn streamed(real: &str, bytes: u64) -> (Run, u64) {
    let mut written = 0;
    let run = measure(|| {
        let mut dump = RepeatedDump::new(real, bytes);
        let p = decode_reader(&mut dump, bytes, &DecodeOptions::default(), &mut NoProgress)
            .unwrap_or_else(|e| die(e));
        written = dump.written();
        summarize(&p, &GoroutineOptions::default()).total
    });
    (run, written)
}

fn row(what: &str, text: u64, r: &Run) {
    println!(
        "| {what} | {:.2} GB | {} | {:.2} s | {:.0} MB/s | {:.0} MB | {:.2}x |",
        text as f64 / 1e9,
        r.goroutines,
        r.secs,
        text as f64 / 1e6 / r.secs,
        r.peak as f64 / 1e6,
        r.peak as f64 / text as f64,
    );
}

fn main() {
    let mut mb = 431u64;
    let mut gb = 4.4f64;
    let mut runs = 3usize;
    let mut write: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| -> String {
            args.next()
                .unwrap_or_else(|| die(format_args!("{name} needs a value")))
        };
        let num = |name: &str, v: String| -> f64 {
            v.parse()
                .unwrap_or_else(|_| die(format_args!("{name} needs a number")))
        };
        match a.as_str() {
            "--mb" => mb = num("--mb", value("--mb")) as u64,
            "--gb" => gb = num("--gb", value("--gb")),
            "--runs" => runs = num("--runs", value("--runs")) as usize,
            "--write" => write = Some(value("--write").into()),
            other => die(format_args!("unknown argument {other}")),
        }
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/goroutine_states.debug2.txt");
    let real = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| die(format_args!("{}: {e}", path.display())));
    let small = mb * 1_000_000;
    let big = (gb * 1e9) as u64;
    if let Some(out) = write {
        let mut file = std::fs::File::create(&out)
            .unwrap_or_else(|e| die(format_args!("{}: {e}", out.display())));
        std::io::copy(&mut RepeatedDump::new(&real, small), &mut file)
            .unwrap_or_else(|e| die(format_args!("{}: {e}", out.display())));
        println!("{}", out.display());
        return;
    }
    println!(
        "# goroutine dumps, decode + summary: goroutine_states.debug2.txt repeated ({} cores, best of {runs}; {} run at {gb} GB)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        if runs > 1 { "one" } else { "the" },
    );
    println!("| path | text | goroutines | time | speed | peak heap | peak / text |");
    println!("|---|---|---|---|---|---|---|");
    let text = RepeatedDump::new(&real, small).into_string();
    let len = text.len() as u64;
    let whole = best(runs, || {
        measure(|| {
            let p = decode_with(text.as_bytes(), &DecodeOptions::default(), &mut NoProgress)
                .unwrap_or_else(|e| die(e));
            summarize(&p, &GoroutineOptions::default()).total
        })
    });
    // The text is already in memory: what the page holds besides.
    let whole = Run {
        peak: whole.peak + text.len(),
        ..whole
    };
    drop(text);
    row("whole text (held in memory)", len, &whole);
    // What the generator itself costs, inside the streamed times below.
    let g = best(runs, || {
        measure(|| {
            let mut buf = vec![0u8; 8 << 20];
            let mut dump = RepeatedDump::new(&real, small);
            while std::io::Read::read(&mut dump, &mut buf).unwrap_or(0) > 0 {}
            dump.rounds() * dump.blocks() as u64
        })
    });
    row("generating the text alone (in the times below)", len, &g);
    let s = best(runs, || streamed(&real, small).0);
    row("streamed", len, &s);
    let (b, big_len) = streamed(&real, big);
    row("streamed", big_len, &b);
    println!(
        "| streamed {:.2} GB / {:.2} GB | {:.1}x the text | | {:.1}x the time | | {:.1}x the peak | |",
        big_len as f64 / 1e9,
        len as f64 / 1e9,
        big_len as f64 / len as f64,
        b.secs / s.secs,
        b.peak as f64 / s.peak as f64,
    );
}
