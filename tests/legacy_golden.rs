//! Golden tests for the legacy formats `go tool pprof` still opens: the
//! binary CPU profile, the `--- contentionz`, `--- threadz` and heap /
//! growth text forms, against the oracles in `../shared/corpus/legacy`
//! (`FILE.top.<sample_index>.txt`, made with `go tool pprof
//! -symbolize=none -top -sample_index=<sample_index> FILE`, go1.19.8).
//!
//! Every file is handed over as bytes, so the format is found by content,
//! never by name. The whole `-top` text is compared, header lines
//! included: the oracles carry `File:`, `Type:`, `Duration:` and `Showing
//! nodes ...`, all of which pprof-lens prints. A new legacy file with its
//! oracles is tested without touching this file.
//!
//! `tests/data/legacy` holds files of the same formats from other
//! producers' layouts (32-bit big endian CPU, split and offset mappings,
//! `MAPPED_LIBRARIES:`, Java heapz / contentionz / CPU), with oracles
//! from go1.27.3's pprof; its README says how they were made.

mod support;

use std::path::Path;

use support::diff;

use pprof_lens::analysis::options::{ReportOptions, SortOrder};
use pprof_lens::analysis::top::top_table;
use pprof_lens::view::top_text::render_top;

const MORE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/legacy");

/// (profile file, sample index, oracle file) for every oracle in `dir`.
fn oracles(dir: &str) -> Vec<(String, String, String)> {
    let dir = Path::new(dir);
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("corpus directory {} is missing: {e}", dir.display()));
    let mut out = Vec::new();
    for entry in entries {
        let name = entry
            .expect("directory entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let Some(stem) = name.strip_suffix(".txt") else {
            continue;
        };
        let Some(pos) = stem.rfind(".top.") else {
            continue;
        };
        out.push((
            stem[..pos].to_string(),
            stem[pos + ".top.".len()..].to_string(),
            name.clone(),
        ));
    }
    out.sort();
    out
}

#[test]
fn every_legacy_corpus_file_matches_its_pprof_oracles() {
    let Some(corpus) = support::corpus("every_legacy_corpus_file_matches_its_pprof_oracles") else {
        return;
    };
    check(corpus.join("legacy").to_str().expect("a UTF-8 path"), 7);
}

#[test]
fn other_layouts_and_java_match_their_pprof_oracles() {
    check(MORE, 16);
}

fn check(dir: &str, want_files: usize) {
    let oracles = oracles(dir);
    let files: std::collections::BTreeSet<&str> = oracles.iter().map(|o| o.0.as_str()).collect();
    assert!(
        files.len() >= want_files,
        "expected {want_files} files in {dir}, found {files:?}"
    );
    let mut failures = Vec::new();
    for (file, index, oracle) in &oracles {
        let bytes = std::fs::read(Path::new(dir).join(file)).expect("profile");
        let profile = match pprof_lens::decode::decode(&bytes) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("FAIL {oracle}: decoding: {e}");
                failures.push(oracle.clone());
                continue;
            }
        };
        let sample_index = profile.sample_index_by_name(index);
        let Some(sample_index) = sample_index else {
            eprintln!("FAIL {oracle}: no sample type {index}");
            failures.push(oracle.clone());
            continue;
        };
        let opts = ReportOptions {
            sample_index: Some(sample_index),
            sort: SortOrder::Flat,
            nodecount: 100_000,
            ..ReportOptions::default()
        };
        let table = top_table(&profile, &opts).unwrap_or_else(|e| panic!("{oracle}: {e}"));
        let got = render_top(&profile, &table, &opts);
        let want = std::fs::read_to_string(Path::new(dir).join(oracle)).expect("oracle");
        match diff(&want, &got) {
            None => eprintln!("ok   {oracle}"),
            Some(d) => {
                eprintln!("FAIL {oracle}\n{d}");
                failures.push(oracle.clone());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} oracles differ: {failures:?}",
        failures.len(),
        oracles.len()
    );
}
