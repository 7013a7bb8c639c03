//! Crashes: the panic, fatal error or signal that stopped the program, and
//! runaway recursion, which ends in one.

use crate::analysis::goroutines::{
    GoroutineSummary, Group, Hint, HintKind, PanicSummary, Severity,
};
use crate::model::PanicKind;

/// Runaway recursion: one function repeated this many times in a row.
pub const RECURSION_MIN_REPEATS: usize = 50;

/// What a crash message reports. The checks run in this order, so a message
/// naming two is the first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Crash {
    Deadlock,
    ConcurrentMap,
    StackOverflow,
    Other,
}

fn crash_of(p: &PanicSummary) -> Crash {
    let lower = p.message.to_ascii_lowercase();
    if lower.contains("all goroutines are asleep - deadlock") {
        Crash::Deadlock
    } else if lower.contains("concurrent map") {
        Crash::ConcurrentMap
    } else if lower.contains("stack overflow") || lower.contains("stack exceeds") {
        Crash::StackOverflow
    } else {
        Crash::Other
    }
}

/// One hint per crash, in the order of the file.
pub(super) fn crashes(s: &GoroutineSummary) -> Vec<Hint> {
    s.panics
        .iter()
        .map(|p| match crash_of(p) {
            Crash::Deadlock => deadlock(s),
            Crash::ConcurrentMap => concurrent_map(p),
            Crash::StackOverflow => stack_overflow(s, p),
            Crash::Other => stopped(p),
        })
        .collect()
}

/// The first line of the message.
fn message(p: &PanicSummary) -> String {
    p.message.lines().next().unwrap_or("").trim().to_string()
}

fn in_goroutine(p: &PanicSummary) -> String {
    p.goroutine
        .map_or(String::new(), |g| format!(" in goroutine {g}"))
}

fn its_group(p: &PanicSummary) -> Vec<u32> {
    p.group.into_iter().collect()
}

fn deadlock(s: &GoroutineSummary) -> Hint {
    Hint {
        severity: Severity::Error,
        kind: HintKind::Deadlock,
        title: "Deadlock: all goroutines are asleep".into(),
        text: "The runtime found no goroutine that could ever run again and stopped the program. \
               Every goroutine below is blocked; look for the locks or channels they wait on, \
               held or fed by another goroutine in this list."
            .into(),
        groups: (0..s.groups.len() as u32).collect(),
    }
}

fn concurrent_map(p: &PanicSummary) -> Hint {
    Hint {
        severity: Severity::Error,
        kind: HintKind::ConcurrentMap,
        title: format!("Data race on a map: {}", message(p)),
        text: format!(
            "The runtime caught a map being written while another goroutine used it{}. \
             The other goroutine is not necessarily in this dump; guard the map with a mutex \
             (or use sync.Map) and run the tests with -race to find both sides.",
            in_goroutine(p)
        ),
        groups: its_group(p),
    }
}

fn stack_overflow(s: &GoroutineSummary, p: &PanicSummary) -> Hint {
    let f = p
        .group
        .and_then(|g| repeated_function(&s.groups[g as usize]));
    let what = f.map_or(String::new(), |(f, n)| {
        format!(" {f} appears {n} times in a row in its stack.")
    });
    Hint {
        severity: Severity::Error,
        kind: HintKind::StackOverflow,
        title: "Stack overflow: runaway recursion".into(),
        text: format!(
            "A goroutine{} grew its stack past the limit, almost always unbounded recursion.{what}",
            in_goroutine(p)
        ),
        groups: its_group(p),
    }
}

/// Any other panic, fatal error or signal. A SIGQUIT is a dump someone
/// asked for, not a failure.
fn stopped(p: &PanicSummary) -> Hint {
    let msg = message(p);
    let (kind, severity, title) = match p.kind {
        PanicKind::Panic => (HintKind::Panic, Severity::Error, format!("panic: {msg}")),
        PanicKind::FatalError => (
            HintKind::FatalError,
            Severity::Error,
            format!("fatal error: {msg}"),
        ),
        PanicKind::Signal if msg.starts_with("SIGQUIT") => (
            HintKind::Signal,
            Severity::Info,
            format!("{msg}: dump requested with SIGQUIT"),
        ),
        PanicKind::Signal => (HintKind::Signal, Severity::Error, msg),
    };
    let text = match p.group {
        Some(g) => format!(
            "Goroutine {} stopped here; its group is listed first (#{g}).",
            p.goroutine.map_or("?".to_string(), |g| g.to_string()),
        ),
        None => "The goroutine that failed is not in the dump.".to_string(),
    };
    Hint {
        severity,
        kind,
        title,
        text,
        groups: its_group(p),
    }
}

/// Runaway recursion that no crash message reports (crash output cut, or
/// just a very deep stack): one hint per repeated function. Frames cut
/// from the stack, or the runtime growing it, make it an overflow.
pub(super) fn recursion(s: &GoroutineSummary) -> Vec<Hint> {
    if s.panics.iter().any(|p| crash_of(p) == Crash::StackOverflow) {
        return Vec::new();
    }
    struct Found {
        function: String,
        groups: Vec<u32>,
        deepest: usize,
        overflow: bool,
    }
    let mut found: Vec<Found> = Vec::new();
    for (i, g) in s.groups.iter().enumerate() {
        let Some((f, n)) = repeated_function(g) else {
            continue;
        };
        let overflow = g.frames_elided
            || g.stack
                .iter()
                .any(|f| f.function == "runtime.morestack" || f.function == "runtime.newstack");
        match found.iter_mut().find(|e| e.function == f) {
            Some(e) => {
                e.groups.push(i as u32);
                e.deepest = e.deepest.max(n);
                e.overflow |= overflow;
            }
            None => found.push(Found {
                function: f,
                groups: vec![i as u32],
                deepest: n,
                overflow,
            }),
        }
    }
    found
        .into_iter()
        .map(|Found { function: f, groups, deepest: n, overflow }| {
            if overflow {
                Hint {
                    severity: Severity::Error,
                    kind: HintKind::StackOverflow,
                    title: format!("Runaway recursion in {f}"),
                    text: format!(
                        "{f} calls itself at least {n} times in a row and the dump cut frames out of the \
                         middle of the stack: the pattern of `fatal error: stack overflow`."
                    ),
                    groups,
                }
            } else {
                Hint {
                    severity: Severity::Info,
                    kind: HintKind::DeepRecursion,
                    title: format!("Deep recursion in {f}"),
                    text: format!(
                        "{f} calls itself up to {n} times in a row. That may be intended (a tree walk); \
                         if the depth is unbounded it ends in `fatal error: stack overflow`."
                    ),
                    groups,
                }
            }
        })
        .collect()
}

/// The function repeated most in a row in the stack, if at least
/// [`RECURSION_MIN_REPEATS`] times.
fn repeated_function(g: &Group) -> Option<(String, usize)> {
    let mut best: Option<(&str, usize)> = None;
    let mut run = 0usize;
    for (i, f) in g.stack.iter().enumerate() {
        if i > 0 && g.stack[i - 1].function == f.function {
            run += 1;
        } else {
            run = 1;
        }
        if run >= RECURSION_MIN_REPEATS && best.is_none_or(|b| run > b.1) {
            best = Some((&f.function, run));
        }
    }
    best.map(|(f, n)| (f.to_string(), n))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{group, summary, titles};
    use super::*;

    fn crash(kind: PanicKind, message: &str, group: Option<u32>) -> PanicSummary {
        PanicSummary {
            kind,
            message: message.into(),
            goroutine: group.map(|g| 100 + u64::from(g)),
            group,
        }
    }

    /// `depth` frames of `f` under a leaf, above `main.main`.
    fn recursing(f: &str, depth: usize) -> Group {
        let mut stack = vec!["runtime.gopark"];
        stack.extend(std::iter::repeat_n(f, depth));
        stack.push("main.main");
        group(1, "running", &stack)
    }

    #[test]
    fn each_crash_message_gets_its_hint() {
        let mut s = summary(vec![
            recursing("main.down", 60),
            group(2, "chan receive", &["main.f"]),
        ]);
        s.panics = vec![
            crash(
                PanicKind::FatalError,
                "all goroutines are asleep - deadlock!",
                None,
            ),
            crash(
                PanicKind::FatalError,
                "concurrent map read and map write",
                Some(0),
            ),
            crash(PanicKind::FatalError, "stack overflow", Some(0)),
            crash(PanicKind::Panic, "boom\n\tmore", Some(0)),
            crash(PanicKind::FatalError, "out of memory", None),
            crash(
                PanicKind::Signal,
                "SIGSEGV: segmentation violation",
                Some(0),
            ),
            crash(PanicKind::Signal, "SIGQUIT: quit", Some(0)),
        ];
        let h = crashes(&s);
        let got: Vec<(HintKind, Severity, &str, &[u32])> = h
            .iter()
            .map(|h| (h.kind, h.severity, h.title.as_str(), h.groups.as_slice()))
            .collect();
        use HintKind::*;
        use Severity::{Error, Info};
        assert_eq!(
            got,
            [
                (
                    Deadlock,
                    Error,
                    "Deadlock: all goroutines are asleep",
                    &[0, 1][..]
                ),
                (
                    ConcurrentMap,
                    Error,
                    "Data race on a map: concurrent map read and map write",
                    &[0][..]
                ),
                (
                    StackOverflow,
                    Error,
                    "Stack overflow: runaway recursion",
                    &[0][..]
                ),
                (Panic, Error, "panic: boom", &[0][..]),
                (FatalError, Error, "fatal error: out of memory", &[][..]),
                (Signal, Error, "SIGSEGV: segmentation violation", &[0][..]),
                (
                    Signal,
                    Info,
                    "SIGQUIT: quit: dump requested with SIGQUIT",
                    &[0][..]
                ),
            ]
        );
        assert!(h[2]
            .text
            .ends_with(" main.down appears 60 times in a row in its stack."));
        assert_eq!(
            h[3].text,
            "Goroutine 100 stopped here; its group is listed first (#0)."
        );
        assert_eq!(h[4].text, "The goroutine that failed is not in the dump.");
    }

    #[test]
    fn recursion_from_its_threshold() {
        let n = RECURSION_MIN_REPEATS;
        assert!(recursion(&summary(vec![recursing("main.down", n - 1)])).is_empty());
        let h = recursion(&summary(vec![recursing("main.down", n)]));
        assert_eq!(titles(&h), ["Deep recursion in main.down"]);
        assert_eq!(
            (h[0].kind, h[0].severity),
            (HintKind::DeepRecursion, Severity::Info)
        );
        assert!(h[0]
            .text
            .starts_with(&format!("main.down calls itself up to {n} times")));
    }

    #[test]
    fn recursion_with_cut_or_growing_stacks_is_an_overflow() {
        let mut cut = recursing("main.down", RECURSION_MIN_REPEATS);
        cut.frames_elided = true;
        let mut growing = recursing("main.up", RECURSION_MIN_REPEATS);
        growing.stack[0].function = "runtime.morestack".into();
        let h = recursion(&summary(vec![cut, recursing("main.down", 70), growing]));
        assert_eq!(
            titles(&h),
            [
                "Runaway recursion in main.down",
                "Runaway recursion in main.up"
            ]
        );
        assert_eq!(h[0].groups, [0, 1]);
        assert!(h[0]
            .text
            .starts_with("main.down calls itself at least 70 times"));
        assert!(h
            .iter()
            .all(|h| h.kind == HintKind::StackOverflow && h.severity == Severity::Error));
    }

    #[test]
    fn a_reported_overflow_is_not_repeated_as_recursion() {
        let mut s = summary(vec![recursing("main.down", 80)]);
        s.panics = vec![crash(
            PanicKind::FatalError,
            "stack exceeds 1000000000-byte limit",
            Some(0),
        )];
        assert!(recursion(&s).is_empty());
        s.panics[0].message = "boom".into();
        assert_eq!(recursion(&s).len(), 1);
    }
}
