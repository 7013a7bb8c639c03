//! Goroutine summary: totals, states, groups of identical goroutines, wait
//! times, and symptom hints.
//!
//! Works on any goroutine data the decoders produce:
//! * a pprof goroutine profile (`goroutine/count` samples, value = count,
//!   no per-goroutine state);
//! * a debug=1 grouped dump (the same, with labels; a
//!   [`GoroutineTable`](crate::model::GoroutineTable) row per group but no
//!   state);
//! * a debug=2 dump or a traceback (one sample per goroutine, with state, wait
//!   minutes, locked-to-thread, creator and frame arguments).
//!
//! Formats without states give empty per-state counts and say so
//! ([`STATE_NOT_RECORDED`]) rather than inventing an "unknown" state.
//!
//! Groups are goroutines with the same stack (the model's stack id: same
//! frames, same lines) and the same state (for formats without states: the
//! same labels, as pprof's own debug=1 groups), largest first; ties keep the
//! order of first appearance in the input, so the result is deterministic.
//! A group holding a panicking goroutine comes first.
//!
//! Hints read the stacks as a Go engineer would, and say only what the stacks
//! show: "N goroutines wait for a sync.Mutex at X", never "X deadlocks".
//! Every threshold is a constant below.

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use crate::model::{PanicKind, Profile, StackId, StrId, Strings};

/// Said instead of per-state counts for formats without states.
pub const STATE_NOT_RECORDED: &str = "state not recorded in this format";

/// At most this many goroutine ids are kept per group as examples.
pub const REPRESENTATIVE_IDS: usize = 5;

/// Wait-time buckets in minutes: `[lower, upper)`. Go prints `, N minutes`
/// only from one minute on, so "no duration shown" falls in the first.
pub const WAIT_BUCKETS: [(&str, u32, u32); 5] = [
    ("< 1 min", 0, 1),
    ("1-4 min", 1, 5),
    ("5-14 min", 5, 15),
    ("15-59 min", 15, 60),
    ("60+ min", 60, u32::MAX),
];

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

/// Options for [`summarize`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoroutineOptions {
    /// The sample type holding goroutine counts; `None` picks the one named
    /// `goroutine`, else pprof's default.
    pub sample_index: Option<usize>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StateCount {
    pub state: String,
    pub count: u64,
}

/// One frame of a representative stack, leaf first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub function: String,
    pub file: String,
    pub line: i64,
    /// The argument text as printed in a traceback (`0xc000012018, {0x1, 0x2}`);
    /// empty when the format has none.
    pub args: String,
    pub inlined: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub count: u64,
    /// The state (wait reason up to its first comma); empty when the format
    /// records none.
    pub state: String,
    /// Wait minutes over the goroutines that show one.
    pub min_wait_minutes: Option<u32>,
    pub max_wait_minutes: Option<u32>,
    /// Goroutines of the group with no wait time shown.
    pub no_wait_shown: u64,
    pub locked_to_thread: u64,
    /// The `created by` function and its `file:line`, of the first goroutine.
    pub created_by: Option<String>,
    pub created_at: Option<String>,
    /// `created by ... in goroutine N` (Go 1.21+), of the first goroutine.
    pub creator_goroutine: Option<u64>,
    /// A few goroutine ids (debug=2 and tracebacks only).
    pub goroutine_ids: Vec<u64>,
    /// The first goroutine's stack, leaf first.
    pub stack: Vec<Frame>,
    pub frames_elided: bool,
    /// Labels of the first sample (`key=value`), from debug=1 / pprof data.
    pub labels: Vec<String>,
    /// Holds a goroutine that panicked or hit the fatal error.
    pub panicking: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WaitRow {
    pub state: String,
    /// Goroutines per [`WAIT_BUCKETS`] bucket.
    pub counts: Vec<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WaitHistogram {
    /// Bucket labels, in order.
    pub buckets: Vec<String>,
    pub rows: Vec<WaitRow>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warn,
    Error,
}

/// What a hint is about (stable, for tests and icons).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HintKind {
    Panic,
    FatalError,
    Signal,
    Deadlock,
    ConcurrentMap,
    StackOverflow,
    DeepRecursion,
    LockContention,
    NetworkWait,
    PossibleLeak,
    BlockedForever,
    ManyGoroutines,
    WaitGroupWait,
    CondWait,
    Syscall,
    LockedToThread,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hint {
    pub severity: Severity,
    pub kind: HintKind,
    pub title: String,
    pub text: String,
    /// Indices into [`GoroutineSummary::groups`].
    pub groups: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PanicSummary {
    pub kind: PanicKind,
    pub message: String,
    pub goroutine: Option<u64>,
    /// The group holding that goroutine.
    pub group: Option<u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GoroutineSummary {
    pub total: u64,
    pub states_recorded: bool,
    /// [`STATE_NOT_RECORDED`] when the format has no states.
    pub state_note: Option<String>,
    /// Largest first, ties by name.
    pub states: Vec<StateCount>,
    pub groups: Vec<Group>,
    pub wait_histogram: WaitHistogram,
    pub locked_to_thread: u64,
    pub panics: Vec<PanicSummary>,
    /// Most severe first.
    pub hints: Vec<Hint>,
}

/// Per-group working data.
struct Acc {
    stack: Option<StackId>,
    state: StrId,
    first: usize,
    count: u64,
    min_wait: Option<u32>,
    max_wait: Option<u32>,
    no_wait: u64,
    locked: u64,
    ids: Vec<u64>,
    elided: bool,
    panicking: Option<usize>,
    /// Wait minutes of every goroutine shown (for the leak rule: all long).
    all_waited: bool,
}

fn goroutine_index(p: &Profile) -> usize {
    p.sample_types
        .iter()
        .position(|t| p.str(t.kind) == "goroutine")
        .unwrap_or_else(|| p.default_sample_index())
}

/// Summarises the goroutines of `profile`.
#[allow(clippy::needless_range_loop)] // `i` indexes samples, values and rows alike
pub fn summarize(profile: &Profile, opts: &GoroutineOptions) -> GoroutineSummary {
    let nt = profile.num_sample_types();
    let si = opts
        .sample_index
        .unwrap_or_else(|| goroutine_index(profile));
    let n = profile.samples.len();
    let rows = &profile.goroutines.rows;
    let has_rows = rows.len() == n && n > 0;
    let states_recorded = has_rows && rows.iter().any(|g| g.state != Strings::EMPTY);
    let count_of = |i: usize| -> u64 {
        if si >= nt {
            return 0;
        }
        profile
            .samples
            .values
            .get(i * nt + si)
            .map_or(0, |v| (*v).max(0) as u64)
    };

    // Panicking goroutines: the first row with the panic's goroutine id
    // after the panic's line (a file may hold several dumps).
    let mut panic_sample: Vec<Option<usize>> = Vec::with_capacity(profile.panics.len());
    for pi in &profile.panics {
        let s = match (pi.goroutine, has_rows) {
            (Some(id), true) => rows.iter().position(|g| g.id == id && g.line >= pi.line),
            _ => None,
        };
        panic_sample.push(s);
    }

    // Groups by (stack, state), in order of first appearance.
    let mut index: HashMap<(u32, StrId, u32), usize> = HashMap::new();
    let mut accs: Vec<Acc> = Vec::new();
    let mut total = 0u64;
    let mut locked_total = 0u64;
    let mut per_state: HashMap<StrId, (u64, [u64; WAIT_BUCKETS.len()])> = HashMap::new();
    let mut panic_group: Vec<Option<usize>> = vec![None; profile.panics.len()];
    for i in 0..n {
        let c = count_of(i);
        if c == 0 {
            continue;
        }
        total = total.saturating_add(c);
        let stack = profile.samples.stack.get(i).copied().flatten();
        let row = if has_rows { Some(&rows[i]) } else { None };
        let state = if states_recorded {
            row.map_or(Strings::EMPTY, |g| g.state)
        } else {
            Strings::EMPTY
        };
        // Without states (pprof, debug=1) the file's own groups differ by
        // labels too (`pool=ingest` vs `pool=export`); keep them apart.
        // With states, labels only repeat the state and wait time.
        let labels = if states_recorded {
            0
        } else {
            profile.samples.labels.get(i).map_or(0, |l| l.0)
        };
        let key = (stack.map_or(u32::MAX, |s| s.index() as u32), state, labels);
        let gi = *index.entry(key).or_insert_with(|| {
            accs.push(Acc {
                stack,
                state,
                first: i,
                count: 0,
                min_wait: None,
                max_wait: None,
                no_wait: 0,
                locked: 0,
                ids: Vec::new(),
                elided: false,
                panicking: None,
                all_waited: true,
            });
            accs.len() - 1
        });
        let a = &mut accs[gi];
        a.count = a.count.saturating_add(c);
        for (k, ps) in panic_sample.iter().enumerate() {
            if *ps == Some(i) {
                a.panicking = Some(a.panicking.map_or(k, |p| p.min(k)));
                panic_group[k] = Some(gi);
            }
        }
        if let Some(g) = row {
            if g.id != 0 && a.ids.len() < REPRESENTATIVE_IDS {
                a.ids.push(g.id);
            }
            a.elided |= g.frames_elided;
            if g.locked_to_thread {
                a.locked = a.locked.saturating_add(c);
                locked_total = locked_total.saturating_add(c);
            }
            match g.wait_minutes {
                Some(m) => {
                    a.min_wait = Some(a.min_wait.map_or(m, |x| x.min(m)));
                    a.max_wait = Some(a.max_wait.map_or(m, |x| x.max(m)));
                }
                None => {
                    a.no_wait = a.no_wait.saturating_add(c);
                    a.all_waited = false;
                }
            }
            if states_recorded {
                let e = per_state
                    .entry(state)
                    .or_insert((0, [0; WAIT_BUCKETS.len()]));
                e.0 = e.0.saturating_add(c);
                let m = g.wait_minutes.unwrap_or(0);
                let b = WAIT_BUCKETS
                    .iter()
                    .position(|&(_, lo, hi)| m >= lo && m < hi)
                    .unwrap_or(0);
                e.1[b] = e.1[b].saturating_add(c);
            }
        } else {
            a.no_wait = a.no_wait.saturating_add(c);
            a.all_waited = false;
        }
    }

    // Order: panicking groups first (in panic order), then by size, then by
    // first appearance.
    let mut order: Vec<usize> = (0..accs.len()).collect();
    order.sort_by(|&x, &y| {
        let (a, b) = (&accs[x], &accs[y]);
        let pa = a.panicking.unwrap_or(usize::MAX);
        let pb = b.panicking.unwrap_or(usize::MAX);
        pa.cmp(&pb)
            .then(b.count.cmp(&a.count))
            .then(a.first.cmp(&b.first))
    });
    let mut new_pos = vec![0u32; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_pos[old] = new as u32;
    }
    let accs: Vec<Acc> = {
        let mut slots: Vec<Option<Acc>> = accs.into_iter().map(Some).collect();
        order.iter().filter_map(|&i| slots[i].take()).collect()
    };

    let groups: Vec<Group> = accs
        .iter()
        .map(|a| make_group(profile, a, has_rows))
        .collect();

    let mut states: Vec<StateCount> = per_state
        .iter()
        .map(|(s, (c, _))| StateCount {
            state: profile.str(*s).to_string(),
            count: *c,
        })
        .collect();
    states.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.state.cmp(&b.state)));
    let wait_histogram = WaitHistogram {
        buckets: WAIT_BUCKETS.iter().map(|b| b.0.to_string()).collect(),
        rows: states
            .iter()
            .map(|s| {
                let id = profile.strings.find(&s.state).unwrap_or(Strings::EMPTY);
                WaitRow {
                    state: s.state.clone(),
                    counts: per_state.get(&id).map(|e| e.1.to_vec()).unwrap_or_default(),
                }
            })
            .collect(),
    };

    let panics: Vec<PanicSummary> = profile
        .panics
        .iter()
        .enumerate()
        .map(|(k, pi)| PanicSummary {
            kind: pi.kind,
            message: pi.message.clone(),
            goroutine: pi.goroutine,
            group: panic_group[k].map(|g| new_pos[g]),
        })
        .collect();

    let mut summary = GoroutineSummary {
        total,
        states_recorded,
        state_note: (!states_recorded).then(|| STATE_NOT_RECORDED.to_string()),
        states,
        groups,
        wait_histogram,
        locked_to_thread: locked_total,
        panics,
        hints: Vec::new(),
    };
    summary.hints = hints(profile, &summary, &accs);
    summary
}

fn make_group(p: &Profile, a: &Acc, has_rows: bool) -> Group {
    let row = if has_rows {
        p.goroutines.rows.get(a.first)
    } else {
        None
    };
    let args: &[StrId] = row.map_or(&[], |g| {
        let r = g.args_start as usize..g.args_end as usize;
        p.goroutines.args.get(r).unwrap_or(&[])
    });
    let mut stack = Vec::new();
    if let Some(leaf) = a.stack {
        for (k, loc) in p.stacks.frames(leaf).take(p.stacks.len()).enumerate() {
            let Some(l) = p.locations.get(loc.index()) else {
                continue;
            };
            let lines = p.lines.get(l.line_range()).unwrap_or(&[]);
            if lines.is_empty() {
                stack.push(Frame {
                    function: format!("{:#x}", l.address),
                    ..Frame::default()
                });
            }
            for (j, line) in lines.iter().enumerate() {
                let f = p.functions.get(line.func.index());
                stack.push(Frame {
                    function: f.map_or(String::new(), |f| p.str(f.name).to_string()),
                    file: f.map_or(String::new(), |f| p.str(f.file).to_string()),
                    line: line.line,
                    args: if j == lines.len() - 1 {
                        args.get(k).map_or(String::new(), |s| p.str(*s).to_string())
                    } else {
                        String::new()
                    },
                    inlined: j + 1 < lines.len(),
                });
            }
        }
    }
    let creator = row.and_then(|g| g.created_by).and_then(|loc| {
        let line = p.location_lines(loc).last().copied()?;
        let f = p.functions.get(line.func.index())?;
        Some((
            p.str(f.name).to_string(),
            format!("{}:{}", p.str(f.file), line.line),
        ))
    });
    let labels = p
        .samples
        .labels
        .get(a.first)
        .map(|set| {
            p.label_sets
                .get(*set)
                .iter()
                .filter(|l| {
                    let k = p.str(l.key);
                    k != "state" && k != "wait"
                })
                .map(|l| match l.str {
                    Some(s) => format!("{}={}", p.str(l.key), p.str(s)),
                    None => format!("{}={}{}", p.str(l.key), l.num, p.str(l.num_unit)),
                })
                .collect()
        })
        .unwrap_or_default();
    Group {
        count: a.count,
        state: p.str(a.state).to_string(),
        min_wait_minutes: a.min_wait,
        max_wait_minutes: a.max_wait,
        no_wait_shown: a.no_wait,
        locked_to_thread: a.locked,
        created_by: creator.as_ref().map(|c| c.0.clone()),
        created_at: creator.map(|c| c.1),
        creator_goroutine: row.and_then(|g| g.creator_goroutine),
        goroutine_ids: a.ids.clone(),
        stack,
        frames_elided: a.elided,
        labels,
        panicking: a.panicking.is_some(),
    }
}

// ---- hints ----------------------------------------------------------------

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

fn hints(p: &Profile, s: &GoroutineSummary, accs: &[Acc]) -> Vec<Hint> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;
    use crate::model::{Goroutine, PanicInfo, SourceFormat};

    fn row(
        p: &mut Profile,
        id: u64,
        state: &str,
        wait: Option<u32>,
        locked: bool,
        line: u32,
    ) -> Goroutine {
        Goroutine {
            id,
            state: p.strings.intern(state),
            wait_minutes: wait,
            locked_to_thread: locked,
            line,
            ..Goroutine::default()
        }
    }

    #[test]
    fn groups_states_and_hints_from_a_dump() {
        let mut b =
            ProfileBuilder::new(&[("goroutine", "count")]).format(SourceFormat::GoroutineDump);
        let mut specs: Vec<(String, &str, Option<u32>, bool)> = Vec::new();
        for _ in 0..6 {
            specs.push(("main.main;main.worker;sync.(*Mutex).Lock;sync.(*Mutex).lockSlow;sync.runtime_SemacquireMutex 1".into(), "semacquire", Some(3), false));
        }
        for _ in 0..4 {
            specs.push((
                "main.main;main.leaky;runtime.chanrecv1 1".into(),
                "chan receive",
                Some(30),
                false,
            ));
        }
        specs.push(("main.main;main.boom 1".into(), "running", None, true));
        specs.push((
            "main.main;main.nil;runtime.chanrecv1 1".into(),
            "chan receive (nil chan)",
            None,
            false,
        ));
        for (s, _, _, _) in &specs {
            b = b.sample(s);
        }
        let rows: Vec<Goroutine> = specs
            .iter()
            .enumerate()
            .map(|(i, (_, st, w, l))| {
                row(b.profile_mut(), i as u64 + 1, st, *w, *l, 10 + i as u32 * 5)
            })
            .collect();
        b.profile_mut().goroutines.rows = rows;
        b.profile_mut().panics.push(PanicInfo {
            kind: PanicKind::Panic,
            message: "boom".into(),
            recovered: false,
            repanicked: false,
            goroutine: Some(11),
            line: 1,
        });
        let p = b.build();
        let s = summarize(&p, &GoroutineOptions::default());
        assert_eq!(s.total, 12);
        assert!(s.states_recorded);
        assert_eq!(
            s.states[0],
            StateCount {
                state: "semacquire".into(),
                count: 6
            }
        );
        assert_eq!(s.groups.len(), 4);
        assert!(s.groups[0].panicking, "panicking group first");
        assert_eq!(s.groups[0].goroutine_ids, vec![11]);
        assert_eq!(s.groups[1].count, 6);
        assert_eq!(s.groups[1].goroutine_ids, vec![1, 2, 3, 4, 5]);
        assert_eq!(s.groups[2].count, 4);
        assert_eq!(
            (s.groups[2].min_wait_minutes, s.groups[2].max_wait_minutes),
            (Some(30), Some(30))
        );
        assert_eq!(s.groups.iter().map(|g| g.count).sum::<u64>(), s.total);
        assert_eq!(
            s.groups[1].stack[0].function,
            "sync.runtime_SemacquireMutex"
        );
        assert_eq!(s.locked_to_thread, 1);
        let kinds: Vec<HintKind> = s.hints.iter().map(|h| h.kind).collect();
        assert_eq!(s.hints[0].kind, HintKind::Panic);
        assert_eq!(s.hints[0].groups, vec![0]);
        for k in [
            HintKind::LockContention,
            HintKind::PossibleLeak,
            HintKind::BlockedForever,
            HintKind::LockedToThread,
        ] {
            assert!(kinds.contains(&k), "{k:?} in {kinds:?}");
        }
        let lock = s
            .hints
            .iter()
            .find(|h| h.kind == HintKind::LockContention)
            .unwrap();
        assert!(lock.title.contains("main.worker"), "{}", lock.title);
        assert_eq!(lock.groups, vec![1]);
        let wh = &s.wait_histogram;
        assert_eq!(wh.buckets.len(), WAIT_BUCKETS.len());
        let sem = wh.rows.iter().find(|r| r.state == "semacquire").unwrap();
        assert_eq!(sem.counts, vec![0, 6, 0, 0, 0]);
        let leak = wh.rows.iter().find(|r| r.state == "chan receive").unwrap();
        assert_eq!(leak.counts, vec![0, 0, 0, 4, 0]);
    }

    #[test]
    fn profile_without_states() {
        let p = ProfileBuilder::new(&[("goroutine", "count")])
            .samples(&[
                "main.main;net.(*conn).Read;internal/poll.runtime_pollWait 40",
                "main.main;main.sel;runtime.block 2",
                "main.main;main.mu;sync.(*Mutex).Lock 7",
            ])
            .build();
        let s = summarize(&p, &GoroutineOptions::default());
        assert_eq!(s.total, 49);
        assert!(!s.states_recorded);
        assert_eq!(s.state_note.as_deref(), Some(STATE_NOT_RECORDED));
        assert!(s.states.is_empty());
        assert_eq!(
            s.groups.iter().map(|g| g.count).collect::<Vec<_>>(),
            vec![40, 7, 2]
        );
        let kinds: Vec<HintKind> = s.hints.iter().map(|h| h.kind).collect();
        assert!(kinds.contains(&HintKind::NetworkWait), "{kinds:?}");
        assert!(kinds.contains(&HintKind::LockContention), "{kinds:?}");
        assert!(kinds.contains(&HintKind::BlockedForever), "{kinds:?}");
        assert!(!kinds.contains(&HintKind::PossibleLeak));
    }

    #[test]
    fn empty_profile() {
        let p = ProfileBuilder::new(&[("goroutine", "count")]).build();
        let s = summarize(&p, &GoroutineOptions::default());
        assert_eq!((s.total, s.groups.len(), s.hints.len()), (0, 0, 0));
        let s = summarize(
            &p,
            &GoroutineOptions {
                sample_index: Some(9),
            },
        );
        assert_eq!(s.total, 0);
    }
}
