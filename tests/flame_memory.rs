//! Peak heap while building a flame tree (issue 15: the first flame build
//! set the worker's memory peak). The build's working arrays grow with the
//! stack nodes it maps (about 16 bytes each), the tree with its flame
//! nodes (24 bytes each); where most stack nodes stay flame nodes, as in
//! real CPU profiles, the build must peak within a tenth of the tree it
//! returns. Counted with a counting allocator, so it is its own test
//! binary, with one test.

#[path = "../examples/support/counting_alloc.rs"]
mod counting_alloc;
mod support;

use pprof_lens::analysis::flame::{FlameOptions, FlameTree};
use pprof_lens::model::builder::ProfileBuilder;

#[global_allocator]
static ALLOC: counting_alloc::Counting = counting_alloc::Counting;

/// A CPU-like profile of many distinct call paths: random stacks whose
/// frames at each depth are one of four functions, each at one of two
/// lines, so sibling stack nodes merge into one flame node by function and
/// the tree is smaller than the stack table, as in real profiles.
fn profile() -> pprof_lens::model::Profile {
    let mut rng = support::XorShift::new(0x2545_f491_4f6c_dd1d);
    let mut next = move || rng.next_u64();
    let samples: Vec<String> = (0..20_000)
        .map(|_| {
            let depth = 5 + (next() % 20) as usize;
            let stack: Vec<String> = (0..depth)
                .map(|d| {
                    let (f, line) = (next() % 4, 10 + next() % 2);
                    format!("pkg{d}.f{f}@f{d}_{f}.go:{line}")
                })
                .collect();
            format!("{} {}", stack.join(";"), 1 + next() % 9)
        })
        .collect();
    let refs: Vec<&str> = samples.iter().map(String::as_str).collect();
    ProfileBuilder::new(&[("samples", "count")])
        .samples(&refs)
        .build()
}

#[test]
fn the_build_peaks_at_about_the_tree_it_returns() {
    let p = profile();
    let (tree, peak) =
        counting_alloc::peak_during(|| FlameTree::build(&p, &FlameOptions { sample_index: 0 }));
    let kept = tree.heap_bytes();
    assert!(
        p.stacks.len() > 150_000 && tree.len() < p.stacks.len(),
        "{} stack nodes, {} flame nodes: too few to measure, or none merged",
        p.stacks.len(),
        tree.len()
    );
    // Four in five stack nodes stay flame nodes here: the mapping's arrays
    // (16 bytes a stack node) come to about the tree's 24 bytes a node.
    assert!(
        peak as f64 <= kept as f64 * 1.1,
        "the build peaked at {peak} bytes over the profile, {:.2}x the {kept}-byte tree",
        peak as f64 / kept as f64
    );
}
