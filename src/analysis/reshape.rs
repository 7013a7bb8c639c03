//! Stacks reshaped for the flame graphs that are not the call tree: the
//! bottom-up graph (every stack turned leaf first) and the two halves of a
//! sandwich (the callers of one function, inverted, and its callees).
//!
//! Each is a new [`Profile`] whose stacks are the reshaped ones, so the
//! flame tree, its layout, search and zoom are the flame tab's own code,
//! unchanged. Every frame becomes a location of one line, because a
//! reshaped stack may start or end inside an inlined location; the flame
//! graph then no longer marks inlined frames, which only the call tree
//! shows. The report filters are applied while reshaping (which samples,
//! which lines), except `show_from`, whose "rootward of the match" has no
//! meaning once a stack is turned around.
//!
//! Recursion follows pprof's rule that a stack counts once for a function:
//! the callees are those below the function's outermost frame, the callers
//! those above its innermost one, so both graphs are exactly as wide as the
//! function's cum.

use crate::analysis::flame::{FlameFilter, ReportFilter};
use crate::analysis::options::{FilterError, ReportOptions};
use crate::model::{LabelSets, LocId, Location, Profile, Samples, StackBuilder, StackId, StrId};

/// Which reshaping.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Reshape {
    /// Leaf functions as roots, growing toward their callers.
    BottomUp,
    /// The function named so (a function name, as in the profile) as the
    /// root, growing toward its callers.
    Callers(String),
    /// The function named so as the root, growing toward its callees.
    Callees(String),
}

/// A frame before it becomes a location: a line of the profile, or an
/// unsymbolised location.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    Line(u32),
    Bare(LocId),
}

/// `profile` reshaped as `how` says, for the sample type and filters of
/// `opts`; its one sample type is the chosen one, so a flame tree of it
/// takes sample index 0.
pub fn reshape(
    profile: &Profile,
    opts: &ReportOptions,
    how: &Reshape,
) -> Result<Profile, FilterError> {
    let filter = ReportFilter::new(profile, opts)?;
    let si = opts
        .sample_index
        .unwrap_or_else(|| profile.default_sample_index());
    let target: Option<StrId> = match how {
        Reshape::BottomUp => None,
        Reshape::Callers(name) | Reshape::Callees(name) => {
            Some(profile.strings.find(name).unwrap_or(StrId(u32::MAX)))
        }
    };

    let mut out = Profile::new(profile.format);
    out.strings = profile.strings.clone();
    out.functions = profile.functions.clone();
    out.mappings = profile.mappings.clone();
    out.sample_types = profile.sample_types.get(si).copied().into_iter().collect();
    out.period_type = profile.period_type;
    out.period = profile.period;
    out.label_sets = LabelSets::default();

    let mut line_loc: Vec<u32> = vec![u32::MAX; profile.lines.len()];
    let mut bare_loc: Vec<u32> = vec![u32::MAX; profile.locations.len()];
    let mut new_loc = |out: &mut Profile, f: Frame| -> LocId {
        let (slot, location) = match f {
            Frame::Line(l) => {
                let src = &profile.lines[l as usize];
                (
                    &mut line_loc[l as usize],
                    (
                        Some(*src),
                        Location {
                            source_id: 0,
                            mapping: None,
                            address: 0,
                            lines_start: 0,
                            lines_end: 0,
                            is_folded: false,
                        },
                    ),
                )
            }
            Frame::Bare(loc) => (
                &mut bare_loc[loc.index()],
                (
                    None,
                    Location {
                        lines_start: 0,
                        lines_end: 0,
                        ..profile.locations[loc.index()]
                    },
                ),
            ),
        };
        if *slot == u32::MAX {
            let (line, mut location) = location;
            if let Some(line) = line {
                location.lines_start = out.lines.len() as u32;
                out.lines.push(line);
                location.lines_end = out.lines.len() as u32;
            }
            *slot = out.locations.len() as u32;
            out.locations.push(location);
        }
        LocId(*slot)
    };

    let mut stacks = StackBuilder::new();
    // Per stack node of `profile`: its reshaped leaf + 1, 0 while unknown,
    // u32::MAX when the stack is dropped (no frame of the target).
    let mut memo: Vec<u32> = vec![0; profile.stacks.len()];
    let mut frames: Vec<Frame> = Vec::new();
    let mut path: Vec<LocId> = Vec::new();
    let mut samples = Samples::default();
    let nt = profile.sample_types.len();
    for i in 0..profile.samples.len() {
        let v = profile
            .samples
            .values
            .get(i * nt + si)
            .copied()
            .unwrap_or(0);
        if v == 0 || !filter.keep_sample(i) {
            continue;
        }
        let Some(leaf) = profile.samples.stack[i] else {
            continue;
        };
        let m = memo[leaf.index()];
        let node = if m != 0 {
            m
        } else {
            // Frames leaf first, innermost line of each location first.
            frames.clear();
            for loc in profile.stacks.frames(leaf) {
                if filter.is_hidden(loc) {
                    continue;
                }
                let own = profile.locations[loc.index()].line_range();
                let before = frames.len();
                match filter.location_lines(loc) {
                    Some(kept) => frames.extend(kept.iter().map(|&l| Frame::Line(l))),
                    None => frames.extend(own.map(|l| Frame::Line(l as u32))),
                }
                if frames.len() == before && profile.locations[loc.index()].line_range().is_empty()
                {
                    frames.push(Frame::Bare(loc));
                }
            }
            let is_target = |f: &Frame| match (f, target) {
                (Frame::Line(l), Some(t)) => profile
                    .functions
                    .get(profile.lines[*l as usize].func.index())
                    .is_some_and(|func| func.name == t),
                _ => false,
            };
            // `path` is root first.
            path.clear();
            let kept = match how {
                Reshape::BottomUp => {
                    path.extend(frames.iter().map(|&f| new_loc(&mut out, f)));
                    true
                }
                Reshape::Callers(_) => match frames.iter().position(is_target) {
                    Some(k) => {
                        path.extend(frames[k..].iter().map(|&f| new_loc(&mut out, f)));
                        true
                    }
                    None => false,
                },
                Reshape::Callees(_) => match frames.iter().rposition(is_target) {
                    Some(k) => {
                        path.extend(frames[..=k].iter().rev().map(|&f| new_loc(&mut out, f)));
                        true
                    }
                    None => false,
                },
            };
            let node = if kept && !path.is_empty() {
                let mut parent: Option<StackId> = None;
                for &loc in &path {
                    parent = Some(stacks.push(parent, loc));
                }
                parent.map_or(u32::MAX, |p| p.index() as u32 + 1)
            } else {
                u32::MAX
            };
            memo[leaf.index()] = node;
            node
        };
        if node == u32::MAX {
            continue;
        }
        samples.stack.push(Some(StackId::new(node - 1)));
        samples.values.push(v);
        samples.labels.push(LabelSets::EMPTY);
    }
    out.stacks = stacks.finish();
    out.samples = samples;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::flame::{FlameOptions, FlameTree, ROOT};
    use crate::model::builder::ProfileBuilder;

    /// (name, total) of the root's children, then of each one's children.
    fn first_levels(p: &Profile) -> Vec<(String, i64)> {
        let t = FlameTree::build_filtered(p, &FlameOptions::default(), &());
        t.children(ROOT)
            .map(|c| (p.str(t.name(c)).to_string(), t.total(c)))
            .collect()
    }

    fn profile() -> Profile {
        ProfileBuilder::new(&[("samples", "count"), ("cpu", "nanoseconds")])
            .samples(&["main;f;f;g 1 5", "main;f;g;f 1 3", "h;f 1 2", "main;k 1 7"])
            .build()
    }

    #[test]
    fn bottom_up_roots_are_leaves_by_flat() {
        let p = reshape(&profile(), &ReportOptions::default(), &Reshape::BottomUp).unwrap();
        assert_eq!(
            first_levels(&p),
            [("k".into(), 7), ("f".into(), 5), ("g".into(), 5)]
        );
    }

    #[test]
    fn sandwich_halves_are_as_wide_as_cum() {
        let base = profile();
        let callers = reshape(
            &base,
            &ReportOptions::default(),
            &Reshape::Callers("f".into()),
        )
        .unwrap();
        assert_eq!(first_levels(&callers), [("f".into(), 10)]);
        let callees = reshape(
            &base,
            &ReportOptions::default(),
            &Reshape::Callees("f".into()),
        )
        .unwrap();
        assert_eq!(first_levels(&callees), [("f".into(), 10)]);
        let t = FlameTree::build_filtered(&callees, &FlameOptions::default(), &());
        let f = t.children(ROOT).next().unwrap();
        let below: Vec<(String, i64)> = t
            .children(f)
            .map(|c| (callees.str(t.name(c)).to_string(), t.total(c)))
            .collect();
        // The outermost f: f;g (5) and g;f (3) below it.
        assert_eq!(below, [("f".into(), 5), ("g".into(), 3)]);
        let none = reshape(
            &base,
            &ReportOptions::default(),
            &Reshape::Callees("nope".into()),
        )
        .unwrap();
        assert!(none.samples.is_empty());
    }
}
