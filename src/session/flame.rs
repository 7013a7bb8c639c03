//! A compared flame graph sized by the base: the base's tree drawn with the
//! new profile's figures beside it, so what the new profile lost (paths
//! gone or shrunk) is as wide as it was, where sizing by the new profile
//! shows what it gained.

use std::rc::Rc;

use super::{build_tree, Session};
use crate::analysis::flame::diff::base_totals;
use crate::analysis::flame::{FlameTree, NodeId};
use crate::analysis::options::ReportOptions;
use crate::pattern::Pattern;
use crate::view::flame_diff;
use crate::view::flame_scene::{flame_scene, FlameScene};

/// The base's flame tree and, per node of it, the same path's total in the
/// new profile (the sides swapped in `base_totals`).
pub(super) struct ByBase {
    tree: Rc<FlameTree>,
    new_totals: Rc<Vec<i64>>,
}

impl Session {
    /// The scene sized by the base, or `None` when not comparing (then the
    /// graph is the one profile's, as always).
    pub(super) fn flame_by_base(
        &mut self,
        opts: &ReportOptions,
        zoom: Option<NodeId>,
        width_px: u32,
        search: Option<&Pattern>,
        dark: bool,
    ) -> Result<Option<FlameScene>, String> {
        let Some((base, new)) = self
            .compared
            .as_ref()
            .map(|c| (c.sides().0.clone(), c.sides().1.clone()))
        else {
            return Ok(None);
        };
        let key = opts.tree_key(new.default_sample_index());
        let cached = self
            .flame_by_base
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, b)| (b.tree.clone(), b.new_totals.clone()));
        let (tree, new_totals) = match cached {
            Some(c) => c,
            None => {
                let new_tree = self.flame_tree(opts)?;
                let tree = Rc::new(build_tree(&base, &key)?);
                let new_totals = Rc::new(base_totals(&tree, &base, &new_tree, &new));
                let by = ByBase {
                    tree: tree.clone(),
                    new_totals: new_totals.clone(),
                };
                self.flame_by_base = Some((key, by));
                (tree, new_totals)
            }
        };
        let mut scene = flame_scene(&tree, &base, zoom, width_px, search, dark);
        flame_diff::mark_changes_by_base(&mut scene, &new_totals, dark);
        Ok(Some(scene))
    }
}

#[cfg(test)]
mod tests {
    use crate::model::builder::ProfileBuilder;
    use crate::model::compare::CompareMode;
    use crate::protocol::{Answer, FlameScene, Query, ReportOptions};
    use crate::session::Session;
    use crate::view::flame_diff::change_color;

    fn scene(s: &mut Session, by_base: bool, search: &str) -> FlameScene {
        let q = Query::Flame {
            opts: ReportOptions::default(),
            zoom: None,
            width_px: 1000,
            search: search.into(),
            dark: false,
            by_base,
        };
        match s.answer(q) {
            Answer::Flame(f) => f,
            other => panic!("{other:?}"),
        }
    }

    /// (name, x0, x1, base, new) per box below the root, by row.
    fn boxes(f: &FlameScene) -> Vec<(String, f64, f64, Option<i64>, i64)> {
        let r = |x: f64| (x * 1000.0).round() / 1000.0;
        f.boxes
            .iter()
            .skip(1)
            .map(|b| (b.name.clone(), r(b.x0), r(b.x1), b.base, b.total))
            .collect()
    }

    #[test]
    fn sized_by_the_base_the_lost_paths_keep_their_width() {
        let build = |s: &[&str]| {
            ProfileBuilder::new(&[("samples", "count")])
                .samples(s)
                .build()
        };
        let base = build(&["main;gone 6", "main;kept 4"]);
        let new = build(&["main;kept 2", "main;grown 8"]);
        let mut s = Session::compared(
            ("new".into(), new),
            ("base".into(), base),
            CompareMode::DiffBase,
            false,
        )
        .expect("compares");
        let by_new = scene(&mut s, false, "");
        assert!(!by_new.sized_by_base);
        assert_eq!((by_new.total, by_new.base_total), (10, Some(10)));
        // Sized by the new profile, "gone" has no box.
        assert!(!by_new.boxes.iter().any(|b| b.name == "gone"));

        let by_base = scene(&mut s, true, "");
        assert!(by_base.sized_by_base);
        assert_eq!((by_base.total, by_base.base_total), (10, Some(10)));
        assert_eq!(
            boxes(&by_base),
            [
                ("main".into(), 0.0, 1.0, Some(10), 10),
                ("gone".into(), 0.0, 0.6, Some(6), 0),
                ("kept".into(), 0.6, 1.0, Some(4), 2),
            ]
        );
        let gone = by_base.boxes.iter().find(|b| b.name == "gone").unwrap();
        assert_eq!(gone.color, change_color(-1.0, false));
        assert_eq!(gone.self_value, 6, "self is the base's, as the width");
        // Search works on the base's tree; asking again uses the cache and
        // gives the same scene; the mode sized by the new one is unchanged.
        let searched = scene(&mut s, true, "^gone$");
        assert_eq!(searched.search.as_ref().map(|r| r.matches), Some(1));
        assert_eq!(scene(&mut s, true, ""), by_base);
        assert_eq!(scene(&mut s, false, ""), by_new);
        // After a swap the base is the other profile.
        s.swap().expect("swaps");
        let swapped = scene(&mut s, true, "");
        assert!(swapped.boxes.iter().any(|b| b.name == "grown"));
        assert!(!swapped.boxes.iter().any(|b| b.name == "gone"));
    }

    #[test]
    fn a_single_profile_ignores_the_base_sizing() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a 3"])
            .build();
        let mut s = Session::new(p);
        let f = scene(&mut s, true, "");
        assert!(!f.sized_by_base);
        assert_eq!(f.base_total, None);
        assert_eq!(f, scene(&mut s, false, ""));
    }
}
