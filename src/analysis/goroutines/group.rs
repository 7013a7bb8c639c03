//! A group as the summary shows it: the first goroutine's stack with its
//! arguments, its creator and its labels, resolved from the model.

use super::{Acc, Frame, Group};
use crate::model::{Profile, StrId};

pub(super) fn make_group(p: &Profile, a: &Acc, has_rows: bool) -> Group {
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
        leaked: a.leaked,
    }
}
