//! pprof's report options against `go tool pprof -top` (Go 1.27) on the
//! corpus: each granularity (with and without inlined frames), the name
//! filters (`focus`, `ignore`, `hide`, `show`, `show_from`), `cum`,
//! `nodecount`, `nodefraction` and `edgefraction`, on Go 1.19 and Go 1.27
//! profiles and the legacy formats; and on profiles merged, and compared
//! with `-diff_base` and `-base` (with `-normalize` too).
//! `tests/data/options/CASES.tsv` lists the oracles and `make.sh` beside
//! it remakes them.
//!
//! Where pprof's row order is its own choice, any order is taken. Go
//! 1.27's pprof sorts with `sort.Sort` (not stable), its graph's nodes
//! come out of a map, and two distinct nodes that print the same name
//! compare neither less nor greater (`comparePrintableName`). So rows
//! whose sort value (flat, or cum with `-cum`) and name are both equal
//! come in a different order from run to run: at file granularity, each
//! function of a file is its own row named by the file. Such a table must
//! then list the same rows, and the same sort value and name row by row.

mod support;

use support::cases::{load, options};

use pprof_lens::model::compare::CompareMode;
use pprof_lens::protocol::{Answer, Query};
use pprof_lens::session::{Named, Session};

/// A top table's row without its `sum%`, which depends on the rows above.
fn without_sum(row: &str) -> String {
    let f: Vec<&str> = row.split_whitespace().collect();
    format!("{} {} {}", f[0], f[1], f[3..].join(" "))
}

/// Whether `got` is `want` up to the order of rows that tie in pprof's
/// sort (see the module docs); `cum` names the sort value.
fn same_up_to_ties(want: &str, got: &str, cum: bool) -> bool {
    let split = |t: &str| -> (Vec<String>, Vec<String>) {
        let lines: Vec<&str> = t.lines().collect();
        let head = lines
            .iter()
            .position(|l| l.trim_start().starts_with("flat"));
        let head = head.map_or(lines.len(), |h| h + 1);
        let rows = lines[head..].iter().map(|r| r.to_string()).collect();
        (lines[..head].iter().map(|l| l.to_string()).collect(), rows)
    };
    let ((want_head, want_rows), (got_head, got_rows)) = (split(want), split(got));
    if want_head != got_head || want_rows.len() != got_rows.len() {
        return false;
    }
    // The sort value and the name, row by row.
    let key = |row: &String| {
        let f: Vec<&str> = row.split_whitespace().collect();
        let value = if cum { f[3] } else { f[0] };
        (value.to_string(), f[5..].join(" ").replace(" (inline)", ""))
    };
    if !want_rows.iter().map(key).eq(got_rows.iter().map(key)) {
        return false;
    }
    let sorted = |rows: &[String]| {
        let mut v: Vec<String> = rows.iter().map(|r| without_sum(r)).collect();
        v.sort();
        v
    };
    sorted(&want_rows) == sorted(&got_rows)
}

#[test]
fn report_options_match_every_pprof_oracle() {
    let Some((corpus, dir, cases)) =
        load("report_options_match_every_pprof_oracle", "options", 200)
    else {
        return;
    };
    let mut failures = Vec::new();
    let mut reordered = 0;
    for c in &cases {
        let mut named: Vec<Named> = c
            .profile
            .split(' ')
            .map(|f| {
                let bytes = std::fs::read(corpus.join(f)).expect("corpus profile");
                let p = pprof_lens::decode::decode(&bytes).expect("decodes");
                (f.to_string(), p)
            })
            .collect();
        let normalize = c.flags.iter().any(|(k, _)| k == "normalize");
        let flags: Vec<(String, String)> = c
            .flags
            .iter()
            .filter(|(k, _)| k != "normalize")
            .cloned()
            .collect();
        let opts = options(&named[named.len() - 1].1, &flags);
        let cum = c.flags.iter().any(|(k, _)| k == "cum");
        let mut session = match c.report.as_str() {
            "-top" if named.len() == 1 => Session::new(named.remove(0).1),
            "-top" => Session::merged(named).expect("merges"),
            "-diff_base" | "-base" => {
                let mode = if c.report == "-base" {
                    CompareMode::Base
                } else {
                    CompareMode::DiffBase
                };
                let new = named.pop().expect("a new profile");
                let base = named.pop().expect("a base profile");
                Session::compared(new, base, mode, normalize).expect("compares")
            }
            r => panic!("{}: report {r}", c.oracle),
        };
        let got = match session.answer(Query::TopText { opts }) {
            Answer::Text { text } => text,
            other => panic!("{}: {other:?}", c.oracle),
        };
        let want = c.oracle_text(&dir);
        if want != got && same_up_to_ties(&want, &got, cum) {
            reordered += 1;
            continue;
        }
        support::check_oracle(&c.oracle, &want, &got, &mut failures);
    }
    support::assert_all_match(&failures, cases.len());
    eprintln!(
        "{} oracles match ({reordered} with tied rows in pprof's order of that run)",
        cases.len()
    );
}

#[test]
fn tied_rows_may_come_in_any_order_but_nothing_else_may_move() {
    let head = "Showing nodes accounting for 3s, 100% of 3s total\n      flat  flat%   sum%        cum   cum%\n";
    let table = |rows: &[&str]| format!("{head}{}\n", rows.join("\n"));
    let a = "         1s 33.33% 33.33%         2s 66.67%  main.go";
    let b = "         1s 33.33% 66.67%         1s 33.33%  main.go (inline)";
    let c = "         1s 33.33%   100%         3s   100%  x.go";
    let b_first = "         1s 33.33% 33.33%         1s 33.33%  main.go (inline)";
    let a_second = "         1s 33.33% 66.67%         2s 66.67%  main.go";
    let want = table(&[a, b, c]);
    // Two main.go rows of equal flat: either order.
    assert!(same_up_to_ties(
        &want,
        &table(&[b_first, a_second, c]),
        false
    ));
    // Sorted by cum they do not tie, so their order is pprof's.
    assert!(!same_up_to_ties(
        &want,
        &table(&[b_first, a_second, c]),
        true
    ));
    // A row of another name may not move.
    let c_first = "         1s 33.33% 33.33%         3s   100%  x.go";
    let a_then = "         1s 33.33% 66.67%         2s 66.67%  main.go";
    let b_last = "         1s 33.33%   100%         1s 33.33%  main.go (inline)";
    assert!(!same_up_to_ties(
        &want,
        &table(&[c_first, a_then, b_last]),
        false
    ));
    // Nor may a value change.
    let a_more = "         1s 33.33% 33.33%       2.5s 83.33%  main.go";
    assert!(!same_up_to_ties(&want, &table(&[a_more, b, c]), false));
}
