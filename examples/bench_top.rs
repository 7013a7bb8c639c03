//! Times building the `-top` table (default options) on a profile file.
//!
//! ```text
//! python3 ../shared/tools/synth_pprof.py --samples 1000000 --functions 50000 --depth 48 \
//!     --sample-types 2 --labels 2 --num-labels 1 --seed 1 -o /tmp/synth1m.pb.gz
//! cargo run --release --example bench_top -- /tmp/synth1m.pb.gz
//! ```

use std::time::Instant;

use pprof_lens::analysis::filter::Options;
use pprof_lens::analysis::graph::Graph;
use pprof_lens::analysis::top::{top_from_graph, top_table};
use pprof_lens::view::top_text::render_top;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bench_top FILE [ITERATIONS]");
        std::process::exit(2);
    };
    let iterations: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(3).max(1);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    });
    let t = Instant::now();
    let profile = match pprof_lens::decode::decode(&bytes) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let decode_s = t.elapsed().as_secs_f64();
    let samples = profile.samples.len();
    println!(
        "{path}: {samples} samples, {} stack nodes, {} locations, {} functions; decoded in {:.3}s",
        profile.stacks.len(),
        profile.locations.len(),
        profile.functions.len(),
        decode_s
    );

    let opts = Options::default();
    let mut best = f64::INFINITY;
    let mut best_graph = f64::INFINITY;
    let mut rows = 0;
    for _ in 0..iterations {
        let t = Instant::now();
        let graph = Graph::build(&profile, &opts).expect("graph");
        let graph_s = t.elapsed().as_secs_f64();
        let table = top_from_graph(&profile, &graph, &opts);
        let total_s = t.elapsed().as_secs_f64();
        rows = table.rows.len();
        best = best.min(total_s);
        best_graph = best_graph.min(graph_s);
    }
    let table = top_table(&profile, &opts).expect("table");
    let t = Instant::now();
    let text = render_top(&profile, &table, &opts);
    let render_s = t.elapsed().as_secs_f64();
    println!(
        "top table: best of {iterations}: {best:.3}s ({:.1}M samples/s; graph {best_graph:.3}s), {rows} rows; render {:.1}ms, {} bytes",
        samples as f64 / best / 1e6,
        render_s * 1e3,
        text.len()
    );
}
