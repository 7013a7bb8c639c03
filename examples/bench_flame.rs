//! Times building the flame tree and laying it out on a profile file.
//!
//! ```text
//! python3 ../shared/tools/synth_pprof.py --samples 1000000 --functions 50000 --depth 48 \
//!     --sample-types 2 --labels 2 --num-labels 1 --seed 1 -o /tmp/synth1m.pb.gz
//! cargo run --release --example bench_flame -- /tmp/synth1m.pb.gz
//! ```
//!
//! Reports, per step, the best of N runs (default 3): tree build (default
//! sample type), a full layout with every box, a layout keeping boxes at
//! least one pixel wide at 2000 px (what the Flame tab asks for), a regex
//! search, and the goroutine summary when the file holds goroutines.

use std::time::Instant;

use pprof_lens::analysis::flame::{FlameOptions, FlameTree, ROOT};
use pprof_lens::analysis::goroutines::{summarize, GoroutineOptions};
use pprof_lens::view::flame_layout::{layout, search, LayoutOptions};

fn best<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..n {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("at least one run"))
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bench_flame FILE [ITERATIONS]");
        std::process::exit(2);
    };
    let n: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(3).max(1);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    });
    let t = Instant::now();
    let profile = pprof_lens::decode::decode(&bytes).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    });
    let samples = profile.samples.len();
    println!(
        "{path}: {samples} samples, {} stack nodes, {} locations; decoded in {:.3}s",
        profile.stacks.len(),
        profile.locations.len(),
        t.elapsed().as_secs_f64()
    );
    let opts = FlameOptions { sample_index: profile.default_sample_index() };
    let (build_s, tree) = best(n, || FlameTree::build(&profile, &opts));
    println!(
        "flame tree: {} nodes, height {}, built in {:.3}s = {:.2} M samples/s",
        tree.len(),
        tree.height(),
        build_s,
        samples as f64 / build_s / 1e6
    );
    let (full_s, full) = best(n, || layout(&tree, &LayoutOptions::default(), None));
    println!("full layout: {} boxes in {:.3}s", full.box_count(), full_s);
    let px = LayoutOptions { min_width: 1.0 / 2000.0, ..LayoutOptions::default() };
    let (px_s, vis) = best(n, || layout(&tree, &px, None));
    println!("layout at 2000 px: {} boxes in {:.4}s", vis.box_count(), px_s);
    println!(
        "build + full layout: {:.3}s = {:.2} M samples/s",
        build_s + full_s,
        samples as f64 / (build_s + full_s) / 1e6
    );
    let re = regex::Regex::new("^runtime\\.").expect("valid regex");
    let (search_s, (_, s)) = best(n, || search(&tree, &profile, &re, ROOT));
    println!("search {:?}: {} matches, share {:.4} in {:.3}s", s.pattern, s.matches, s.share, search_s);
    if profile.is_goroutine_data() {
        let (g_s, g) = best(n, || summarize(&profile, &GoroutineOptions::default()));
        println!("goroutine summary: {} goroutines, {} groups, {} hints in {:.3}s", g.total, g.groups.len(), g.hints.len(), g_s);
    }
}
