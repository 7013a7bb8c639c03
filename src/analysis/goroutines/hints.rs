//! Hints: what the stacks show, as a Go engineer reads them.

use super::{Acc, Frame, GoroutineSummary, Group, Hint, HintKind, Severity};
use crate::model::{PanicKind, Profile};

/// Network I/O: hint when at least this many goroutines wait in the poller.
pub const IO_WAIT_MIN: u64 = 10;
/// Lock contention: hint when at least this many goroutines wait for the
/// same lock call site.
pub const LOCK_CONTENTION_MIN: u64 = 5;
/// Possible leak: a group of at least this many goroutines ...
pub const LEAK_MIN_GROUP: u64 = 3;
/// ... all blocked on a channel operation for at least this many minutes.
pub const LEAK_MIN_WAIT_MINUTES: u32 = 10;
/// Possible leak by sheer number of goroutines.
pub const MANY_GOROUTINES: u64 = 10_000;
/// `sync.WaitGroup.Wait` / `sync.Cond.Wait`: hint from this many waiters at
/// one call site.
pub const SYNC_WAIT_MIN: u64 = 10;
/// Goroutines in system calls: hint from this many.
pub const SYSCALL_MIN: u64 = 5;
/// Runaway recursion: one function repeated this many times in a row.
pub const RECURSION_MIN_REPEATS: usize = 50;

/// The package of a function name: up to the first `.` after the last `/`.
fn package_of(f: &str) -> &str {
    let from = f.rfind('/').map_or(0, |i| i + 1);
    match f[from..].find('.') {
        Some(d) => &f[..from + d],
        None => f,
    }
}

fn is_runtime_or_sync(f: &str) -> bool {
    matches!(
        package_of(f),
        "runtime"
            | "sync"
            | "internal/sync"
            | "sync/atomic"
            | "internal/poll"
            | "internal/runtime/maps"
    )
}

/// The first frame (leaf to root) outside the runtime and sync packages:
/// where user code called into the blocking operation.
fn call_site(g: &Group) -> Option<&Frame> {
    g.stack
        .iter()
        .find(|f| !is_runtime_or_sync(&f.function) && !f.function.is_empty())
}

fn describe_site(f: Option<&Frame>) -> String {
    match f {
        Some(f) if f.line > 0 => format!("{} ({}:{})", f.function, base(&f.file), f.line),
        Some(f) => f.function.clone(),
        None => "an unknown call site".to_string(),
    }
}

fn base(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

fn has_fn(g: &Group, names: &[&str]) -> bool {
    g.stack.iter().any(|f| names.contains(&f.function.as_str()))
}

const LOCK_FRAMES: [&str; 7] = [
    "sync.(*Mutex).Lock",
    "sync.(*Mutex).lockSlow",
    "sync.(*RWMutex).Lock",
    "sync.(*RWMutex).RLock",
    "internal/sync.(*Mutex).Lock",
    "internal/sync.(*Mutex).lockSlow",
    "sync.(*Mutex).TryLock",
];
const POLL_FRAMES: [&str; 3] = [
    "internal/poll.runtime_pollWait",
    "runtime.netpollblock",
    "internal/poll.(*pollDesc).wait",
];

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(super) fn hints(p: &Profile, s: &GoroutineSummary, accs: &[Acc]) -> Vec<Hint> {
    let mut out: Vec<Hint> = Vec::new();
    let groups = &s.groups;
    let all: Vec<u32> = (0..groups.len() as u32).collect();
    let panicking: Vec<u32> = (0..groups.len() as u32)
        .filter(|&i| groups[i as usize].panicking)
        .collect();
    let _ = p;

    // Crashes first.
    let mut overflow_reported = false;
    for (k, pi) in s.panics.iter().enumerate() {
        let msg = pi.message.lines().next().unwrap_or("").trim().to_string();
        let grp: Vec<u32> = pi.group.into_iter().collect();
        let gname = pi
            .goroutine
            .map_or(String::new(), |g| format!(" in goroutine {g}"));
        let lower = pi.message.to_ascii_lowercase();
        if lower.contains("all goroutines are asleep - deadlock") {
            out.push(Hint {
                severity: Severity::Error,
                kind: HintKind::Deadlock,
                title: "Deadlock: all goroutines are asleep".into(),
                text: "The runtime found no goroutine that could ever run again and stopped the program. \
                       Every goroutine below is blocked; look for the locks or channels they wait on, \
                       held or fed by another goroutine in this list."
                    .into(),
                groups: all.clone(),
            });
        } else if lower.contains("concurrent map") {
            out.push(Hint {
                severity: Severity::Error,
                kind: HintKind::ConcurrentMap,
                title: format!("Data race on a map: {msg}"),
                text: format!(
                    "The runtime caught a map being written while another goroutine used it{gname}. \
                     The other goroutine is not necessarily in this dump; guard the map with a mutex \
                     (or use sync.Map) and run the tests with -race to find both sides."
                ),
                groups: grp,
            });
        } else if lower.contains("stack overflow") || lower.contains("stack exceeds") {
            overflow_reported = true;
            let f = pi
                .group
                .and_then(|g| repeated_function(&groups[g as usize]));
            let what = f.map_or(String::new(), |(f, n)| {
                format!(" {f} appears {n} times in a row in its stack.")
            });
            out.push(Hint {
                severity: Severity::Error,
                kind: HintKind::StackOverflow,
                title: "Stack overflow: runaway recursion".into(),
                text: format!("A goroutine{gname} grew its stack past the limit, almost always unbounded recursion.{what}"),
                groups: grp,
            });
        } else {
            let (kind, severity, title) = match pi.kind {
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
                PanicKind::Signal => (HintKind::Signal, Severity::Error, msg.clone()),
            };
            let text = match pi.group {
                Some(g) => format!(
                    "Goroutine {} stopped here; its group is listed first (#{}).",
                    pi.goroutine.map_or("?".to_string(), |g| g.to_string()),
                    g
                ),
                None => "The goroutine that failed is not in the dump.".to_string(),
            };
            let _ = k;
            out.push(Hint {
                severity,
                kind,
                title,
                text,
                groups: grp,
            });
        }
    }

    // Runaway recursion without a stack-overflow message (crash output cut,
    // or just a very deep stack).
    if !overflow_reported {
        // (function, groups, deepest run, stack cut or overflowing)
        let mut rec: Vec<(String, Vec<u32>, usize, bool)> = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            if let Some((f, n)) = repeated_function(g) {
                let overflow = g.frames_elided
                    || g.stack.iter().any(|f| {
                        f.function == "runtime.morestack" || f.function == "runtime.newstack"
                    });
                match rec.iter_mut().find(|e| e.0 == f) {
                    Some(e) => {
                        e.1.push(i as u32);
                        e.2 = e.2.max(n);
                        e.3 |= overflow;
                    }
                    None => rec.push((f, vec![i as u32], n, overflow)),
                }
            }
        }
        for (f, gs, n, overflow) in rec {
            out.push(Hint {
                severity: if overflow { Severity::Error } else { Severity::Info },
                kind: if overflow { HintKind::StackOverflow } else { HintKind::DeepRecursion },
                title: if overflow { format!("Runaway recursion in {f}") } else { format!("Deep recursion in {f}") },
                text: if overflow {
                    format!(
                        "{f} calls itself at least {n} times in a row and the dump cut frames out of the \
                         middle of the stack: the pattern of `fatal error: stack overflow`."
                    )
                } else {
                    format!(
                        "{f} calls itself up to {n} times in a row. That may be intended (a tree walk); \
                         if the depth is unbounded it ends in `fatal error: stack overflow`."
                    )
                },
                groups: gs,
            });
        }
    }

    // Goroutines blocked forever.
    for (state, what) in [
        ("chan receive (nil chan)", "receiving from a nil channel"),
        ("chan send (nil chan)", "sending on a nil channel"),
        ("select (no cases)", "in an empty select{}"),
    ] {
        let gs: Vec<u32> = (0..groups.len() as u32)
            .filter(|&i| {
                let g = &groups[i as usize];
                g.state == state
                    || (g.state.is_empty()
                        && state == "select (no cases)"
                        && g.stack
                            .first()
                            .is_some_and(|f| f.function == "runtime.block"))
                    || (g.state.is_empty()
                        && state == "select (no cases)"
                        && g.stack
                            .get(1)
                            .is_some_and(|f| f.function == "runtime.block"))
            })
            .collect();
        let n: u64 = gs.iter().map(|&i| groups[i as usize].count).sum();
        if n > 0 {
            out.push(Hint {
                severity: Severity::Warn,
                kind: HintKind::BlockedForever,
                title: format!("{} blocked forever {what}", plural(n, "goroutine", "goroutines")),
                text: format!(
                    "Nothing can ever wake a goroutine {what}; unless the program is about to exit, \
                     these goroutines (and what they reference) are leaked. Sites: {}.",
                    sites(groups, &gs)
                ),
                groups: gs,
            });
        }
    }

    // Lock contention, per lock call site.
    let mut by_site: Vec<(String, Vec<u32>, u64, bool)> = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let lock_state = matches!(
            g.state.as_str(),
            "" | "semacquire" | "sync.Mutex.Lock" | "sync.RWMutex.Lock" | "sync.RWMutex.RLock"
        );
        if !lock_state || !has_fn(g, &LOCK_FRAMES) {
            continue;
        }
        let rw = has_fn(g, &["sync.(*RWMutex).Lock", "sync.(*RWMutex).RLock"]);
        let site = describe_site(call_site(g));
        match by_site.iter_mut().find(|e| e.0 == site) {
            Some(e) => {
                e.1.push(i as u32);
                e.2 += g.count;
                e.3 |= rw;
            }
            None => by_site.push((site, vec![i as u32], g.count, rw)),
        }
    }
    by_site.sort_by_key(|e| std::cmp::Reverse(e.2));
    for (site, gs, n, rw) in by_site {
        if n < LOCK_CONTENTION_MIN {
            continue;
        }
        let lock = if rw { "a sync.RWMutex" } else { "a sync.Mutex" };
        out.push(Hint {
            severity: Severity::Warn,
            kind: HintKind::LockContention,
            title: format!(
                "Lock contention: {} waiting for {lock} in {site}",
                plural(n, "goroutine", "goroutines")
            ),
            text: format!(
                "{} are queued on the same lock call site. The lock is held by another goroutine \
                 for a long time or never released; the dump shows the waiters, not the holder, so \
                 look for a goroutine running or blocked while inside that critical section.",
                plural(n, "goroutine", "goroutines")
            ),
            groups: gs,
        });
    }

    // Possible leaks: large groups blocked a long time on one channel op.
    for (i, (g, a)) in groups.iter().zip(accs).enumerate() {
        let chan = matches!(g.state.as_str(), "chan receive" | "chan send" | "select");
        if chan
            && g.count >= LEAK_MIN_GROUP
            && a.all_waited
            && g.min_wait_minutes
                .is_some_and(|m| m >= LEAK_MIN_WAIT_MINUTES)
        {
            out.push(Hint {
                severity: Severity::Warn,
                kind: HintKind::PossibleLeak,
                title: format!(
                    "Possible goroutine leak: {} in {} for {}+ minutes at {}",
                    plural(g.count, "goroutine", "goroutines"),
                    g.state,
                    g.min_wait_minutes.unwrap_or(0),
                    describe_site(call_site(g))
                ),
                text: format!(
                    "These goroutines have the same stack and all have waited at least {} minutes on a \
                     channel operation. If nothing will ever {} that channel, they are leaked (and so is \
                     what they reference); long-lived workers idling for work look the same, so compare \
                     with a dump taken later: a leak keeps growing.",
                    g.min_wait_minutes.unwrap_or(0),
                    if g.state == "chan send" { "receive from" } else { "send on or close" }
                ),
                groups: vec![i as u32],
            });
        }
    }

    if s.total > MANY_GOROUTINES {
        let top: Vec<u32> = (0..groups.len().min(5) as u32).collect();
        out.push(Hint {
            severity: Severity::Warn,
            kind: HintKind::ManyGoroutines,
            title: format!("{} goroutines", s.total),
            text: format!(
                "More than {MANY_GOROUTINES} goroutines is unusual and often a leak; the largest groups \
                 (listed first) show where they accumulate."
            ),
            groups: top,
        });
    }

    // Network waits.
    let io: Vec<u32> = (0..groups.len() as u32)
        .filter(|&i| {
            let g = &groups[i as usize];
            g.state == "IO wait" || (g.state.is_empty() && has_fn(g, &POLL_FRAMES))
        })
        .collect();
    let n_io: u64 = io.iter().map(|&i| groups[i as usize].count).sum();
    if n_io >= IO_WAIT_MIN {
        out.push(Hint {
            severity: Severity::Info,
            kind: HintKind::NetworkWait,
            title: format!("{n_io} goroutines waiting for network I/O"),
            text: "They are parked in the network poller (IO wait) until a socket is readable or \
                   writable. This is normal for servers (idle keep-alive connections, listeners); it \
                   matters only if the number keeps growing or requests are stuck behind it."
                .into(),
            groups: io,
        });
    }

    for (frames, state, kind, what) in [
        (
            &["sync.(*WaitGroup).Wait"][..],
            "sync.WaitGroup.Wait",
            HintKind::WaitGroupWait,
            "sync.WaitGroup.Wait",
        ),
        (
            &["sync.(*Cond).Wait"][..],
            "sync.Cond.Wait",
            HintKind::CondWait,
            "sync.Cond.Wait",
        ),
    ] {
        let mut by_site: Vec<(String, Vec<u32>, u64)> = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            if g.state == state || has_fn(g, frames) {
                let site = describe_site(call_site(g));
                match by_site.iter_mut().find(|e| e.0 == site) {
                    Some(e) => {
                        e.1.push(i as u32);
                        e.2 += g.count;
                    }
                    None => by_site.push((site, vec![i as u32], g.count)),
                }
            }
        }
        for (site, gs, n) in by_site {
            if n >= SYNC_WAIT_MIN {
                let wake = if kind == HintKind::CondWait {
                    "a Signal or Broadcast"
                } else {
                    "the counter to reach zero"
                };
                out.push(Hint {
                    severity: Severity::Info,
                    kind,
                    title: format!("{n} goroutines in {what} at {site}"),
                    text: format!("They wait for {wake}; if whoever should do that is blocked too, they wait forever."),
                    groups: gs,
                });
            }
        }
    }

    let sys: Vec<u32> = (0..groups.len() as u32)
        .filter(|&i| groups[i as usize].state == "syscall")
        .collect();
    let n_sys: u64 = sys.iter().map(|&i| groups[i as usize].count).sum();
    if n_sys >= SYSCALL_MIN {
        out.push(Hint {
            severity: Severity::Info,
            kind: HintKind::Syscall,
            title: format!("{n_sys} goroutines in system calls"),
            text:
                "A goroutine blocked in a system call holds its OS thread; many of them (blocking \
                   file or pipe reads, cgo) make the runtime start more threads."
                    .into(),
            groups: sys,
        });
    }

    if s.locked_to_thread > 0 {
        let gs: Vec<u32> = (0..groups.len() as u32)
            .filter(|&i| groups[i as usize].locked_to_thread > 0)
            .collect();
        out.push(Hint {
            severity: Severity::Info,
            kind: HintKind::LockedToThread,
            title: format!(
                "{} locked to their OS thread",
                plural(s.locked_to_thread, "goroutine", "goroutines")
            ),
            text: "runtime.LockOSThread (or cgo callbacks, or the main goroutine of some GUI \
                   libraries) pins them: each one keeps a thread to itself while it waits."
                .into(),
            groups: gs,
        });
    }

    let _ = panicking;
    // The same finding twice (a file with several identical crashes) is
    // one hint naming all its groups.
    let mut merged: Vec<Hint> = Vec::with_capacity(out.len());
    for h in out {
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
    // Most severe first; stable within a severity.
    merged.sort_by_key(|h| std::cmp::Reverse(h.severity));
    merged
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
