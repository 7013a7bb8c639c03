//! Why a matched group is suspected (or not), one function per rule, in the
//! words of the single-dump hints: say what the snapshots show, and what it
//! usually means.

use std::cmp::Reverse;

use super::{Context, Reason, ReasonKind, SeriesGroup};
use crate::analysis::goroutines::hints::plural;
use crate::analysis::goroutines::Severity;

type Rule = fn(&SeriesGroup, &Context) -> Option<Reason>;

/// The certain finding first, then what suspects a group.
const RULES: &[Rule] = &[
    leaked,
    grew_every_step,
    blocked_forever,
    no_counterpart,
    stuck_on_a_lock,
    growing_wait,
];

/// The reasons for `g`, most severe first. A group no rule suspects and
/// whose count never changed gets the one `Info` reason that says so.
pub(super) fn reasons(g: &SeriesGroup, ctx: &Context) -> Vec<Reason> {
    let mut found: Vec<Reason> = RULES.iter().filter_map(|rule| rule(g, ctx)).collect();
    if found.is_empty() {
        found.extend(stable(g));
    }
    crate::sort::sort_by_key(&mut found, &mut |r| Reverse(r.severity));
    found
}

fn reason(kind: ReasonKind, severity: Severity, text: String) -> Option<Reason> {
    Some(Reason {
        kind,
        severity,
        text,
    })
}

fn arrows<T: ToString>(v: impl Iterator<Item = T>) -> String {
    v.map(|x| x.to_string()).collect::<Vec<_>>().join(" → ")
}

/// Go 1.26+ marks goroutines a leak detection cycle proved unreachable.
fn leaked(g: &SeriesGroup, ctx: &Context) -> Option<Reason> {
    let (si, cell) = g
        .cells
        .iter()
        .enumerate()
        .rev()
        .find(|(_, c)| c.leaked > 0)?;
    reason(
        ReasonKind::Leaked,
        Severity::Error,
        format!(
            "Go's leak detector found {} of this group leaked in {}: blocked on something no running \
             goroutine can reach. This is certain, not a suspicion.",
            plural(cell.leaked, "goroutine", "goroutines"),
            ctx.snapshots[si].name
        ),
    )
}

fn grew_every_step(g: &SeriesGroup, _: &Context) -> Option<Reason> {
    if !g.grew_every_step {
        return None;
    }
    reason(
        ReasonKind::GrewEveryStep,
        Severity::Warn,
        format!(
            "Grew at every step: {} (+{}). Goroutines that pile up at one place in every snapshot \
             are the classic leak; a pool or a burst levels off.",
            arrows(g.cells.iter().map(|c| c.count)),
            g.growth
        ),
    )
}

/// States no goroutine ever leaves, and how a reason says them.
const FOREVER: [(&str, &str); 3] = [
    ("chan receive (nil chan)", "receiving from a nil channel"),
    ("chan send (nil chan)", "sending on a nil channel"),
    ("select (no cases)", "in an empty select{}"),
];

fn blocked_forever(g: &SeriesGroup, _: &Context) -> Option<Reason> {
    let (_, what) = FOREVER
        .iter()
        .find(|(s, _)| g.states.iter().any(|x| x == s))?;
    reason(
        ReasonKind::BlockedForever,
        Severity::Warn,
        format!("Blocked forever {what}: nothing can ever wake these goroutines."),
    )
}

/// A goroutine blocked sending on a channel its creator made waits for a
/// receiver; when the creator's function runs on no goroutine of any
/// snapshot that holds the group, the usual receiver has returned. Only the
/// creator is checked: a dump does not say which channel a goroutine waits
/// on, so a group started by a function that still runs somewhere is not
/// suspected by this rule.
fn no_counterpart(g: &SeriesGroup, ctx: &Context) -> Option<Reason> {
    let sending = g.states.iter().any(|s| s == "chan send")
        || (g.states.is_empty()
            && g.stack.iter().take(3).any(|f| {
                matches!(
                    f.function.as_str(),
                    "runtime.chansend1" | "runtime.chansend"
                )
            }));
    let creator = g.created_by.as_deref()?;
    if !sending || g.functions.iter().any(|f| f == creator) {
        return None;
    }
    let holding: Vec<usize> = (0..g.cells.len())
        .filter(|&i| g.cells[i].count > 0)
        .collect();
    if holding.iter().any(|&i| ctx.functions[i].contains(creator)) {
        return None;
    }
    reason(
        ReasonKind::NoCounterpart,
        Severity::Warn,
        format!(
            "Blocked in chan send at {}, and no goroutine runs {creator}, which started them, in \
             any snapshot that holds them: if the channel is {creator}'s, nothing is left to \
             receive from it.",
            g.site
        ),
    )
}

/// The snapshots that show the group's wait times, with its longest wait.
fn longest_waits(g: &SeriesGroup) -> Vec<u32> {
    g.cells
        .iter()
        .filter(|c| c.count > 0)
        .filter_map(|c| c.wait.map(|w| w.max))
        .collect()
}

fn constant(g: &SeriesGroup) -> bool {
    g.cells.windows(2).all(|w| w[0].count == w[1].count)
}

/// Lock states: a waiter leaves them only when the lock is granted.
const LOCK_STATES: [&str; 4] = [
    "sync.Mutex.Lock",
    "sync.RWMutex.Lock",
    "sync.RWMutex.RLock",
    "semacquire",
];

/// Waiting for a lock across snapshots, the longest wait growing at every
/// step: the oldest waiter was never granted the lock, so whoever holds it
/// has not let go between the snapshots. Unlike idle workers, a constant
/// group of such waiters is no pool, so this rule suspects it too. Which
/// goroutine holds the lock a dump does not say.
fn stuck_on_a_lock(g: &SeriesGroup, _: &Context) -> Option<Reason> {
    let state = g
        .states
        .iter()
        .find(|s| LOCK_STATES.contains(&s.as_str()))?;
    let waits = longest_waits(g);
    if waits.len() < 2 || !waits.windows(2).all(|w| w[1] > w[0]) {
        return None;
    }
    reason(
        ReasonKind::StuckOnALock,
        Severity::Warn,
        format!(
            "Waiting in {state} at {} for {} minutes: the oldest waiter never got the lock, so \
             its holder has not let go between snapshots. Look for a goroutine that holds it \
             while blocked on something else.",
            g.site,
            arrows(waits.iter())
        ),
    )
}

/// The longest wait grows at every step while the count changes: the
/// oldest goroutines never left. Idle workers of a constant pool wait
/// longer and longer too, so a constant group is left to [`stable`].
fn growing_wait(g: &SeriesGroup, _: &Context) -> Option<Reason> {
    let waits = longest_waits(g);
    let on_a_lock = g.states.iter().any(|s| LOCK_STATES.contains(&s.as_str()));
    if waits.len() < 2 || !waits.windows(2).all(|w| w[1] > w[0]) || constant(g) || on_a_lock {
        return None;
    }
    reason(
        ReasonKind::GrowingWait,
        Severity::Warn,
        format!(
            "The longest wait grew at every step: {} minutes. Its oldest goroutines never \
             finished while new ones came.",
            arrows(waits.iter())
        ),
    )
}

fn stable(g: &SeriesGroup) -> Option<Reason> {
    let n = g.cells.first()?.count;
    if !constant(g) || n == 0 {
        return None;
    }
    let idle = match longest_waits(g).last() {
        Some(&m) if m > 0 => format!(", waiting up to {m} minutes as idle workers do"),
        _ => String::new(),
    };
    reason(
        ReasonKind::Stable,
        Severity::Info,
        format!(
            "{} in every snapshot{idle}. A pool or long-lived goroutines look like this; \
             a leak grows.",
            plural(n, "goroutine", "goroutines")
        ),
    )
}
