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
//! frames, same lines), the same state and the same pprof labels, largest
//! first; ties keep the order of first appearance in the input, so the
//! result is deterministic. A group holding a panicking goroutine comes
//! first. Labels split groups because they name what the goroutine works
//! for (`tenant=acme` vs `tenant=zeta`), as pprof's own debug=1 groups are
//! split; [`GoroutineOptions::ignore_labels`] merges them when the user asks.
//!
//! Leaked goroutines are those Go 1.26+ marks `(leaked)` in a dump, or every
//! goroutine of a goroutineleak profile's protobuf and debug=1 forms (they
//! list only leaked ones). The runtime found them blocked on something no
//! live goroutine can reach: certain, not suspected.
//!
//! Hints (`hints/`, one function per rule) read the stacks as a Go engineer
//! would, and say only what the stacks show: "N goroutines wait for a
//! sync.Mutex at X", never "X deadlocks".

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use crate::model::{
    LabelSetId, LabelSets, PanicKind, Profile, SourceFormat, StackId, StrId, Strings,
};

mod group;
mod hints;
pub mod series;

pub use hints::{
    DOMINANT_MIN_SHARE, DOMINANT_MIN_TOTAL, IO_WAIT_MIN, LEAK_MIN_GROUP, LEAK_MIN_WAIT_MINUTES,
    LOCK_CONTENTION_MIN, MANY_GOROUTINES, RECURSION_MIN_REPEATS, SYNC_WAIT_MIN, SYSCALL_MIN,
};

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

/// Options for [`summarize`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoroutineOptions {
    /// The sample type holding goroutine counts; `None` picks the one named
    /// `goroutine`, else pprof's default.
    pub sample_index: Option<usize>,
    /// Group goroutines with the same stack and state together whatever
    /// their labels.
    pub ignore_labels: bool,
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
    /// The group's pprof labels (`key=value`), in the file's order; empty
    /// when it has none or when they vary (see `labels_vary`).
    pub labels: Vec<String>,
    /// Grouped with [`GoroutineOptions::ignore_labels`], its goroutines
    /// carry different labels.
    pub labels_vary: bool,
    /// Goroutines the runtime marked leaked (see the module doc).
    pub leaked: u64,
    /// Goroutines durably blocked in a synctest bubble (`(durable)`).
    pub durable: u64,
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
    Leaked,
    PossibleLeak,
    BlockedForever,
    ManyGoroutines,
    DominantGroup,
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
    /// The total a debug=1 header declares, when the file has one: what
    /// shares are of, since the records may be an excerpt.
    pub header_total: Option<u64>,
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
    /// Goroutines the runtime marked leaked.
    pub leaked: u64,
    /// The input is a goroutineleak profile.
    pub leak_profile: bool,
    /// When the input shows only some goroutines (a traceback under Go's
    /// default `GOTRACEBACK`): which ones it shows.
    pub partial: Option<String>,
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
    labels: LabelSetId,
    labels_vary: bool,
    leaked: u64,
    durable: u64,
}

fn goroutine_index(p: &Profile) -> usize {
    p.sample_types
        .iter()
        .position(|t| p.str(t.kind) == "goroutine")
        .unwrap_or_else(|| p.default_sample_index())
}

/// The pprof labels of sample `i`: a dump's header labels (its row's,
/// without the `state` and `wait` labels the sample also carries), or a
/// profile's sample labels.
fn labels_of(p: &Profile, has_rows: bool, i: usize) -> LabelSetId {
    if has_rows {
        p.goroutines.rows[i].labels
    } else {
        p.samples.labels.get(i).copied().unwrap_or(LabelSets::EMPTY)
    }
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
    let mut leaked_total = 0u64;
    // The protobuf and debug=1 forms of a goroutineleak profile list only
    // leaked goroutines; its debug=2 form is a dump of all, marked.
    let all_leaked = profile.is_goroutine_leak()
        && !matches!(
            profile.format,
            SourceFormat::GoroutineDump | SourceFormat::Traceback
        );
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
        let labels = labels_of(profile, has_rows, i);
        let key_labels = if opts.ignore_labels { 0 } else { labels.0 };
        let key = (
            stack.map_or(u32::MAX, |s| s.index() as u32),
            state,
            key_labels,
        );
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
                labels,
                labels_vary: false,
                leaked: 0,
                durable: 0,
            });
            accs.len() - 1
        });
        let a = &mut accs[gi];
        a.count = a.count.saturating_add(c);
        a.labels_vary |= a.labels != labels;
        let leaked = all_leaked || row.is_some_and(|g| g.leaked);
        if leaked {
            a.leaked = a.leaked.saturating_add(c);
            leaked_total = leaked_total.saturating_add(c);
        }
        if row.is_some_and(|g| g.durable) {
            a.durable = a.durable.saturating_add(c);
        }
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
                None => a.no_wait = a.no_wait.saturating_add(c),
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
        }
    }

    // Order: panicking groups first (in panic order), then by size, then by
    // first appearance.
    let mut order: Vec<usize> = (0..accs.len()).collect();
    crate::sort::sort_by(&mut order, &mut |&x, &y| {
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
        .map(|a| group::make_group(profile, a, has_rows))
        .collect();

    let mut states: Vec<StateCount> = per_state
        .iter()
        .map(|(s, (c, _))| StateCount {
            state: profile.str(*s).to_string(),
            count: *c,
        })
        .collect();
    crate::sort::sort_by(&mut states, &mut |a, b| {
        b.count.cmp(&a.count).then_with(|| a.state.cmp(&b.state))
    });
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
        header_total: profile.goroutines.header_total,
        states_recorded,
        state_note: (!states_recorded).then(|| STATE_NOT_RECORDED.to_string()),
        states,
        groups,
        wait_histogram,
        locked_to_thread: locked_total,
        panics,
        hints: Vec::new(),
        leaked: leaked_total,
        leak_profile: profile.is_goroutine_leak(),
        partial: profile
            .goroutines
            .coverage
            .is_partial()
            .then(|| profile.goroutines.coverage.describe().to_string()),
    };
    summary.hints = hints::hints(&summary);
    summary
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
                ignore_labels: false,
            },
        );
        assert_eq!(s.total, 0);
    }
}
