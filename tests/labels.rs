//! pprof's tag options against `go tool pprof` (Go 1.27) on the corpus's
//! labelled profiles: `-top` with `tagfocus`, `tagignore`, `tagshow`,
//! `taghide`, `tagroot` and `tagleaf`, and `-tags` (the labels panel's
//! numbers). `tests/data/tags/CASES.tsv` lists the oracles and `make.sh`
//! beside it remakes them.

mod support;

use std::path::Path;

use support::cases::{cases, options};

use pprof_lens::protocol::{Answer, Query};
use pprof_lens::session::Session;

#[test]
fn tag_options_match_every_pprof_oracle() {
    let Some(corpus) = support::corpus("tag_options_match_every_pprof_oracle") else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tags");
    let cases = cases(&dir);
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
