//! Does the user's order agree with the dumps? Snapshots carry no
//! timestamps, but a debug=2 dump prints how long each blocked goroutine has
//! waited, and goroutine ids are never reused within a process: the same
//! goroutine in the same state in two dumps has waited at least as long in
//! the later one. A goroutine that woke and blocked again shows a shorter
//! wait, so a single one proves nothing; when more shared goroutines waited
//! less than more, the pair is most likely swapped.

use hashbrown::HashMap;

use crate::model::{Profile, Strings};

/// One warning per consecutive pair of snapshots whose wait times say the
/// later one is older.
pub(super) fn check(snapshots: &[(&str, &Profile)]) -> Vec<String> {
    let waits: Vec<Option<HashMap<(u64, &str), u32>>> = snapshots
        .iter()
        .map(|(_, p)| waits_by_goroutine(p))
        .collect();
    let mut out = Vec::new();
    for i in 1..snapshots.len() {
        let (Some(a), Some(b)) = (&waits[i - 1], &waits[i]) else {
            continue;
        };
        let (mut shorter, mut longer, mut shared) = (0u64, 0u64, 0u64);
        for (k, wb) in b {
            let Some(wa) = a.get(k) else { continue };
            shared += 1;
            match wb.cmp(wa) {
                std::cmp::Ordering::Less => shorter += 1,
                std::cmp::Ordering::Greater => longer += 1,
                std::cmp::Ordering::Equal => {}
            }
        }
        if shorter > longer {
            out.push(format!(
                "{} looks older than {}, which comes before it: of the {shared} goroutines both \
                 show in the same state, {shorter} have waited less in {} and {longer} longer. \
                 Wait times only grow while a goroutine stays blocked; reorder the snapshots if \
                 they were chosen out of order.",
                snapshots[i].0,
                snapshots[i - 1].0,
                snapshots[i].0
            ));
        }
    }
    out
}

/// Wait minutes by goroutine id and state, for a dump that shows states; a
/// goroutine without a wait shown has waited under a minute.
fn waits_by_goroutine(p: &Profile) -> Option<HashMap<(u64, &str), u32>> {
    let rows = &p.goroutines.rows;
    if rows.len() != p.samples.len() || !rows.iter().any(|g| g.state != Strings::EMPTY) {
        return None;
    }
    Some(
        rows.iter()
            .filter(|g| g.id != 0 && g.state != Strings::EMPTY)
            .map(|g| ((g.id, p.str(g.state)), g.wait_minutes.unwrap_or(0)))
            .collect(),
    )
}
