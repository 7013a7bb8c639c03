//! pprof's tag options against `go tool pprof` (Go 1.27) on the corpus's
//! labelled profiles: `-top` with `tagfocus`, `tagignore`, `tagshow`,
//! `taghide`, `tagroot` and `tagleaf`, and `-tags` (the labels panel's
//! numbers). `tests/data/tags/CASES.tsv` lists the oracles and `make.sh`
//! beside it remakes them.

mod support;

use std::path::Path;

use pprof_lens::analysis::options::ReportOptions;
use pprof_lens::protocol::{Answer, Query};
use pprof_lens::session::Session;

struct Case {
    oracle: String,
    profile: String,
    report: String,
    flags: Vec<(String, String)>,
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tags");
    let text = std::fs::read_to_string(dir.join("CASES.tsv")).expect("CASES.tsv");
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut cols = l.split('\t');
            let mut col = || cols.next().unwrap_or("").to_string();
            let (oracle, profile, report, flags) = (col(), col(), col(), col());
            let flags = flags
                .split_whitespace()
                .map(|f| {
                    let (k, v) = f.trim_start_matches('-').split_once('=').expect("-k=v");
                    (k.to_string(), v.to_string())
                })
                .collect();
            Case {
                oracle,
                profile,
                report,
                flags,
            }
        })
        .collect()
}

fn options(profile: &pprof_lens::model::Profile, flags: &[(String, String)]) -> ReportOptions {
    let mut o = ReportOptions::default();
    for (k, v) in flags {
        let v = v.clone();
        match k.as_str() {
            "tagfocus" => o.tagfocus = v,
            "tagignore" => o.tagignore = v,
            "tagshow" => o.tagshow = v,
            "taghide" => o.taghide = v,
            "tagroot" => o.tagroot = v,
            "tagleaf" => o.tagleaf = v,
            "sample_index" => o.sample_index = profile.sample_index_by_name(&v),
            _ => panic!("flag {k} is not handled here"),
        }
    }
    o
}

#[test]
fn tag_options_match_every_pprof_oracle() {
    let Some(corpus) = support::corpus("tag_options_match_every_pprof_oracle") else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tags");
    let cases = cases();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let bytes = std::fs::read(corpus.join(&c.profile)).expect("corpus profile");
        let profile = pprof_lens::decode::decode(&bytes).expect("decodes");
        let opts = options(&profile, &c.flags);
        let mut session = Session::new(profile);
        let got = match c.report.as_str() {
            "-top" => match session.answer(Query::TopText { opts }) {
                Answer::Text { text } => text,
                other => panic!("{}: {other:?}", c.oracle),
            },
            "-tags" => match session.answer(Query::Labels { opts }) {
                Answer::Labels(view) => view.text,
                other => panic!("{}: {other:?}", c.oracle),
            },
            r => panic!("report {r}"),
        };
        let want = std::fs::read_to_string(dir.join(&c.oracle)).expect("oracle");
        assert!(!want.is_empty(), "{}: empty oracle", c.oracle);
        support::check_oracle(&c.oracle, &want, &got, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} of {} oracles differ: {failures:?}",
        failures.len(),
        cases.len()
    );
    eprintln!("{} oracles match", cases.len());
}
