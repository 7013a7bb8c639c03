//! A comparison's top table read from its two sides (`-diff_base`, the
//! default) against the same table read from the difference profile, which
//! `compare_golden.rs` checks against pprof: for every pair of
//! `../shared/corpus/PAIRS.tsv` under many report options, and for small
//! pairs made to cross the cases the sides must join exactly (inlined
//! calls inline on one side only, nodes on one side only, nodes that
//! cancel, trimmed nodes between inlined calls). Through the session, as
//! the page asks: the text it copies and the base and new columns.

mod support;

use pprof_lens::analysis::labels;
use pprof_lens::analysis::options::{Granularity, ReportOptions, SortOrder};
use pprof_lens::analysis::top::{flat_by_name, top_table};
use pprof_lens::model::builder::ProfileBuilder;
use pprof_lens::model::compare::{subtract_base, CompareMode};
use pprof_lens::model::Profile;
use pprof_lens::protocol::{Answer, Query, RowOrder};
use pprof_lens::session::Session;
use pprof_lens::view::top_text::render_top;

fn text(s: &mut Session, opts: &ReportOptions) -> String {
    match s.answer(Query::TopText { opts: opts.clone() }) {
        Answer::Text { text } => text,
        other => panic!("top text: {other:?}"),
    }
}

/// What the difference profile gives: pprof's text, checked by the
/// oracles in `compare_golden.rs`.
fn via_difference(new: &Profile, base: &Profile, opts: &ReportOptions) -> String {
    let d = subtract_base(new, base, CompareMode::DiffBase, false).expect("comparable");
    let table = top_table(&d, opts).expect("top table");
    render_top(&d, &table, opts)
}

/// The base and new columns the session shows for its first rows, against
/// each side's own table.
fn check_columns(s: &mut Session, new: &Profile, base: &Profile, opts: &ReportOptions, what: &str) {
    let Answer::Top(window) = s.answer(Query::Top {
        opts: opts.clone(),
        filter: String::new(),
        order: RowOrder::Flat,
        start: 0,
        count: 50,
    }) else {
        panic!("{what}: no top window")
    };
    let all = ReportOptions {
        nodecount: 0,
        nodefraction: 0.0,
        ..opts.clone()
    };
    let (fb, fnew) = (
        flat_by_name(base, &all).unwrap(),
        flat_by_name(new, &all).unwrap(),
    );
    for row in &window.rows {
        let sides = row
            .sides
            .as_ref()
            .unwrap_or_else(|| panic!("{what}: a row without sides"));
        let name = row
            .name
            .trim_end_matches(" (inline)")
            .trim_end_matches(" (partial-inline)");
        let (b, n) = (
            fb.get(name).copied().unwrap_or(0),
            fnew.get(name).copied().unwrap_or(0),
        );
        assert_eq!(
            sides.delta_pct,
            pprof_lens::view::top_rows::delta_pct(b, n),
            "{what}: {name}"
        );
    }
}

fn options() -> Vec<(&'static str, ReportOptions)> {
    let d = ReportOptions::default;
    vec![
        ("default", d()),
        (
            "every node",
            ReportOptions {
                nodecount: 100_000,
                nodefraction: 0.0,
                ..d()
            },
        ),
        (
            "cum",
            ReportOptions {
                sort: SortOrder::Cum,
                ..d()
            },
        ),
        (
            "top 7",
            ReportOptions {
                nodecount: 7,
                ..d()
            },
        ),
        (
            "files",
            ReportOptions {
                granularity: Granularity::Files,
                ..d()
            },
        ),
        (
            "lines",
            ReportOptions {
                granularity: Granularity::Lines,
                ..d()
            },
        ),
        (
            "filefunctions",
            ReportOptions {
                granularity: Granularity::FileFunctions,
                ..d()
            },
        ),
        (
            "focus",
            ReportOptions {
                focus: "main|json|Map".into(),
                ..d()
            },
        ),
        (
            "ignore",
            ReportOptions {
                ignore: "runtime".into(),
                ..d()
            },
        ),
        (
            "hide",
            ReportOptions {
                hide: "runtime\\.".into(),
                ..d()
            },
        ),
        (
            "show_from",
            ReportOptions {
                show_from: "main".into(),
                ..d()
            },
        ),
        (
            "noinlines",
            ReportOptions {
                noinlines: true,
                ..d()
            },
        ),
        (
            "edges",
            ReportOptions {
                edgefraction: 0.2,
                nodefraction: 0.05,
                ..d()
            },
        ),
        (
            "tagfocus",
            ReportOptions {
                tagfocus: "bytes=1kb:".into(),
                ..d()
            },
        ),
    ]
}

fn session(new: &Profile, base: &Profile) -> Session {
    Session::compared(
        ("new".into(), new.clone()),
        ("base".into(), base.clone()),
        CompareMode::DiffBase,
        false,
    )
    .expect("comparable")
}

#[test]
fn every_corpus_pair_reads_the_same_table_from_its_sides() {
    let Some(corpus) = support::corpus("every_corpus_pair_reads_the_same_table_from_its_sides")
    else {
        return;
    };
    let list = std::fs::read_to_string(corpus.join("PAIRS.tsv")).expect("PAIRS.tsv");
    let mut pairs: Vec<(String, String)> = list
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c.len() == 5).then(|| (c[0].to_string(), c[1].to_string()))
        })
        .collect();
    pairs.dedup();
    assert!(pairs.len() >= 4, "PAIRS.tsv lists {} pairs", pairs.len());
    let read = |rel: &str| pprof_lens::decode::decode(&support::read_corpus(rel)).unwrap();
    let mut checked = 0;
    for (b, n) in &pairs {
        let (base, new) = (read(b), read(n));
        let mut s = session(&new, &base);
        for si in 0..new.sample_types.len() {
            for (what, opts) in options() {
                let opts = ReportOptions {
                    sample_index: Some(si),
                    ..opts
                };
                let what = format!("{n} vs {b}, sample {si}, {what}");
                let want = via_difference(&new, &base, &opts);
                if let Some(d) = support::diff(&want, &text(&mut s, &opts)) {
                    panic!("{what}:\n{d}");
                }
                check_columns(&mut s, &new, &base, &opts, &what);
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "{checked} tables");
    eprintln!("{checked} tables of {} pairs", pairs.len());
}

/// Small pairs that cross every way the sides join.
fn pairs() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    vec![
        (
            // `h` inlined into `a` on one side, called from `b` on the
            // other; `i` only inlined; `d` only in the base.
            "inline on one side",
            vec!["main;a+h 3", "main;b;h 2", "main;c+i 1"],
            vec!["main;a+h 1", "main;b;h 5", "main;d+i 4", "main;c;i 2"],
        ),
        (
            "equal sides",
            vec!["main;a 3", "main;b;c 2"],
            vec!["main;a 3", "main;b;c 2"],
        ),
        (
            "nodes that cancel",
            vec!["main;a 3", "main;b;c 2", "main;x;c 1"],
            vec!["main;a 3", "main;b;c 1", "main;y;c 2"],
        ),
        (
            "new functions only",
            vec!["main;n1+n2 4", "main;n3 1"],
            vec!["main;o1 2", "main;o2+o3 6"],
        ),
        ("an empty base", vec!["main;a+h 3", "main;b 1"], vec![]),
        (
            "recursion",
            vec!["main;a;b;a;b 5", "main;a+b;a 2"],
            vec!["main;a;a;a 3", "main;b;a+b 4"],
        ),
    ]
}

#[test]
fn small_pairs_read_the_same_table_from_their_sides() {
    let build = |samples: &[&str]| {
        ProfileBuilder::new(&[("samples", "count")])
            .samples(samples)
            .build()
    };
    for (what, n, b) in pairs() {
        let (new, base) = (build(&n), build(&b));
        let mut s = session(&new, &base);
        let opts_list = [
            ReportOptions {
                nodefraction: 0.0,
                edgefraction: 0.0,
                ..Default::default()
            },
            ReportOptions::default(),
            ReportOptions {
                nodecount: 2,
                ..Default::default()
            },
            ReportOptions {
                hide: "^a$".into(),
                ..Default::default()
            },
            ReportOptions {
                edgefraction: 0.3,
                ..Default::default()
            },
        ];
        for (k, opts) in opts_list.into_iter().enumerate() {
            let want = via_difference(&new, &base, &opts);
            if let Some(d) = support::diff(&want, &text(&mut s, &opts)) {
                panic!("{what}, options {k}:\n{d}");
            }
        }
    }
}

#[test]
fn the_difference_is_made_only_for_views_that_read_samples() {
    let build = |samples: &[&str]| {
        ProfileBuilder::new(&[("samples", "count")])
            .samples(samples)
            .build()
    };
    let (new, base) = (build(&["main;a 3", "main;b 2"]), build(&["main;a 1"]));
    let mut s = session(&new, &base);
    // The header and the figures come from the sides.
    let summary = s.summary();
    assert_eq!(summary.totals, vec![6]);
    assert_eq!(summary.samples, 3);
    assert!(s.profile.samples.is_empty(), "only the difference's header");
    // The labels view reads the difference: its total is both sides'.
    let Answer::Labels(_) = s.answer(Query::Labels {
        opts: ReportOptions::default(),
    }) else {
        panic!("labels")
    };
    // Switching to -base reads the difference, whose samples add up.
    s.set_compare(CompareMode::Base, false).unwrap();
    assert!(!s.profile.samples.is_empty());
    let opts = ReportOptions::default();
    assert!(
        text(&mut s, &opts).contains("of 4 total"),
        "{}",
        text(&mut s, &opts)
    );
    // And back.
    s.set_compare(CompareMode::DiffBase, false).unwrap();
    assert!(s.profile.samples.is_empty());
    assert!(
        text(&mut s, &opts).contains("of 1 total"),
        "{}",
        text(&mut s, &opts)
    );
}

/// The labels view of a comparison from its sides: the difference's tag
/// report without pprof's `pprof::base` mark.
fn labels_agree(new: &Profile, base: &Profile, opts: &ReportOptions, what: &str) {
    let d = subtract_base(new, base, CompareMode::DiffBase, false).expect("comparable");
    let mut want = labels::tag_report(&d, opts).expect("tag report");
    want.keys.retain(|k| k.key != "pprof::base");
    let got = labels::diff_base_tag_report(new, base, opts).expect("tag report");
    assert_eq!(got, want, "{what}");
}

#[test]
fn labels_are_read_from_the_sides() {
    let build = |samples: &[&str]| {
        ProfileBuilder::new(&[("samples", "count")])
            .samples(samples)
            .build()
    };
    let new = build(&["main;a 3 phase=x", "main;b 2 phase=y", "main;c 1 other=z"]);
    let base = build(&["main;a 1 phase=x", "main;b 2 phase=y", "main;d 4 gone=w"]);
    for (what, opts) in options() {
        labels_agree(&new, &base, &opts, what);
    }
    let Some(corpus) = support::corpus("labels_are_read_from_the_sides") else {
        return;
    };
    let read = |rel: &str| pprof_lens::decode::decode(&support::read_corpus(rel)).unwrap();
    let list = std::fs::read_to_string(corpus.join("PAIRS.tsv")).expect("PAIRS.tsv");
    for l in list.lines().skip(1) {
        let c: Vec<&str> = l.split('\t').collect();
        let [b, n, ..] = c[..] else { continue };
        let (base, new) = (read(b), read(n));
        for si in 0..new.sample_types.len() {
            for (what, opts) in options() {
                let opts = ReportOptions {
                    sample_index: Some(si),
                    ..opts
                };
                labels_agree(&new, &base, &opts, &format!("{n} vs {b}, {si}, {what}"));
            }
        }
    }
}
