//! Oracle cases listed in a `CASES.tsv` (`tests/data/tags`,
//! `tests/data/options`): the oracle's file name, the profile (relative to
//! the shared corpus), the report (`-top` or `-tags`) and the pprof flags
//! that made it, one `-flag` or `-flag=value` each, space-separated, as the
//! folder's `make.sh` passes them to `go tool pprof`.

use std::path::{Path, PathBuf};

use pprof_lens::analysis::options::{Granularity, ReportOptions, SortOrder};
use pprof_lens::model::Profile;

pub struct Case {
    pub oracle: String,
    pub profile: String,
    pub report: String,
    pub flags: Vec<(String, String)>,
}

/// The shared corpus, `tests/data/<folder>` and its cases, at least
/// `at_least` of them; `None` (the test skips) without the corpus.
pub fn load(test: &str, folder: &str, at_least: usize) -> Option<(PathBuf, PathBuf, Vec<Case>)> {
    let corpus = super::corpus(test)?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(folder);
    let cases = cases(&dir);
    assert!(cases.len() >= at_least, "{} cases in {folder}", cases.len());
    Some((corpus, dir, cases))
}

impl Case {
    /// The oracle's text, in `dir`; an empty one is a broken `make.sh` run.
    pub fn oracle_text(&self, dir: &Path) -> String {
        let text = std::fs::read_to_string(dir.join(&self.oracle)).expect("oracle");
        assert!(!text.is_empty(), "{}: empty oracle", self.oracle);
        text
    }
}

/// The cases of `dir/CASES.tsv`; `#` lines are comments.
pub fn cases(dir: &Path) -> Vec<Case> {
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
                    let f = f.trim_start_matches('-');
                    let (k, v) = f.split_once('=').unwrap_or((f, ""));
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

/// The report options pprof's `flags` ask for, on `profile`.
pub fn options(profile: &Profile, flags: &[(String, String)]) -> ReportOptions {
    let mut o = ReportOptions::default();
    for (k, v) in flags {
        let number = || v.parse().unwrap_or_else(|_| panic!("-{k}={v}"));
        let v = v.clone();
        match k.as_str() {
            "lines" => o.granularity = Granularity::Lines,
            "files" => o.granularity = Granularity::Files,
            "addresses" => o.granularity = Granularity::Addresses,
            "filefunctions" => o.granularity = Granularity::FileFunctions,
            "functions" => o.granularity = Granularity::Functions,
            "cum" => o.sort = SortOrder::Cum,
            "noinlines" => o.noinlines = true,
            "nodecount" => o.nodecount = number() as usize,
            "nodefraction" => o.nodefraction = number(),
            "edgefraction" => o.edgefraction = number(),
            "focus" => o.focus = v,
            "ignore" => o.ignore = v,
            "hide" => o.hide = v,
            "show" => o.show = v,
            "show_from" => o.show_from = v,
            "tagfocus" => o.tagfocus = v,
            "tagignore" => o.tagignore = v,
            "tagshow" => o.tagshow = v,
            "taghide" => o.taghide = v,
            "tagroot" => o.tagroot = v,
            "tagleaf" => o.tagleaf = v,
            "sample_index" => o.sample_index = profile.sample_index_by_name(&v),
            _ => panic!("flag -{k} is not handled here"),
        }
    }
    o
}
