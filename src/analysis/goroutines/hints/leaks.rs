//! Goroutines that may never finish: marked leaked by the runtime, blocked
//! where nothing can wake them, idle on a channel for long, or simply too
//! many.

use super::{call_site, describe_site, matching, plural, sites};
use crate::analysis::goroutines::{GoroutineSummary, Group, Hint, HintKind, Severity};

/// States no goroutine ever leaves, and how a hint says them.
const FOREVER: [(&str, &str); 3] = [
    ("chan receive (nil chan)", "receiving from a nil channel"),
    ("chan send (nil chan)", "sending on a nil channel"),
    (EMPTY_SELECT, "in an empty select{}"),
];
const EMPTY_SELECT: &str = "select (no cases)";

/// One hint per call site of goroutines the runtime marked leaked. The
/// leak detector (Go 1.26+) proved them unreachable, so this is an error,
/// not a suspicion.
pub(super) fn leaked(s: &GoroutineSummary) -> Vec<Hint> {
    s.groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.leaked > 0)
        .map(|(i, g)| {
            let on = match g.state.as_str() {
                "chan send" | "chan send (nil chan)" => "a channel no live goroutine receives from",
                "chan receive" | "chan receive (nil chan)" => {
                    "a channel no live goroutine sends on or closes"
                }
                "select" | "select (no cases)" => {
                    "a select whose channels no live goroutine can reach"
                }
                "" => "something no live goroutine can reach",
                other => {
                    return (
                        i,
                        g,
                        format!("{other}, on something no live goroutine can reach"),
                    )
                }
            };
            (i, g, on.to_string())
        })
        .map(|(i, g, on)| Hint {
            severity: Severity::Error,
            kind: HintKind::Leaked,
            title: format!(
                "{} leaked at {}",
                plural(g.leaked, "goroutine", "goroutines"),
                describe_site(call_site(g))
            ),
            text: format!(
                "Go's leak detector found them blocked on {on}: they can never run again, and \
                 what they reference is never freed. Typically the caller gave up (a timeout, a \
                 first response won) without closing the channel or cancelling a context the \
                 goroutine selects on."
            ),
            groups: vec![i as u32],
        })
        .collect()
}

/// One hint per state of [`FOREVER`] that any goroutine is in.
pub(super) fn blocked_forever(s: &GoroutineSummary) -> Vec<Hint> {
    let groups = &s.groups;
    FOREVER
        .iter()
        .filter_map(|&(state, what)| {
            let (gs, n) = matching(groups, |g| {
                g.state == state || (state == EMPTY_SELECT && g.state.is_empty() && in_block(g))
            });
            (n > 0).then(|| Hint {
                severity: Severity::Warn,
                kind: HintKind::BlockedForever,
                title: format!(
                    "{} blocked forever {what}",
                    plural(n, "goroutine", "goroutines")
                ),
                text: format!(
                    "Nothing can ever wake a goroutine {what}; unless the program is about to exit, \
                     these goroutines (and what they reference) are leaked. Sites: {}.",
                    sites(groups, &gs)
                ),
                groups: gs,
            })
        })
        .collect()
}

/// Without states (a pprof profile), an empty `select {}` shows only as
/// `runtime.block` at the leaf or just under `runtime.gopark`.
fn in_block(g: &Group) -> bool {
    g.stack
        .iter()
        .take(2)
        .any(|f| f.function == "runtime.block")
}

/// Possible leak: a group of at least this many goroutines ...
pub const LEAK_MIN_GROUP: u64 = 3;
/// ... all blocked on a channel operation for at least this many minutes.
pub const LEAK_MIN_WAIT_MINUTES: u32 = 10;

/// One hint per group of [`LEAK_MIN_GROUP`] goroutines or more that all show
/// a wait of [`LEAK_MIN_WAIT_MINUTES`] or more on a channel.
pub(super) fn possible_leaks(s: &GoroutineSummary) -> Vec<Hint> {
    s.groups
        .iter()
        .enumerate()
        .filter(|(_, g)| long_idle_on_a_channel(g) && g.leaked < g.count)
        .map(|(i, g)| {
            let minutes = g.min_wait_minutes.unwrap_or(0);
            Hint {
                severity: Severity::Warn,
                kind: HintKind::PossibleLeak,
                title: format!(
                    "Possible goroutine leak: {} in {} for {minutes}+ minutes at {}",
                    plural(g.count, "goroutine", "goroutines"),
                    g.state,
                    describe_site(call_site(g))
                ),
                text: format!(
                    "These goroutines have the same stack and all have waited at least {minutes} minutes on a \
                     channel operation. If nothing will ever {} that channel, they are leaked (and so is \
                     what they reference); long-lived workers idling for work look the same, so compare \
                     with a dump taken later: a leak keeps growing.",
                    if g.state == "chan send" { "receive from" } else { "send on or close" }
                ),
                groups: vec![i as u32],
            }
        })
        .collect()
}

fn long_idle_on_a_channel(g: &Group) -> bool {
    matches!(g.state.as_str(), "chan receive" | "chan send" | "select")
        && g.count >= LEAK_MIN_GROUP
        && g.no_wait_shown == 0
        && g.min_wait_minutes
            .is_some_and(|m| m >= LEAK_MIN_WAIT_MINUTES)
}

/// Possible leak by sheer number: more goroutines than this.
pub const MANY_GOROUTINES: u64 = 10_000;
/// The largest groups a [`MANY_GOROUTINES`] hint names.
const MANY_GOROUTINES_GROUPS: usize = 5;

pub(super) fn many_goroutines(s: &GoroutineSummary) -> Vec<Hint> {
    if s.total <= MANY_GOROUTINES {
        return Vec::new();
    }
    vec![Hint {
        severity: Severity::Warn,
        kind: HintKind::ManyGoroutines,
        title: format!("{} goroutines", s.total),
        text: format!(
            "More than {MANY_GOROUTINES} goroutines is unusual and often a leak; the largest groups \
             (listed first) show where they accumulate."
        ),
        groups: (0..s.groups.len().min(MANY_GOROUTINES_GROUPS) as u32).collect(),
    }]
}

#[cfg(test)]
mod tests {
    use super::super::tests::{group, summary, titles};
    use super::*;

    #[test]
    fn blocked_forever_in_each_state_that_never_ends() {
        let s = summary(vec![
            group(2, "chan receive (nil chan)", &["main.a"]),
            group(1, "chan send (nil chan)", &["main.b"]),
            group(1, "chan receive (nil chan)", &["main.c"]),
            group(1, "chan receive", &["main.d"]),
        ]);
        let h = blocked_forever(&s);
        assert_eq!(
            titles(&h),
            [
                "3 goroutines blocked forever receiving from a nil channel",
                "1 goroutine blocked forever sending on a nil channel"
            ]
        );
        assert_eq!(h[0].groups, [0, 2]);
        assert!(h[0]
            .text
            .ends_with("Sites: main.a (main.go:10), main.c (main.go:10)."));
        assert!(h.iter().all(|h| h.severity == Severity::Warn));
        assert!(blocked_forever(&summary(vec![group(5, "select", &["main.e"])])).is_empty());
    }

    #[test]
    fn an_empty_select_without_states_is_runtime_block_near_the_leaf() {
        let at = |stack: &[&str]| blocked_forever(&summary(vec![group(1, "", stack)])).len();
        assert_eq!(at(&["runtime.block", "main.main"]), 1);
        assert_eq!(at(&["runtime.gopark", "runtime.block", "main.main"]), 1);
        assert_eq!(at(&["runtime.gopark", "main.wait", "runtime.block"]), 0);
        assert_eq!(
            blocked_forever(&summary(vec![group(1, "select", &["runtime.block"])])).len(),
            0,
            "with states, only the state counts"
        );
    }

    fn waiting(count: u64, state: &str, minutes: u32) -> crate::analysis::goroutines::Group {
        let mut g = group(count, state, &["runtime.gopark", "main.worker"]);
        g.min_wait_minutes = Some(minutes);
        g.max_wait_minutes = Some(minutes + 5);
        g
    }

    #[test]
    fn a_leak_from_its_thresholds() {
        let (n, m) = (LEAK_MIN_GROUP, LEAK_MIN_WAIT_MINUTES);
        let h = possible_leaks(&summary(vec![waiting(n, "chan send", m)]));
        assert_eq!(
            titles(&h),
            [format!(
                "Possible goroutine leak: {n} goroutines in chan send for {m}+ minutes at main.worker (main.go:11)"
            )]
        );
        assert!(h[0]
            .text
            .contains("If nothing will ever receive from that channel"));
        assert_eq!(
            (h[0].kind, h[0].severity),
            (HintKind::PossibleLeak, Severity::Warn)
        );
        let h = possible_leaks(&summary(vec![waiting(n, "select", m)]));
        assert!(h[0]
            .text
            .contains("If nothing will ever send on or close that channel"));

        assert!(possible_leaks(&summary(vec![waiting(n - 1, "chan receive", m)])).is_empty());
        assert!(possible_leaks(&summary(vec![waiting(n, "chan receive", m - 1)])).is_empty());
        assert!(possible_leaks(&summary(vec![waiting(n, "semacquire", m)])).is_empty());
        let mut some_without = waiting(n, "chan receive", m);
        some_without.no_wait_shown = 1;
        assert!(possible_leaks(&summary(vec![some_without])).is_empty());
    }

    #[test]
    fn many_goroutines_from_its_threshold() {
        let groups = |total: u64| -> Vec<Group> {
            (0..7)
                .map(|i| group(if i == 0 { total - 6 } else { 1 }, "sleep", &["main.f"]))
                .collect()
        };
        assert!(many_goroutines(&summary(groups(MANY_GOROUTINES))).is_empty());
        let h = many_goroutines(&summary(groups(MANY_GOROUTINES + 1)));
        assert_eq!(titles(&h), ["10001 goroutines"]);
        assert_eq!(h[0].groups, [0, 1, 2, 3, 4]);
        assert_eq!(
            (h[0].kind, h[0].severity),
            (HintKind::ManyGoroutines, Severity::Warn)
        );
    }
}
