//! The sandwich's callers and callees against `go tool pprof -peek`.
//!
//! Every oracle in `tests/data/peek/` (made by `make.sh` there with Go
//! 1.27's pprof from the shared corpus) is read block by block: each block
//! is one function matched by the regex, its callers above, its callees
//! below. For each we print the sandwich's rows the way `-peek` prints
//! edges and compare the lines exactly (weight, share of cum, name,
//! `(inline)`), and the function's own flat and cum with their shares. The
//! set of functions must be the regex's matches in our graph too, so the
//! regex is read as pprof reads it.

mod support;

use std::path::{Path, PathBuf};

use pprof_lens::analysis::graph::Graph;
use pprof_lens::analysis::options::ReportOptions;
use pprof_lens::model::builder::ProfileBuilder;
use pprof_lens::pattern::Pattern;
use pprof_lens::view::sandwich::{find_node, sandwich, sandwich_of, Sandwich, SandwichRow};

const SEPARATOR: &str = "----------------------------------------------------------+-------------";

/// One function's block of a `-peek` text.
#[derive(Debug)]
struct Block {
    name: String,
    /// flat, flat%, cum, cum% as printed.
    figures: [String; 4],
    callers: Vec<String>,
    callees: Vec<String>,
}

fn parse_peek(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().skip_while(|l| !l.contains("calls% + context"));
    lines.next();
    let mut cur: Option<Block> = None;
    let mut pending: Vec<String> = Vec::new();
    for line in lines {
        if line == SEPARATOR {
            if let Some(b) = cur.take() {
                blocks.push(b);
            }
            pending.clear();
            continue;
        }
        let (left, right) = line.split_once('|').expect("a -peek line has a bar");
        if let Some(edge) = right.strip_prefix("   ") {
            let _ = edge;
            match &mut cur {
                Some(b) => b.callees.push(line.to_string()),
                None => pending.push(line.to_string()),
            }
        } else {
            let t: Vec<&str> = left.split_whitespace().collect();
            assert_eq!(t.len(), 5, "node line {line:?}");
            cur = Some(Block {
                name: right.trim_start_matches(' ').to_string(),
                figures: [t[0], t[1], t[3], t[4]].map(String::from),
                callers: std::mem::take(&mut pending),
                callees: Vec::new(),
            });
        }
    }
    blocks.extend(cur);
    blocks
}

/// A row as `-peek` prints an edge.
fn edge_line(r: &SandwichRow) -> String {
    let inline = if r.inline { " (inline)" } else { "" };
    format!("{:>50} {:>6} |   {}{inline}", r.cum_text, r.percent, r.name)
}

fn figures(s: &Sandwich) -> [String; 4] {
    [
        s.flat_text.clone(),
        s.flat_percent.clone(),
        s.cum_text.clone(),
        s.cum_percent.clone(),
    ]
}

fn oracle_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/peek");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/data/peek")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".peek.txt"))
        .collect();
    out.sort();
    out
}

#[test]
fn sandwich_rows_match_every_peek_oracle() {
    let Some(corpus) = support::corpus("sandwich_rows_match_every_peek_oracle") else {
        return;
    };
    let files = oracle_files();
    assert!(files.len() >= 10, "{} oracles", files.len());
    let mut failures = Vec::new();
    let mut functions = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).expect("oracle");
        let mut head = text.lines();
        let regex = head
            .next()
            .and_then(|l| l.strip_prefix("# regex: "))
            .expect("regex line");
        let file = head
            .next()
            .and_then(|l| l.rsplit(' ').next())
            .expect("command line");
        let bytes = std::fs::read(corpus.join(file)).expect("profile");
        let profile = pprof_lens::decode::decode(&bytes).expect("decodes");
        let opts = ReportOptions {
            nodefraction: 0.0,
            ..ReportOptions::default()
        };
        let graph = Graph::build(&profile, &opts).expect("graph");
        let blocks = parse_peek(&text);
        assert!(!blocks.is_empty(), "{name}: no block");

        // The regex picks the same functions as pprof's.
        let pattern = Pattern::new("peek", regex).expect("regex");
        let mut ours: Vec<String> = (0..graph.len())
            .filter(|&n| graph.is_present(n))
            .map(|n| graph.printable_name(&profile, n))
            .filter(|n| pattern.is_match(n))
            .collect();
        let mut theirs: Vec<String> = blocks.iter().map(|b| b.name.clone()).collect();
        ours.sort();
        theirs.sort();
        if ours != theirs {
            eprintln!("FAIL {name}: matches\n  want {theirs:?}\n  got  {ours:?}");
            failures.push(name.clone());
        }

        for b in &blocks {
            functions += 1;
            let s = sandwich(&profile, &graph, &b.name).expect("the function is found");
            assert_eq!(s.name, b.name);
            let got_callers: Vec<String> = s.callers.iter().map(edge_line).collect();
            let got_callees: Vec<String> = s.callees.iter().map(edge_line).collect();
            let fig = figures(&s);
            if got_callers != b.callers || got_callees != b.callees || fig != b.figures {
                eprintln!(
                    "FAIL {name} {}\n  want {:?}\n       {:#?}\n       {:#?}\n  got  {fig:?}\n       {got_callers:#?}\n       {got_callees:#?}",
                    b.name, b.figures, b.callers, b.callees
                );
                failures.push(format!("{name}: {}", b.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differ: {failures:?}",
        failures.len()
    );
    eprintln!("{} oracles, {functions} functions match", files.len());
}

fn profile(samples: &[&str]) -> pprof_lens::model::Profile {
    ProfileBuilder::new(&[("samples", "count")])
        .samples(samples)
        .build()
}

fn rows(rows: &[SandwichRow]) -> Vec<(&str, i64, i64)> {
    rows.iter()
        .map(|r| (r.name.as_str(), r.cum, r.flat))
        .collect()
}

/// pprof's rule for recursion: a stack counts once for the function and
/// once per edge, and a call from a function to itself is no edge.
#[test]
fn recursion_counts_a_stack_once() {
    let p = profile(&["main;f;f;f;g 5", "main;f;g;f 3", "h;f 2"]);
    let g = Graph::build(&p, &ReportOptions::default()).unwrap();
    let s = sandwich(&p, &g, "f").unwrap();
    assert_eq!((s.flat, s.cum), (5, 10));
    assert_eq!(rows(&s.callers), [("main", 8, 3), ("g", 3, 3), ("h", 2, 2)]);
    assert_eq!(rows(&s.callees), [("g", 8, 5)]);
    let total: i64 = s.callers.iter().map(|r| r.cum).sum();
    assert!(
        total > s.cum,
        "a function called from two places in one stack counts on both edges"
    );
}

#[test]
fn a_name_is_found_exactly_then_as_a_regex() {
    let p = profile(&[
        "main;net/http.serve;net/http.read 4",
        "main;net/http.serveX 6",
    ]);
    let g = Graph::build(&p, &ReportOptions::default()).unwrap();
    let (n, m) = find_node(&p, &g, "net/http.serve").unwrap();
    assert_eq!(
        (g.printable_name(&p, n as usize), m),
        ("net/http.serve".into(), 1)
    );
    // Both match the regex: the one with the largest cum is shown, and
    // the note says how many matched.
    let s = sandwich(&p, &g, "serve").unwrap();
    assert_eq!((s.name.as_str(), s.matches), ("net/http.serveX", 2));
    assert!(s.note.as_deref().unwrap().contains("2 functions match"));
    let none = sandwich(&p, &g, "nothing").unwrap_err();
    assert!(none.contains("no function matches"), "{none}");
    let bad = sandwich(&p, &g, "a(").unwrap_err();
    assert!(bad.contains("no function is named \"a(\""), "{bad}");
    assert!(sandwich(&p, &g, "  ").is_err());
    let _ = sandwich_of(&p, &g, n, 1);
}
