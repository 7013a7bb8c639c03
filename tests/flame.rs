//! Flame tree, layout, hit testing and search: focused cases over builder
//! profiles, and consistency checks over every profile in the corpus.

use std::path::PathBuf;

mod support;

use pprof_lens::analysis::flame::{
    FlameFilter, FlameOptions, FlameTree, KeepSamples, NodeId, ROOT,
};
use pprof_lens::model::builder::ProfileBuilder;
use pprof_lens::model::{LocId, Profile};
use pprof_lens::pattern::Pattern;
use pprof_lens::view::flame_layout::{self, describe, layout, search, LayoutOptions};
use pprof_lens::view::flame_scene::{flame_scene, hit_test};

fn count_profile(samples: &[&str]) -> Profile {
    ProfileBuilder::new(&[("samples", "count")])
        .samples(samples)
        .build()
}

fn tree(p: &Profile) -> FlameTree {
    FlameTree::build(p, &FlameOptions::default())
}

/// The node reached from the root by following children with these names.
fn find(t: &FlameTree, p: &Profile, path: &[&str]) -> NodeId {
    let mut n = ROOT;
    for name in path {
        n = t
            .children(n)
            .find(|&c| p.str(t.name(c)) == *name)
            .unwrap_or_else(|| panic!("no child {name} under node {n:?}"));
    }
    n
}

/// Checks the structural invariants of a tree.
fn check_tree(t: &FlameTree) {
    let n = t.len();
    assert!(n >= 1);
    assert_eq!(t.parent(ROOT), None);
    let mut child_total = vec![0i64; n];
    let mut child_weight = vec![0u64; n];
    for i in t.nodes().skip(1) {
        let p = t.parent(i).expect("only the root has no parent");
        assert!(p < i, "parents come first in preorder");
        assert_eq!(t.depth(i), t.depth(p) + 1);
        assert!(t.end(i) <= t.end(p), "subtree nested in parent's");
        // Sums wrap, as pprof's int64 sums do.
        child_total[p.index()] = child_total[p.index()].wrapping_add(t.total(i));
        child_weight[p.index()] = child_weight[p.index()].wrapping_add(t.weight(i));
    }
    for i in t.nodes() {
        let u = i.index();
        assert_eq!(
            t.total(i),
            t.self_value(i).wrapping_add(child_total[u]),
            "node {i:?}: total = self + children"
        );
        assert_eq!(
            t.weight(i),
            t.self_weight(i).wrapping_add(child_weight[u]),
            "node {i:?}: weight = self + children"
        );
        assert!(t.end(i) > i && t.end(i).index() <= n);
        let kids: Vec<NodeId> = t.children(i).collect();
        for w in kids.windows(2) {
            assert!(
                t.weight(w[0]) >= t.weight(w[1]),
                "children by decreasing weight"
            );
        }
        assert_eq!(
            kids.iter().fold(0i64, |s, &c| s.wrapping_add(t.total(c))),
            child_total[u]
        );
    }
}

#[test]
fn recursion_is_counted_once_per_node() {
    let p = count_profile(&["main;a;a;a 5", "main;a;b 3", "main;a;a;b 2"]);
    let t = tree(&p);
    check_tree(&t);
    assert_eq!(t.root_total(), 10);
    let a1 = find(&t, &p, &["main", "a"]);
    let a2 = find(&t, &p, &["main", "a", "a"]);
    let a3 = find(&t, &p, &["main", "a", "a", "a"]);
    assert_eq!((t.total(a1), t.total(a2), t.total(a3)), (10, 7, 5));
    assert_eq!(t.self_value(a3), 5);
    // "click on a" selects every node of `a`, but covers 10, not 22.
    let sel = t.nodes_of_function_named(&p, "a");
    assert_eq!(sel.nodes.len(), 3);
    assert_eq!(sel.outermost, vec![a1]);
    assert_eq!(sel.value, 10);
    let b = t.nodes_of_function_named(&p, "b");
    assert_eq!((b.nodes.len(), b.value), (2, 5));
    assert_eq!(t.nodes_of_function_named(&p, "nope").nodes.len(), 0);
}

#[test]
fn inlined_frames_are_nodes_of_their_own() {
    // `outer+inner`: inner inlined into outer, in one location.
    let p = count_profile(&["main;outer+inner;leaf 4", "main;outer 1", "main;inner 2"]);
    let t = tree(&p);
    check_tree(&t);
    let outer = find(&t, &p, &["main", "outer"]);
    let inner = find(&t, &p, &["main", "outer", "inner"]);
    let leaf = find(&t, &p, &["main", "outer", "inner", "leaf"]);
    assert!(!t.inlined(outer));
    assert!(t.inlined(inner), "inlined frame flagged");
    assert!(!t.inlined(leaf));
    assert_eq!((t.total(outer), t.self_value(outer)), (5, 1));
    assert_eq!(t.total(inner), 4);
    // `inner` called for real is a different node from the inlined one.
    let real = find(&t, &p, &["main", "inner"]);
    assert!(!t.inlined(real));
    assert_eq!(t.total(real), 2);
    assert_eq!(t.nodes_of_function_named(&p, "inner").value, 6);
}

#[test]
fn same_function_different_lines_merge() {
    let p = count_profile(&["main@m.go:1;f@f.go:10 1", "main@m.go:2;f@f.go:20 2"]);
    let t = tree(&p);
    assert_eq!(t.len(), 3, "root, main, f");
    assert_eq!(t.total(find(&t, &p, &["main", "f"])), 3);
    assert_eq!(
        t.line(find(&t, &p, &["main"])),
        1,
        "first line seen is representative"
    );
}

#[test]
fn root_counts_samples_without_stacks() {
    let p = count_profile(&["main 3", "- 4"]);
    let t = tree(&p);
    assert_eq!((t.root_total(), t.self_value(ROOT)), (7, 4));
}

#[test]
fn sample_index_and_filters() {
    let p = ProfileBuilder::new(&[("samples", "count"), ("cpu", "nanoseconds")])
        .samples(&["main;a 1 100", "main;b 2 200", "main;c 3 0"])
        .build();
    let t = FlameTree::build(&p, &FlameOptions { sample_index: 1 });
    assert_eq!(t.root_total(), 300);
    assert_eq!(t.len(), 4, "c has no cpu: no node");
    let t = FlameTree::build_filtered(
        &p,
        &FlameOptions { sample_index: 0 },
        &KeepSamples(|i| i != 1),
    );
    check_tree(&t);
    assert_eq!(t.root_total(), 4);
    assert!(t.nodes_of_function_named(&p, "b").nodes.is_empty());
}

#[test]
fn negative_values_size_boxes_by_magnitude() {
    // A diff: box widths are sums of |value|, totals keep their sign.
    let p = count_profile(&["main;a 5", "main;a -3", "main;b -2"]);
    let t = tree(&p);
    check_tree(&t);
    let a = find(&t, &p, &["main", "a"]);
    let b = find(&t, &p, &["main", "b"]);
    let main = find(&t, &p, &["main"]);
    let row = |n| (t.total(n), t.self_value(n), t.weight(n), t.self_weight(n));
    assert_eq!(row(ROOT), (0, 0, 10, 0));
    assert_eq!(row(main), (0, 0, 10, 0));
    assert_eq!(row(a), (2, 2, 8, 8));
    assert_eq!(row(b), (-2, -2, 2, 2));
    assert_eq!(
        t.children(main).collect::<Vec<_>>(),
        vec![a, b],
        "by weight, not total"
    );
}

#[test]
fn lines_outside_i32_are_kept() {
    let p = count_profile(&["main@m.go:5000000000;f@f.go:-2147483648;g@g.go:-7 1"]);
    let t = tree(&p);
    let lines: Vec<i64> = t.nodes().skip(1).map(|n| t.line(n)).collect();
    assert_eq!(lines, vec![5_000_000_000, i64::from(i32::MIN), -7]);
    assert_eq!(t.line(ROOT), 0);
}

#[test]
fn sums_wrap_as_gos_int64() {
    // |values| sum past i64::MAX: sums wrap as pprof's int64 sums do, so a
    // node whose true sum fits (a: MAX + p MAX + r -MAX) shows it whatever
    // the order of the terms, and self values are total minus children.
    let max = i64::MAX;
    let samples = [
        "a;p;q 0".to_string(),
        format!("a;r -{max}"),
        format!("a;p;q;z {max}"),
        format!("a {max}"),
    ];
    let refs: Vec<&str> = samples.iter().map(String::as_str).collect();
    let p = count_profile(&refs);
    let t = tree(&p);
    check_tree(&t);
    let got: Vec<(String, u32, i64, i64, u64, u64)> = t
        .nodes()
        .map(|n| {
            (
                p.str(t.name(n)).to_string(),
                t.depth(n),
                t.total(n),
                t.self_value(n),
                t.weight(n),
                t.self_weight(n),
            )
        })
        .collect();
    // Weights: a's is 3 * MAX, which wraps to MAX - 2 in u64.
    let (m, w) = (i64::MAX, i64::MAX as u64);
    let row = |name: &str, d, total, self_value, weight, self_weight| {
        (name.to_string(), d, total, self_value, weight, self_weight)
    };
    assert_eq!(
        got,
        vec![
            row("", 0, m, 0, w - 2, 0),
            row("a", 1, m, m, w - 2, w),
            row("p", 2, m, 0, w, 0),
            row("q", 3, m, 0, w, 0),
            row("z", 4, m, m, w, w),
            row("r", 2, -m, -m, w, w),
        ]
    );
}

/// Hides function `b` and starts stacks at `s` (show_from), like the report
/// filters would.
struct HideAndShowFrom<'a> {
    p: &'a Profile,
    kept: Vec<Vec<u32>>,
}

impl<'a> HideAndShowFrom<'a> {
    fn new(p: &'a Profile, hide: &str) -> Self {
        let kept = p
            .locations
            .iter()
            .map(|l| {
                l.line_range()
                    .filter(|&i| p.str(p.functions[p.lines[i].func.index()].name) != hide)
                    .map(|i| i as u32)
                    .collect()
            })
            .collect();
        HideAndShowFrom { p, kept }
    }
}

impl FlameFilter for HideAndShowFrom<'_> {
    fn location_lines(&self, loc: LocId) -> Option<&[u32]> {
        Some(&self.kept[loc.index()])
    }
    fn is_hidden(&self, loc: LocId) -> bool {
        self.kept[loc.index()].is_empty()
    }
    fn has_show_from(&self) -> bool {
        true
    }
    fn shows_from(&self, loc: LocId) -> bool {
        self.p
            .location_lines(loc)
            .iter()
            .any(|l| self.p.str(self.p.functions[l.func.index()].name) == "s")
    }
}

#[test]
fn hide_and_show_from_hooks() {
    let p = count_profile(&["main;s;b;c 1", "main;x;s;c 2", "main;y 4"]);
    let t = FlameTree::build_filtered(&p, &FlameOptions::default(), &HideAndShowFrom::new(&p, "b"));
    check_tree(&t);
    assert_eq!(t.root_total(), 3, "main;y has no `s`: dropped");
    let s = find(&t, &p, &["s"]);
    let c = find(&t, &p, &["s", "c"]);
    assert_eq!(
        (t.total(s), t.total(c)),
        (3, 3),
        "b hidden, frames above s cut"
    );
    assert_eq!(t.len(), 3);
}

#[test]
fn layout_widths_self_gap_and_order() {
    let p = count_profile(&["main 2", "main;a 3", "main;b 5"]);
    let t = tree(&p);
    let l = layout(&t, &LayoutOptions::default(), None);
    assert_eq!(l.row_count, 3);
    assert_eq!(l.rows.len(), 3);
    let row = |d: u32| -> Vec<(String, f64, f64)> {
        l.row(d)
            .unwrap()
            .boxes
            .iter()
            .map(|b| (flame_layout::node_name(&t, &p, b.node), b.x0, b.x1))
            .collect()
    };
    assert_eq!(row(0), vec![("root".to_string(), 0.0, 1.0)]);
    assert_eq!(row(1), vec![("main".to_string(), 0.0, 1.0)]);
    // main's self (0.2) is the gap on the left, then b (heavier) before a.
    let r2 = row(2);
    assert_eq!(r2.len(), 2);
    assert_eq!(r2[0].0, "b");
    assert!((r2[0].1 - 0.2).abs() < 1e-12 && (r2[0].2 - 0.7).abs() < 1e-12);
    assert_eq!(r2[1].0, "a");
    assert!((r2[1].1 - 0.7).abs() < 1e-12 && (r2[1].2 - 1.0).abs() < 1e-12);
}

#[test]
fn zoom_relayouts_the_subtree_with_ancestors_above() {
    let p = count_profile(&["main;a;x 1", "main;a;y 3", "main;b;z 6"]);
    let t = tree(&p);
    let a = find(&t, &p, &["main", "a"]);
    let l = layout(
        &t,
        &LayoutOptions {
            zoom: a,
            ..LayoutOptions::default()
        },
        None,
    );
    assert_eq!(l.zoom, a);
    assert_eq!(l.row_count, 4);
    // root and main: full width above the zoomed node.
    for d in 0..3 {
        let r = l.row(d).unwrap();
        assert_eq!(r.boxes.len(), 1, "row {d}");
        assert_eq!((r.boxes[0].x0, r.boxes[0].x1), (0.0, 1.0));
    }
    assert_eq!(l.row(2).unwrap().boxes[0].node, a);
    let r3: Vec<(String, f64, f64)> = l
        .row(3)
        .unwrap()
        .boxes
        .iter()
        .map(|b| (flame_layout::node_name(&t, &p, b.node), b.x0, b.x1))
        .collect();
    assert_eq!(
        r3,
        vec![("y".to_string(), 0.0, 0.75), ("x".to_string(), 0.75, 1.0)]
    );
    // b's subtree is not laid out at all.
    assert!(l.rows.iter().all(|r| r
        .boxes
        .iter()
        .all(|b| !p.str(t.name(b.node)).starts_with('b'))));
    // A bad zoom id falls back to the root.
    assert_eq!(
        layout(
            &t,
            &LayoutOptions {
                zoom: NodeId::new(999),
                ..LayoutOptions::default()
            },
            None
        )
        .zoom,
        ROOT
    );
}

#[test]
fn narrow_boxes_are_skipped_and_counted() {
    let mut samples = vec!["main;big;deep;deeper 1000".to_string()];
    for i in 0..50 {
        samples.push(format!("main;small{i};child 1"));
    }
    let refs: Vec<&str> = samples.iter().map(|s| s.as_str()).collect();
    let p = count_profile(&refs);
    let t = tree(&p);
    let l = layout(
        &t,
        &LayoutOptions {
            min_width: 0.01,
            ..LayoutOptions::default()
        },
        None,
    );
    let r2 = l.row(2).unwrap();
    assert_eq!(r2.boxes.len(), 1);
    assert_eq!(r2.skipped, 50);
    assert!((r2.skipped_width - 50.0 / 1050.0).abs() < 1e-9);
    assert_eq!(
        l.row(3).unwrap().skipped,
        0,
        "children of skipped boxes are not counted again"
    );
    assert_eq!(l.box_count(), 5);
    let all = layout(&t, &LayoutOptions::default(), None);
    assert_eq!(all.box_count(), 2 + 1 + 50 + 2 + 50);
}

#[test]
fn depth_range_matches_full_layout() {
    let p = count_profile(&[
        "main;a;b;c;d 3",
        "main;a;e;f 2",
        "main;g;h;i;j;k 4",
        "main 1",
    ]);
    let t = tree(&p);
    let full = layout(&t, &LayoutOptions::default(), None);
    for first in 0..7 {
        for end in first..8 {
            let part = layout(
                &t,
                &LayoutOptions {
                    first_depth: first,
                    end_depth: Some(end),
                    ..Default::default()
                },
                None,
            );
            assert_eq!(part.row_count, full.row_count);
            for d in first..end.min(full.row_count) {
                assert_eq!(part.row(d), full.row(d), "rows {first}..{end}, depth {d}");
            }
            assert_eq!(
                part.rows.len() as u32,
                end.min(full.row_count) - first.min(full.row_count)
            );
        }
    }
    // Zoomed and ranged: ancestors still come out.
    let g = find(&t, &p, &["main", "g"]);
    let part = layout(
        &t,
        &LayoutOptions {
            zoom: g,
            first_depth: 1,
            end_depth: Some(3),
            ..Default::default()
        },
        None,
    );
    assert_eq!(part.row(1).unwrap().boxes[0].node, find(&t, &p, &["main"]));
    assert_eq!(part.row(2).unwrap().boxes[0].node, g);
}

#[test]
fn hit_testing() {
    let p = count_profile(&["main;a 3", "main;b 1"]);
    let t = tree(&p);
    let scene = flame_scene(&t, &p, None, 1000, None, false);
    let at = |x, row| hit_test(&scene, x, row).map(|b| b.node);
    let a = find(&t, &p, &["main", "a"]);
    let b = find(&t, &p, &["main", "b"]);
    assert_eq!(at(0.0, 2), Some(a));
    assert_eq!(at(0.749, 2), Some(a));
    assert_eq!(at(0.75, 2), Some(b));
    assert_eq!(at(0.99, 2), Some(b));
    assert_eq!(at(1.0, 2), None);
    assert_eq!(at(0.5, 3), None);
    assert_eq!(at(0.5, 0), Some(ROOT));
    assert_eq!(at(0.8, 1), Some(find(&t, &p, &["main"])));
    assert_eq!(at(-0.1, 1), None);
    assert_eq!(at(f64::NAN, 1), None);
    // A gap (self of main) is not a box.
    let p = count_profile(&["main 1", "main;a 1"]);
    let t = tree(&p);
    let scene = flame_scene(&t, &p, None, 1000, None, false);
    let at = |x, row| hit_test(&scene, x, row).map(|b| b.node);
    assert_eq!(at(0.25, 2), None);
    assert_eq!(at(0.75, 2), Some(find(&t, &p, &["main", "a"])));
    // Zoomed: the ancestors are full-width rows above the zoomed node.
    let scene = flame_scene(
        &t,
        &p,
        Some(find(&t, &p, &["main", "a"])),
        1000,
        None,
        false,
    );
    let at = |x, row| hit_test(&scene, x, row).map(|b| b.node);
    assert_eq!(at(0.1, 1), Some(find(&t, &p, &["main"])));
    assert_eq!(at(0.1, 2), Some(find(&t, &p, &["main", "a"])));
}

#[test]
fn search_share_counts_nested_matches_once() {
    let p = count_profile(&[
        "main;run;run;work 4",
        "main;run;io 2",
        "main;other;work 3",
        "main 1",
    ]);
    let t = tree(&p);
    let re = Pattern::new("search", "^(run|work)$").unwrap();
    let (mask, s) = search(&t, &p, &re, ROOT);
    assert_eq!(
        s.matches, 4,
        "both runs, the work under them and the work under other"
    );
    assert_eq!(s.outermost, 2, "the outer run and other's work");
    assert_eq!(s.value, 9);
    assert!((s.share - 0.9).abs() < 1e-12);
    assert!((s.share_of_zoom - 0.9).abs() < 1e-12);
    let l = layout(&t, &LayoutOptions::default(), Some(&mask));
    let matched: usize = l
        .rows
        .iter()
        .flat_map(|r| &r.boxes)
        .filter(|b| b.matched)
        .count();
    assert_eq!(matched, 4);
    // Zoomed into `other`: its `work` covers all of it.
    let other = find(&t, &p, &["main", "other"]);
    let (_, s) = search(&t, &p, &re, other);
    assert!((s.share_of_zoom - 1.0).abs() < 1e-12);
    // Zoomed under a matching ancestor: everything.
    let io = find(&t, &p, &["main", "run", "io"]);
    assert_eq!(search(&t, &p, &re, io).1.share_of_zoom, 1.0);
    // No match.
    let (mask, s) = search(&t, &p, &Pattern::new("search", "zzz").unwrap(), ROOT);
    assert!(mask.iter().all(|m| !m));
    assert_eq!((s.matches, s.value, s.share), (0, 0, 0.0));
}

#[test]
fn describe_gives_labels_colour_and_values() {
    let p = count_profile(&["main;net/http.(*Server).Serve@/go/src/net/http/server.go:3071 4"]);
    let t = tree(&p);
    let n = find(&t, &p, &["main", "net/http.(*Server).Serve"]);
    let d = describe(&t, &p, n).unwrap();
    assert_eq!(
        d.labels,
        vec![
            "net/http.(*Server).Serve",
            "http.(*Server).Serve",
            "(*Server).Serve",
            "Serve"
        ]
    );
    assert_eq!(
        (d.file.as_str(), d.line, d.total, d.share),
        ("/go/src/net/http/server.go", 3071, 4, 1.0)
    );
    assert_eq!(d.package, "net/http");
    assert_eq!(
        d.color,
        pprof_lens::view::color::package_color("net/http", false)
    );
    assert_eq!(describe(&t, &p, ROOT).unwrap().name, "root");
    assert!(describe(&t, &p, NodeId::new(99)).is_none());
}

#[test]
fn hundred_thousand_deep_stack_does_not_recurse() {
    const DEPTH: usize = 100_000;
    // Distinct functions, then the same function recursing.
    let distinct: Vec<String> = (0..DEPTH).map(|i| format!("pkg.f{i}")).collect();
    let recursive = vec!["pkg.rec"; DEPTH].join(";");
    let p = count_profile(&[
        &format!("{} 7", distinct.join(";")),
        &format!("{recursive} 3"),
    ]);
    let t = tree(&p);
    assert_eq!(t.len(), 1 + 2 * DEPTH);
    assert_eq!(t.height(), DEPTH as u32);
    check_tree(&t);
    let deepest = t.nodes().next_back().unwrap();
    assert_eq!(t.path(deepest).len(), DEPTH + 1);
    let l = layout(&t, &LayoutOptions::default(), None);
    assert_eq!(l.row_count as usize, DEPTH + 1);
    assert_eq!(l.box_count(), 1 + 2 * DEPTH);
    let z = layout(
        &t,
        &LayoutOptions {
            zoom: deepest,
            first_depth: DEPTH as u32 - 5,
            ..Default::default()
        },
        None,
    );
    assert_eq!(z.rows.len(), 6);
    let (_, s) = search(&t, &p, &Pattern::new("search", "^pkg.rec$").unwrap(), ROOT);
    assert_eq!((s.matches as usize, s.outermost, s.value), (DEPTH, 1, 3));
    assert_eq!(t.nodes_of_function_named(&p, "pkg.rec").value, 3);
    // Serialisation (what crosses a worker boundary) is flat too.
    let json = format!("{:?}", t.len());
    assert!(!json.is_empty());
    drop(t);
}

// ---- corpus -------------------------------------------------------------

/// The shared corpus, `../shared/corpus` beside the repository. It is not
/// part of the repository, so without it the tests that read it skip,
/// saying so on stderr (`cargo test -- --nocapture` shows it), rather than
/// fail a checkout that has everything else; the small fixtures of
/// `tests/golden_data.rs` still run.
fn corpus_dir(test: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
    if dir.is_dir() {
        return Some(dir);
    }
    eprintln!(
        "SKIPPED {test}: no corpus at {} (expected beside the repository)",
        dir.display()
    );
    None
}

/// Every profile-like file of the corpus (oracles excluded).
fn corpus_inputs(corpus: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [corpus.to_path_buf(), corpus.join("newer-go")] {
        for e in std::fs::read_dir(&dir).expect("read corpus dir") {
            let path = e.expect("dir entry").path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let is_input =
                name.ends_with(".pb.gz") || (name.ends_with(".txt") && !name.contains(".pb.gz."));
            if path.is_file() && is_input {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn sum_values(p: &Profile, t: usize) -> i64 {
    (0..p.samples.len()).map(|i| p.value(i, t)).sum()
}

/// `of N total` from a pprof -top oracle, when N is a plain count.
fn oracle_count_total(path: &std::path::Path) -> Option<i64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text
        .lines()
        .find(|l| l.starts_with("Showing nodes accounting for"))?;
    let n = line.rsplit_once(" of ")?.1.strip_suffix(" total")?;
    n.parse().ok()
}

#[test]
fn corpus_trees_are_consistent_and_total_every_sample() {
    let mut checked = 0;
    let mut oracle_checked = 0;
    let runtime = Pattern::new("search", "^runtime\\.").unwrap();
    let Some(corpus) = corpus_dir("corpus_trees_are_consistent_and_total_every_sample") else {
        return;
    };
    for path in corpus_inputs(&corpus) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let p = match pprof_lens::decode::decode(&bytes) {
            Ok(p) => p,
            Err(e) if name.ends_with(".pb.gz") => panic!("{name}: decode failed: {e}"),
            Err(_) => continue, // hostile text (e.g. interleaved dumps) may be refused
        };
        for t in 0..p.num_sample_types() {
            let tree = FlameTree::build(&p, &FlameOptions { sample_index: t });
            check_tree(&tree);
            assert_eq!(
                tree.root_total(),
                sum_values(&p, t),
                "{name} type {t}: root total"
            );
            let kind = p.str(p.sample_types[t].kind).to_string();
            let oracle = path.with_file_name(format!("{name}.top.{kind}.txt"));
            if let Some(want) = oracle_count_total(&oracle) {
                assert_eq!(
                    tree.root_total(),
                    want,
                    "{name}: `of N total` in {}",
                    oracle.display()
                );
                oracle_checked += 1;
            }
            // A full layout and a search run on real data without surprises.
            let l = layout(
                &tree,
                &LayoutOptions {
                    min_width: 1.0 / 2000.0,
                    ..Default::default()
                },
                None,
            );
            assert_eq!(l.row_count, tree.height() + 1);
            let (_, s) = search(&tree, &p, &runtime, ROOT);
            assert!(s.share <= 1.0 + 1e-9, "{name}: share {}", s.share);
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} corpus files decoded");
    assert!(
        oracle_checked >= 8,
        "only {oracle_checked} oracle totals compared"
    );
}

// ---- identical output ---------------------------------------------------
//
// A digest of every node of every tree built from the corpus protobufs (all
// sample types, with and without report filters) and from a generated
// profile full of weight ties, negative values, inlined and unsymbolised
// frames: trees too large to read, so `tests/flame_digests.txt` pins them
// as hashes, and a change to any node, value or sibling order fails here
// (the readable goldens of small trees are `tests/golden_data.rs`'s).
// Re-bless (only when a change of output is intended) with
// `PPROF_LENS_BLESS=1 cargo test --test flame`.

const DIGESTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/flame_digests.txt");

/// FNV-1a, 64 bits: stable across platforms and Rust versions.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 = (self.0 ^ u64::from(x)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
}

/// Every node in preorder: its place (parent, end, depth, subtree height),
/// its frame (name and file by text, line, inlined, address) and its values.
fn tree_digest(t: &FlameTree, p: &Profile) -> String {
    // Deepest depth under each node, children before parents.
    let mut max_depth: Vec<u32> = t.nodes().map(|i| t.depth(i)).collect();
    for i in t.nodes().skip(1).rev() {
        let p = t.parent(i).unwrap().index();
        max_depth[p] = max_depth[p].max(max_depth[i.index()]);
    }
    assert_eq!(t.max_depth(ROOT), max_depth[0]);
    for c in t.children(ROOT) {
        assert_eq!(t.max_depth(c), max_depth[c.index()]);
    }
    let mut h = Fnv::new();
    h.u64(t.len() as u64);
    h.u64(t.sample_index() as u64);
    for i in t.nodes() {
        // The root's parent counts as u32::MAX.
        h.u64(u64::from(t.parent(i).map_or(u32::MAX, NodeId::get)));
        h.u64(u64::from(t.end(i).get()));
        h.u64(u64::from(t.depth(i)));
        h.u64(u64::from(max_depth[i.index()]));
        h.str(p.str(t.name(i)));
        h.str(p.str(t.file(i)));
        h.u64(t.line(i) as u64);
        h.u64(u64::from(t.inlined(i)));
        h.u64(t.address(i));
        h.u64(t.self_value(i) as u64);
        h.u64(t.total(i) as u64);
        h.u64(t.weight(i));
        h.u64(t.self_weight(i));
    }
    format!("{:016x} {}", h.0, t.len())
}

/// A profile whose trees have many equal weights (so sibling order rests on
/// the tie break), negative values (weights differ from totals), functions
/// sharing a name in two files, the same function at several lines, inlined
/// frames and unsymbolised locations.
fn tie_profile() -> Profile {
    let funcs = [
        "main.main@main.go:1",
        "main.work@main.go:10",
        "main.work@main.go:11",
        "pkg.dup@a.go:5",
        "pkg.dup@b.go:5",
        "pkg.leaf@l.go:7",
        "pkg.outer@o.go:3+pkg.inner@i.go:4",
        "pkg.outer@o.go:3",
        "pkg.inner@i.go:4",
        "runtime.mallocgc@malloc.go:900",
        "runtime.goexit@asm.s:1",
        "z.last@z.go:2",
        "addr.a@x.go:1",
        "addr.b@x.go:2",
        "addr.c@x.go:3",
    ];
    let mut rng = support::XorShift::new(0x9e37_79b9_7f4a_7c15);
    let mut next = move || rng.next_u64();
    let mut samples = Vec::new();
    for _ in 0..3000 {
        let depth = 1 + (next() % 7) as usize;
        let frames: Vec<&str> = (0..depth)
            .map(|_| funcs[(next() % funcs.len() as u64) as usize])
            .collect();
        let count = 1 + next() % 3;
        let delta = (next() % 5) as i64 - 2;
        let stack = if next() % 50 == 0 {
            "-".to_string()
        } else {
            frames.join(";")
        };
        samples.push(format!("{stack} {count} {delta}"));
    }
    let refs: Vec<&str> = samples.iter().map(String::as_str).collect();
    let mut p = ProfileBuilder::new(&[("samples", "count"), ("delta", "bytes")])
        .samples(&refs)
        .build();
    // The addr.* locations lose their lines: unsymbolised frames that differ
    // only by address.
    let addr_locs: Vec<usize> = (0..p.locations.len())
        .filter(|&l| {
            p.location_lines(LocId(l as u32))
                .iter()
                .any(|x| p.str(p.functions[x.func.index()].name).starts_with("addr."))
        })
        .collect();
    assert_eq!(addr_locs.len(), 3);
    for l in addr_locs {
        p.locations[l].lines_end = p.locations[l].lines_start;
    }
    p
}

/// Report filters that cut the trees in different ways (each applied alone).
fn digest_filters() -> Vec<(&'static str, pprof_lens::analysis::options::ReportOptions)> {
    use pprof_lens::analysis::options::ReportOptions;
    let o = ReportOptions::default;
    vec![
        (
            "hide",
            ReportOptions {
                hide: "^runtime\\.|dup".into(),
                ..o()
            },
        ),
        (
            "show",
            ReportOptions {
                show: "main|pkg\\.|sync|http".into(),
                ..o()
            },
        ),
        (
            "show_from",
            ReportOptions {
                show_from: "^main\\.|^pkg\\.outer$|gcBgMarkWorker".into(),
                ..o()
            },
        ),
        (
            "focus+ignore",
            ReportOptions {
                focus: "main|work|mark".into(),
                ignore: "inner|mallocgc".into(),
                ..o()
            },
        ),
    ]
}

/// `(case, digest)` for every tree the identical-output test compares.
fn all_digests(corpus: &std::path::Path) -> Vec<(String, String)> {
    use pprof_lens::analysis::flame::ReportFilter;
    let mut profiles: Vec<(String, Profile)> = Vec::new();
    for path in corpus_inputs(corpus) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".pb.gz") {
            let bytes = std::fs::read(&path).unwrap();
            let p = pprof_lens::decode::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            profiles.push((name, p));
        }
    }
    assert!(
        profiles.len() >= 8,
        "only {} corpus protobufs",
        profiles.len()
    );
    profiles.push(("generated-ties".to_string(), tie_profile()));
    let mut out = Vec::new();
    for (name, p) in &profiles {
        for si in 0..p.num_sample_types() {
            let kind = p.str(p.sample_types[si].kind).to_string();
            let t = FlameTree::build(p, &FlameOptions { sample_index: si });
            check_tree(&t);
            out.push((format!("{name} {kind}"), tree_digest(&t, p)));
            for (fname, opts) in digest_filters() {
                let opts = pprof_lens::analysis::options::ReportOptions {
                    sample_index: Some(si),
                    ..opts
                };
                let filter = ReportFilter::new(p, &opts).unwrap();
                let t = FlameTree::build_filtered(p, &FlameOptions { sample_index: si }, &filter);
                check_tree(&t);
                out.push((format!("{name} {kind} {fname}"), tree_digest(&t, p)));
            }
        }
    }
    out
}

#[test]
fn trees_are_identical_to_the_blessed_digests() {
    let Some(corpus) = corpus_dir("trees_are_identical_to_the_blessed_digests") else {
        return;
    };
    let got: Vec<String> = all_digests(&corpus)
        .into_iter()
        .map(|(case, d)| format!("{case} {d}"))
        .collect();
    let got = got.join("\n") + "\n";
    if std::env::var_os("PPROF_LENS_BLESS").is_some() {
        std::fs::write(DIGESTS, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(DIGESTS)
        .expect("tests/flame_digests.txt (bless with PPROF_LENS_BLESS=1)");
    let differ: Vec<String> = want
        .lines()
        .zip(got.lines())
        .filter(|(w, g)| w != g)
        .map(|(w, g)| format!("  want {w}\n  got  {g}"))
        .collect();
    assert!(
        differ.is_empty() && want.lines().count() == got.lines().count(),
        "trees differ:\n{}",
        differ.join("\n")
    );
}

/// Go 1.27 names generic code by its shapes, struct shapes with spaces and
/// semicolons included; every function of such a profile still has a label
/// short enough for a narrow box, with its type arguments elided.
#[test]
fn every_generic_name_has_a_short_label() {
    let Some(dir) = support::corpus("flame::every_generic_name_has_a_short_label") else {
        return;
    };
    let bytes = std::fs::read(dir.join("go1.27/generics_catalog.cpu.pb.gz")).unwrap();
    let p = pprof_lens::decode::decode(&bytes).unwrap();
    let mut generic = 0;
    for f in &p.functions {
        let name = p.str(f.name);
        let labels = pprof_lens::view::flame_labels::labels(name);
        let shortest = labels.last().unwrap();
        if name.contains("go.shape.") {
            generic += 1;
            assert!(!shortest.contains("go.shape"), "{name}: {labels:?}");
        }
        assert!(shortest.len() <= 40, "{name}: {shortest}");
    }
    assert!(generic > 10, "{generic} shape-instantiated names");
}
