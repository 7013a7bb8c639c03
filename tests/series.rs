//! The goroutine series (leak finder) over the corpus' leaking program:
//! `../shared/corpus/series/` holds three snapshots of `leak_http` in the
//! debug=2, debug=1 and protobuf forms (see its README). The leaking group
//! (`main.slowBackend` blocked in `chan send`) must come first among the
//! suspects, with counts equal to what the raw files say, in every form and
//! in a mixed series; the pool of 16 (`main.pool`) must be stable.
//!
//! The counts are checked against the raw text, not against the decoder:
//! debug=2 by counting goroutine headers whose stack holds the function,
//! debug=1 by reading the count of the record that lists it. The protobuf
//! form has no text, and must equal the other two.
//!
//! `tests/data/series/results/` holds readable goldens of the whole
//! series (leak_http's debug=2 snapshots, and Go 1.27's leak detector
//! marks); re-bless with `PPROF_LENS_BLESS=1 cargo test --test series`.

use std::fmt::Write as _;
use std::path::Path;

use pprof_lens::analysis::goroutines::series::{
    summarize_series, ReasonKind, SeriesError, SeriesGroup, SeriesSummary, Verdict,
};
use pprof_lens::model::Profile;

mod support;

const SNAPS: [&str; 3] = ["snap0", "snap1", "snap2"];
const LEAK_FN: &str = "main.slowBackend";
const POOL_FN: &str = "main.pool";

fn corpus(test: &str) -> Option<std::path::PathBuf> {
    support::corpus(&format!("series::{test}"))
}

fn file(dir: &Path, snap: &str, form: &str) -> String {
    format!("{}/series/leak_http.{snap}.{form}", dir.display())
}

fn load(path: &str) -> Profile {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    pprof_lens::decode::decode(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Goroutines of a debug=2 dump whose stack names `func`: headers counted
/// from the raw text, one block per blank-line-separated paragraph.
fn count_debug2(text: &str, func: &str) -> u64 {
    text.split("\n\n")
        .filter(|b| b.starts_with("goroutine "))
        .filter(|b| {
            b.lines()
                .take_while(|l| !l.starts_with("created by "))
                .any(|l| l.starts_with(&format!("{func}(")))
        })
        .count() as u64
}

/// The count of the debug=1 record whose frames name `func`.
fn count_debug1(text: &str, func: &str) -> u64 {
    text.split("\n\n")
        .filter(|r| r.lines().any(|l| l.contains(&format!("\t{func}+"))))
        .map(|r| {
            let head = r.lines().find(|l| l.contains(" @ ")).unwrap();
            head.split(" @ ").next().unwrap().parse::<u64>().unwrap()
        })
        .sum()
}

fn group<'a>(s: &'a SeriesSummary, func: &str) -> &'a SeriesGroup {
    s.groups
        .iter()
        .find(|g| g.functions.first().map(String::as_str) == Some(func))
        .unwrap_or_else(|| panic!("no group at {func}:\n{}", render(s)))
}

fn series(dir: &Path, forms: &[&str]) -> SeriesSummary {
    let named: Vec<(String, Profile)> = SNAPS
        .iter()
        .zip(forms)
        .map(|(snap, form)| (format!("{snap}.{form}"), load(&file(dir, snap, form))))
        .collect();
    let refs: Vec<(&str, &Profile)> = named.iter().map(|(n, p)| (n.as_str(), p)).collect();
    summarize_series(&refs).expect("a series")
}

/// The leak first, with `want` counts; the pool stable at 16.
fn check_leak_and_pool(s: &SeriesSummary, want: &[u64]) {
    let first = s.suspects().next().expect("a suspect");
    assert_eq!(
        first.functions.first().map(String::as_str),
        Some(LEAK_FN),
        "{}",
        render(s)
    );
    assert_eq!(first.counts(), want);
    assert!(first.grew_every_step);
    assert_eq!(first.growth, want[2] as i64 - want[0] as i64);
    assert_eq!(s.groups[0].functions, first.functions, "suspects lead");
    let pool = group(s, POOL_FN);
    assert_eq!(pool.counts(), [16, 16, 16]);
    assert_eq!((pool.verdict, pool.is_suspect()), (Verdict::Stable, false));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

fn raw_counts(dir: &Path, func: &str) -> (Vec<u64>, Vec<u64>) {
    let read = |snap: &str, form: &str| std::fs::read_to_string(file(dir, snap, form)).unwrap();
    let d2 = SNAPS
        .iter()
        .map(|s| count_debug2(&read(s, "goroutine.debug2.txt"), func))
        .collect();
    let d1 = SNAPS
        .iter()
        .map(|s| count_debug1(&read(s, "goroutine.debug1.txt"), func))
        .collect();
    (d2, d1)
}

#[test]
fn debug2_snapshots_put_the_blocked_send_first() {
    let Some(dir) = corpus("debug2_snapshots_put_the_blocked_send_first") else {
        return;
    };
    let (want, _) = raw_counts(&dir, LEAK_FN);
    assert_eq!(want, [101, 251, 451], "the README's figures");
    let s = series(&dir, &["goroutine.debug2.txt"; 3]);
    check_leak_and_pool(&s, &want);
    let (pool, _) = raw_counts(&dir, POOL_FN);
    assert_eq!(pool, [16, 16, 16]);
    let totals: Vec<u64> = s.snapshots.iter().map(|x| x.total).collect();
    let headers: Vec<u64> = SNAPS
        .iter()
        .map(|snap| {
            let t = std::fs::read_to_string(file(&dir, snap, "goroutine.debug2.txt")).unwrap();
            t.lines().filter(|l| l.starts_with("goroutine ")).count() as u64
        })
        .collect();
    assert_eq!(totals, headers);
    let leak = &s.groups[0];
    let kinds: Vec<_> = leak.reasons.iter().map(|r| r.kind).collect();
    use ReasonKind::*;
    assert_eq!(kinds, [GrewEveryStep, NoCounterpart, GrowingWait]);
    assert_eq!(
        leak.cells
            .iter()
            .map(|c| c.wait.unwrap().max)
            .collect::<Vec<_>>(),
        [0, 1, 2]
    );
    support::check_golden(
        "tests/data/series/results/leak_http.debug2.series.txt",
        &render(&s),
    );
}

#[test]
fn debug1_and_protobuf_forms_agree() {
    let Some(dir) = corpus("debug1_and_protobuf_forms_agree") else {
        return;
    };
    let (d2, d1) = raw_counts(&dir, LEAK_FN);
    assert_eq!(d1, d2, "the two text forms count alike");
    for form in ["goroutine.debug1.txt", "goroutine.pb.gz"] {
        let s = series(&dir, &[form; 3]);
        check_leak_and_pool(&s, &d1);
        let leak = &s.groups[0];
        assert!(leak.states.is_empty() && leak.cells.iter().all(|c| c.wait.is_none()));
    }
}

#[test]
fn a_mixed_series_matches_across_forms() {
    let Some(dir) = corpus("a_mixed_series_matches_across_forms") else {
        return;
    };
    let (want, _) = raw_counts(&dir, LEAK_FN);
    let s = series(
        &dir,
        &[
            "goroutine.pb.gz",
            "goroutine.debug1.txt",
            "goroutine.debug2.txt",
        ],
    );
    check_leak_and_pool(&s, &want);
    // The running goroutine writes the dump itself, through a different
    // path per form, so it cannot match; every other group must.
    assert_eq!(
        s.groups.iter().filter(|g| g.counts()[2] > 0).count(),
        3,
        "{}",
        render(&s)
    );
}

#[test]
fn a_swapped_order_is_reported() {
    let Some(dir) = corpus("a_swapped_order_is_reported") else {
        return;
    };
    let p: Vec<Profile> = ["snap0", "snap2", "snap1"]
        .iter()
        .map(|s| load(&file(&dir, s, "goroutine.debug2.txt")))
        .collect();
    let s = summarize_series(&[("snap0", &p[0]), ("snap2", &p[1]), ("snap1", &p[2])]).unwrap();
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(
        s.warnings[0].starts_with("snap1 looks older than snap2"),
        "{}",
        s.warnings[0]
    );
    // Out of order, the leak no longer grew at every step.
    assert!(!group(&s, LEAK_FN).grew_every_step);
}

#[test]
fn bad_series_are_refused_by_name() {
    let Some(dir) = corpus("bad_series_are_refused_by_name") else {
        return;
    };
    let dump = load(&file(&dir, "snap0", "goroutine.debug2.txt"));
    let heap = load(&file(&dir, "snap1", "heap.pb.gz"));
    assert_eq!(
        summarize_series(&[("only", &dump)]),
        Err(SeriesError::TooFew { count: 1 })
    );
    let e = summarize_series(&[("a", &dump), ("snap1.heap", &heap)]).unwrap_err();
    assert!(matches!(&e, SeriesError::NotGoroutines { name, .. } if name == "snap1.heap"));
    assert!(
        e.to_string().starts_with("snap1.heap is a pprof protobuf"),
        "{e}"
    );
}

/// Every field a user sees, one group per paragraph.
fn render(s: &SeriesSummary) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "snapshots:");
    for x in &s.snapshots {
        let _ = writeln!(
            o,
            "  {}: {} goroutines, {}, states {}, leaked {}",
            x.name,
            x.total,
            x.format,
            if x.states_recorded { "yes" } else { "no" },
            x.leaked
        );
    }
    let _ = writeln!(o, "states:");
    for st in &s.states {
        let name = if st.state.is_empty() {
            "(not recorded)"
        } else {
            &st.state
        };
        let _ = writeln!(o, "  {name}: {:?}", st.counts);
    }
    let _ = writeln!(o, "warnings: {}", s.warnings.len());
    for w in &s.warnings {
        let _ = writeln!(o, "  {w}");
    }
    let _ = writeln!(o, "\ngroups: {}", s.groups.len());
    for (i, g) in s.groups.iter().enumerate() {
        let waits: Vec<String> = g
            .cells
            .iter()
            .map(|c| match c.wait {
                Some(w) if w.min == w.max => format!("{}", w.max),
                Some(w) => format!("{}-{}", w.min, w.max),
                None => "-".into(),
            })
            .collect();
        let _ = writeln!(
            o,
            "#{i} {:?} at {}\n  counts {:?}, growth {:+}, every step {}, leaked {:?}\n  states {:?}, waits (minutes) {}, created by {}",
            g.verdict,
            g.site,
            g.counts(),
            g.growth,
            g.grew_every_step,
            g.cells.iter().map(|c| c.leaked).collect::<Vec<_>>(),
            g.states,
            waits.join(" / "),
            g.created_by.as_deref().unwrap_or("-"),
        );
        let _ = writeln!(o, "  functions {}", g.functions.join(" < "));
        for r in &g.reasons {
            let _ = writeln!(o, "  [{:?}] {:?}: {}", r.severity, r.kind, r.text);
        }
    }
    o
}

/// Go 1.27's leak detector: a debug=2 dump whose leaked goroutines carry
/// `(leaked)`, then the goroutineleak profile of the same process, which
/// holds only leaked goroutines. Both mark them leaked, leaked groups come
/// first, and the counts equal the raw marks.
#[test]
fn leak_detector_marks_are_leaked_in_both_forms() {
    let Some(dir) = corpus("leak_detector_marks_are_leaked_in_both_forms") else {
        return;
    };
    let dump = format!("{}/go1.27/leak_orphans.goroutine.debug2.txt", dir.display());
    let leak = format!("{}/go1.27/leak_orphans.goroutineleak.pb.gz", dir.display());
    let text = std::fs::read_to_string(&dump).unwrap();
    let marked = |func: &str| -> u64 {
        text.split("\n\n")
            .filter(|b| b.lines().next().is_some_and(|h| h.contains(" (leaked)]")))
            .filter(|b| func.is_empty() || b.contains(&format!("\n{func}(")))
            .count() as u64
    };
    assert_eq!(marked(""), 16);
    let (a, b) = (load(&dump), load(&leak));
    let s = summarize_series(&[("dump", &a), ("goroutineleak", &b)]).unwrap();
    assert_eq!(
        s.snapshots.iter().map(|x| x.leaked).collect::<Vec<_>>(),
        [16, 16],
        "{}",
        render(&s)
    );
    let leaked = s
        .groups
        .iter()
        .take_while(|g| g.verdict == Verdict::Leaked)
        .count();
    // A generic function's goroutine matches across the forms although
    // the protobuf spells out its type arguments and the dump does not.
    assert_eq!(leaked, 4, "{}", render(&s));
    assert!(s.groups[leaked..]
        .iter()
        .all(|g| g.cells.iter().all(|c| c.leaked == 0)));
    let backend = group(&s, "main.queryBackend");
    assert_eq!(
        backend.cells.iter().map(|c| c.leaked).collect::<Vec<_>>(),
        [marked("main.queryBackend"), marked("main.queryBackend")]
    );
    assert_eq!(marked("main.queryBackend"), 9);
    assert_eq!(backend.reasons[0].kind, ReasonKind::Leaked);
    support::check_golden(
        "tests/data/series/results/leak_orphans.series.txt",
        &render(&s),
    );
}
