//! The bottom-up flame graph against the top table: its roots are the
//! leaf functions, each exactly as wide as its flat value, on every
//! protobuf profile of the shared corpus and for every sample type.

mod support;

use std::collections::BTreeMap;

use pprof_lens::analysis::flame::{FlameOptions, FlameTree, ROOT};
use pprof_lens::analysis::options::ReportOptions;
use pprof_lens::analysis::reshape::{reshape, Reshape};
use pprof_lens::analysis::top::top_table;

#[test]
fn bottom_up_roots_are_the_top_tables_flat_values() {
    let Some(corpus) = support::corpus("bottom_up_roots_are_the_top_tables_flat_values") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .chain(std::fs::read_dir(corpus.join("go1.27")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".pb.gz"))
        .filter(|p| !p.to_string_lossy().contains("bigheap"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{} profiles", files.len());
    let mut checked = 0;
    for path in &files {
        let profile = pprof_lens::decode::decode(&std::fs::read(path).unwrap()).unwrap();
        for si in 0..profile.sample_types.len() {
            let opts = ReportOptions {
                sample_index: Some(si),
                nodefraction: 0.0,
                ..ReportOptions::default()
            };
            let table = top_table(&profile, &opts).unwrap();
            let want: BTreeMap<String, i64> = table
                .rows
                .iter()
                .filter(|r| r.flat != 0)
                .map(|r| (r.name.clone(), r.flat))
                .collect();
            let up = reshape(&profile, &opts, &Reshape::BottomUp).unwrap();
            let tree = FlameTree::build_filtered(&up, &FlameOptions::default(), &());
            let mut got: BTreeMap<String, i64> = BTreeMap::new();
            for c in tree.children(ROOT) {
                *got.entry(up.str(tree.name(c)).to_string()).or_default() += tree.total(c);
            }
            assert_eq!(got, want, "{} sample index {si}", path.display());
            assert_eq!(tree.root_total(), want.values().sum::<i64>());
            checked += 1;
        }
    }
    eprintln!("{checked} (profile, sample type) pairs match");
}
