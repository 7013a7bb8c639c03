//! Goroutine series, the leak finder: several snapshots of one process,
//! their goroutine groups matched across snapshots, and the groups that
//! look leaked ranked first.
//!
//! Each snapshot is summarised as a single dump is ([`summarize`]), and its
//! groups are then matched by the functions of their stacks alone
//! ([`match_key`]): addresses, arguments, goroutine ids and line numbers
//! change between dumps of one process, and the debug=2, debug=1 and
//! protobuf forms show different runtime frames, so none of them may take
//! part. A matched group holds one [`SeriesCell`] per snapshot, zero where
//! the snapshot does not have it.
//!
//! Rules (`rules.rs`, one function per rule) then say why a group is
//! suspected, in the words of the single-dump hints; `order.rs` checks the
//! user's order against the wait times debug=2 dumps print.

use hashbrown::{HashMap, HashSet};
use serde::{Deserialize, Serialize};

use super::{summarize, Frame, GoroutineOptions, GoroutineSummary, Group, Severity};
use crate::model::Profile;

mod order;
mod rules;

#[cfg(test)]
mod tests;

/// Why a series cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeriesError {
    /// A series needs at least two snapshots to show a change.
    TooFew { count: usize },
    /// A snapshot holds no goroutines (a CPU or heap profile, say).
    NotGoroutines { name: String, format: String },
}

impl std::fmt::Display for SeriesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SeriesError::TooFew { count } => write!(
                f,
                "a goroutine series needs at least 2 snapshots, got {count}"
            ),
            SeriesError::NotGoroutines { name, format } => write!(
                f,
                "{name} is a {format}, not goroutine data: a series takes only goroutine dumps \
                 (debug=1 or debug=2) and goroutine profiles"
            ),
        }
    }
}

impl std::error::Error for SeriesError {}

/// One snapshot as the series shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    pub name: String,
    /// What the file was ([`Profile::describe`]).
    pub format: String,
    pub total: u64,
    /// Whether the format records states (debug=2 dumps and tracebacks).
    pub states_recorded: bool,
    pub leaked: u64,
}

/// Wait minutes of a group in one snapshot. Go prints a wait only from one
/// minute on, so a goroutine of a dump with states that shows none has
/// waited less than a minute and counts as 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitRange {
    pub min: u32,
    pub max: u32,
}

/// A matched group in one snapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SeriesCell {
    pub count: u64,
    pub leaked: u64,
    /// `None` when the snapshot's format has no wait times or the group is
    /// absent from it.
    pub wait: Option<WaitRange>,
}

/// How the series judges a group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Go's leak detector marked some of its goroutines: certain.
    Leaked,
    /// A rule of `rules.rs` suspects a leak.
    Suspect,
    /// Its count changed, but no rule suspects it.
    #[default]
    Changed,
    /// The same count in every snapshot (a pool, long-lived workers).
    Stable,
}

/// What a reason is about (stable, for tests and icons).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    Leaked,
    GrewEveryStep,
    BlockedForever,
    NoCounterpart,
    StuckOnALock,
    GrowingWait,
    Stable,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub kind: ReasonKind,
    /// `Info` for what explains a group without suspecting it.
    pub severity: Severity,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SeriesGroup {
    /// The functions the group is matched by, leaf first.
    pub functions: Vec<String>,
    /// Where user code blocks or runs: `main.slowBackend (main.go:34)`.
    pub site: String,
    /// Its states over all snapshots, most goroutines first; empty when no
    /// snapshot records states.
    pub states: Vec<String>,
    /// The `created by` function, from the first snapshot that shows one.
    pub created_by: Option<String>,
    /// One per snapshot, in the series' order.
    pub cells: Vec<SeriesCell>,
    /// Last count minus first count.
    pub growth: i64,
    /// The count rose at every step.
    pub grew_every_step: bool,
    pub verdict: Verdict,
    /// Most severe first.
    pub reasons: Vec<Reason>,
    /// A representative stack, from the latest snapshot holding the group.
    pub stack: Vec<Frame>,
}

impl SeriesGroup {
    pub fn counts(&self) -> Vec<u64> {
        self.cells.iter().map(|c| c.count).collect()
    }

    pub fn is_suspect(&self) -> bool {
        matches!(self.verdict, Verdict::Leaked | Verdict::Suspect)
    }
}

/// Goroutines in one state across the snapshots. `state` is empty for the
/// goroutines of snapshots whose format records no state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StateSeries {
    pub state: String,
    pub counts: Vec<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SeriesSummary {
    pub snapshots: Vec<SnapshotInfo>,
    /// Leaked first, then suspects (most reasons, then most growth), then
    /// the changed and the stable groups, larger first.
    pub groups: Vec<SeriesGroup>,
    /// Largest first over the whole series.
    pub states: Vec<StateSeries>,
    /// The order check's findings, and anything else the user should know
    /// before trusting the ranking.
    pub warnings: Vec<String>,
}

impl SeriesSummary {
    pub fn suspects(&self) -> impl Iterator<Item = &SeriesGroup> {
        self.groups.iter().filter(|g| g.is_suspect())
    }
}

/// The functions a group is matched by across snapshots, leaf first: every
/// frame but the runtime's, with type arguments elided. A debug=2 dump
/// hides runtime frames, debug=1 hides those under the first user frame but
/// shows `runtime.main`, and a protobuf profile shows them all, so only the
/// frames all three show can match; tracebacks print a generic function's
/// type arguments as `[...]` where a protobuf profile spells them out. A
/// stack of runtime frames only keeps them all.
pub fn match_key(stack: &[Frame]) -> Vec<String> {
    let is_runtime =
        |f: &str| f.starts_with("runtime.") || f.starts_with("internal/runtime/") || f.is_empty();
    let key: Vec<String> = stack
        .iter()
        .filter(|f| !is_runtime(&f.function))
        .map(|f| elide_type_args(&f.function))
        .collect();
    if key.is_empty() {
        stack.iter().map(|f| elide_type_args(&f.function)).collect()
    } else {
        key
    }
}

/// `pkg.(*T[go.shape.int]).M[...]` -> `pkg.(*T[...]).M[...]`, as a
/// traceback prints it; brackets nest (`go.shape.[]uint8`).
fn elide_type_args(f: &str) -> String {
    if !f.contains('[') {
        return f.to_string();
    }
    let mut out = String::with_capacity(f.len());
    let mut depth = 0usize;
    for c in f.chars() {
        match c {
            '[' => {
                if depth == 0 {
                    out.push_str("[...]");
                }
                depth += 1;
            }
            ']' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// A matched group while the snapshots are read.
struct Acc {
    key: Vec<String>,
    cells: Vec<SeriesCell>,
    /// Goroutines per state, over all snapshots.
    states: HashMap<String, u64>,
    created_by: Option<String>,
    stack: Vec<Frame>,
    /// Snapshot index, then the group's first appearance there.
    first: (usize, usize),
}

/// What the rules may look at besides the group itself.
pub(super) struct Context<'a> {
    pub snapshots: &'a [SnapshotInfo],
    /// Every function on some stack of each snapshot.
    pub functions: Vec<HashSet<&'a str>>,
}

/// Builds the series from snapshots in the user's order.
pub fn summarize_series(snapshots: &[(&str, &Profile)]) -> Result<SeriesSummary, SeriesError> {
    if snapshots.len() < 2 {
        return Err(SeriesError::TooFew {
            count: snapshots.len(),
        });
    }
    if let Some((name, p)) = snapshots.iter().find(|(_, p)| !p.is_goroutine_data()) {
        return Err(SeriesError::NotGoroutines {
            name: name.to_string(),
            format: p.describe().to_string(),
        });
    }
    let n = snapshots.len();
    let opts = GoroutineOptions::default();
    let summaries: Vec<GoroutineSummary> =
        snapshots.iter().map(|(_, p)| summarize(p, &opts)).collect();
    let infos: Vec<SnapshotInfo> = snapshots
        .iter()
        .zip(&summaries)
        .map(|((name, p), s)| SnapshotInfo {
            name: name.to_string(),
            format: p.describe().to_string(),
            total: s.total,
            states_recorded: s.states_recorded,
            leaked: s.groups.iter().map(|g| g.leaked).sum(),
        })
        .collect();

    let mut index: HashMap<Vec<String>, usize> = HashMap::new();
    let mut accs: Vec<Acc> = Vec::new();
    for (si, s) in summaries.iter().enumerate() {
        for (gi, g) in s.groups.iter().enumerate() {
            let key = match_key(&g.stack);
            let ai = *index.entry(key.clone()).or_insert_with(|| {
                accs.push(Acc {
                    key,
                    cells: vec![SeriesCell::default(); n],
                    states: HashMap::new(),
                    created_by: None,
                    stack: Vec::new(),
                    first: (si, gi),
                });
                accs.len() - 1
            });
            add(&mut accs[ai], si, g, s.states_recorded);
        }
    }

    let ctx = Context {
        snapshots: &infos,
        functions: summaries
            .iter()
            .map(|s| {
                s.groups
                    .iter()
                    .flat_map(|g| g.stack.iter().map(|f| f.function.as_str()))
                    .collect()
            })
            .collect(),
    };
    let mut groups: Vec<(SeriesGroup, (usize, usize))> = accs
        .into_iter()
        .map(|a| {
            let first = a.first;
            (finish(a, &ctx), first)
        })
        .collect();
    crate::sort::sort_by(&mut groups, &mut |(a, fa), (b, fb)| {
        let reasons = |g: &SeriesGroup| {
            g.reasons
                .iter()
                .filter(|r| r.severity > Severity::Info)
                .count()
        };
        let last = |g: &SeriesGroup| g.cells.last().map_or(0, |c| c.count);
        let leaked = |g: &SeriesGroup| g.cells.iter().map(|c| c.leaked).max().unwrap_or(0);
        a.verdict
            .cmp(&b.verdict)
            .then_with(|| leaked(b).cmp(&leaked(a)))
            .then_with(|| {
                if a.verdict == Verdict::Suspect {
                    reasons(b).cmp(&reasons(a)).then(b.growth.cmp(&a.growth))
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .then_with(|| last(b).cmp(&last(a)))
            .then(fa.cmp(fb))
    });

    drop(ctx);
    Ok(SeriesSummary {
        states: state_series(&summaries),
        warnings: order::check(snapshots),
        snapshots: infos,
        groups: groups.into_iter().map(|(g, _)| g).collect(),
    })
}

fn add(a: &mut Acc, si: usize, g: &Group, states_recorded: bool) {
    let cell = &mut a.cells[si];
    cell.count += g.count;
    cell.leaked += g.leaked;
    if states_recorded {
        let min = if g.no_wait_shown > 0 {
            0
        } else {
            g.min_wait_minutes.unwrap_or(0)
        };
        let max = g.max_wait_minutes.unwrap_or(0);
        cell.wait = Some(match cell.wait {
            Some(w) => WaitRange {
                min: w.min.min(min),
                max: w.max.max(max),
            },
            None => WaitRange { min, max },
        });
    }
    if !g.state.is_empty() {
        *a.states.entry(g.state.clone()).or_default() += g.count;
    }
    if a.created_by.is_none() {
        a.created_by = g.created_by.clone();
    }
    // Snapshots come in order, so the last one seen is the latest.
    a.stack = g.stack.clone();
}

fn finish(a: Acc, ctx: &Context) -> SeriesGroup {
    let counts: Vec<u64> = a.cells.iter().map(|c| c.count).collect();
    let first = counts.first().copied().unwrap_or(0);
    let last = counts.last().copied().unwrap_or(0);
    let mut states: Vec<(String, u64)> = a.states.into_iter().collect();
    crate::sort::sort_by(&mut states, &mut |x, y| {
        y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0))
    });
    let probe = Group {
        stack: a.stack.clone(),
        ..Group::default()
    };
    let mut g = SeriesGroup {
        site: super::hints::describe_site(super::hints::call_site(&probe)),
        functions: a.key,
        states: states.into_iter().map(|(s, _)| s).collect(),
        created_by: a.created_by,
        cells: a.cells,
        growth: last as i64 - first as i64,
        grew_every_step: counts.windows(2).all(|w| w[1] > w[0]),
        verdict: Verdict::Changed,
        reasons: Vec::new(),
        stack: a.stack,
    };
    g.reasons = rules::reasons(&g, ctx);
    g.verdict = if g.cells.iter().any(|c| c.leaked > 0) {
        Verdict::Leaked
    } else if g.reasons.iter().any(|r| r.severity > Severity::Info) {
        Verdict::Suspect
    } else if counts.windows(2).all(|w| w[0] == w[1]) {
        Verdict::Stable
    } else {
        Verdict::Changed
    };
    g
}

/// Totals per state per snapshot, largest state first.
fn state_series(summaries: &[GoroutineSummary]) -> Vec<StateSeries> {
    let n = summaries.len();
    let mut out: Vec<StateSeries> = Vec::new();
    for (si, s) in summaries.iter().enumerate() {
        let found: Vec<(&str, u64)> = if s.states_recorded {
            s.states
                .iter()
                .map(|c| (c.state.as_str(), c.count))
                .collect()
        } else {
            vec![("", s.total)]
        };
        for (state, count) in found {
            let i = match out.iter().position(|x| x.state == state) {
                Some(i) => i,
                None => {
                    out.push(StateSeries {
                        state: state.to_string(),
                        counts: vec![0; n],
                    });
                    out.len() - 1
                }
            };
            out[i].counts[si] += count;
        }
    }
    crate::sort::sort_by(&mut out, &mut |a, b| {
        let sum = |x: &StateSeries| x.counts.iter().sum::<u64>();
        sum(b).cmp(&sum(a)).then_with(|| a.state.cmp(&b.state))
    });
    out
}
