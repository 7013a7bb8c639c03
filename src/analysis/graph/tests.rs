//! The node graph's unit tests: flat and cum, filters, granularities,
//! inline labels and the path helpers.

use super::*;
use crate::model::builder::ProfileBuilder;

fn node(g: &Graph, p: &Profile, name: &str) -> Option<usize> {
    (0..g.len()).find(|&i| g.printable_name(p, i) == name && g.is_present(i))
}

fn flat_cum(g: &Graph, p: &Profile, name: &str) -> (i64, i64) {
    let n = node(g, p, name).unwrap_or_else(|| panic!("no node {name}"));
    (g.flat[n], g.cum[n])
}

#[test]
fn flat_to_leaf_cum_once_per_sample() {
    let p = ProfileBuilder::new(&[("samples", "count")])
        .samples(&["main;a;b;a;b 10", "main;a 5", "main 1", "- 7", "main;c 0"])
        .build();
    let g = Graph::build(&p, &ReportOptions::default()).unwrap();
    assert_eq!(g.total, 23, "the empty stack counts in the total");
    assert_eq!(flat_cum(&g, &p, "b"), (10, 10), "recursion counted once");
    assert_eq!(flat_cum(&g, &p, "a"), (5, 15));
    assert_eq!(flat_cum(&g, &p, "main"), (1, 16));
    assert!(
        node(&g, &p, "c").is_none(),
        "zero-valued samples make no node"
    );
}

#[test]
fn negative_values_and_abs_total() {
    let p = ProfileBuilder::new(&[("space", "bytes")])
        .samples(&["main;a 10", "main;a -4"])
        .build();
    let g = Graph::build(&p, &ReportOptions::default()).unwrap();
    assert_eq!(g.total, 14);
    assert_eq!(flat_cum(&g, &p, "a"), (6, 6));
}

#[test]
fn inlined_frames_are_nodes_and_noinlines_folds_them() {
    // `b` inlined into `a`.
    let p = ProfileBuilder::new(&[("samples", "count")])
        .samples(&["main;a+b 3", "main;a 2"])
        .build();
    let g = Graph::build(&p, &ReportOptions::default()).unwrap();
    assert_eq!(flat_cum(&g, &p, "b"), (3, 3));
    assert_eq!(flat_cum(&g, &p, "a"), (2, 5));
    let g = Graph::build(
        &p,
        &ReportOptions {
            noinlines: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(node(&g, &p, "b").is_none());
    assert_eq!(flat_cum(&g, &p, "a"), (5, 5));
}

#[test]
fn granularities() {
    let p = ProfileBuilder::new(&[("samples", "count")])
        .samples(&["main@m.go:3;a@./x/a.go:10 3", "main@m.go:4;a@./x/a.go:12 2"])
        .build();
    let names = |gran| {
        let g = Graph::build(
            &p,
            &ReportOptions {
                granularity: gran,
                ..Default::default()
            },
        )
        .unwrap();
        let mut v: Vec<String> = (0..g.len())
            .filter(|&i| g.is_present(i))
            .map(|i| g.printable_name(&p, i))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(Granularity::Functions), ["a", "main"]);
    assert_eq!(names(Granularity::FileFunctions), ["a x/a.go", "main m.go"]);
    assert_eq!(names(Granularity::Files), ["m.go", "x/a.go"]);
    assert_eq!(
        names(Granularity::Lines),
        ["a x/a.go:10", "a x/a.go:12", "main m.go:3", "main m.go:4"]
    );
    let addrs = names(Granularity::Addresses);
    assert_eq!(addrs.len(), 4);
    assert!(
        addrs[0].starts_with("0000000000001") && addrs[0].ends_with(" x/a.go:10"),
        "{addrs:?}"
    );
}

#[test]
fn files_keep_a_files_functions_apart_by_start_line() {
    // At file granularity a frame has no name, and pprof then keys it by
    // its function's start line too (and its binary).
    let mut p = ProfileBuilder::new(&[("samples", "count")])
        .samples(&["main@m.go:3;a@m.go:10 3", "main@m.go:4;b@m.go:20 2"])
        .build();
    let rows = |p: &Profile| {
        let opts = ReportOptions {
            granularity: Granularity::Files,
            ..Default::default()
        };
        let g = Graph::build(p, &opts).unwrap();
        let mut v: Vec<(String, i64, i64)> = (0..g.len())
            .filter(|&i| g.is_present(i))
            .map(|i| (g.printable_name(p, i), g.flat[i], g.cum[i]))
            .collect();
        v.sort();
        v
    };
    // No start lines (Go before 1.20): one row for the file.
    assert_eq!(rows(&p), [("m.go".to_string(), 5, 5)]);
    for (f, start) in p.functions.iter_mut().zip([1, 9, 19]) {
        f.start_line = start;
    }
    let m = |flat, cum| ("m.go".to_string(), flat, cum);
    assert_eq!(rows(&p), [m(0, 5), m(2, 2), m(3, 3)]);
}

#[test]
fn focus_ignore_hide_show_show_from() {
    let p = ProfileBuilder::new(&[("samples", "count")])
        .samples(&[
            "main;net.read;syscall 4",
            "main;work;calc 6",
            "main;work;net.read;syscall 1",
        ])
        .build();
    let opts = |f: fn(&mut ReportOptions)| {
        let mut o = ReportOptions::default();
        f(&mut o);
        Graph::build(&p, &o).unwrap()
    };
    let g = opts(|o| o.focus = "net".into());
    assert_eq!(flat_cum(&g, &p, "main"), (0, 5));
    assert_eq!(g.total, 11, "total is before filters");
    let g = opts(|o| {
        o.focus = "net".into();
        o.ignore = "work".into();
    });
    assert_eq!(flat_cum(&g, &p, "main"), (0, 4), "ignore wins");
    let g = opts(|o| o.hide = "syscall".into());
    assert_eq!(
        flat_cum(&g, &p, "net.read"),
        (5, 5),
        "hidden leaf moves flat to its caller"
    );
    let g = opts(|o| o.show = "work|calc".into());
    assert!(node(&g, &p, "main").is_none());
    assert_eq!(flat_cum(&g, &p, "work"), (1, 7));
    let g = opts(|o| o.show_from = "work".into());
    assert!(node(&g, &p, "main").is_none());
    assert_eq!(flat_cum(&g, &p, "work"), (0, 7));
    assert!(node(&g, &p, "syscall").is_some_and(|n| g.cum[n] == 1));
}

#[test]
fn show_from_cuts_inside_an_inlined_location() {
    // `mid` inlined into `outer`, `inner` inlined into `mid`.
    let p = ProfileBuilder::new(&[("samples", "count")])
        .samples(&["main;outer+mid+inner 2"])
        .build();
    let g = Graph::build(
        &p,
        &ReportOptions {
            show_from: "^mid$".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(node(&g, &p, "outer").is_none() && node(&g, &p, "main").is_none());
    assert_eq!(flat_cum(&g, &p, "mid"), (0, 2));
    assert_eq!(flat_cum(&g, &p, "inner"), (2, 2));
}

#[test]
fn tag_filters() {
    let p = ProfileBuilder::new(&[("space", "bytes")])
        .samples(&[
            "main;a 10 worker=1 bytes=#2048",
            "main;b 20 worker=2 bytes=#64",
            "main;c 40 phase=json",
        ])
        .build();
    let cum_main = |tf: &str, ti: &str| {
        let o = ReportOptions {
            tagfocus: tf.into(),
            tagignore: ti.into(),
            ..Default::default()
        };
        let g = Graph::build(&p, &o).unwrap();
        node(&g, &p, "main").map_or(0, |n| g.cum[n])
    };
    assert_eq!(
        cum_main("worker=2", ""),
        0,
        "a number is a numeric range, as in pprof"
    );
    assert_eq!(
        cum_main("worker=^2$", ""),
        20,
        "not a plain range: a regex on the value"
    );
    assert_eq!(cum_main("worker:1", ""), 10);
    assert_eq!(cum_main("worker:", ""), 30);
    assert_eq!(cum_main("", "worker:"), 40);
    assert_eq!(cum_main("phase=js", ""), 40);
    assert_eq!(cum_main("1kb:", ""), 10);
    assert_eq!(cum_main("bytes=:1kb", ""), 20);
    assert_eq!(cum_main("worker:,phase:", ""), 0, "all regexes must match");
    assert_eq!(cum_main("worker:1,worker:", ""), 10);
}

#[test]
fn deep_stack_does_not_recurse() {
    let frames: Vec<String> = (0..100_000).map(|i| format!("f{}", i % 1000)).collect();
    let text = format!("{} 1", frames.join(";"));
    let p = ProfileBuilder::new(&[("samples", "count")])
        .sample(&text)
        .build();
    let g = Graph::build(&p, &ReportOptions::default()).unwrap();
    assert_eq!(flat_cum(&g, &p, "f0"), (0, 1));
    assert_eq!(flat_cum(&g, &p, "f999"), (1, 1));
    let kept = vec![true; g.len()];
    assert!(g
        .inline_labels(&p, &kept, 0)
        .iter()
        .all(|l| *l == InlineLabel::None));
}

#[test]
fn inline_labels_follow_incoming_edges() {
    // `h` is inlined into `a` and called normally from `b`; `i` is only
    // ever inlined.
    let p = ProfileBuilder::new(&[("samples", "count")])
        .samples(&["main;a+h 3", "main;b;h 2", "main;c+i 1"])
        .build();
    let g = Graph::build(&p, &ReportOptions::default()).unwrap();
    let kept: Vec<bool> = (0..g.len()).map(|i| g.is_present(i)).collect();
    let labels = g.inline_labels(&p, &kept, 0);
    let label = |name| labels[node(&g, &p, name).unwrap()];
    assert_eq!(label("h"), InlineLabel::PartialInline);
    assert_eq!(label("i"), InlineLabel::Inline);
    assert_eq!(label("a"), InlineLabel::None);
    // With `a` and `b` trimmed, both calls become the one (residual)
    // edge `main -> h`, which is inline only if every crossing was: not
    // here, so pprof prints no label.
    let mut kept2 = kept.clone();
    kept2[node(&g, &p, "a").unwrap()] = false;
    kept2[node(&g, &p, "b").unwrap()] = false;
    assert_eq!(
        g.inline_labels(&p, &kept2, 0)[node(&g, &p, "h").unwrap()],
        InlineLabel::None
    );
    // A root-most kept inline node has no incoming edge: no label.
    let only_i: Vec<bool> = (0..g.len()).map(|n| Some(n) == node(&g, &p, "i")).collect();
    assert_eq!(
        g.inline_labels(&p, &only_i, 0)[node(&g, &p, "i").unwrap()],
        InlineLabel::None
    );
    // Edges lighter than the cutoff are trimmed first: `b -> h` (2) goes,
    // `a -> h` (3) stays, so `h` is inline only.
    assert_eq!(
        g.inline_labels(&p, &kept, 3)[node(&g, &p, "h").unwrap()],
        InlineLabel::Inline
    );
}

/// pprof's rule read literally: every stack walked root to leaf through
/// its kept frames, each edge counted at the stack's first crossing.
fn call_edges_per_stack(g: &Graph, p: &Profile, kept: &[bool]) -> Vec<(u32, u32, i64, bool)> {
    let mut edges: HashMap<(u32, u32), (i64, bool)> = HashMap::new();
    for ws in &g.stacks {
        let frames: Vec<LocId> = p.stacks.frames(ws.leaf).take(ws.keep as usize).collect();
        let mut seen = Vec::new();
        let mut prev = None;
        for &loc in frames.iter().rev() {
            let nodes = g.nodes_of(loc);
            for (k, &node) in nodes.iter().enumerate().rev() {
                if !kept[node as usize] {
                    continue;
                }
                if let Some(from) = prev.filter(|&f| f != node) {
                    if g.ever_inlined(node as usize) && !seen.contains(&(from, node)) {
                        seen.push((from, node));
                        let e = edges.entry((from, node)).or_insert((0, true));
                        e.0 += ws.weight;
                        e.1 &= k + 1 != nodes.len();
                    }
                }
                prev = Some(node);
            }
        }
    }
    let mut out: Vec<_> = edges
        .into_iter()
        .map(|((f, t), (w, i))| (f, t, w, i))
        .collect();
    out.sort();
    out
}

#[test]
fn call_edges_equal_a_walk_of_every_stack() {
    // Few functions and deep stacks: recursion, repeated edges, inlined
    // runs, negative values; some nodes dropped, with and without
    // `show_from` (which cuts each stack at its own depth).
    let mut seed: u64 = 7;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for round in 0..60 {
        let mut samples = Vec::new();
        for _ in 0..1 + next(40) {
            let depth = 1 + next(9);
            let frames: Vec<String> = (0..depth)
                .map(|_| {
                    let names = &["a", "b", "c", "d", "e"][..2 + round % 4];
                    let mut f = names[next(names.len() as u64) as usize].to_string();
                    for _ in 0..next(5).saturating_sub(1) {
                        f = format!("{f}+{}", names[next(names.len() as u64) as usize]);
                    }
                    f
                })
                .collect();
            let v = next(20) as i64 - 5;
            samples.push(format!("main;{} {v}", frames.join(";")));
        }
        let texts: Vec<&str> = samples.iter().map(String::as_str).collect();
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&texts)
            .build();
        let opts = ReportOptions {
            show_from: if round % 3 == 0 {
                "^[bc]$".into()
            } else {
                String::new()
            },
            ..Default::default()
        };
        let g = Graph::build(&p, &opts).unwrap();
        let kept: Vec<bool> = (0..g.len())
            .map(|i| g.is_present(i) && next(5) != 0)
            .collect();
        let tracked: Vec<bool> = (0..g.len()).map(|i| g.ever_inlined(i)).collect();
        let mut got: Vec<_> = g
            .call_edges(&p, &kept, &tracked)
            .into_iter()
            .map(|e| (e.from, e.to, e.weight, e.inline))
            .collect();
        got.sort();
        assert_eq!(
            got,
            call_edges_per_stack(&g, &p, &kept),
            "round {round}: {samples:?}"
        );
    }
}

#[test]
fn go_path_helpers() {
    assert_eq!(go_base("/usr/bin/prog"), "prog");
    assert_eq!(go_base("prog/"), "prog");
    assert_eq!(go_base(""), ".");
    assert_eq!(go_base("///"), "/");
    assert_eq!(go_clean("./a//b/../c/"), "a/c");
    assert_eq!(go_clean("/../a"), "/a");
    assert_eq!(go_clean("../../a"), "../../a");
    assert_eq!(go_clean("a/.."), ".");
    assert_eq!(trim_path("/proc/self/cwd/./x.go"), "x.go");
}
