//! Hints: what the stacks show, as a Go engineer reads them.
//!
//! Each rule is one function that reads the finished summary and returns
//! its hints (none, or one per crash, call site or group), with its
//! thresholds as constants beside it. [`RULES`] runs them in order, so a new
//! rule is one function and one line there. Equal findings are then merged,
//! and the list is sorted most severe first, in rule order within a severity.

use std::cmp::Reverse;

use super::{Frame, GoroutineSummary, Group, Hint};

mod crash;
mod dominant;
mod leaks;
mod waits;

pub use crash::RECURSION_MIN_REPEATS;
pub use dominant::{DOMINANT_MIN_SHARE, DOMINANT_MIN_TOTAL};
pub use leaks::{LEAK_MIN_GROUP, LEAK_MIN_WAIT_MINUTES, MANY_GOROUTINES};
pub use waits::{IO_WAIT_MIN, LOCK_CONTENTION_MIN, SYNC_WAIT_MIN, SYSCALL_MIN};

/// A rule: the hints it finds in a summary whose groups are in their final
/// order (a hint names groups by index).
type Rule = fn(&GoroutineSummary) -> Vec<Hint>;

/// Crashes first: they explain the rest of the dump.
const RULES: &[Rule] = &[
    crash::crashes,
    crash::recursion,
    leaks::leaked,
    leaks::blocked_forever,
    waits::lock_contention,
    leaks::possible_leaks,
    dominant::dominant_group,
    leaks::many_goroutines,
    waits::network_wait,
    waits::wait_group_wait,
    waits::cond_wait,
    waits::syscalls,
    waits::locked_to_thread,
];

pub(super) fn hints(s: &GoroutineSummary) -> Vec<Hint> {
    let mut hints = merge(RULES.iter().flat_map(|rule| rule(s)));
    crate::sort::sort_by_key(&mut hints, &mut |h| Reverse(h.severity));
    hints
}

/// The same finding twice (a file with several identical crashes) is one
/// hint naming all its groups.
fn merge(found: impl Iterator<Item = Hint>) -> Vec<Hint> {
    let mut merged: Vec<Hint> = Vec::new();
    for h in found {
        match merged
            .iter_mut()
            .find(|m| m.kind == h.kind && m.title == h.title)
        {
            Some(m) => {
                for g in h.groups {
                    if !m.groups.contains(&g) {
                        m.groups.push(g);
                    }
                }
            }
            None => merged.push(h),
        }
    }
    merged
}

/// The package of a function name: up to the first `.` after the last `/`.
fn package_of(f: &str) -> &str {
    let from = f.rfind('/').map_or(0, |i| i + 1);
    match f[from..].find('.') {
        Some(d) => &f[..from + d],
        None => f,
    }
}

/// Whether `f` belongs to the runtime or the sync packages. Since Go 1.24
/// parts of both live in `internal/sync` and `internal/runtime/...` (maps,
/// atomic, syscall), so those count too.
pub(in crate::analysis::goroutines) fn is_runtime_or_sync(f: &str) -> bool {
    let p = package_of(f);
    p.starts_with("internal/runtime/")
        || matches!(
            p,
            "runtime" | "sync" | "internal/sync" | "sync/atomic" | "internal/poll"
        )
}

/// The first frame (leaf to root) outside the runtime and sync packages:
/// where user code called into the blocking operation.
pub(in crate::analysis::goroutines) fn call_site(g: &Group) -> Option<&Frame> {
    g.stack
        .iter()
        .find(|f| !is_runtime_or_sync(&f.function) && !f.function.is_empty())
}

pub(in crate::analysis::goroutines) fn describe_site(f: Option<&Frame>) -> String {
    match f {
        Some(f) if f.line > 0 => format!("{} ({}:{})", f.function, base(&f.file), f.line),
        Some(f) => f.function.clone(),
        None => "an unknown call site".to_string(),
    }
}

fn base(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// The call sites of `gs`, at most three, in order.
fn sites(groups: &[Group], gs: &[u32]) -> String {
    let mut v: Vec<String> = Vec::new();
    for &i in gs {
        let s = describe_site(call_site(&groups[i as usize]));
        if !v.contains(&s) {
            v.push(s);
        }
        if v.len() == 3 {
            break;
        }
    }
    v.join(", ")
}

fn has_fn(g: &Group, names: &[&str]) -> bool {
    g.stack.iter().any(|f| names.contains(&f.function.as_str()))
}

pub(in crate::analysis::goroutines) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The groups `pick` chooses, and how many goroutines they hold.
fn matching(groups: &[Group], pick: impl Fn(&Group) -> bool) -> (Vec<u32>, u64) {
    let gs: Vec<u32> = (0..groups.len() as u32)
        .filter(|&i| pick(&groups[i as usize]))
        .collect();
    let n = gs.iter().map(|&i| groups[i as usize].count).sum();
    (gs, n)
}

/// Groups that wait at one call site.
struct Site {
    site: String,
    groups: Vec<u32>,
    count: u64,
}

/// The groups `pick` chooses, by call site in order of first appearance.
fn per_site(groups: &[Group], pick: impl Fn(&Group) -> bool) -> Vec<Site> {
    let mut sites: Vec<Site> = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        if !pick(g) {
            continue;
        }
        let site = describe_site(call_site(g));
        match sites.iter_mut().find(|e| e.site == site) {
            Some(e) => {
                e.groups.push(i as u32);
                e.count += g.count;
            }
            None => sites.push(Site {
                site,
                groups: vec![i as u32],
                count: g.count,
            }),
        }
    }
    sites
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::goroutines::{HintKind, Severity};

    /// `count` goroutines in `state` with `stack` (leaf first); frame `k`
    /// is at line `10 + k` of `x/main.go`.
    pub(super) fn group(count: u64, state: &str, stack: &[&str]) -> Group {
        Group {
            count,
            state: state.into(),
            stack: stack
                .iter()
                .enumerate()
                .map(|(k, f)| Frame {
                    function: f.to_string(),
                    file: "x/main.go".into(),
                    line: 10 + k as i64,
                    ..Frame::default()
                })
                .collect(),
            ..Group::default()
        }
    }

    pub(super) fn summary(groups: Vec<Group>) -> GoroutineSummary {
        GoroutineSummary {
            total: groups.iter().map(|g| g.count).sum(),
            locked_to_thread: groups.iter().map(|g| g.locked_to_thread).sum(),
            groups,
            ..GoroutineSummary::default()
        }
    }

    pub(super) fn titles(hints: &[Hint]) -> Vec<&str> {
        hints.iter().map(|h| h.title.as_str()).collect()
    }

    fn hint(kind: HintKind, severity: Severity, title: &str, groups: &[u32]) -> Hint {
        Hint {
            severity,
            kind,
            title: title.into(),
            text: "t".into(),
            groups: groups.to_vec(),
        }
    }

    #[test]
    fn equal_findings_merge_into_one_hint_naming_every_group() {
        let m = merge(
            [
                hint(HintKind::Panic, Severity::Error, "panic: a", &[0]),
                hint(HintKind::Panic, Severity::Error, "panic: b", &[1]),
                hint(HintKind::Panic, Severity::Error, "panic: a", &[2, 0]),
                hint(HintKind::FatalError, Severity::Error, "panic: a", &[3]),
            ]
            .into_iter(),
        );
        let got: Vec<(&str, &[u32])> = m
            .iter()
            .map(|h| (h.title.as_str(), h.groups.as_slice()))
            .collect();
        assert_eq!(
            got,
            [
                ("panic: a", &[0, 2][..]),
                ("panic: b", &[1][..]),
                ("panic: a", &[3][..])
            ]
        );
    }

    #[test]
    fn most_severe_first_then_in_rule_order() {
        // Locked to thread (info, last rule) and lock contention (warn) and
        // a nil channel (warn, an earlier rule than lock contention).
        let mut locked = group(1, "chan receive", &["main.pinned"]);
        locked.locked_to_thread = 1;
        let s = summary(vec![
            locked,
            group(5, "semacquire", &["sync.(*Mutex).Lock", "main.f"]),
            group(1, "chan receive (nil chan)", &["main.nil"]),
        ]);
        let kinds: Vec<HintKind> = hints(&s).iter().map(|h| h.kind).collect();
        assert_eq!(
            kinds,
            [
                HintKind::BlockedForever,
                HintKind::LockContention,
                HintKind::LockedToThread
            ]
        );
    }

    #[test]
    fn the_call_site_is_the_first_frame_outside_runtime_and_sync() {
        let g = group(
            1,
            "",
            &[
                "runtime.gopark",
                "sync.runtime_SemacquireMutex",
                "internal/sync.(*Mutex).lockSlow",
                "sync/atomic.(*Int32).Load",
                "internal/poll.runtime_pollWait",
                "internal/runtime/maps.fatal",
                "",
                "main.(*Account).Deposit",
                "main.main",
            ],
        );
        assert_eq!(
            describe_site(call_site(&g)),
            "main.(*Account).Deposit (main.go:17)"
        );
        assert_eq!(
            describe_site(call_site(&group(1, "", &["runtime.gopark"]))),
            "an unknown call site"
        );
        let mut no_line = group(1, "", &["main.f"]);
        no_line.stack[0].line = 0;
        assert_eq!(describe_site(call_site(&no_line)), "main.f");
    }

    #[test]
    fn internal_runtime_packages_are_the_runtime() {
        let g = group(
            1,
            "",
            &[
                "internal/runtime/atomic.(*Uint32).Load",
                "internal/runtime/syscall.EpollWait",
                "internal/runtime/maps.(*Map).getWithKey",
                "internal/sync.(*HashTrieMap[...]).Load",
                "internal/runtimex.F",
                "main.main",
            ],
        );
        assert_eq!(
            describe_site(call_site(&g)),
            "internal/runtimex.F (main.go:14)"
        );
    }

    #[test]
    fn package_of_a_function() {
        for (f, pkg) in [
            ("runtime.gopark", "runtime"),
            ("sync.(*Mutex).Lock", "sync"),
            ("internal/runtime/maps.fatal", "internal/runtime/maps"),
            ("github.com/a/b.v2.(*T).M", "github.com/a/b"),
            ("main", "main"),
        ] {
            assert_eq!(package_of(f), pkg, "{f}");
        }
    }
}
