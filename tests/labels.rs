//! pprof's tag options against `go tool pprof` (Go 1.27) on the corpus's
//! labelled profiles: `-top` with `tagfocus`, `tagignore`, `tagshow`,
//! `taghide`, `tagroot` and `tagleaf`, and `-tags` (the labels panel's
//! numbers). `tests/data/tags/CASES.tsv` lists the oracles and `make.sh`
//! beside it remakes them.

mod support;

use support::cases::{load, options};

use pprof_lens::protocol::{Answer, Query};
use pprof_lens::session::Session;

#[test]
fn tag_options_match_every_pprof_oracle() {
    let Some((corpus, dir, cases)) = load("tag_options_match_every_pprof_oracle", "tags", 20)
    else {
        return;
    };
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
        let want = c.oracle_text(&dir);
        support::check_oracle(&c.oracle, &want, &got, &mut failures);
    }
    support::assert_all_match(&failures, cases.len());
    eprintln!("{} oracles match", cases.len());
}
