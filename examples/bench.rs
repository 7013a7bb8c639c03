//! Native benchmark: decode, top table and flame throughput, memory, and
//! `go tool pprof -top` on the same files. Prints figures; asserts nothing.
//!
//! ```text
//! cargo run --release --example bench -- [--runs N] [--no-go] FILE...
//! ```
//!
//! `tools/bench.sh` generates the synthetic inputs and runs this over them.
//! Each file is measured in a fresh child process (this example re-invokes
//! itself with `--child`), so the peak RSS of one file never mixes with
//! another's. Times are the best (minimum) of N runs (default 3); the peak
//! RSS is the child's `VmHWM` after the first run.
//!
//! For each file it prints one table: the app's streamed load (the file read
//! in slices, inflated and decoded in one pass) and its peak RSS; inflate and
//! decode on whole buffers (MB/s of uncompressed protobuf, samples/s); the
//! `-top` table, the flame tree and its heap bytes, the flame layout at 1 px
//! of 1920 px, what the worker does for a zoom (a cached tree laid out into a
//! scene), a regex search, the model's heap bytes and the peak RSS against
//! the uncompressed size; then, when `go` is on PATH, the wall
//! time and max RSS of `go tool pprof -symbolize=none -top FILE` with the
//! ratios against ours (the streamed load, as the app does it, + top table).

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Instant;

#[path = "support/command.rs"]
mod command;
use command::time_command;

use pprof_lens::analysis::flame::{FlameOptions, FlameTree, ROOT};
use pprof_lens::analysis::goroutines::{summarize, GoroutineOptions};
use pprof_lens::analysis::graph::Graph;
use pprof_lens::analysis::options::ReportOptions;
use pprof_lens::analysis::top::top_from_graph;
use pprof_lens::decode::{gzip, pprof, DecodeOptions, NoProgress};
use pprof_lens::protocol::Query;
use pprof_lens::session::Session;
use pprof_lens::view::flame_layout::{layout, search, LayoutOptions};
use pprof_lens::view::top_text::render_top;

const WIDTH_PX: u32 = 1920;

fn die(msg: impl std::fmt::Display) -> ! {
    eprintln!("bench: {msg}");
    std::process::exit(1);
}

fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

/// Runs `f` `n` times; the best time in seconds and the last result.
fn best<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..n {
        drop(out.take());
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("at least one run"))
}

/// The child: measures one file and prints `key value` lines for the parent.
fn child(path: &str, runs: usize) {
    let mut out = BTreeMap::<&str, f64>::new();
    let opts = DecodeOptions::default();
    // The app's path first, in this fresh process, so that the peak RSS
    // after it is the load's: the file read a slice at a time, inflated and
    // decoded in one pass (what the worker does with a dropped file).
    let mut rss_stream = None;
    let (stream_s, streamed) = best(runs, || {
        let file = std::fs::File::open(path).unwrap_or_else(|e| die(format_args!("{path}: {e}")));
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let p = pprof_lens::decode::decode_reader(file, size, &opts, &mut NoProgress)
            .unwrap_or_else(|e| die(format_args!("{path}: {e}")));
        rss_stream.get_or_insert_with(peak_rss_bytes);
        p
    });
    drop(streamed);
    out.insert("stream_s", stream_s);
    if let Some(Some(rss)) = rss_stream {
        out.insert("peak_rss_stream", rss as f64);
    }
    // Then each stage on its own, with whole buffers, for throughput.
    let (mut read_s, mut inflate_s, mut decode_s) = (f64::MAX, f64::MAX, f64::MAX);
    let mut rss_first_run = None;
    let mut last = None;
    let mut sizes = (0usize, 0usize);
    for _ in 0..runs {
        drop(last.take());
        let t0 = Instant::now();
        let file = std::fs::read(path).unwrap_or_else(|e| die(format_args!("{path}: {e}")));
        let t1 = Instant::now();
        let gzipped = gzip::is_gzip(&file);
        let inflated;
        let raw: &[u8] = if gzipped {
            inflated = gzip::inflate(&file, opts.max_uncompressed, &mut NoProgress)
                .unwrap_or_else(|e| die(format_args!("{path}: {e}")));
            &inflated
        } else {
            &file
        };
        let t2 = Instant::now();
        let profile = pprof::decode(raw, gzipped, &opts, &mut NoProgress)
            .or_else(|_| pprof_lens::decode::decode(&file))
            .unwrap_or_else(|e| die(format_args!("{path}: {e}")));
        let t3 = Instant::now();
        read_s = read_s.min((t1 - t0).as_secs_f64());
        inflate_s = inflate_s.min((t2 - t1).as_secs_f64());
        decode_s = decode_s.min((t3 - t2).as_secs_f64());
        sizes = (file.len(), raw.len());
        last = Some(profile);
        rss_first_run.get_or_insert_with(peak_rss_bytes);
    }
    let p = last.expect("at least one run");
    out.insert("file_bytes", sizes.0 as f64);
    out.insert("raw_bytes", sizes.1 as f64);
    out.insert("samples", p.samples.len() as f64);
    out.insert("functions", p.functions.len() as f64);
    out.insert("locations", p.locations.len() as f64);
    out.insert("stack_nodes", p.stacks.len() as f64);
    out.insert("read_s", read_s);
    out.insert("inflate_s", inflate_s);
    out.insert("decode_s", decode_s);
    out.insert("heap_bytes", p.heap_bytes() as f64);
    if let Some(Some(rss)) = rss_first_run {
        out.insert("peak_rss_first_run", rss as f64);
    }

    let top_opts = ReportOptions::default();
    let (top_s, (graph_s, table)) = best(runs, || {
        let t = Instant::now();
        let graph = Graph::build(&p, &top_opts).unwrap_or_else(|e| die(e));
        let graph_s = t.elapsed().as_secs_f64();
        (graph_s, top_from_graph(&p, &graph, &top_opts))
    });
    out.insert("top_s", top_s);
    out.insert("graph_s", graph_s);
    out.insert("top_rows", table.rows.len() as f64);
    let (render_s, _) = best(runs, || render_top(&p, &table, &top_opts));
    out.insert("top_text_s", render_s);

    let fo = FlameOptions {
        sample_index: p.default_sample_index(),
    };
    let (build_s, tree) = best(runs, || FlameTree::build(&p, &fo));
    out.insert("flame_build_s", build_s);
    out.insert("flame_nodes", tree.len() as f64);
    out.insert("flame_height", tree.height() as f64);
    out.insert("flame_heap_bytes", tree.heap_bytes() as f64);
    let px = LayoutOptions {
        min_width: 1.0 / WIDTH_PX as f64,
        ..LayoutOptions::default()
    };
    let (layout_s, vis) = best(runs, || layout(&tree, &px, None));
    out.insert("flame_layout_s", layout_s);
    out.insert("flame_boxes", vis.box_count() as f64);
    let (full_s, full) = best(runs, || layout(&tree, &LayoutOptions::default(), None));
    out.insert("flame_full_layout_s", full_s);
    out.insert("flame_full_boxes", full.box_count() as f64);
    let re = pprof_lens::pattern::Pattern::new("search", "^runtime\\.").expect("valid pattern");
    let (search_s, _) = best(runs, || search(&tree, &p, &re, ROOT));
    out.insert("flame_search_s", search_s);

    // What the worker does: the first Flame query builds the tree and the
    // scene; a zoom reuses the cached tree and lays out a new scene.
    let zoom_node = tree.children(ROOT).max_by_key(|&c| tree.subtree(c).len());
    drop((tree, vis, full));
    let mut session = Session::new(p);
    let q = |zoom| Query::Flame {
        opts: ReportOptions::default(),
        zoom,
        width_px: WIDTH_PX,
        search: String::new(),
        dark: false,
        by_base: false,
    };
    let t = Instant::now();
    let _ = session.answer(q(None));
    out.insert("scene_first_s", t.elapsed().as_secs_f64());
    let (zoom_s, _) = best(runs, || {
        let _ = session.answer(q(zoom_node));
        session.answer(q(None))
    });
    out.insert("scene_zoom_and_back_s", zoom_s);
    if session.profile.is_goroutine_data() {
        let (g_s, _) = best(runs, || {
            summarize(&session.profile, &GoroutineOptions::default())
        });
        out.insert("goroutines_s", g_s);
    }
    out.insert("peak_rss_end", peak_rss_bytes().unwrap_or(0) as f64);
    for (k, v) in out {
        println!("{k} {v}");
    }
}

fn go_available() -> bool {
    Command::new("go")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn mb(b: f64) -> String {
    format!("{:.1} MB", b / 1e6)
}

fn ms(s: f64) -> String {
    if s < 0.01 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} ms", s * 1e3)
    }
}

fn parent(path: &str, runs: usize, with_go: bool) {
    let exe = std::env::current_exe().unwrap_or_else(|e| die(e));
    let output = Command::new(exe)
        .args(["--child", path, &runs.to_string()])
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| die(e));
    if !output.status.success() {
        println!(
            "\n## {path}\nfailed: the measuring process exited with {}",
            output.status
        );
        return;
    }
    let m: BTreeMap<String, f64> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            Some((k.to_string(), v.parse().ok()?))
        })
        .collect();
    let g = |k: &str| m.get(k).copied().unwrap_or(f64::NAN);
    let raw = g("raw_bytes");
    let samples = g("samples");
    let per_s = |secs: f64| {
        format!(
            "{:.1} MB/s, {:.2} M samples/s",
            raw / secs / 1e6,
            samples / secs / 1e6
        )
    };

    println!("\n## {path}");
    println!(
        "{} on disk, {} uncompressed; {} samples, {} functions, {} locations, {} stack nodes; times: best of {runs}",
        mb(g("file_bytes")),
        mb(raw),
        samples,
        g("functions"),
        g("locations"),
        g("stack_nodes"),
    );
    println!("| measure | value | throughput / ratio |");
    println!("|---|---|---|");
    let row = |a: &str, b: String, c: String| println!("| {a} | {b} | {c} |");
    row(
        "read + inflate + decode, streamed (the app's path)",
        ms(g("stream_s")),
        per_s(g("stream_s")),
    );
    row(
        "peak RSS, streamed load (VmHWM after its run 1)",
        mb(g("peak_rss_stream")),
        format!(
            "{:.2}x uncompressed (model + decoder tables + 1 MB buffers)",
            g("peak_rss_stream") / raw
        ),
    );
    row("read file", ms(g("read_s")), String::new());
    row(
        "inflate",
        ms(g("inflate_s")),
        format!("{:.1} MB/s out", raw / g("inflate_s") / 1e6),
    );
    row("decode", ms(g("decode_s")), per_s(g("decode_s")));
    let load = g("inflate_s") + g("decode_s");
    row("inflate + decode", ms(load), per_s(load));
    row(
        "top table",
        ms(g("top_s")),
        format!(
            "{:.2} M samples/s; graph {}; {} rows",
            samples / g("top_s") / 1e6,
            ms(g("graph_s")),
            g("top_rows")
        ),
    );
    row("top text (render)", ms(g("top_text_s")), String::new());
    row(
        "flame tree build",
        ms(g("flame_build_s")),
        format!(
            "{:.2} M samples/s; {} nodes, height {}",
            samples / g("flame_build_s") / 1e6,
            g("flame_nodes"),
            g("flame_height")
        ),
    );
    row(
        "flame tree heap (FlameTree::heap_bytes)",
        mb(g("flame_heap_bytes")),
        format!("{:.1} bytes/node", g("flame_heap_bytes") / g("flame_nodes")),
    );
    row(
        "flame layout (1 px at 1920 px)",
        ms(g("flame_layout_s")),
        format!("{} boxes", g("flame_boxes")),
    );
    row(
        "flame layout (every box)",
        ms(g("flame_full_layout_s")),
        format!("{} boxes", g("flame_full_boxes")),
    );
    row(
        "flame search ^runtime\\.",
        ms(g("flame_search_s")),
        String::new(),
    );
    row(
        "worker: first flame scene (tree + layout)",
        ms(g("scene_first_s")),
        String::new(),
    );
    row(
        "worker: zoom in + back (2 scenes, cached tree)",
        ms(g("scene_zoom_and_back_s")),
        String::new(),
    );
    if m.contains_key("goroutines_s") {
        row("goroutine summary", ms(g("goroutines_s")), String::new());
    }
    row(
        "model heap (Profile::heap_bytes)",
        mb(g("heap_bytes")),
        format!("{:.2}x uncompressed", g("heap_bytes") / raw),
    );
    row(
        "peak RSS after the whole-buffer stages (VmHWM)",
        mb(g("peak_rss_first_run")),
        format!(
            "{:.2}x uncompressed (file + inflated bytes + model)",
            g("peak_rss_first_run") / raw
        ),
    );
    row(
        "peak RSS, whole child (VmHWM at end)",
        mb(g("peak_rss_end")),
        format!("{:.2}x uncompressed", g("peak_rss_end") / raw),
    );
    let ours = g("stream_s") + g("top_s");
    row("ours: streamed load + top", ms(ours), String::new());
    if !with_go {
        return;
    }
    let cmd = ["go", "tool", "pprof", "-symbolize=none", "-top", path];
    let mut best_go: Option<(f64, Option<u64>)> = None;
    for _ in 0..runs {
        match time_command(&cmd) {
            Ok((wall, rss)) => {
                let b = best_go.get_or_insert((wall, rss));
                b.0 = b.0.min(wall);
                b.1 = match (b.1, rss) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                };
            }
            Err(e) => {
                row("go tool pprof -top", "failed".into(), e);
                return;
            }
        }
    }
    let (wall, rss) = best_go.expect("at least one run");
    row(
        "go tool pprof -symbolize=none -top (wall)",
        ms(wall),
        format!("{:.1}x ours", wall / ours),
    );
    match rss {
        Some(r) => {
            let r = r as f64;
            row(
                "go tool pprof max RSS",
                mb(r),
                format!(
                    "{:.2}x uncompressed; {:.1}x our streamed load's peak RSS",
                    r / raw,
                    r / g("peak_rss_stream")
                ),
            )
        }
        None => row("go tool pprof max RSS", "unmeasured".into(), String::new()),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        let path = args.get(1).unwrap_or_else(|| die("--child FILE RUNS"));
        let runs = args
            .get(2)
            .and_then(|r| r.parse().ok())
            .unwrap_or(3usize)
            .max(1);
        child(path, runs);
        return;
    }
    let command::Args {
        runs,
        with_go,
        inputs: files,
    } = command::parse_args(&args, "usage: bench [--runs N] [--no-go] FILE...");
    if files.is_empty() {
        die("usage: bench [--runs N] [--no-go] FILE...");
    }
    let go = with_go && go_available();
    if with_go && !go {
        println!("(go is not on PATH: go tool pprof is not measured)");
    }
    for f in &files {
        parent(f, runs, go);
    }
}
