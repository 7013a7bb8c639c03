//! Does the user's order agree with the dumps? Snapshots carry no
//! timestamps, but a debug=2 dump prints how long each blocked goroutine has
//! waited, and goroutine ids are never reused within a process: the same
//! goroutine in the same state in two dumps has waited at least as long in
//! the later one. A goroutine that woke and blocked again shows a shorter
//! wait, so a single one proves nothing; when more shared goroutines waited
//! less than more, the pair is most likely swapped.

use std::cmp::Ordering;

use crate::model::{Profile, StrId, Strings};

/// A goroutine of a dump that shows states: id, wait minutes (0 when none
/// is shown: under a minute), state. The state stays an id of its dump's
/// string table, read only for goroutines both dumps show: a series of
/// large dumps holds millions of these, and 16 bytes each, with no string
/// looked up, keeps this check small beside parsing.
type Wait = (u64, u32, StrId);

/// One warning per consecutive pair of snapshots whose wait times say the
/// later one is older. Each dump's goroutines are sorted by id once and the
/// pairs merged: cheaper than hashing hundreds of thousands of ids.
pub(super) fn check(snapshots: &[(&str, &Profile)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut earlier: Option<(Vec<Wait>, &Profile)> = None;
    for (i, (name, p)) in snapshots.iter().enumerate() {
        let later = sorted_waits(p).map(|w| (w, *p));
        if let (Some(a), Some(b)) = (&earlier, &later) {
            let (shared, shorter, longer) = compare(a, b);
            if shorter > longer {
                out.push(format!(
                    "{name} looks older than {}, which comes before it: of the {shared} goroutines \
                     both show in the same state, {shorter} have waited less in {name} and {longer} \
                     longer. Wait times only grow while a goroutine stays blocked; reorder the \
                     snapshots if they were chosen out of order.",
                    snapshots[i - 1].0,
                ));
            }
        }
        earlier = later;
    }
    out
}

/// Goroutines in both (same id and state), and how many of them waited
/// less and longer in `b`.
fn compare((a, pa): &(Vec<Wait>, &Profile), (b, pb): &(Vec<Wait>, &Profile)) -> (u64, u64, u64) {
    // The two string tables differ, but each state recurs: remember the
    // last pair of ids found equal or not.
    let mut last: Option<(StrId, StrId, bool)> = None;
    let mut same_state = |x: StrId, y: StrId| match last {
        Some((lx, ly, eq)) if lx == x && ly == y => eq,
        _ => {
            let eq = pa.str(x) == pb.str(y);
            last = Some((x, y, eq));
            eq
        }
    };
    let (mut i, mut j) = (0, 0);
    let (mut shared, mut shorter, mut longer) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                if same_state(a[i].2, b[j].2) {
                    shared += 1;
                    match b[j].1.cmp(&a[i].1) {
                        Ordering::Less => shorter += 1,
                        Ordering::Greater => longer += 1,
                        Ordering::Equal => {}
                    }
                }
                i += 1;
                j += 1;
            }
        }
    }
    (shared, shorter, longer)
}

/// The goroutines of a dump that shows states, by id; `None` for formats
/// without states (debug=1, protobuf), which have nothing to check.
fn sorted_waits(p: &Profile) -> Option<Vec<Wait>> {
    let rows = &p.goroutines.rows;
    if rows.len() != p.samples.len() || !rows.iter().any(|g| g.state != Strings::EMPTY) {
        return None;
    }
    let mut v: Vec<Wait> = rows
        .iter()
        .filter(|g| g.id != 0 && g.state != Strings::EMPTY)
        .map(|g| (g.id, g.wait_minutes.unwrap_or(0), g.state))
        .collect();
    // Dumps list goroutines mostly by id already.
    if !v.is_sorted_by_key(|w| w.0) {
        crate::sort::sort_by_key(&mut v, &mut |w| w.0);
    }
    Some(v)
}
