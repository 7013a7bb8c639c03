//! What many goroutines wait on: a lock, the network, a WaitGroup or Cond,
//! a system call, their OS thread.

use super::{has_fn, matching, per_site, plural};
use crate::analysis::goroutines::{GoroutineSummary, Group, Hint, HintKind, Severity};

/// Lock contention: hint when at least this many goroutines wait for the
/// same lock call site.
pub const LOCK_CONTENTION_MIN: u64 = 5;

/// The states of a lock waiter; empty for formats without states.
const LOCK_STATES: [&str; 5] = [
    "",
    "semacquire",
    "sync.Mutex.Lock",
    "sync.RWMutex.Lock",
    "sync.RWMutex.RLock",
];
const LOCK_FRAMES: [&str; 7] = [
    "sync.(*Mutex).Lock",
    "sync.(*Mutex).lockSlow",
    "sync.(*RWMutex).Lock",
    "sync.(*RWMutex).RLock",
    "internal/sync.(*Mutex).Lock",
    "internal/sync.(*Mutex).lockSlow",
    "sync.(*Mutex).TryLock",
];
const RW_FRAMES: [&str; 2] = ["sync.(*RWMutex).Lock", "sync.(*RWMutex).RLock"];

/// One hint per lock call site with [`LOCK_CONTENTION_MIN`] waiters or
/// more, the most waiters first.
pub(super) fn lock_contention(s: &GoroutineSummary) -> Vec<Hint> {
    let groups = &s.groups;
    let mut sites = per_site(groups, |g| {
        LOCK_STATES.contains(&g.state.as_str()) && has_fn(g, &LOCK_FRAMES)
    });
    crate::sort::sort_by_key(&mut sites, &mut |e| std::cmp::Reverse(e.count));
    sites
        .into_iter()
        .filter(|e| e.count >= LOCK_CONTENTION_MIN)
        .map(|e| {
            let rw = e.groups.iter().any(|&i| has_fn(&groups[i as usize], &RW_FRAMES));
            let lock = if rw { "a sync.RWMutex" } else { "a sync.Mutex" };
            let n = plural(e.count, "goroutine", "goroutines");
            Hint {
                severity: Severity::Warn,
                kind: HintKind::LockContention,
                title: format!("Lock contention: {n} waiting for {lock} in {}", e.site),
                text: format!(
                    "{n} are queued on the same lock call site. The lock is held by another goroutine \
                     for a long time or never released; the dump shows the waiters, not the holder, so \
                     look for a goroutine running or blocked while inside that critical section."
                ),
                groups: e.groups,
            }
        })
        .collect()
}

/// Network I/O: hint when at least this many goroutines wait in the poller.
pub const IO_WAIT_MIN: u64 = 10;

/// Where a goroutine parked in the poller stands, for formats without states.
const POLL_FRAMES: [&str; 3] = [
    "internal/poll.runtime_pollWait",
    "runtime.netpollblock",
    "internal/poll.(*pollDesc).wait",
];

/// Parked in the network poller, from frames alone: a poller function, or
/// any frame of the runtime's `netpoll.go` (debug=1 lists no runtime
/// functions but prints `runtime_pollWait`'s file).
fn in_poller(g: &Group) -> bool {
    has_fn(g, &POLL_FRAMES)
        || g.stack
            .iter()
            .any(|f| f.file.ends_with("/netpoll.go") || f.file == "netpoll.go")
}

pub(super) fn network_wait(s: &GoroutineSummary) -> Vec<Hint> {
    let (gs, n) = matching(&s.groups, |g| {
        g.state == "IO wait" || (g.state.is_empty() && in_poller(g))
    });
    if n < IO_WAIT_MIN {
        return Vec::new();
    }
    vec![Hint {
        severity: Severity::Info,
        kind: HintKind::NetworkWait,
        title: format!("{n} goroutines waiting for network I/O"),
        text: "They are parked in the network poller (IO wait) until a socket is readable or \
               writable. This is normal for servers (idle keep-alive connections, listeners); it \
               matters only if the number keeps growing or requests are stuck behind it."
            .into(),
        groups: gs,
    }]
}

/// `sync.WaitGroup.Wait` / `sync.Cond.Wait`: hint from this many waiters at
/// one call site.
pub const SYNC_WAIT_MIN: u64 = 10;

pub(super) fn wait_group_wait(s: &GoroutineSummary) -> Vec<Hint> {
    sync_waits(
        s,
        HintKind::WaitGroupWait,
        "sync.WaitGroup.Wait",
        "sync.(*WaitGroup).Wait",
        "the counter to reach zero",
    )
}

pub(super) fn cond_wait(s: &GoroutineSummary) -> Vec<Hint> {
    sync_waits(
        s,
        HintKind::CondWait,
        "sync.Cond.Wait",
        "sync.(*Cond).Wait",
        "a Signal or Broadcast",
    )
}

/// One hint per call site with [`SYNC_WAIT_MIN`] goroutines or more in
/// `state` or under `frame`, in order of first appearance.
fn sync_waits(
    s: &GoroutineSummary,
    kind: HintKind,
    state: &str,
    frame: &str,
    wake: &str,
) -> Vec<Hint> {
    per_site(&s.groups, |g| g.state == state || has_fn(g, &[frame]))
        .into_iter()
        .filter(|e| e.count >= SYNC_WAIT_MIN)
        .map(|e| Hint {
            severity: Severity::Info,
            kind,
            title: format!("{} goroutines in {state} at {}", e.count, e.site),
            text: format!(
                "They wait for {wake}; if whoever should do that is blocked too, they wait forever."
            ),
            groups: e.groups,
        })
        .collect()
}

/// Goroutines in system calls: hint from this many.
pub const SYSCALL_MIN: u64 = 5;

pub(super) fn syscalls(s: &GoroutineSummary) -> Vec<Hint> {
    let (gs, n) = matching(&s.groups, |g| g.state == "syscall");
    if n < SYSCALL_MIN {
        return Vec::new();
    }
    vec![Hint {
        severity: Severity::Info,
        kind: HintKind::Syscall,
        title: format!("{n} goroutines in system calls"),
        text: "A goroutine blocked in a system call holds its OS thread; many of them (blocking \
               file or pipe reads, cgo) make the runtime start more threads."
            .into(),
        groups: gs,
    }]
}

/// Any goroutine locked to its thread.
pub(super) fn locked_to_thread(s: &GoroutineSummary) -> Vec<Hint> {
    if s.locked_to_thread == 0 {
        return Vec::new();
    }
    let (gs, _) = matching(&s.groups, |g: &Group| g.locked_to_thread > 0);
    vec![Hint {
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
    }]
}

#[cfg(test)]
mod tests {
    use super::super::tests::{group, summary, titles};
    use super::*;

    const MUTEX: [&str; 4] = [
        "sync.runtime_SemacquireMutex",
        "sync.(*Mutex).lockSlow",
        "sync.(*Mutex).Lock",
        "main.deposit",
    ];

    #[test]
    fn lock_contention_from_its_threshold() {
        let n = LOCK_CONTENTION_MIN;
        assert!(lock_contention(&summary(vec![group(n - 1, "semacquire", &MUTEX)])).is_empty());
        let h = lock_contention(&summary(vec![
            group(n - 1, "semacquire", &MUTEX),
            group(1, "", &MUTEX),
        ]));
        assert_eq!(
            titles(&h),
            [format!("Lock contention: {n} goroutines waiting for a sync.Mutex in main.deposit (main.go:13)")]
        );
        assert_eq!(h[0].groups, [0, 1]);
        assert!(h[0].text.starts_with(&format!("{n} goroutines are queued")));
        assert_eq!(
            (h[0].kind, h[0].severity),
            (HintKind::LockContention, Severity::Warn)
        );
        assert!(
            lock_contention(&summary(vec![group(n, "chan receive", &MUTEX)])).is_empty(),
            "not a lock waiter's state"
        );
        assert!(
            lock_contention(&summary(vec![group(n, "semacquire", &["main.deposit"])])).is_empty(),
            "no lock frame"
        );
    }

    #[test]
    fn lock_contention_names_rw_locks_and_puts_the_largest_first() {
        let rw = [
            "sync.runtime_SemacquireRWMutexR",
            "sync.(*RWMutex).RLock",
            "main.read",
        ];
        let h = lock_contention(&summary(vec![
            group(5, "semacquire", &MUTEX),
            group(6, "sync.RWMutex.RLock", &rw),
        ]));
        assert_eq!(
            titles(&h),
            [
                "Lock contention: 6 goroutines waiting for a sync.RWMutex in main.read (main.go:12)",
                "Lock contention: 5 goroutines waiting for a sync.Mutex in main.deposit (main.go:13)",
            ]
        );
    }

    #[test]
    fn network_wait_from_its_threshold() {
        let poll = [
            "internal/poll.runtime_pollWait",
            "net.(*conn).Read",
            "main.serve",
        ];
        let below = summary(vec![group(IO_WAIT_MIN - 1, "IO wait", &poll)]);
        assert!(network_wait(&below).is_empty());
        let h = network_wait(&summary(vec![
            group(IO_WAIT_MIN - 1, "IO wait", &poll),
            group(1, "", &poll),
            group(7, "", &["main.serve"]),
        ]));
        assert_eq!(
            titles(&h),
            [format!("{IO_WAIT_MIN} goroutines waiting for network I/O")]
        );
        assert_eq!(h[0].groups, [0, 1]);
        assert_eq!(
            (h[0].kind, h[0].severity),
            (HintKind::NetworkWait, Severity::Info)
        );
    }

    #[test]
    fn the_poller_by_its_file_when_no_poller_function_shows() {
        let mut g = group(IO_WAIT_MIN, "", &["net.(*netFD).Read", "main.serve"]);
        assert!(network_wait(&summary(vec![g.clone()])).is_empty());
        g.stack[0].file = "/usr/local/go/src/runtime/netpoll.go".into();
        assert_eq!(network_wait(&summary(vec![g])).len(), 1);
    }

    #[test]
    fn sync_waits_from_their_threshold_per_call_site() {
        let n = SYNC_WAIT_MIN;
        let wg = [
            "sync.runtime_SemacquireWaitGroup",
            "sync.(*WaitGroup).Wait",
            "main.join",
        ];
        let cond = [
            "sync.runtime_notifyListWait",
            "sync.(*Cond).Wait",
            "main.pop",
        ];
        let s = summary(vec![
            group(n - 1, "sync.WaitGroup.Wait", &wg),
            group(1, "", &wg),
            group(n - 1, "sync.Cond.Wait", &cond),
            group(n, "sync.Cond.Wait", &["main.other"]),
        ]);
        let h = wait_group_wait(&s);
        assert_eq!(
            titles(&h),
            [format!(
                "{n} goroutines in sync.WaitGroup.Wait at main.join (main.go:12)"
            )]
        );
        assert_eq!(h[0].groups, [0, 1]);
        assert_eq!(
            h[0].text,
            "They wait for the counter to reach zero; if whoever should do that is blocked too, they wait forever."
        );
        let h = cond_wait(&s);
        assert_eq!(
            titles(&h),
            [format!(
                "{n} goroutines in sync.Cond.Wait at main.other (main.go:10)"
            )]
        );
        assert!(h[0]
            .text
            .starts_with("They wait for a Signal or Broadcast;"));
        assert_eq!(
            (h[0].kind, h[0].severity),
            (HintKind::CondWait, Severity::Info)
        );
    }

    #[test]
    fn syscalls_from_their_threshold() {
        let read = ["syscall.Syscall", "main.readPipe"];
        assert!(syscalls(&summary(vec![group(SYSCALL_MIN - 1, "syscall", &read)])).is_empty());
        let h = syscalls(&summary(vec![
            group(SYSCALL_MIN - 1, "syscall", &read),
            group(1, "syscall", &["main.other"]),
        ]));
        assert_eq!(
            titles(&h),
            [format!("{SYSCALL_MIN} goroutines in system calls")]
        );
        assert_eq!(
            (h[0].groups.clone(), h[0].severity),
            (vec![0, 1], Severity::Info)
        );
    }

    #[test]
    fn locked_to_thread_from_one() {
        let mut g = group(3, "chan receive", &["main.pinned"]);
        assert!(locked_to_thread(&summary(vec![g.clone()])).is_empty());
        g.locked_to_thread = 1;
        let h = locked_to_thread(&summary(vec![group(2, "sleep", &["main.f"]), g]));
        assert_eq!(titles(&h), ["1 goroutine locked to their OS thread"]);
        assert_eq!(
            (h[0].groups.clone(), h[0].severity),
            (vec![1], Severity::Info)
        );
    }
}
