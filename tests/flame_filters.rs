//! The flame graph under the report options agrees with the top table,
//! which the oracles check against `go tool pprof`: for every corpus
//! profile (Go 1.19 and 1.27, protobuf, dumps and legacy formats), every
//! sample type and a set of name and tag filters, each function's total in
//! the tree, counted once per stack where it recurses, is its cum in the
//! top table. Frames with no function name are left out: the top table
//! names them by address or binary, the tree by its own label.

mod support;

use std::collections::HashMap;

use pprof_lens::analysis::flame::{FlameOptions, FlameTree, ReportFilter};
use pprof_lens::analysis::options::ReportOptions;
use pprof_lens::analysis::top::top_table;
use pprof_lens::model::Profile;

const FILES: &[&str] = &[
    "cpu_regexp_json.pb.gz",
    "goroutine_states.pb.gz",
    "goroutine_states.debug2.txt",
    "heap_mapchurn.heap.pb.gz",
    "heap_mapchurn.allocs.pb.gz",
    "mutex_block.block.pb.gz",
    "mutex_block.mutex.pb.gz",
    "threadcreate_syscalls.pb.gz",
    "go1.27/generics_catalog.cpu.pb.gz",
    "go1.27/generics_catalog.heap.pb.gz",
    "go1.27/contention_shards.block.pb.gz",
    "go1.27/labelled_states.goroutine.pb.gz",
    "go1.27/leak_orphans.goroutineleak.pb.gz",
    "legacy/cppbench.cpu",
    "legacy/gobench.heap",
];

/// Option sets, as (option, value) pairs.
const OPTIONS: &[&[(&str, &str)]] = &[
    &[],
    &[("focus", "main")],
    &[("ignore", "runtime")],
    &[("hide", "runtime")],
    &[("show", "main")],
    &[("show_from", "main")],
    &[("noinlines", "")],
    &[("tagfocus", "phase=match")],
    &[("tagignore", "worker=1")],
    &[("tagfocus", "1kb:")],
    &[("focus", "json"), ("hide", "reflect")],
    &[("show_from", "runtime"), ("ignore", "sync")],
    &[("show", "runtime"), ("noinlines", "")],
];

fn options(sample_index: usize, set: &[(&str, &str)]) -> ReportOptions {
    let mut o = ReportOptions {
        sample_index: Some(sample_index),
        nodefraction: 0.0,
        nodecount: 0,
        ..ReportOptions::default()
    };
    for &(k, v) in set {
        let v = v.to_string();
        match k {
            "focus" => o.focus = v,
            "ignore" => o.ignore = v,
            "hide" => o.hide = v,
            "show" => o.show = v,
            "show_from" => o.show_from = v,
            "noinlines" => o.noinlines = true,
            "tagfocus" => o.tagfocus = v,
            "tagignore" => o.tagignore = v,
            _ => panic!("option {k}"),
        }
    }
    o
}

/// Each named function's total in `t`, once per stack: a node under
/// another of the same name is already in that one's total.
fn flame_cum(p: &Profile, t: &FlameTree) -> HashMap<String, i64> {
    let mut out: HashMap<String, i64> = HashMap::new();
    for n in t.nodes() {
        let name = p.str(t.name(n));
        if t.parent(n).is_none() || name.is_empty() {
            continue;
        }
        let mut up = t.parent(n);
        let mut nested = false;
        while let Some(a) = up {
            if t.parent(a).is_some() && p.str(t.name(a)) == name {
                nested = true;
                break;
            }
            up = t.parent(a);
        }
        if !nested {
            *out.entry(name.to_string()).or_default() += t.total(n);
        }
    }
    out.retain(|_, v| *v != 0);
    out
}

#[test]
fn each_functions_flame_total_is_its_top_cum_under_every_filter() {
    let Some(corpus) =
        support::corpus("each_functions_flame_total_is_its_top_cum_under_every_filter")
    else {
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in FILES {
        let bytes = std::fs::read(corpus.join(file)).expect("corpus file");
        let p = pprof_lens::decode::decode(&bytes).expect("decodes");
        for si in 0..p.sample_types.len() {
            for set in OPTIONS {
                let o = options(si, set);
                let table = top_table(&p, &o).expect("top table");
                let filter = ReportFilter::new(&p, &o).expect("filters");
                let opts = FlameOptions { sample_index: si };
                let tree = FlameTree::build_filtered(&p, &opts, &filter);
                let mut top: HashMap<String, i64> = HashMap::new();
                for r in table.rows.iter().filter(|r| !r.function.is_empty()) {
                    *top.entry(r.function.clone()).or_default() += r.cum;
                }
                top.retain(|_, v| *v != 0);
                let flame = flame_cum(&p, &tree);
                if flame != top {
                    let mut names: Vec<&String> = top.keys().chain(flame.keys()).collect();
                    names.sort();
                    names.dedup();
                    let first = names
                        .into_iter()
                        .find(|n| top.get(*n) != flame.get(*n))
                        .expect("a name that differs");
                    failures.push(format!(
                        "{file} type {si} {set:?}: {first}: top {:?}, flame {:?}",
                        top.get(first),
                        flame.get(first)
                    ));
                }
                checked += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(checked >= 400, "{checked} checked");
    eprintln!("{checked} trees agree with their top tables");
}
