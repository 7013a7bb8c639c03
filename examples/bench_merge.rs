//! Fleet merge benchmark (issue 17: 100 CPU profiles of 1M samples in all,
//! at least 20x faster than `go tool pprof -top` on the same files, with a
//! peak memory of at most 2x the largest input's plus the merged model).
//!
//! For each folder of `*.pb.gz` given, in a fresh child process each: the
//! app's streamed merge (each file read, inflated and decoded as it is read,
//! then merged into the running result, as the worker does) timed best of
//! `--runs`, its CPU seconds per stage (decode, merge, finish; the merge
//! also by quarter of the files, which stays flat when merging is linear)
//! and its peak RSS after run 1, then its peak heap in a run of its own
//! (counting costs each allocation two atomic operations, which the timed
//! runs do not pay); the largest file loaded alone (its peak RSS and
//! heap, the "largest input"); then `go tool pprof -symbolize=none -top`
//! on the same files, best of `--runs` too, with its wall time, CPU time
//! and max RSS.
//! Then the same merge as the worker runs it with its helper worker, a
//! second thread standing for the helper (`--child-merge-helped`).
//! The ratio is printed both wall to wall and CPU to CPU: the machine is
//! shared, and a neighbour's load stretches a minute-long pprof run far
//! more than a run of a few seconds.
//! Memory is printed twice against the bound. Peak RSS is what the
//! process kept resident. Peak heap is the bytes allocated and not yet
//! freed, counted by the global allocator: glibc's malloc raises its mmap
//! threshold as big blocks are freed, after which freed memory stays
//! resident, and on these fleets that alone is 15-19 MB of the RSS
//! (`MALLOC_MMAP_THRESHOLD_=131072` fixed it there). The browser's wasm
//! heap has no such policy. Prints figures; asserts nothing.
//!
//! `tools/bench.sh --merge [--runs N] [--no-go]` generates the fleets and
//! runs it in release mode.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

#[path = "support/command.rs"]
mod command;
use command::time_command;

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

#[global_allocator]
static ALLOC: counting_alloc::Counting = counting_alloc::Counting;

use pprof_lens::decode::{decode_reader, DecodeOptions, Stage};
use pprof_lens::model::snapshot;
use pprof_lens::protocol::OpenMode;
use pprof_lens::session::Opening;

fn die(msg: impl std::fmt::Display) -> ! {
    eprintln!("bench_merge: {msg}");
    std::process::exit(2)
}

fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |k| k * 1024)
}

/// CPU seconds (user + system) this process has used: the machine is
/// shared, so wall time alone says more about the neighbours than the code.
fn cpu_seconds() -> f64 {
    proc_stat_seconds(11)
}

/// CPU seconds (user + system) of the children this process has waited
/// for, and theirs: `/usr/bin/time`, `go` and the pprof it runs.
fn children_cpu_seconds() -> f64 {
    proc_stat_seconds(13)
}

/// Fields `at` and `at + 1` of /proc/self/stat after the command name, in
/// seconds.
fn proc_stat_seconds(at: usize) -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // utime and stime are fields 14 and 15 of the line, cutime and cstime
    // 16 and 17, in clock ticks (100 per second on Linux).
    f.get(at)
        .zip(f.get(at + 1))
        .map_or(0.0, |(u, s)| (u + s) / 100.0)
}

fn files_of(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| die(format_args!("{dir}: {e}")))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".pb.gz"))
        .collect();
    files.sort();
    if files.is_empty() {
        die(format_args!("{dir}: no .pb.gz files"));
    }
    files
}

/// The profiles of `dir`, in name order, and their bytes on disk.
fn files_and_bytes(dir: &str) -> (Vec<PathBuf>, u64) {
    let files = files_of(dir);
    let bytes = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    (files, bytes)
}

fn load(path: &Path) -> pprof_lens::model::Profile {
    let file = std::fs::File::open(path).unwrap_or_else(|e| die(format_args!("{path:?}: {e}")));
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut progress = |_: Stage, _: u64, _: u64| true;
    decode_reader(file, size, &DecodeOptions::default(), &mut progress)
        .unwrap_or_else(|e| die(format_args!("{path:?}: {e}")))
}

/// The child: the streamed merge of `dir`, best of `runs`; prints
/// `key value` lines. With `count_heap` (one run), only the peak heap is
/// wanted; otherwise the heap is not counted, so that counting costs the
/// timed runs nothing.
fn child_merge(dir: &str, runs: usize, count_heap: bool) {
    if !count_heap {
        counting_alloc::stop_counting();
    }
    let (files, bytes) = files_and_bytes(dir);
    let mut best = f64::MAX;
    let mut rss = None;
    let mut heap = None;
    let mut stats = (0usize, 0usize, 0usize, 0usize);
    let mut stages = (0.0, 0.0, 0.0, Vec::new());
    let mut cpu = 0.0;
    for _ in 0..runs.max(1) {
        let base = counting_alloc::start_peak();
        let t = Instant::now();
        let c = cpu_seconds();
        let mut opening = Opening::new(Some(OpenMode::Merge), files.len(), bytes);
        let (mut decode_s, mut merge_s) = (0.0, 0.0);
        let quarter = files.len().div_ceil(4);
        let mut quarters = vec![0.0; 4];
        for (i, f) in files.iter().enumerate() {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let d = cpu_seconds();
            let p = load(f);
            decode_s += cpu_seconds() - d;
            let m = cpu_seconds();
            opening.push((name, p)).unwrap_or_else(|e| die(e));
            let took = cpu_seconds() - m;
            merge_s += took;
            quarters[i / quarter] += took;
        }
        let f = cpu_seconds();
        let (session, _) = opening.finish().unwrap_or_else(|e| die(e));
        let finish_s = cpu_seconds() - f;
        let elapsed = t.elapsed().as_secs_f64();
        if elapsed < best {
            stages = (decode_s, merge_s, finish_s, quarters);
            cpu = cpu_seconds() - c;
        }
        best = best.min(elapsed);
        rss.get_or_insert_with(peak_rss_bytes);
        heap.get_or_insert_with(|| counting_alloc::peak_since(base));
        let p = &session.profile;
        stats = (
            p.samples.len(),
            p.stacks.len(),
            p.locations.len(),
            p.heap_bytes(),
        );
    }
    if count_heap {
        println!("merge_peak_heap {}", heap.unwrap_or(0));
        return;
    }
    println!("merge_s {best}");
    println!("merge_cpu_s {cpu}");
    println!("stage_decode_s {}", stages.0);
    println!("stage_merge_s {}", stages.1);
    println!("stage_finish_s {}", stages.2);
    for (i, q) in stages.3.iter().enumerate() {
        println!("stage_merge_q{} {q}", i + 1);
    }
    println!("merge_rss {}", rss.unwrap_or(0));

    println!("merged_samples {}", stats.0);
    println!("merged_stack_nodes {}", stats.1);
    println!("merged_locations {}", stats.2);
    println!("merged_heap {}", stats.3);
}

/// The child: the streamed merge of `dir` as the worker runs it with its
/// helper, best of `runs`: a second thread stands for the helper worker,
/// decoding the files after the first, in order, and handing each model
/// over as snapshot bytes, at most two ahead of the one being merged
/// (`IN_FLIGHT` in `src/worker/helper.rs`), while this thread decodes the
/// first file and then reads each snapshot back and merges it. Prints the
/// wall time and the CPU time of both threads.
fn child_merge_helped(dir: &str, runs: usize) {
    counting_alloc::stop_counting();
    let (files, bytes) = files_and_bytes(dir);
    let mut best = f64::MAX;
    let mut cpu = 0.0;
    let mut samples = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let c = cpu_seconds();
        let mut opening = Opening::new(Some(OpenMode::Merge), files.len(), bytes);
        let name = |f: &Path| f.file_name().unwrap().to_string_lossy().into_owned();
        // While this thread merges file k, the helper holds k + 1 (decoded,
        // waiting in the channel) and k + 2 (being decoded), as the worker's
        // helper does.
        let (to_main, from_helper) = std::sync::mpsc::sync_channel::<Vec<u8>>(1);
        let rest: Vec<PathBuf> = files[1..].to_vec();
        let helper = std::thread::spawn(move || {
            for f in &rest {
                let bytes = snapshot::to_bytes(&load(f));
                if to_main.send(bytes).is_err() {
                    return;
                }
            }
        });
        opening
            .push((name(&files[0]), load(&files[0])))
            .unwrap_or_else(|e| die(e));
        for (f, bytes) in files[1..].iter().zip(from_helper.iter()) {
            let p = snapshot::from_bytes(&bytes).unwrap_or_else(|e| die(e));
            drop(bytes);
            opening.push((name(f), p)).unwrap_or_else(|e| die(e));
        }
        helper
            .join()
            .unwrap_or_else(|_| die("the helper thread failed"));
        let (session, _) = opening.finish().unwrap_or_else(|e| die(e));
        let elapsed = t.elapsed().as_secs_f64();
        if elapsed < best {
            best = elapsed;
            cpu = cpu_seconds() - c;
        }
        samples = session.profile.samples.len();
    }
    println!("helped_s {best}");
    println!("helped_cpu_s {cpu}");
    println!("helped_samples {samples}");
}

/// The child: the largest file of `dir` loaded alone.
fn child_single(path: &str) {
    let (p, peak_heap) = counting_alloc::peak_during(|| load(Path::new(path)));
    println!("single_rss {}", peak_rss_bytes());
    println!("single_peak_heap {peak_heap}");
    println!("single_heap {}", p.heap_bytes());
    println!("single_samples {}", p.samples.len());
}

fn run_child(args: &[&str]) -> std::collections::BTreeMap<String, f64> {
    let exe = std::env::current_exe().unwrap_or_else(|e| die(e));
    let out = Command::new(exe)
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| die(e));
    if !out.status.success() {
        die(format_args!("child {args:?} failed"));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            Some((k.to_string(), v.parse().ok()?))
        })
        .collect()
}

fn mb(b: f64) -> String {
    format!("{:.1} MB", b / 1e6)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child-merge") {
        return child_merge(&args[1], args[2].parse().unwrap_or(1), false);
    }
    if args.first().map(String::as_str) == Some("--child-merge-heap") {
        return child_merge(&args[1], 1, true);
    }
    if args.first().map(String::as_str) == Some("--child-merge-helped") {
        return child_merge_helped(&args[1], args[2].parse().unwrap_or(1));
    }
    if args.first().map(String::as_str) == Some("--child-single") {
        return child_single(&args[1]);
    }
    let command::Args {
        runs,
        with_go,
        inputs: dirs,
    } = command::parse_args(&args, "usage: bench_merge [--runs N] [--no-go] DIR...");
    for dir in &dirs {
        let files = files_of(dir);
        let sizes: Vec<u64> = files
            .iter()
            .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
            .collect();
        let total: u64 = sizes.iter().sum();
        let largest = (0..files.len()).max_by_key(|&i| sizes[i]).unwrap_or(0);
        let mut m = run_child(&["--child-merge", dir, &runs.to_string()]);
        m.extend(run_child(&["--child-merge-heap", dir]));
        m.extend(run_child(&["--child-merge-helped", dir, &runs.to_string()]));
        let s = run_child(&["--child-single", &files[largest].to_string_lossy()]);
        let g = |k: &str| m.get(k).or_else(|| s.get(k)).copied().unwrap_or(f64::NAN);
        println!(
            "\n## {dir}: {} files, {} on disk",
            files.len(),
            mb(total as f64)
        );
        // What tools/split_pprof.py wrote about a one-program fleet.
        if let Some(figures) = std::fs::read_to_string(Path::new(dir).join("done"))
            .ok()
            .and_then(|t| t.lines().nth(1).map(str::to_string))
        {
            println!("split: {figures}");
        }
        println!("| measure | value | note |");
        println!("|---|---|---|");
        let row = |a: &str, b: String, c: String| println!("| {a} | {b} | {c} |");
        row(
            "pprof-lens streamed merge (read + inflate + decode + merge)",
            format!(
                "{:.0} ms ({:.2} s CPU)",
                g("merge_s") * 1e3,
                g("merge_cpu_s")
            ),
            format!(
                "best of {runs}; {} distinct samples, {} stack nodes, {} locations",
                g("merged_samples"),
                g("merged_stack_nodes"),
                g("merged_locations")
            ),
        );
        row(
            "the same with the helper worker (a second thread decodes)",
            format!(
                "{:.0} ms ({:.2} s CPU)",
                g("helped_s") * 1e3,
                g("helped_cpu_s")
            ),
            format!(
                "best of {runs}; {:.2}x the time without it; {} distinct samples",
                g("helped_s") / g("merge_s"),
                g("helped_samples")
            ),
        );
        row(
            "CPU time of that run: decode / merge / finish",
            format!(
                "{:.2} / {:.2} / {:.2} s",
                g("stage_decode_s"),
                g("stage_merge_s"),
                g("stage_finish_s")
            ),
            format!(
                "merge CPU by quarter of the files: {:.2} / {:.2} / {:.2} / {:.2} s \
                 (flat if the merge is linear)",
                g("stage_merge_q1"),
                g("stage_merge_q2"),
                g("stage_merge_q3"),
                g("stage_merge_q4")
            ),
        );
        for (what, merge, single) in [
            ("peak RSS", "merge_rss", "single_rss"),
            (
                "peak heap (live bytes)",
                "merge_peak_heap",
                "single_peak_heap",
            ),
        ] {
            let target = 2.0 * g(single) + g("merged_heap");
            row(
                &format!("{what}, merge"),
                mb(g(merge)),
                format!(
                    "bound: 2 x largest input's load ({}) + merged model ({}) = {}; \
                     peak / bound = {:.2} (target <= 1)",
                    mb(g(single)),
                    mb(g("merged_heap")),
                    mb(target),
                    g(merge) / target
                ),
            );
        }
        if !with_go {
            continue;
        }
        let mut cmd: Vec<String> = ["go", "tool", "pprof", "-symbolize=none", "-top"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        cmd.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
        // Best of as many runs as ours: one slow run under a neighbour's
        // load would flatter the ratio.
        let mut best: Option<(f64, f64, Option<u64>)> = None;
        let mut failed = None;
        for _ in 0..runs.max(1) {
            let c = children_cpu_seconds();
            match time_command(&cmd) {
                Ok((wall, rss)) => {
                    let cpu = children_cpu_seconds() - c;
                    let (w, u, r) = best.unwrap_or((f64::MAX, f64::MAX, None));
                    best = Some((w.min(wall), u.min(cpu), r.max(rss)));
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        match failed.map_or(best.ok_or_else(|| "no run".to_string()), Err) {
            Ok((wall, cpu, rss)) => {
                row(
                    &format!(
                        "go tool pprof -symbolize=none -top (wall, best of {})",
                        runs.max(1)
                    ),
                    format!("{:.0} ms ({cpu:.2} s CPU)", wall * 1e3),
                    format!(
                        "pprof-lens is {:.1}x faster wall to wall with its helper \
                         ({:.1}x without), {:.1}x in CPU time without it \
                         (target >= 20x)",
                        wall / g("helped_s"),
                        wall / g("merge_s"),
                        cpu / g("merge_cpu_s")
                    ),
                );
                row(
                    "go tool pprof max RSS",
                    rss.map_or("unmeasured".into(), |r| mb(r as f64)),
                    String::new(),
                );
            }
            Err(e) => row("go tool pprof -top", "failed".into(), e),
        }
    }
}
