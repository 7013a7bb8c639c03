//! What the integration tests share: the golden-file check with its bless
//! switch, where the shared corpus is, and a seeded random stream.
//!
//! Each test file that uses it says `mod support;`; not every file uses
//! every function.
#![allow(dead_code)]

pub mod cases;

use std::io::Write;
use std::path::{Path, PathBuf};

/// Set `PPROF_LENS_BLESS=1` to rewrite golden files from what the code
/// produces now (review the diff before committing it).
pub const BLESS: &str = "PPROF_LENS_BLESS";

/// Compares `got` with the golden file at `path` (relative to the crate
/// root), or rewrites it when blessing. A mismatch names the first lines
/// that differ, so a failure says where, not only that.
pub fn check_golden(path: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os(BLESS).is_some() {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("golden folder");
        std::fs::write(&path, got).expect("golden file written");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (make it with {BLESS}=1)", path.display()));
    if let Some(d) = diff(&want, got) {
        panic!("{} differs ({BLESS}=1 rewrites it):\n{d}", path.display());
    }
}

/// Compares one oracle's text with ours, printing `ok` or the differing
/// lines, and records the oracle's name in `failures` when they differ, so
/// a run reports every oracle at once.
pub fn check_oracle(name: &str, want: &str, got: &str, failures: &mut Vec<String>) {
    match diff(want, got) {
        None => eprintln!("ok   {name}"),
        Some(d) => {
            eprintln!("FAIL {name}\n{d}");
            failures.push(name.to_string());
        }
    }
}

/// Fails naming the oracles of `failures`, out of `count` checked.
pub fn assert_all_match(failures: &[String], count: usize) {
    assert!(
        failures.is_empty(),
        "{} of {count} oracles differ: {failures:?}",
        failures.len()
    );
}

/// The first differing lines of two texts, or `None` when they are equal.
pub fn diff(want: &str, got: &str) -> Option<String> {
    if want == got {
        return None;
    }
    let w: Vec<&str> = want.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    let mut msg = String::new();
    let mut shown = 0;
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i).copied(), g.get(i).copied());
        if a != b {
            msg.push_str(&format!(
                "  line {}:\n    want: {a:?}\n    got:  {b:?}\n",
                i + 1
            ));
            shown += 1;
            if shown == 8 {
                break;
            }
        }
    }
    if msg.is_empty() {
        msg = "  (line endings differ)\n".to_string();
    }
    Some(format!("{} vs {} lines\n{msg}", w.len(), g.len()))
}

/// The shared corpus (`../shared/corpus` beside the crate), or `None` with
/// a note on stderr naming the test that skips: a clone without it still
/// runs every test that needs only the crate.
pub fn corpus(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else if std::env::var_os("CI").is_some() {
        panic!(
            "{test}: the shared corpus is missing at {} and CI needs it",
            dir.display()
        );
    } else {
        // Straight to stderr: libtest drops what `eprintln!` prints in a
        // test that passes.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: no shared corpus at {} (clone it beside the repo to run it)",
            dir.display()
        );
        None
    }
}

/// A file of the shared corpus (`rel` is relative to it). For the decoder
/// tests, which are about the corpus files themselves: without the corpus
/// they fail, saying so, rather than skip.
pub fn read_corpus(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): these tests need the shared corpus beside the repo",
            path.display()
        )
    })
}

/// A one-member gzip file of `data` (deflate level 1, as `gzip -1`).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 1));
    out.extend(pprof_lens::decode::gzip::crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

/// Marsaglia's xorshift64 (shifts 13, 7, 17), seeded, so every run draws
/// the same numbers (the crate's unit tests have the same stream); its
/// seed must not be 0.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed)
    }

    /// The next number of the stream.
    pub fn next_u64(&mut self) -> u64 {
        let x = &mut self.0;
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }
}
