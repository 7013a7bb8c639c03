//! Small series of built debug=2-like dumps, one rule or edge at a time;
//! the corpus' leaking program is `tests/series.rs`.

use super::*;
use crate::model::builder::ProfileBuilder;
use crate::model::{Goroutine, SourceFormat};

/// A debug=2-like dump of `n` goroutines per (bracket, frames leaf first,
/// creator) spec, ids from `first_id` on; a bracket is `state`, `state, N
/// minutes` or `state (leaked)`.
fn dump(first_id: u64, specs: &[(usize, &str, &[&str], &str)]) -> Profile {
    let mut b = ProfileBuilder::new(&[("goroutine", "count")]).format(SourceFormat::GoroutineDump);
    let mut rows = Vec::new();
    let mut id = first_id;
    for (n, bracket, frames, creator) in specs {
        let (head, leaked) = match bracket.strip_suffix(" (leaked)") {
            Some(h) => (h, true),
            None => (*bracket, false),
        };
        let (state, wait) = match head.split_once(", ") {
            Some((s, m)) => (s, Some(m.trim_end_matches(" minutes").parse().unwrap())),
            None => (head, None),
        };
        let root_first: Vec<&str> = frames.iter().rev().copied().collect();
        for _ in 0..*n {
            b = b.sample(&format!("{} 1", root_first.join(";")));
            let created_by = Some(b.frame_location(creator));
            let state = b.profile_mut().strings.intern(state);
            rows.push(Goroutine {
                id,
                state,
                wait_minutes: wait,
                leaked,
                created_by,
                ..Goroutine::default()
            });
            id += 1;
        }
    }
    let p = b.profile_mut();
    p.goroutines.leak_profile = rows.iter().any(|g| g.leaked);
    p.goroutines.rows = rows;
    b.build()
}

fn series(ps: &[Profile]) -> SeriesSummary {
    let names: Vec<String> = (0..ps.len()).map(|i| format!("s{i}")).collect();
    let refs: Vec<(&str, &Profile)> = names.iter().map(|n| n.as_str()).zip(ps).collect();
    summarize_series(&refs).expect("a series")
}

fn kinds(g: &SeriesGroup) -> Vec<ReasonKind> {
    g.reasons.iter().map(|r| r.kind).collect()
}

const MAIN: &[&str] = &["main.main"];

#[test]
fn the_match_key_drops_runtime_frames_and_type_arguments() {
    let frames = |names: &[&str]| -> Vec<Frame> {
        names
            .iter()
            .map(|f| Frame {
                function: f.to_string(),
                ..Frame::default()
            })
            .collect()
    };
    assert_eq!(
        match_key(&frames(&[
            "runtime.gopark",
            "runtime.chansend1",
            "main.send",
            "internal/runtime/maps.x",
            "runtime/pprof.Do",
            "runtime.goexit"
        ])),
        ["main.send", "runtime/pprof.Do"]
    );
    assert_eq!(
        match_key(&frames(&[
            "main.(*Cache[go.shape.string,go.shape.[]uint8]).Refresh[go.shape.interface { Error() string }].func1",
            "main.(*Cache[...]).Refresh[...]",
            "main.f[...]",
        ])),
        [
            "main.(*Cache[...]).Refresh[...].func1",
            "main.(*Cache[...]).Refresh[...]",
            "main.f[...]"
        ]
    );
    assert_eq!(
        match_key(&frames(&["runtime.gcBgMarkWorker", "runtime.goexit"])),
        ["runtime.gcBgMarkWorker", "runtime.goexit"]
    );
}

#[test]
fn groups_match_across_ids_and_new_groups_start_at_zero() {
    let a = dump(
        10,
        &[(2, "chan receive", &["main.wait", "main.run"], "main.main")],
    );
    // Other goroutine ids, and a group the first snapshot lacks.
    let b = dump(
        500,
        &[
            (
                3,
                "chan receive, 2 minutes",
                &["main.wait", "main.run"],
                "main.main",
            ),
            (1, "running", MAIN, "main.init"),
        ],
    );
    let s = series(&[a, b]);
    assert_eq!(s.groups.len(), 2);
    let g = s
        .groups
        .iter()
        .find(|g| g.functions[0] == "main.wait")
        .unwrap();
    assert_eq!(
        (g.counts(), g.growth, g.grew_every_step),
        (vec![2, 3], 1, true)
    );
    assert_eq!(
        g.cells.iter().map(|c| c.wait).collect::<Vec<_>>(),
        [
            Some(WaitRange { min: 0, max: 0 }),
            Some(WaitRange { min: 2, max: 2 })
        ]
    );
    let new = s
        .groups
        .iter()
        .find(|g| g.functions[0] == "main.main")
        .unwrap();
    assert_eq!((new.counts(), new.cells[0].wait), (vec![0, 1], None));
    assert_eq!(
        s.states,
        [
            StateSeries {
                state: "chan receive".into(),
                counts: vec![2, 3]
            },
            StateSeries {
                state: "running".into(),
                counts: vec![0, 1]
            }
        ]
    );
}

#[test]
fn leaked_marks_are_certain_and_come_first() {
    let spec_leak: &[&str] = &["main.lost"];
    let grow: &[&str] = &["main.grow"];
    let a = dump(
        10,
        &[
            (1, "chan send", spec_leak, "main.main"),
            (1, "select", grow, "main.main"),
        ],
    );
    let b = dump(
        50,
        &[
            (1, "chan send (leaked)", spec_leak, "main.main"),
            (5, "select", grow, "main.main"),
        ],
    );
    let s = series(&[a, b]);
    let first = &s.groups[0];
    assert_eq!(first.functions, ["main.lost"]);
    assert_eq!(first.verdict, Verdict::Leaked);
    assert_eq!(first.reasons[0].kind, ReasonKind::Leaked);
    assert_eq!(first.reasons[0].severity, Severity::Error);
    assert!(
        first.reasons[0]
            .text
            .starts_with("Go's leak detector found 1 goroutine of this group leaked in s1"),
        "{}",
        first.reasons[0].text
    );
    assert_eq!(s.snapshots[1].leaked, 1);
    assert_eq!(s.groups[1].verdict, Verdict::Suspect);
}

#[test]
fn a_goroutineleak_profile_marks_every_goroutine() {
    let leak = ProfileBuilder::new(&[("goroutineleak", "count")])
        .samples(&["main.main;main.stuck 4"])
        .build();
    let plain = ProfileBuilder::new(&[("goroutine", "count")])
        .samples(&["main.main;main.stuck 4"])
        .build();
    let s = series(&[plain, leak]);
    assert_eq!(s.groups.len(), 1);
    assert_eq!(
        s.groups[0]
            .cells
            .iter()
            .map(|c| c.leaked)
            .collect::<Vec<_>>(),
        [0, 4]
    );
    assert_eq!(s.groups[0].verdict, Verdict::Leaked);
}

#[test]
fn nil_channels_are_blocked_forever_even_when_constant() {
    let f: &[&str] = &["main.nilwait"];
    let p = || {
        dump(
            10,
            &[
                (2, "chan receive (nil chan)", f, "main.main"),
                (1, "running", MAIN, "x.y"),
            ],
        )
    };
    let s = series(&[p(), p()]);
    assert_eq!(s.groups[0].functions, ["main.nilwait"]);
    assert_eq!(kinds(&s.groups[0]), [ReasonKind::BlockedForever]);
    assert_eq!(s.groups[0].verdict, Verdict::Suspect);
    assert_eq!(
        (s.groups[1].verdict, kinds(&s.groups[1])),
        (Verdict::Stable, vec![ReasonKind::Stable])
    );
}

#[test]
fn a_send_whose_creator_still_runs_has_a_counterpart() {
    let send: &[&str] = &["main.send"];
    let p = |n: usize| {
        dump(
            10,
            &[
                (n, "chan send", send, "main.owner"),
                (1, "chan receive", &["main.owner"], "main.main"),
            ],
        )
    };
    let s = series(&[p(1), p(3)]);
    let g = &s.groups[0];
    assert_eq!(g.functions, ["main.send"]);
    assert_eq!(
        kinds(g),
        [ReasonKind::GrewEveryStep],
        "the owner still runs"
    );
    // Without the owner, the send has no counterpart.
    let q = |n: usize| dump(10, &[(n, "chan send", send, "main.owner")]);
    let s = series(&[q(1), q(3)]);
    assert_eq!(
        kinds(&s.groups[0]),
        [ReasonKind::GrewEveryStep, ReasonKind::NoCounterpart]
    );
}

#[test]
fn a_group_that_shrank_and_grew_is_changed_not_suspected() {
    let f: &[&str] = &["main.burst"];
    let s = series(&[
        dump(10, &[(3, "IO wait", f, "main.main")]),
        dump(10, &[(1, "IO wait", f, "main.main")]),
        dump(10, &[(4, "IO wait", f, "main.main")]),
    ]);
    let g = &s.groups[0];
    assert_eq!(
        (g.verdict, g.growth, g.grew_every_step),
        (Verdict::Changed, 1, false)
    );
    assert!(g.reasons.is_empty());
}

#[test]
fn too_few_or_foreign_snapshots_are_errors() {
    let d = dump(1, &[(1, "running", MAIN, "x.y")]);
    assert_eq!(summarize_series(&[]), Err(SeriesError::TooFew { count: 0 }));
    let cpu = ProfileBuilder::new(&[("samples", "count"), ("cpu", "nanoseconds")])
        .samples(&["main.main 1 10"])
        .build();
    let e = summarize_series(&[("d", &d), ("cpu.pb", &cpu)]).unwrap_err();
    assert_eq!(
        e,
        SeriesError::NotGoroutines {
            name: "cpu.pb".into(),
            format: "pprof protobuf".into()
        }
    );
}

#[test]
fn shorter_waits_later_warn_of_the_order_but_one_rewait_does_not() {
    let f: &[&str] = &["main.wait"];
    let old = dump(10, &[(3, "chan receive, 5 minutes", f, "main.main")]);
    let young = dump(10, &[(3, "chan receive, 2 minutes", f, "main.main")]);
    let s = series(&[old.clone(), young.clone()]);
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(
        s.warnings[0].starts_with("s1 looks older than s0, which comes before it: of the 3"),
        "{}",
        s.warnings[0]
    );
    assert!(series(&[young.clone(), old.clone()]).warnings.is_empty());
    // One worker woke and blocked again (its wait restarted); two waited on.
    let mut later = dump(10, &[(3, "chan receive, 7 minutes", f, "main.main")]);
    later.goroutines.rows[0].wait_minutes = None;
    assert!(series(&[old, later]).warnings.is_empty());
    // A format without states has nothing to check.
    let plain = ProfileBuilder::new(&[("goroutine", "count")])
        .samples(&["main.wait 3"])
        .build();
    assert!(series(&[young, plain]).warnings.is_empty());
}

#[test]
fn lock_waiters_whose_wait_grows_are_stuck_even_when_constant() {
    let f: &[&str] = &["sync.(*Mutex).Lock", "main.update"];
    let at = |bracket: &str| dump(10, &[(2, bracket, f, "main.main")]);
    let s = series(&[
        at("sync.Mutex.Lock, 1 minutes"),
        at("sync.Mutex.Lock, 3 minutes"),
    ]);
    let g = &s.groups[0];
    assert_eq!(
        (g.verdict, kinds(g)),
        (Verdict::Suspect, vec![ReasonKind::StuckOnALock])
    );
    assert!(
        g.reasons[0]
            .text
            .starts_with("Waiting in sync.Mutex.Lock at main.update for 1 → 3 minutes"),
        "{}",
        g.reasons[0].text
    );
    // Granted in between (the wait restarted): stable, not stuck.
    let s = series(&[
        at("sync.Mutex.Lock, 3 minutes"),
        at("sync.Mutex.Lock, 1 minutes"),
    ]);
    assert_eq!(s.groups[0].verdict, Verdict::Stable);
}
