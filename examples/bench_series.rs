//! Goroutine series benchmark (issue 10: a series of three large dumps in
//! at most 3x the time of one). Synthesises three debug=2 dumps of about
//! `--mb` MB each from the corpus' leak_http snapshots, by repeating their
//! goroutines under fresh ids, then times decoding and summarising one
//! dump against decoding three and building their series. Prints figures,
//! best of `--runs`; asserts nothing.
//!
//! `tools/bench.sh --series [--mb N] [--runs N]` runs it in release mode.
//! With `--write DIR` it only writes the three dumps there
//! (`snap0.debug2.txt`...), for the browser benchmark to open.

use std::time::Instant;

#[path = "support/repeat_dump.rs"]
mod repeat_dump;
use repeat_dump::RepeatedDump;

use pprof_lens::analysis::goroutines::series::summarize_series;
use pprof_lens::analysis::goroutines::{summarize, GoroutineOptions};
use pprof_lens::decode::decode;
use pprof_lens::model::Profile;

const SNAPS: [&str; 3] = ["snap0", "snap1", "snap2"];

fn die(msg: impl std::fmt::Display) -> ! {
    eprintln!("bench_series: {msg}");
    std::process::exit(2)
}

/// `text`'s goroutine blocks repeated, each under a new id, to `bytes`.
fn grow(text: &str, bytes: usize) -> String {
    RepeatedDump::new(text, bytes as u64).into_string()
}

/// The best of `runs` runs of `f`, timed, with that run's value.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best: Option<(f64, T)> = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let v = f();
        let s = t.elapsed().as_secs_f64();
        if best.as_ref().is_none_or(|(b, _)| s < *b) {
            best = Some((s, v));
        }
    }
    best.expect("one run")
}

fn main() {
    let mut mb = 40usize;
    let mut runs = 3usize;
    let mut write: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| die(format_args!("{name} needs a number")))
        };
        match a.as_str() {
            "--mb" => mb = num("--mb"),
            "--runs" => runs = num("--runs"),
            "--write" => {
                write = Some(
                    args.next()
                        .unwrap_or_else(|| die("--write needs a folder"))
                        .into(),
                )
            }
            other => die(format_args!("unknown argument {other}")),
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/series");
    let texts: Vec<String> = SNAPS
        .iter()
        .map(|s| {
            let p = dir.join(format!("leak_http.{s}.goroutine.debug2.txt"));
            let t = std::fs::read_to_string(&p)
                .unwrap_or_else(|e| die(format_args!("{}: {e}", p.display())));
            grow(&t, mb << 20)
        })
        .collect();
    if let Some(dir) = write {
        for (s, t) in SNAPS.iter().zip(&texts) {
            let p = dir.join(format!("{s}.debug2.txt"));
            std::fs::write(&p, t).unwrap_or_else(|e| die(format_args!("{}: {e}", p.display())));
            println!("{}", p.display());
        }
        return;
    }
    let sizes: Vec<String> = texts
        .iter()
        .map(|t| format!("{:.1} MB", t.len() as f64 / 1e6))
        .collect();
    println!(
        "# goroutine series: three debug=2 dumps of {} ({} cores, best of {runs})",
        sizes.join(", "),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let opts = GoroutineOptions::default();
    // Each run keeps only small results, so no run decodes beside the
    // last one's models.
    let (one, total) = best(runs, || {
        let p = decode(texts[2].as_bytes()).unwrap_or_else(|e| die(e));
        summarize(&p, &opts).total
    });
    let (_, (decode3, series, summaries, groups)) = best(runs, || {
        let t = Instant::now();
        let profiles: Vec<Profile> = texts
            .iter()
            .map(|t| decode(t.as_bytes()).unwrap_or_else(|e| die(e)))
            .collect();
        let decoded = t.elapsed().as_secs_f64();
        let named: Vec<(&str, &Profile)> = SNAPS.iter().copied().zip(&profiles).collect();
        let t = Instant::now();
        let summary = summarize_series(&named).unwrap_or_else(|e| die(e));
        let series = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for p in &profiles {
            summarize(p, &opts);
        }
        (
            decoded,
            series,
            t.elapsed().as_secs_f64(),
            summary.groups.len(),
        )
    });
    println!("| step | time |");
    println!("|---|---|");
    println!(
        "| one dump ({} goroutines): decode + summary | {:.0} ms |",
        total,
        one * 1e3
    );
    println!(
        "| three dumps: decode (in the best run) | {:.0} ms |",
        decode3 * 1e3
    );
    println!(
        "| three dumps: series ({} groups) | {:.0} ms |",
        groups,
        series * 1e3
    );
    println!(
        "| of which the three single-dump summaries | {:.0} ms |",
        summaries * 1e3
    );
    println!(
        "| series total / one dump | {:.2}x (issue 10: at most 3x) |",
        (decode3 + series) / one
    );
}
