//! A decoded profile handed between workers (`model::snapshot`) comes back
//! as it went: every corpus file that decodes, of every format, is turned
//! into bytes and back, and the copy must give the same bytes again, find
//! every string and label set under its id, and print the same `-top`.

mod support;

use std::path::{Path, PathBuf};

use pprof_lens::analysis::options::ReportOptions;
use pprof_lens::analysis::top::top_table;
use pprof_lens::decode::decode;
use pprof_lens::model::snapshot::{from_bytes, to_bytes};
use pprof_lens::model::{LabelSetId, Profile};
use pprof_lens::view::top_text::render_top;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("corpus directory") {
        let path = e.expect("directory entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if std::fs::metadata(&path).is_ok_and(|m| m.len() < 8 << 20) {
            out.push(path);
        }
    }
}

fn top(p: &Profile) -> String {
    let opts = ReportOptions::default();
    match top_table(p, &opts) {
        Ok(t) => render_top(p, &t, &opts),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn every_decodable_corpus_file_comes_back_from_its_snapshot() {
    let Some(dir) = support::corpus("snapshot") else {
        return;
    };
    let mut paths = Vec::new();
    files(&dir, &mut paths);
    paths.sort();
    let (mut checked, mut dumps, mut labelled) = (0, 0, 0);
    for path in &paths {
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        let Ok(p) = decode(&std::fs::read(path).unwrap()) else {
            continue;
        };
        let bytes = to_bytes(&p);
        let mut back = from_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            to_bytes(&back) == bytes,
            "{name}: a second snapshot differs"
        );
        for (id, s) in p.strings.iter() {
            assert_eq!(back.strings.find(s), Some(id), "{name}: string {s:?}");
        }
        for i in 0..p.label_sets.len() {
            let set = p.label_sets.get(LabelSetId(i as u32)).to_vec();
            assert_eq!(
                back.label_sets.intern(&set),
                LabelSetId(i as u32),
                "{name}: label set {i}"
            );
        }
        assert_eq!(top(&back), top(&p), "{name}: -top");
        checked += 1;
        dumps += usize::from(!p.goroutines.rows.is_empty());
        labelled += usize::from(p.label_sets.len() > 1);
    }
    // Not vacuous: the corpus's profiles, dumps and labelled files came by.
    assert!(
        checked >= 40 && dumps >= 5 && labelled >= 5,
        "{checked} files, {dumps} dumps, {labelled} labelled"
    );
}

#[test]
fn a_snapshot_that_breaks_the_models_links_is_refused() {
    let p = decode(&support::read_corpus("goroutine_states.debug2.txt")).unwrap();
    let bytes = to_bytes(&p);
    // Each cut ends the bytes inside some table: an error, never a panic.
    for cut in (0..bytes.len()).step_by(bytes.len() / 200 + 1) {
        assert!(from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
    }
}
