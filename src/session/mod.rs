//! A loaded profile and the answers to the view's questions about it.
//!
//! The Web Worker holds one `Session`; component tests and native tests use
//! the same type directly, so what the page shows is tested without a
//! browser. Results of the expensive steps are cached per options, because
//! scrolling or hovering asks the same question many times.

use std::rc::Rc;

use crate::analysis::flame::{FlameOptions, FlameTree, ReportFilter};
use crate::analysis::goroutines::series::{summarize_series, SeriesError, SeriesSummary};
use crate::analysis::graph::Graph;
use crate::analysis::labels;
use crate::analysis::options::ReportOptions;
use crate::analysis::top::{flat_by_name, TopTable};
use crate::model::Profile;
use crate::pattern::Pattern;
use crate::protocol::{Answer, Query};
use crate::view::flame_scene::flame_scene;
use crate::view::{export, flame_diff, top_text};

mod flame;
mod inputs;
mod opening;
mod reshaped;
mod top;

pub use inputs::{default_mode, Named};
pub use opening::{NamedMerge, Opening};
use reshaped::Reshaped;

pub struct Session {
    /// What queries answer on: one file, a merge, a difference, or a
    /// series' last snapshot.
    pub profile: Rc<Profile>,
    /// The files merged into `profile`, in order (the new side's when
    /// comparing).
    names: Vec<String>,
    /// Bytes read to make the profile.
    bytes: u64,
    compared: Option<inputs::Compared>,
    top: Option<(ReportOptions, Rc<TopTable>)>,
    flame: Option<(ReportOptions, Rc<FlameTree>)>,
    /// A goroutine series' snapshots, as opened; empty for a single file.
    snapshots: Vec<(String, Rc<Profile>)>,
    /// The last series answer and the order it was made for.
    series: Option<(Vec<u32>, Rc<SeriesSummary>)>,
    /// When comparing: the base's and the new profile's flat per row name.
    side_tops: Option<(ReportOptions, Rc<FlatByName>, Rc<FlatByName>)>,
    /// When comparing: per node of the flame tree, the base's total.
    flame_base: Option<(ReportOptions, Rc<Vec<i64>>)>,
    /// When comparing with the boxes sized by the base: the base's flame
    /// tree and, per node of it, the new profile's total.
    flame_by_base: Option<(ReportOptions, flame::ByBase)>,
    /// The untrimmed node graph behind the sandwich, per options.
    graph: Option<(ReportOptions, Rc<Graph>)>,
    /// The last few reshaped profiles and their flame trees (a sandwich
    /// asks for two at a time), newest last.
    reshaped: Vec<Reshaped>,
    /// The profile with `tagroot` / `tagleaf` pseudo-frames, for the
    /// profile it was made from and those two options.
    labelled: Option<(*const Profile, String, String, Rc<Profile>)>,
}

/// A pattern typed in a search box: blank means none.
fn user_pattern(option: &'static str, text: &str) -> Result<Option<Pattern>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    Pattern::new(option, text)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Flat per top-table row name.
type FlatByName = hashbrown::HashMap<String, i64>;

/// The base's and the new profile's flat per row name.
type SideTops = (Rc<FlatByName>, Rc<FlatByName>);

/// The unit of `table`'s sample type in `profile`.
fn table_unit(profile: &Profile, table: &TopTable) -> String {
    let st = profile
        .sample_types
        .get(table.sample_index)
        .copied()
        .unwrap_or_default();
    profile.str(st.unit).to_string()
}

/// The flame tree of `profile` under the report options `key`.
fn build_tree(profile: &Profile, key: &ReportOptions) -> Result<FlameTree, String> {
    let filter = ReportFilter::new(profile, key).map_err(|e| e.to_string())?;
    let fo = FlameOptions {
        sample_index: key.sample_index.unwrap_or(0),
    };
    Ok(FlameTree::build_filtered(profile, &fo, &filter))
}

impl Session {
    pub fn new(profile: Profile) -> Session {
        Session::shared(Rc::new(profile))
    }

    fn shared(profile: Rc<Profile>) -> Session {
        Session {
            profile,
            names: Vec::new(),
            bytes: 0,
            compared: None,
            top: None,
            flame: None,
            snapshots: Vec::new(),
            series: None,
            flame_base: None,
            flame_by_base: None,
            side_tops: None,
            graph: None,
            reshaped: Vec::new(),
            labelled: None,
        }
    }

    /// `profile` as `opts` reports it: with `tagroot` / `tagleaf`
    /// pseudo-frames when they are set (pprof adds them before filtering).
    /// A comparison keeps its sides as they are: its base totals are found
    /// per node of the two sides' own trees.
    fn labelled(&mut self, profile: Rc<Profile>, opts: &ReportOptions) -> Rc<Profile> {
        if (opts.tagroot.is_empty() && opts.tagleaf.is_empty()) || self.compared.is_some() {
            return profile;
        }
        if let Some((from, root, leaf, p)) = &self.labelled {
            if *from == Rc::as_ptr(&profile) && *root == opts.tagroot && *leaf == opts.tagleaf {
                return p.clone();
            }
        }
        let Some(p) = labels::with_label_frames(&profile, &opts.tagroot, &opts.tagleaf) else {
            return profile;
        };
        let p = Rc::new(p);
        self.labelled = Some((
            Rc::as_ptr(&profile),
            opts.tagroot.clone(),
            opts.tagleaf.clone(),
            p.clone(),
        ));
        p
    }

    /// When comparing, the flat of each row of the base's and the new
    /// profile's top tables for `opts`, with every row kept so each
    /// compared row finds its sides.
    fn side_tops(&mut self, opts: &ReportOptions) -> Result<Option<SideTops>, String> {
        let Some((base, new)) = self.compared.as_ref().map(|c| c.sides()) else {
            return Ok(None);
        };
        if let Some((o, b, n)) = &self.side_tops {
            if o == opts {
                return Ok(Some((b.clone(), n.clone())));
            }
        }
        let all = ReportOptions {
            nodecount: 0,
            nodefraction: 0.0,
            ..opts.clone()
        };
        let table = |p: &Profile| {
            flat_by_name(p, &all)
                .map(Rc::new)
                .map_err(|e| e.to_string())
        };
        let (b, n) = (table(base)?, table(new)?);
        self.side_tops = Some((opts.clone(), b.clone(), n.clone()));
        Ok(Some((b, n)))
    }

    /// What the flame graph is drawn from: the new profile when comparing
    /// (boxes sized by it, coloured by change), else the shown one.
    fn flame_profile(&self) -> Rc<Profile> {
        match &self.compared {
            Some(c) => c.sides().1.clone(),
            None => self.profile.clone(),
        }
    }

    /// A session over goroutine snapshots of one process, in the order the
    /// user chose them. The single-profile views show the last snapshot.
    /// Fails, naming the file, when fewer than two snapshots are given or
    /// one holds no goroutines.
    pub fn open_series(snapshots: Vec<(String, Profile)>) -> Result<Session, SeriesError> {
        let snapshots: Vec<(String, Rc<Profile>)> = snapshots
            .into_iter()
            .map(|(name, p)| (name, Rc::new(p)))
            .collect();
        let order: Vec<u32> = (0..snapshots.len() as u32).collect();
        let summary = Rc::new(series_of(&snapshots, &order)?);
        let last = snapshots.last().map(|(_, p)| p.clone());
        let last = last.ok_or(SeriesError::TooFew { count: 0 })?;
        let mut session = Session::shared(last);
        session.names = snapshots.iter().map(|(n, _)| n.clone()).collect();
        session.snapshots = snapshots;
        session.series = Some((order, summary));
        Ok(session)
    }

    /// The snapshots' names as opened (empty for a single file).
    pub fn snapshot_names(&self) -> Vec<String> {
        self.snapshots.iter().map(|(n, _)| n.clone()).collect()
    }

    fn series(&mut self, order: Vec<u32>) -> Result<Rc<SeriesSummary>, String> {
        if self.snapshots.is_empty() {
            return Err(
                "no goroutine series is open: choose two or more goroutine snapshots \
                        together"
                    .into(),
            );
        }
        let order = if order.is_empty() {
            (0..self.snapshots.len() as u32).collect()
        } else {
            order
        };
        if let Some((o, s)) = &self.series {
            if *o == order {
                return Ok(s.clone());
            }
        }
        let mut seen = vec![false; self.snapshots.len()];
        for &i in &order {
            match seen.get_mut(i as usize) {
                Some(s) if !*s => *s = true,
                _ => return Err(format!("bad snapshot order {order:?}")),
            }
        }
        let s = Rc::new(series_of(&self.snapshots, &order).map_err(|e| e.to_string())?);
        self.series = Some((order, s.clone()));
        Ok(s)
    }

    fn flame_tree(&mut self, opts: &ReportOptions) -> Result<Rc<FlameTree>, String> {
        let profile = self.flame_profile();
        let profile = self.labelled(profile, opts);
        let key = opts.tree_key(profile.default_sample_index());
        if let Some((k, t)) = &self.flame {
            if *k == key {
                return Ok(t.clone());
            }
        }
        let tree = Rc::new(build_tree(&profile, &key)?);
        self.flame = Some((key, tree.clone()));
        Ok(tree)
    }

    /// When comparing, the base's total per node of `tree` (the new
    /// profile's tree for `opts`).
    fn flame_base(
        &mut self,
        opts: &ReportOptions,
        tree: &FlameTree,
    ) -> Result<Option<Rc<Vec<i64>>>, String> {
        let Some((base, new)) = self.compared.as_ref().map(|c| c.sides()) else {
            return Ok(None);
        };
        let key = opts.tree_key(new.default_sample_index());
        if let Some((k, t)) = &self.flame_base {
            if *k == key {
                return Ok(Some(t.clone()));
            }
        }
        let base_tree = build_tree(base, &key)?;
        let totals = Rc::new(crate::analysis::flame::diff::base_totals(
            tree, new, &base_tree, base,
        ));
        self.flame_base = Some((key, totals.clone()));
        Ok(Some(totals))
    }

    pub fn answer(&mut self, query: Query) -> Answer {
        self.try_answer(query)
            .unwrap_or_else(|message| Answer::Failed { message })
    }

    fn try_answer(&mut self, query: Query) -> Result<Answer, String> {
        match query {
            Query::Top {
                opts,
                filter,
                order,
                start,
                count,
            } => Ok(Answer::Top(self.top_window(
                &opts,
                &filter,
                order,
                start as usize,
                count.min(2000) as usize,
            )?)),
            Query::TopExport {
                opts,
                filter,
                order,
                how,
            } => Ok(Answer::Text {
                text: export::top_table(
                    &self.top_window(&opts, &filter, order, 0, usize::MAX)?,
                    how,
                ),
            }),
            Query::TopText { .. } if self.profile.text_top.is_some() => Ok(Answer::Text {
                text: self
                    .profile
                    .text_top
                    .as_ref()
                    .map(|t| t.to_text())
                    .unwrap_or_default(),
            }),
            Query::TopText { opts } => {
                let table = self.top(&opts)?;
                Ok(Answer::Text {
                    text: top_text::render_top(
                        &self.labelled(self.profile.clone(), &opts),
                        &table,
                        &opts,
                    ),
                })
            }
            Query::Flame {
                opts,
                zoom,
                width_px,
                search,
                dark,
                by_base,
            } => {
                let search = user_pattern("search", &search)?;
                if by_base {
                    if let Some(scene) =
                        self.flame_by_base(&opts, zoom, width_px, search.as_ref(), dark)?
                    {
                        return Ok(Answer::Flame(scene));
                    }
                }
                let tree = self.flame_tree(&opts)?;
                let profile = self.flame_profile();
                let mut scene = flame_scene(
                    &tree,
                    &self.labelled(profile, &opts),
                    zoom,
                    width_px,
                    search.as_ref(),
                    dark,
                );
                if let Some(base) = self.flame_base(&opts, &tree)? {
                    flame_diff::mark_changes(&mut scene, &base, dark);
                }
                Ok(Answer::Flame(scene))
            }
            Query::FlameNode { opts, how, path } => {
                let tree = match how {
                    Some(how) => self.reshaped(&how, &opts)?.1,
                    None => self.flame_tree(&opts)?,
                };
                Ok(Answer::Node(tree.node_at(&path)))
            }
            Query::Goroutines { ignore_labels } => {
                if !self.profile.is_goroutine_data() {
                    return Err("this file has no goroutine data".into());
                }
                let opts = crate::analysis::goroutines::GoroutineOptions {
                    sample_index: None,
                    ignore_labels,
                };
                Ok(Answer::Goroutines(crate::analysis::goroutines::summarize(
                    &*self.with_samples()?,
                    &opts,
                )))
            }
            Query::Series { order } => Ok(Answer::Series((*self.series(order)?).clone())),
            Query::Reshaped {
                how,
                opts,
                zoom,
                width_px,
                search,
                dark,
            } => {
                let search = user_pattern("search", &search)?;
                let (profile, tree) = self.reshaped(&how, &opts)?;
                Ok(Answer::Flame(flame_scene(
                    &tree,
                    &profile,
                    zoom,
                    width_px,
                    search.as_ref(),
                    dark,
                )))
            }
            Query::Sandwich { opts, function } => {
                let graph = self.graph(&opts)?;
                let s = crate::view::sandwich::sandwich(&*self.with_samples()?, &graph, &function)?;
                Ok(Answer::Sandwich(s))
            }
            Query::Labels { opts } => {
                let report = match self.compared.as_ref().filter(|c| c.reads_sides()) {
                    Some(c) => labels::diff_base_tag_report(c.sides().1, c.sides().0, &opts),
                    None => labels::tag_report(&self.profile, &opts),
                };
                let report = report.map_err(|e| e.to_string())?;
                Ok(Answer::Labels(crate::view::labels::labels_view(
                    &self.profile,
                    &report,
                )))
            }
        }
    }
}

/// The series of `snapshots` taken in `order` (indices into them).
fn series_of(
    snapshots: &[(String, Rc<Profile>)],
    order: &[u32],
) -> Result<SeriesSummary, SeriesError> {
    let picked: Vec<(&str, &Profile)> = order
        .iter()
        .filter_map(|&i| snapshots.get(i as usize))
        .map(|(n, p)| (n.as_str(), &**p))
        .collect();
    summarize_series(&picked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;
    use crate::protocol::RowOrder;

    fn session() -> Session {
        Session::new(
            ProfileBuilder::new(&[("samples", "count")])
                .samples(&["main;a;b 5", "main;a;c 3", "main;d 2"])
                .build(),
        )
    }

    #[test]
    fn top_window_pages_filters_and_orders() {
        let mut s = session();
        let opts = ReportOptions {
            nodefraction: 0.0,
            ..ReportOptions::default()
        };
        let q = |filter: &str, order, start, count| Query::Top {
            opts: opts.clone(),
            filter: filter.into(),
            order,
            start,
            count,
        };
        let Answer::Top(w) = s.answer(q("", RowOrder::Flat, 0, 100)) else {
            panic!()
        };
        assert_eq!(w.row_count, 5);
        assert_eq!(w.rows[0].name, "b");
        assert_eq!(
            (w.rows[0].flat.as_str(), w.rows[0].flat_pct.as_str()),
            ("5", "50.00%")
        );
        assert!(
            w.header
                .iter()
                .any(|l| l.starts_with("Showing nodes accounting for 10, 100% of 10 total")),
            "{:?}",
            w.header
        );
        let Answer::Top(w) = s.answer(q("", RowOrder::Flat, 1, 2)) else {
            panic!()
        };
        assert_eq!((w.start, w.rows.len()), (1, 2));
        let Answer::Top(w) = s.answer(q("^[ab]$", RowOrder::Name, 0, 100)) else {
            panic!()
        };
        assert_eq!(
            w.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        let Answer::Top(w) = s.answer(q("", RowOrder::Cum, 0, 1)) else {
            panic!()
        };
        assert_eq!(w.rows[0].name, "main");
    }

    #[test]
    fn bad_regexes_fail_with_a_message() {
        let mut s = session();
        let a = s.answer(Query::Top {
            opts: ReportOptions::default(),
            filter: "(".into(),
            order: RowOrder::Flat,
            start: 0,
            count: 10,
        });
        assert!(
            matches!(a, Answer::Failed { message } if message.starts_with("parsing filter regexp:"))
        );
        let opts = ReportOptions {
            focus: "[".into(),
            ..ReportOptions::default()
        };
        assert!(matches!(
            s.answer(Query::TopText { opts }),
            Answer::Failed { .. }
        ));
    }

    #[test]
    fn flame_scene_zooms_searches_and_filters() {
        let mut s = session();
        let opts = ReportOptions::default();
        let q = |zoom, search: &str| Query::Flame {
            opts: opts.clone(),
            zoom,
            width_px: 1000,
            search: search.into(),
            dark: false,
            by_base: false,
        };
        let Answer::Flame(scene) = s.answer(q(None, "")) else {
            panic!()
        };
        assert_eq!(scene.total, 10);
        assert_eq!(scene.depth, 3, "root, main, a, b/c");
        let a = scene.boxes.iter().find(|b| b.name == "a").unwrap().clone();
        assert_eq!((a.total, a.x1 - a.x0), (8, 0.8));
        let Answer::Flame(zoomed) = s.answer(q(Some(a.node), "^b$")) else {
            panic!()
        };
        assert_eq!(
            zoomed
                .breadcrumb
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>(),
            vec!["root", "main", "a"]
        );
        let b = zoomed.boxes.iter().find(|x| x.name == "b").unwrap();
        assert!(b.matched && (b.x1 - b.x0 - 5.0 / 8.0).abs() < 1e-9, "{b:?}");
        assert_eq!(
            zoomed.search.as_ref().map(|r| (r.matches, r.share)),
            Some((1, 0.5))
        );
        // The report filters apply: ignore drops the samples through d.
        let ignore = ReportOptions {
            ignore: "^d$".into(),
            ..ReportOptions::default()
        };
        let Answer::Flame(f) = s.answer(Query::Flame {
            opts: ignore,
            zoom: None,
            width_px: 1000,
            search: String::new(),
            dark: true,
            by_base: false,
        }) else {
            panic!()
        };
        assert_eq!(f.boxes[0].total, 8);
        assert!(!f.boxes.iter().any(|b| b.name == "d"));
    }

    #[test]
    fn top_text_is_pprof_text() {
        let mut s = session();
        let Answer::Text { text } = s.answer(Query::TopText {
            opts: ReportOptions::default(),
        }) else {
            panic!()
        };
        assert!(
            text.contains("      flat  flat%   sum%        cum   cum%\n"),
            "{text}"
        );
    }

    fn snapshot(sends: usize) -> Profile {
        let mut text =
            String::from("goroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1\n\n");
        for k in 0..sends {
            text.push_str(&format!(
                "goroutine {} [chan send]:\nmain.send()\n\t/app/main.go:9 +0x1\n\
                 created by main.gone in goroutine 1\n\t/app/main.go:20 +0x2\n\n",
                k + 10
            ));
        }
        crate::decode::decode(text.as_bytes()).expect("a dump")
    }

    #[test]
    fn a_series_answers_in_any_order_and_shows_its_last_snapshot() {
        let mut s = Session::open_series(vec![
            ("a".into(), snapshot(1)),
            ("b".into(), snapshot(2)),
            ("c".into(), snapshot(4)),
        ])
        .expect("a series");
        assert_eq!(s.snapshot_names(), ["a", "b", "c"]);
        assert_eq!(s.profile.samples.len(), 5, "the last snapshot");
        let counts = |a: Answer| match a {
            Answer::Series(x) => (
                x.snapshots
                    .iter()
                    .map(|n| n.name.clone())
                    .collect::<Vec<_>>(),
                x.groups[0].counts(),
                x.groups[0].is_suspect(),
            ),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            counts(s.answer(Query::Series { order: vec![] })),
            (
                vec!["a".into(), "b".into(), "c".into()],
                vec![1, 2, 4],
                true
            )
        );
        assert_eq!(
            counts(s.answer(Query::Series {
                order: vec![2, 0, 1]
            })),
            (
                vec!["c".into(), "a".into(), "b".into()],
                vec![4, 1, 2],
                true
            )
        );
        for bad in [vec![0, 0], vec![0, 3], vec![1]] {
            assert!(
                matches!(
                    s.answer(Query::Series { order: bad.clone() }),
                    Answer::Failed { .. }
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(s.answer(Query::Goroutines {
            ignore_labels: false
        }), Answer::Goroutines(g) if g.total == 5));
    }

    #[test]
    fn a_series_needs_goroutine_snapshots_and_a_single_file_has_none() {
        let cpu = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main 1"])
            .build();
        let e = Session::open_series(vec![("d".into(), snapshot(1)), ("cpu".into(), cpu)])
            .err()
            .expect("refused");
        assert!(e.to_string().starts_with("cpu is a pprof protobuf"), "{e}");
        assert!(Session::open_series(vec![("d".into(), snapshot(1))]).is_err());
        assert!(Session::open_series(Vec::new()).is_err());
        assert!(matches!(
            session().answer(Query::Series { order: vec![] }),
            Answer::Failed { message } if message.starts_with("no goroutine series is open")
        ));
    }
}
