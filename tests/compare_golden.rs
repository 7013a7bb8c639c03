//! Compared profiles against `go tool pprof -top -diff_base=BASE NEW` and
//! `-base=BASE NEW` (Go 1.27's pprof): every row of
//! `../shared/corpus/PAIRS.tsv` (`base  new  mode  sample_index  oracle`).
//! The oracles were made with `-top -nodecount=100000 -sample_index=<i>`
//! and print today's `Time:` layout, so they are compared whole.
//!
//! Also `-normalize`, which has no oracle in the corpus, on small profiles
//! whose numbers can be worked out by hand, and the errors.

mod support;

use std::path::Path;

use pprof_lens::analysis::compare::diff_base_total;
use pprof_lens::analysis::options::ReportOptions;
use pprof_lens::analysis::top::top_table;
use pprof_lens::model::builder::ProfileBuilder;
use pprof_lens::model::compare::{normalize_ratios, subtract_base, CompareMode};
use pprof_lens::model::merge::MergeError;
use pprof_lens::model::Profile;
use pprof_lens::view::top_text::render_top;

fn decode(corpus: &Path, rel: &str) -> Profile {
    let path = corpus.join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    pprof_lens::decode::decode(&bytes).unwrap_or_else(|e| panic!("decoding {rel}: {e}"))
}

fn top(profile: &Profile, index: Option<&str>) -> String {
    let sample_index = index.map(|i| {
        profile
            .sample_index_by_name(i)
            .unwrap_or_else(|| panic!("no sample type {i}"))
    });
    let opts = ReportOptions {
        sample_index,
        nodecount: 100_000,
        ..ReportOptions::default()
    };
    let table = top_table(profile, &opts).expect("top table");
    render_top(profile, &table, &opts)
}

#[test]
fn compared_top_matches_every_pprof_oracle() {
    let Some(corpus) = support::corpus("compared_top_matches_every_pprof_oracle") else {
        return;
    };
    let list = std::fs::read_to_string(corpus.join("PAIRS.tsv")).expect("PAIRS.tsv");
    let mut failures = Vec::new();
    let mut rows = 0;
    for line in list.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [base, new, mode, index, oracle] = cols[..] else {
            panic!("PAIRS.tsv: bad row {line:?}");
        };
        rows += 1;
        let mode = match mode {
            "diff_base" => CompareMode::DiffBase,
            "base" => CompareMode::Base,
            other => panic!("PAIRS.tsv: unknown mode {other:?}"),
        };
        let (base, new) = (decode(&corpus, base), decode(&corpus, new));
        let diffed =
            subtract_base(&new, &base, mode, false).unwrap_or_else(|e| panic!("{oracle}: {e}"));
        let got = top(&diffed, Some(index));
        let want = std::fs::read_to_string(corpus.join(oracle)).expect("oracle text");
        support::check_oracle(oracle, &want, &got, &mut failures);
    }
    assert!(rows > 0, "PAIRS.tsv lists no pairs");
    assert!(
        failures.is_empty(),
        "{} of {rows} pairs differ: {failures:?}",
        failures.len()
    );
}

fn counts(samples: &[&str]) -> Profile {
    ProfileBuilder::new(&[("samples", "count"), ("space", "bytes")])
        .samples(samples)
        .build()
}

#[test]
fn diff_base_takes_percentages_of_the_base() {
    let base = counts(&["main;a 10 100", "main;b 10 100"]);
    let new = counts(&["main;a 15 150", "main;b 10 100", "main;c 5 50"]);
    let d = subtract_base(&new, &base, CompareMode::DiffBase, false).unwrap();
    assert_eq!(diff_base_total(&d, 1), Some(200));
    let text = top(&d, Some("samples"));
    assert!(
        text.contains("Showing nodes accounting for 10, 50.00% of 20 total"),
        "{text}"
    );
    assert!(
        text.contains("         5 25.00% 25.00%          5 25.00%  a\n"),
        "{text}"
    );
    // `-base`: the total is the difference's own |value| sum (15+5+10+10+10).
    let d = subtract_base(&new, &base, CompareMode::Base, false).unwrap();
    assert_eq!(diff_base_total(&d, 0), None);
    let text = top(&d, Some("samples"));
    assert!(
        text.contains("Showing nodes accounting for 10, 100% of 10 total"),
        "{text}"
    );
}

#[test]
fn a_profile_minus_itself_is_empty() {
    let p = counts(&["main;a 10 100", "main;b 10 100"]);
    let d = subtract_base(&p, &p, CompareMode::Base, false).unwrap();
    assert!(d.samples.is_empty());
    assert!(d.locations.is_empty(), "nothing left uses them");
    let text = top(&d, None);
    assert!(text.ends_with("Showing nodes accounting for 0, 0% of 0 total\n      flat  flat%   sum%        cum   cum%\n"), "{text}");
}

#[test]
fn normalize_scales_the_new_profile_to_the_base() {
    let base = counts(&["main;a 10 100", "main;b 10 300"]);
    let new = counts(&["main;a 20 100", "main;b 20 100"]);
    assert_eq!(normalize_ratios(&new, &base), [0.5, 2.0]);
    let d = subtract_base(&new, &base, CompareMode::Base, true).unwrap();
    // a: 20*0.5-10 = 0 and 100*2-100 = 100; b: 0 and 200-300 = -100.
    let value = |name: &str, t: usize| {
        let opts = ReportOptions {
            sample_index: Some(t),
            nodefraction: 0.0,
            ..ReportOptions::default()
        };
        let table = top_table(&d, &opts).unwrap();
        table.rows.iter().find(|r| r.name == name).map(|r| r.flat)
    };
    assert_eq!(value("a", 0), None);
    assert_eq!(value("a", 1), Some(100));
    assert_eq!(value("b", 1), Some(-100));
    // Each sample of the new profile is scaled and rounded on its own, as
    // Go 1.27's pprof does for one file (it merges several sources first,
    // one it keeps as read): 3 and 3 at 0.5 round to 2 and 2, and 4 - 3
    // leaves 1, as `go tool pprof -top -base=B -normalize N` prints for
    // two debug=1 records of 3 against one.
    let base = counts(&["main 3 3"]);
    let new = counts(&["main 3 3", "main 3 3"]);
    let d = subtract_base(&new, &base, CompareMode::Base, true).unwrap();
    assert_eq!(d.samples.values, [1, 1]);
    // An empty new profile scales by 0 (pprof's ratio for a zero sum).
    assert_eq!(normalize_ratios(&counts(&[]), &base), [0.0, 0.0]);
}

#[test]
fn incompatible_pairs_are_refused() {
    let new = counts(&["main 1 1"]);
    let cpu = ProfileBuilder::new(&[("cpu", "nanoseconds")])
        .samples(&["main 1"])
        .build();
    let e = subtract_base(&new, &cpu, CompareMode::DiffBase, false).unwrap_err();
    assert!(matches!(e, MergeError::SampleTypes { profile: 2, .. }));
    assert_eq!(
        e.to_string(),
        "sample types differ: samples/count, space/bytes (profile 1) vs cpu/nanoseconds (profile 2)"
    );
    assert!(subtract_base(&new, &cpu, CompareMode::Base, true).is_err());
}

#[test]
fn empty_sides_compare() {
    let p = counts(&["main;a 10 100"]);
    let empty = counts(&[]);
    let d = subtract_base(&p, &empty, CompareMode::DiffBase, false).unwrap();
    assert_eq!(
        diff_base_total(&d, 0),
        None,
        "no base samples: the usual total"
    );
    assert_eq!(top_table(&d, &ReportOptions::default()).unwrap().total, 100);
    let d = subtract_base(&empty, &p, CompareMode::DiffBase, false).unwrap();
    assert_eq!(diff_base_total(&d, 1), Some(100));
    let d = subtract_base(&empty, &empty, CompareMode::DiffBase, true).unwrap();
    assert!(d.samples.is_empty());
}
