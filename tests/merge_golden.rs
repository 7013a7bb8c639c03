//! Merged profiles against `go tool pprof -top A B C` (Go 1.27's pprof):
//! every row of `../shared/corpus/MERGES.tsv` (`files  sample_index
//! oracle`, files space-separated, in order). The oracles were made with
//! `-top -nodecount=100000 -sample_index=<i>` and print today's `Time:`
//! layout, so they are compared whole.
//!
//! Also the edges of merging: no profile, one, incompatible ones, and
//! profiles without samples.

mod support;

use std::path::Path;

use pprof_lens::analysis::options::ReportOptions;
use pprof_lens::analysis::top::top_table;
use pprof_lens::model::builder::ProfileBuilder;
use pprof_lens::model::merge::{merge, MergeError};
use pprof_lens::model::Profile;
use pprof_lens::view::top_text::render_top;

fn decode(corpus: &Path, rel: &str) -> Profile {
    let path = corpus.join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    pprof_lens::decode::decode(&bytes).unwrap_or_else(|e| panic!("decoding {rel}: {e}"))
}

/// `-top -nodecount=100000 -sample_index=<index>` of `profile`.
fn top(profile: &Profile, index: &str) -> String {
    let sample_index = profile
        .sample_index_by_name(index)
        .unwrap_or_else(|| panic!("no sample type {index}"));
    let opts = ReportOptions {
        sample_index: Some(sample_index),
        nodecount: 100_000,
        ..ReportOptions::default()
    };
    let table = top_table(profile, &opts).expect("top table");
    render_top(profile, &table, &opts)
}

#[test]
fn merged_top_matches_every_pprof_oracle() {
    let Some(corpus) = support::corpus("merged_top_matches_every_pprof_oracle") else {
        return;
    };
    let list = std::fs::read_to_string(corpus.join("MERGES.tsv")).expect("MERGES.tsv");
    let mut failures = Vec::new();
    let mut rows = 0;
    for line in list.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [files, index, oracle] = cols[..] else {
            panic!("MERGES.tsv: bad row {line:?}");
        };
        rows += 1;
        let profiles: Vec<Profile> = files.split(' ').map(|f| decode(&corpus, f)).collect();
        let merged = merge(&profiles).unwrap_or_else(|e| panic!("{oracle}: {e}"));
        let got = top(&merged, index);
        let want = std::fs::read_to_string(corpus.join(oracle)).expect("oracle text");
        support::check_oracle(oracle, &want, &got, &mut failures);
        // The page merges each file into the others as it is read, so that
        // only one input is held at a time: that must be the same merge.
        let mut files = profiles.into_iter();
        let first = merge(&[files.next().expect("a file")]).expect("one merges");
        let streamed = files.fold(first, |acc, p| merge(&[acc, p]).expect("merges"));
        let got = top(&streamed, index);
        support::check_oracle(
            &format!("{oracle} (one at a time)"),
            &want,
            &got,
            &mut failures,
        );
    }
    assert!(rows > 0, "MERGES.tsv lists no merges");
    assert!(
        failures.is_empty(),
        "{} of {rows} merges differ: {failures:?}",
        failures.len()
    );
}

fn cpu(samples: &[&str]) -> Profile {
    ProfileBuilder::new(&[("samples", "count"), ("cpu", "nanoseconds")])
        .period(("cpu", "nanoseconds"), 10_000_000)
        .samples(samples)
        .build()
}

/// (stack root first, values, labels) of every sample, sorted.
fn samples(p: &Profile) -> Vec<String> {
    let nt = p.num_sample_types();
    let mut out: Vec<String> = (0..p.samples.len())
        .map(|i| {
            let mut names: Vec<&str> = match p.samples.stack[i] {
                Some(leaf) => p
                    .stacks
                    .frames(leaf)
                    .map(|l| {
                        let line = p.location_lines(l).last().expect("a line");
                        p.str(p.functions[line.func.index()].name)
                    })
                    .collect(),
                None => vec!["-"],
            };
            names.reverse();
            let values: Vec<String> = (0..nt).map(|t| p.value(i, t).to_string()).collect();
            let labels: Vec<String> = p
                .label_sets
                .get(p.samples.labels[i])
                .iter()
                .map(|l| match l.str {
                    Some(v) => format!("{}={}", p.str(l.key), p.str(v)),
                    None => format!("{}=#{}{}", p.str(l.key), l.num, p.str(l.num_unit)),
                })
                .collect();
            format!(
                "{} {} {}",
                names.join(";"),
                values.join(" "),
                labels.join(",")
            )
            .trim_end()
            .to_string()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn same_stacks_and_labels_add_up() {
    let a = cpu(&["main;a 1 10 k=x", "main;b 2 20", "- 1 5"]);
    let b = cpu(&["main;a 3 30 k=x", "main;a 4 40 k=y", "main;b 5 50"]);
    let m = merge(&[&a, &b]).unwrap();
    assert_eq!(
        samples(&m),
        ["- 1 5", "main;a 4 40 k=x", "main;a 4 40 k=y", "main;b 7 70"]
    );
    // Locations and functions are shared by content, not duplicated.
    assert_eq!(m.functions.len(), 3);
    assert_eq!(m.locations.len(), 3);
}

/// Two locations of one input with equal content (here `b`'s made a copy of
/// `a`'s) are one location to pprof's merge, so their samples under the
/// same caller are one sample, even below a caller the input itself adds.
#[test]
fn locations_equal_in_content_are_one_call_path() {
    let mut p = cpu(&["main;a 1 10", "main;b 2 20", "main;a;c 4 40"]);
    let func = |p: &Profile, name: &str| {
        let f = p.functions.iter().position(|f| p.str(f.name) == name);
        f.expect("the function")
    };
    let (a, b) = (func(&p, "a"), func(&p, "b"));
    let line_of = |p: &Profile, f: usize| p.lines.iter().position(|l| l.func.index() == f);
    let (a_line, b_line) = (line_of(&p, a).unwrap(), line_of(&p, b).unwrap());
    p.lines[b_line] = p.lines[a_line];
    let loc_of = |p: &Profile, l: usize| {
        let at =
            |x: &pprof_lens::model::Location| (x.lines_start..x.lines_end).contains(&(l as u32));
        p.locations.iter().position(at).unwrap()
    };
    let (a_loc, b_loc) = (loc_of(&p, a_line), loc_of(&p, b_line));
    p.locations[b_loc].address = p.locations[a_loc].address;
    let m = merge(&[&p]).unwrap();
    assert_eq!(samples(&m), ["main;a 3 30", "main;a;c 4 40"]);
    assert_eq!(m.locations.len(), 3, "main, a and c");
}

/// Samples are told apart by their label sets even when the first labels
/// come after thousands of unlabelled samples, on stacks already seen.
#[test]
fn labels_that_come_late_still_split_samples() {
    // The builder numbers addresses in order of first use, and `c` comes
    // second in the last input: without addresses, lines alone match.
    let plain_cpu = |samples: &[&str]| {
        let mut p = cpu(samples);
        p.locations.iter_mut().for_each(|l| l.address = 0);
        p
    };
    let a = plain_cpu(&["main;a 1 10", "main;b 2 20"]);
    let b = plain_cpu(&["main;a 3 30 k=x", "main;b 1 1", "main;c 1 1"]);
    let c = plain_cpu(&["main;a 1 1", "main;c 1 1 k=x", "main;c 2 2"]);
    assert_eq!(
        samples(&merge(&[&a, &b, &c]).unwrap()),
        [
            "main;a 2 11",
            "main;a 3 30 k=x",
            "main;b 3 21",
            "main;c 1 1 k=x",
            "main;c 3 3"
        ]
    );
    let plain: Vec<String> = (0..5_000).map(|i| format!("main;f{i} 1 10")).collect();
    let labelled: Vec<String> = plain
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i % 2 == 1 {
                format!("{s} k=x")
            } else {
                s.clone()
            }
        })
        .collect();
    let as_strs =
        |v: &[String]| -> Profile { cpu(&v.iter().map(String::as_str).collect::<Vec<_>>()) };
    // The labelled samples are found again after the index has grown.
    let m = merge(&[as_strs(&plain), as_strs(&labelled), as_strs(&labelled)]).unwrap();
    assert_eq!(
        m.samples.len(),
        7_500,
        "one sample per stack, one more per k=x"
    );
    let mut want: Vec<String> = (0..5_000)
        .flat_map(|i| match i % 2 {
            0 => vec![format!("main;f{i} 3 30")],
            _ => vec![format!("main;f{i} 1 10"), format!("main;f{i} 2 20 k=x")],
        })
        .collect();
    want.sort();
    assert_eq!(samples(&m), want);
}

#[test]
fn label_order_does_not_split_samples() {
    let a = cpu(&["main 1 10 k=x n=#3bytes"]);
    let b = cpu(&["main 1 10 n=#3bytes k=x"]);
    let m = merge(&[&a, &b]).unwrap();
    assert_eq!(m.samples.len(), 1);
    assert_eq!(m.value(0, 1), 20);
    // Values of one key keep their order: another order is another set.
    let c = cpu(&["main 1 10 k=x k=y"]);
    let d = cpu(&["main 1 10 k=y k=x"]);
    assert_eq!(merge(&[&c, &d]).unwrap().samples.len(), 2);
}

#[test]
fn headers_combine_as_pprof_does() {
    let mut a = ProfileBuilder::new(&[("cpu", "nanoseconds")])
        .period(("cpu", "nanoseconds"), 10)
        .duration_nanos(3)
        .samples(&["main 1"]);
    let p = a.profile_mut();
    p.time_nanos = 2_000;
    let c = p.strings.intern("first");
    p.comments.push(c);
    let a = a.build();
    let mut b = ProfileBuilder::new(&[("cpu", "nanoseconds")])
        .period(("cpu", "nanoseconds"), 30)
        .duration_nanos(4)
        .samples(&["main 1"]);
    let p = b.profile_mut();
    p.time_nanos = 1_000;
    for s in ["first", "second"] {
        let c = p.strings.intern(s);
        p.comments.push(c);
    }
    let b = b.build();
    let m = merge(&[a, b]).unwrap();
    assert_eq!(m.time_nanos, 1_000, "the earliest");
    assert_eq!(m.duration_nanos, 7, "summed");
    assert_eq!(m.period, 30, "the largest");
    let comments: Vec<&str> = m.comments.iter().map(|&c| m.str(c)).collect();
    assert_eq!(comments, ["first", "second"], "each once");
}

#[test]
fn zero_profiles_is_an_error() {
    let none: [Profile; 0] = [];
    let e = merge(&none).unwrap_err();
    assert_eq!(e, MergeError::NoProfiles);
    assert_eq!(e.to_string(), "no profiles to merge");
}

#[test]
fn one_profile_merges_with_itself_only() {
    let a = cpu(&["main;a 1 10", "main;a 2 20", "main;b 0 0"]);
    let m = merge(&[&a]).unwrap();
    assert_eq!(samples(&m), ["main;a 3 30"], "duplicates add, zeros go");
    assert_eq!(m.locations.len(), 2, "b is unused and dropped");
    assert_eq!(m.stacks.len(), 2, "so is b's stack node");
}

/// The merged stack table grows many times over a fleet; every input's
/// stacks must be found again in it, however they were numbered.
#[test]
fn stacks_are_found_again_across_inputs_and_growth() {
    let text: Vec<String> = (0..20_000)
        .map(|i| format!("main;f{};g{};h{} 1 10", i % 7, i % 101, i))
        .collect();
    let texts: Vec<&str> = text.iter().map(String::as_str).collect();
    // The same samples in reverse order: other ids for every location and
    // node. Without addresses, a location is known by its lines alone.
    let no_addresses = |mut p: Profile| {
        p.locations.iter_mut().for_each(|l| l.address = 0);
        p
    };
    let a = no_addresses(cpu(&texts));
    let reversed: Vec<&str> = texts.iter().rev().copied().collect();
    let b = no_addresses(cpu(&reversed));
    let one = merge(&[&a]).unwrap();
    let m = merge(&[&a, &b, &a]).unwrap();
    assert_eq!(m.samples.len(), 20_000);
    assert_eq!(m.stacks.len(), one.stacks.len(), "no node was added twice");
    assert_eq!(m.stacks.len(), 1 + 7 + 707 + 20_000);
    let tripled: Vec<String> = samples(&one)
        .iter()
        .map(|s| s.replace(" 1 10", " 3 30"))
        .collect();
    assert_eq!(samples(&m), tripled);
}

/// Inlined frames give a location several lines; such a location is found
/// again by all of them, in inputs that number it differently. Here many
/// locations share their outer and inner lines and differ only in the
/// middle one, so a compare of fewer lines would merge them.
#[test]
fn inlined_locations_are_found_again_by_their_lines() {
    let text: Vec<String> = (0..20_000)
        .map(|i| format!("main;x{}+y{i}+z{} 1 10", i % 3, i % 5))
        .collect();
    let texts: Vec<&str> = text.iter().map(String::as_str).collect();
    let reversed: Vec<&str> = texts.iter().rev().copied().collect();
    // Without addresses, a location is known by its lines alone.
    let no_addresses = |mut p: Profile| {
        p.locations.iter_mut().for_each(|l| l.address = 0);
        p
    };
    let a = no_addresses(cpu(&texts));
    let b = no_addresses(cpu(&reversed));
    let one = merge(&[&a]).unwrap();
    assert_eq!(one.lines.len(), 1 + 3 * 20_000);
    let m = merge(&[&a, &b, &a]).unwrap();
    assert_eq!(m.locations.len(), one.locations.len(), "no location twice");
    assert_eq!(m.lines.len(), one.lines.len());
    assert_eq!(m.functions.len(), 1 + 3 + 20_000 + 5);
    assert_eq!(m.locations.len(), 1 + 20_000);
    let tripled: Vec<String> = samples(&one)
        .iter()
        .map(|s| s.replace(" 1 10", " 3 30"))
        .collect();
    assert_eq!(samples(&m), tripled);
}

#[test]
fn incompatible_profiles_say_what_differs() {
    let a = cpu(&["main 1 10"]);
    let heap = ProfileBuilder::new(&[("alloc_objects", "count"), ("alloc_space", "bytes")])
        .period(("cpu", "nanoseconds"), 10_000_000)
        .samples(&["main 1 10"])
        .build();
    let e = merge(&[&a, &a, &heap]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "sample types differ: samples/count, cpu/nanoseconds (profile 1) vs \
         alloc_objects/count, alloc_space/bytes (profile 3)"
    );
    let other_period = ProfileBuilder::new(&[("samples", "count"), ("cpu", "nanoseconds")])
        .period(("wall", "nanoseconds"), 1)
        .samples(&["main 1 10"])
        .build();
    assert_eq!(
        merge(&[&a, &other_period]).unwrap_err().to_string(),
        "period types differ: cpu/nanoseconds (profile 1) vs wall/nanoseconds (profile 2)"
    );
    let fewer = ProfileBuilder::new(&[("cpu", "nanoseconds")])
        .period(("cpu", "nanoseconds"), 1)
        .samples(&["main 10"])
        .build();
    assert!(matches!(
        merge(&[&a, &fewer]),
        Err(MergeError::SampleTypes { profile: 2, .. })
    ));
}

#[test]
fn profiles_without_samples_merge_to_an_empty_profile() {
    let empty = cpu(&[]);
    let m = merge(&[&empty, &empty]).unwrap();
    assert!(m.samples.is_empty());
    let opts = ReportOptions::default();
    let t = top_table(&m, &opts).unwrap();
    assert!(t.rows.is_empty());
    assert_eq!(t.total, 0);
    // And with samples on one side only, the other changes nothing.
    let a = cpu(&["main;a 1 10"]);
    assert_eq!(samples(&merge(&[&empty, &a]).unwrap()), ["main;a 1 10"]);
    let none = ProfileBuilder::new(&[]).build();
    let m = merge(&[&none, &none]).unwrap();
    assert!(m.samples.is_empty() && m.sample_types.is_empty());
}

#[test]
fn a_deep_stack_does_not_recurse() {
    let frames: Vec<String> = (0..100_000).map(|i| format!("f{}", i % 1000)).collect();
    let text = format!("{} 1 1", frames.join(";"));
    let a = cpu(&[&text]);
    let m = merge(&[&a, &a]).unwrap();
    assert_eq!(m.samples.len(), 1);
    assert_eq!(m.value(0, 0), 2);
    assert_eq!(m.stacks.depth(m.samples.stack[0].unwrap()), 100_000);
}
