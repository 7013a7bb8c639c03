//! Sandwich and bottom-up benchmark: on one profile (default: issue 6's
//! reference, `bench-out/synth-ref-1m.pb.gz`, made by
//! `tools/bench-browser.sh`), times what the worker does for the sandwich
//! of the hottest function by cum below the root (the graph, the callers
//! and callees rows, the two reshaped flame trees) and for the bottom-up
//! graph, beside the plain flame tree and top table as peers. Prints
//! figures, best of `--runs`; asserts nothing.
//!
//! `cargo run --release --example bench_sandwich -- [FILE] [--runs N]`

use std::time::{Duration, Instant};

use pprof_lens::analysis::flame::{FlameOptions, FlameTree, ReportFilter};
use pprof_lens::analysis::graph::Graph;
use pprof_lens::analysis::options::ReportOptions;
use pprof_lens::analysis::reshape::{reshape, Reshape};
use pprof_lens::analysis::top::top_from_graph;
use pprof_lens::view::sandwich::sandwich_of;

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = None;
    let mut best = Duration::MAX;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        out = Some(v);
    }
    (best, out.expect("one run"))
}

fn ms(d: Duration) -> String {
    format!("{:8.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut file = "bench-out/synth-ref-1m.pb.gz".to_string();
    let mut runs = 3;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--runs" {
            runs = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(3);
            i += 1;
        } else {
            file = args[i].clone();
        }
        i += 1;
    }
    let bytes = std::fs::read(&file).unwrap_or_else(|e| {
        eprintln!("bench_sandwich: {file}: {e} (tools/bench-browser.sh makes it)");
        std::process::exit(2)
    });
    let profile = pprof_lens::decode::decode(&bytes).expect("decodes");
    println!(
        "{file}: {} samples, {} stack nodes",
        profile.samples.len(),
        profile.stacks.len()
    );
    let opts = ReportOptions::default();
    let key = opts.tree_key(profile.default_sample_index());

    let (t_graph, graph) = best(runs, || Graph::build(&profile, &opts).expect("graph"));
    let (t_top, _) = best(runs, || top_from_graph(&profile, &graph, &opts));
    // The hottest function that is not a root of every stack: the largest
    // cum below the largest.
    let mut by_cum: Vec<usize> = (0..graph.len()).filter(|&n| graph.is_present(n)).collect();
    by_cum.sort_by_key(|&n| std::cmp::Reverse(graph.cum[n].wrapping_abs()));
    let node = by_cum.get(1).or(by_cum.first()).copied().unwrap_or(0) as u32;
    let (t_rows, s) = best(runs, || sandwich_of(&profile, &graph, node, 1));
    let name = profile.str(graph.infos[node as usize].name).to_string();
    let tree_of = |how: &Reshape| {
        let p = reshape(&profile, &key, how).expect("reshapes");
        FlameTree::build_filtered(&p, &FlameOptions::default(), &())
    };
    let (t_callers, callers) = best(runs, || tree_of(&Reshape::Callers(name.clone())));
    let (t_callees, callees) = best(runs, || tree_of(&Reshape::Callees(name.clone())));
    let (t_up, up) = best(runs, || tree_of(&Reshape::BottomUp));
    let (t_flame, flame) = best(runs, || {
        let f = ReportFilter::new(&profile, &key).expect("filter");
        FlameTree::build_filtered(
            &profile,
            &FlameOptions {
                sample_index: key.sample_index.unwrap_or(0),
            },
            &f,
        )
    });
    println!(
        "function: {name} (cum {}, {} callers, {} callees)",
        s.cum_text,
        s.callers.len(),
        s.callees.len()
    );
    println!(
        "peers:    graph {}   top table {}   call-tree flame {} ({} nodes)",
        ms(t_graph),
        ms(t_top),
        ms(t_flame),
        flame.len()
    );
    println!(
        "sandwich: rows {}   callers tree {} ({} nodes)   callees tree {} ({} nodes)",
        ms(t_rows),
        ms(t_callers),
        callers.len(),
        ms(t_callees),
        callees.len()
    );
    println!(
        "          first query (graph + rows + both trees): {}",
        ms(t_graph + t_rows + t_callers + t_callees)
    );
    println!("bottom-up: tree {} ({} nodes)", ms(t_up), up.len());
}
