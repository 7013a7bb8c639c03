//! What the session's profile is made of: one file, several files merged,
//! or a base and a new profile compared; and the one place that decides
//! what several files opened together become.
//!
//! A comparison keeps both originals and caches the difference per mode
//! and normalize setting, so switching between `-diff_base` and `-base`
//! after the first time costs nothing, and swapping needs no reading.
//! Under `-diff_base` (the default) the top table and the flame graph are
//! read from the two sides, so the difference, a merge of both, is made
//! only when a view that reads its samples (labels, sandwich, goroutines)
//! first asks.

use std::rc::Rc;

use super::NamedMerge;
use super::Session;
use crate::model::compare::{subtract_base, CompareMode};
use crate::model::merge::{merge, merged_header, MergeError};
use crate::model::Profile;
use crate::protocol::OpenMode;
use crate::view::summary::{totals, Inputs, Summary};

/// A file decoded, with the name the user knows it by.
pub type Named = (String, Profile);

/// The two sides of a comparison and the differences made of them.
pub(super) struct Compared {
    base: Rc<Profile>,
    new: Rc<Profile>,
    base_name: String,
    new_name: String,
    mode: CompareMode,
    normalize: bool,
    /// `new - base` per (mode, normalize) asked for so far.
    diffs: Vec<(CompareMode, bool, Rc<Profile>)>,
    /// The difference's header, when the views read the sides.
    header: Option<Rc<Profile>>,
}

impl Compared {
    fn new(new: Named, base: Named, mode: CompareMode, normalize: bool) -> Compared {
        Compared {
            base: Rc::new(base.1),
            new: Rc::new(new.1),
            base_name: base.0,
            new_name: new.0,
            mode,
            normalize,
            diffs: Vec::new(),
            header: None,
        }
    }

    /// The base and the new profile.
    pub(super) fn sides(&self) -> (&Rc<Profile>, &Rc<Profile>) {
        (&self.base, &self.new)
    }

    /// Whether the top table is read from the two sides rather than from
    /// the difference (`-diff_base`, not normalized: see
    /// [`top_compare`](crate::analysis::top_compare)).
    pub(super) fn reads_sides(&self) -> bool {
        self.mode == CompareMode::DiffBase && !self.normalize
    }

    /// What the session shows: the difference, or only its header when
    /// the views read the sides; the difference is then made when a view
    /// that reads samples first asks ([`Compared::diff`]).
    fn shown(&mut self) -> Result<Rc<Profile>, String> {
        if !self.reads_sides() {
            return self.diff();
        }
        if let Some(h) = &self.header {
            return Ok(h.clone());
        }
        let h = merged_header(&[&self.new, &self.base]).map_err(|e| {
            pair_error(
                (&self.new_name, &self.new),
                (&self.base_name, &self.base),
                e,
            )
        })?;
        let h = Rc::new(h);
        self.header = Some(h.clone());
        Ok(h)
    }

    pub(super) fn diff(&mut self) -> Result<Rc<Profile>, String> {
        let (mode, normalize) = (self.mode, self.normalize);
        if let Some((_, _, d)) = self
            .diffs
            .iter()
            .find(|(m, n, _)| *m == mode && *n == normalize)
        {
            return Ok(d.clone());
        }
        let d = subtract_base(&self.new, &self.base, mode, normalize).map_err(|e| {
            pair_error(
                (&self.new_name, &self.new),
                (&self.base_name, &self.base),
                e,
            )
        })?;
        let d = Rc::new(d);
        self.diffs.push((mode, normalize, d.clone()));
        Ok(d)
    }
}

/// Why `new` and `base` cannot be compared, naming both files, their kinds
/// and what differs.
fn pair_error(new: (&str, &Profile), base: (&str, &Profile), e: MergeError) -> String {
    let detail = match e {
        MergeError::SampleTypes { first, other, .. } => {
            format!(
                "sample types differ: {first} ({}) vs {other} ({})",
                new.0, base.0
            )
        }
        MergeError::PeriodTypes { first, other, .. } => {
            format!(
                "period types differ: {first} ({}) vs {other} ({})",
                new.0, base.0
            )
        }
        MergeError::NoProfiles => e.to_string(),
    };
    format!(
        "cannot compare {} ({}) with the base {} ({}): {detail}",
        new.0,
        new.1.describe(),
        base.0,
        base.1.describe()
    )
}

/// A merge error with pprof's "profile N" replaced by the files' names.
pub(super) fn merge_error(names: &[&str], e: MergeError) -> String {
    let name = |i: usize| names.get(i.wrapping_sub(1)).copied().unwrap_or("?");
    match e {
        MergeError::SampleTypes {
            profile,
            first,
            other,
        } => format!(
            "cannot merge {}: its sample types {other} differ from {first} ({})",
            name(profile),
            name(1)
        ),
        MergeError::PeriodTypes {
            profile,
            first,
            other,
        } => format!(
            "cannot merge {}: its period type {other} differs from {first} ({})",
            name(profile),
            name(1)
        ),
        MergeError::NoProfiles => e.to_string(),
    }
}

/// The mode several files opened together get unless the user picks one:
/// goroutine snapshots form a series, two profiles are compared, more are
/// merged.
pub fn default_mode(inputs: &[Named]) -> OpenMode {
    if inputs.len() > 1 && inputs.iter().all(|(_, p)| p.is_goroutine_data()) {
        OpenMode::Series
    } else if inputs.len() == 2 {
        OpenMode::Compare
    } else {
        OpenMode::Merge
    }
}

impl Session {
    /// One decoded file, under its name and size.
    pub fn named(profile: Profile, name: &str, bytes: u64) -> Session {
        let mut s = Session::new(profile);
        s.names = vec![name.to_string()];
        s.bytes = bytes;
        s
    }

    /// Several files opened together, as `mode` (or the default mode) makes
    /// them: the one place that routes them, so the series view plugs in
    /// here. Returns the session and the mode used.
    pub fn open_many(
        inputs: Vec<Named>,
        mode: Option<OpenMode>,
        bytes: u64,
    ) -> Result<(Session, OpenMode), String> {
        let mode = mode.unwrap_or_else(|| default_mode(&inputs));
        let mut session = match mode {
            OpenMode::Merge => Session::merged(inputs)?,
            OpenMode::Compare => {
                let [a, b]: [Named; 2] = inputs.try_into().map_err(|v: Vec<Named>| {
                    format!("comparing takes two files; {} were chosen", v.len())
                })?;
                // The earlier profile is the base; the order chosen breaks ties.
                let (base, new) = if b.1.time_nanos < a.1.time_nanos {
                    (b, a)
                } else {
                    (a, b)
                };
                Session::compared(new, base, CompareMode::DiffBase, false)?
            }
            OpenMode::Series => Session::open_series(inputs).map_err(|e| e.to_string())?,
        };
        session.bytes = bytes;
        Ok((session, mode))
    }

    /// `inputs` merged in order, as `go tool pprof a b c` merges them.
    pub fn merged(inputs: Vec<Named>) -> Result<Session, String> {
        let names: Vec<&str> = inputs.iter().map(|(n, _)| n.as_str()).collect();
        let profiles: Vec<&Profile> = inputs.iter().map(|(_, p)| p).collect();
        let merged = merge(&profiles).map_err(|e| merge_error(&names, e))?;
        let mut s = Session::new(merged);
        s.names = inputs.into_iter().map(|(n, _)| n).collect();
        Ok(s)
    }

    /// `new - base` in `mode`.
    pub fn compared(
        new: Named,
        base: Named,
        mode: CompareMode,
        normalize: bool,
    ) -> Result<Session, String> {
        let mut c = Compared::new(new, base, mode, normalize);
        let shown = c.shown()?;
        let mut s = Session::shared(shown);
        s.names = vec![c.new_name.clone()];
        s.compared = Some(c);
        Ok(s)
    }

    /// Compares the open profile, as the new one, with `base`. Comparing
    /// again replaces the base. The session is unchanged on error.
    pub fn set_base(&mut self, base: Named) -> Result<(), String> {
        let (new_name, new) = match &self.compared {
            Some(c) => (c.new_name.clone(), (*c.new).clone()),
            None => (self.display_name(), (*self.profile).clone()),
        };
        let (mode, normalize) = self
            .compared
            .as_ref()
            .map_or((CompareMode::DiffBase, false), |c| (c.mode, c.normalize));
        let next = Session::compared((new_name, new), base, mode, normalize)?;
        self.bytes += next.bytes;
        self.names = next.names;
        self.compared = next.compared;
        self.show(next.profile);
        Ok(())
    }

    /// Merges `inputs` into the open profile (into the new side of a
    /// comparison). The session is unchanged on error.
    pub fn add(&mut self, inputs: Vec<Named>) -> Result<(), String> {
        let mut adding = self.start_add();
        for (name, profile) in inputs {
            adding.push(name, &profile)?;
        }
        self.finish_add(adding)
    }

    /// The merge that adding files starts from: the open profile (the new
    /// side of a comparison), under its first name. Each file is then
    /// pushed into it as it is decoded, and dropped ([`Self::finish_add`]
    /// shows the result), so adding many files holds one at a time.
    pub fn start_add(&self) -> NamedMerge {
        let current = match &self.compared {
            Some(c) => &c.new,
            None => &self.profile,
        };
        let name = self.names.first().map_or("the open profile", |n| n);
        NamedMerge::starting(name.to_string(), current)
    }

    /// Shows what [`Self::start_add`] and the files pushed into it made;
    /// on an error, the open profile stays as it was.
    pub fn finish_add(&mut self, adding: NamedMerge) -> Result<(), String> {
        let (names, merged) = adding.finish()?;
        let added = names.into_iter().skip(1);
        match &mut self.compared {
            Some(c) => {
                let mut next = Compared {
                    new: Rc::new(merged),
                    base: c.base.clone(),
                    base_name: c.base_name.clone(),
                    new_name: format!("{} + {}", c.new_name, added.collect::<Vec<_>>().join(" + ")),
                    mode: c.mode,
                    normalize: c.normalize,
                    diffs: Vec::new(),
                    header: None,
                };
                let shown = next.shown()?;
                *c = next;
                self.show(shown);
            }
            None => {
                self.names.extend(added);
                self.show(Rc::new(merged));
            }
        }
        Ok(())
    }

    /// Switches the comparison's mode and normalize setting.
    pub fn set_compare(&mut self, mode: CompareMode, normalize: bool) -> Result<(), String> {
        let Some(c) = self.compared.as_mut() else {
            return Err("no base profile is open to compare with".into());
        };
        let (was_mode, was_normalize) = (c.mode, c.normalize);
        c.mode = mode;
        c.normalize = normalize;
        match c.shown() {
            Ok(d) => {
                self.show(d);
                Ok(())
            }
            Err(e) => {
                c.mode = was_mode;
                c.normalize = was_normalize;
                Err(e)
            }
        }
    }

    /// Makes the base the new profile and the new the base.
    pub fn swap(&mut self) -> Result<(), String> {
        let Some(c) = self.compared.as_mut() else {
            return Err("no base profile is open to swap with".into());
        };
        std::mem::swap(&mut c.base, &mut c.new);
        std::mem::swap(&mut c.base_name, &mut c.new_name);
        c.diffs.clear();
        c.header = None;
        let d = c.shown()?;
        self.names = vec![c.new_name.clone()];
        self.show(d);
        Ok(())
    }

    /// The header's summary of what is shown.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::of(&self.profile, &self.display_name(), self.bytes);
        s.inputs = match &self.compared {
            None if !self.snapshots.is_empty() => Inputs::Series {
                names: self.snapshot_names(),
            },
            Some(c) => {
                let (base_totals, new_totals) = (totals(&c.base), totals(&c.new));
                if c.reads_sides() {
                    // Only the difference's header is made: under
                    // -diff_base no sample of one side adds up with one of
                    // the other, so its figures are the sides' sums.
                    s.totals = base_totals
                        .iter()
                        .zip(&new_totals)
                        .map(|(b, n)| b.saturating_add(*n))
                        .collect();
                    s.samples = (c.base.samples.len() + c.new.samples.len()) as u64;
                }
                Inputs::Compared {
                    base: c.base_name.clone(),
                    new: c.new_name.clone(),
                    mode: c.mode,
                    normalize: c.normalize,
                    base_totals,
                    new_totals,
                }
            }
            None if self.names.len() > 1 => Inputs::Merged {
                names: self.names.clone(),
            },
            None => Inputs::One,
        };
        s
    }

    /// The name the header and downloads use.
    fn display_name(&self) -> String {
        match self.names.as_slice() {
            [] => "profile".to_string(),
            [one] => one.clone(),
            [first, rest @ ..] => format!("{first} + {} more", rest.len()),
        }
    }

    /// Shows `profile`: the caches belong to the one shown before.
    fn show(&mut self, profile: Rc<Profile>) {
        self.profile = profile;
        self.top = None;
        self.flame = None;
        self.graph = None;
        self.reshaped.clear();
        self.flame_base = None;
        self.flame_by_base = None;
        self.side_tops = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;
    use crate::protocol::{Answer, Query, ReportOptions};
    use crate::session::Opening;

    fn counts(samples: &[&str], time_nanos: i64) -> Profile {
        let mut p = ProfileBuilder::new(&[("samples", "count")])
            .samples(samples)
            .build();
        p.time_nanos = time_nanos;
        p
    }

    fn top_text(s: &mut Session) -> String {
        match s.answer(Query::TopText {
            opts: ReportOptions::default(),
        }) {
            Answer::Text { text } => text,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn adding_files_one_at_a_time_is_opening_them_merged() {
        let p = |n: &str, s: &[&str], t| (n.to_string(), counts(s, t));
        let files = || {
            vec![
                p("a", &["main;x 1", "main;y 2"], 30),
                p("b", &["main;x 4", "main;z 1"], 10),
                p("c", &["main;y 3", "main;x;w 5"], 20),
            ]
        };
        let (mut all, _) = Session::open_many(files(), Some(OpenMode::Merge), 0).unwrap();
        let mut files = files().into_iter();
        let (name, first) = files.next().unwrap();
        let mut one = Session::named(first, &name, 0);
        let mut adding = one.start_add();
        for (name, profile) in files {
            adding.push(name, &profile).unwrap();
        }
        one.finish_add(adding).unwrap();
        assert_eq!(top_text(&mut one), top_text(&mut all));
        assert_eq!(one.summary().inputs, all.summary().inputs);
    }

    #[test]
    fn adding_to_a_comparison_merges_into_its_new_side_or_changes_nothing() {
        let base = ("base".to_string(), counts(&["main;a 10"], 10));
        let new = ("new".to_string(), counts(&["main;a 15", "main;b 10"], 20));
        let (mut s, _) = Session::open_many(vec![base, new], None, 0).unwrap();
        let before = top_text(&mut s);
        let mut adding = s.start_add();
        adding
            .push("more".into(), &counts(&["main;b 5"], 30))
            .unwrap();
        let cpu = ProfileBuilder::new(&[("cpu", "nanoseconds")])
            .samples(&["main 1"])
            .build();
        assert_eq!(
            adding.push("cpu".into(), &cpu).unwrap_err(),
            "cannot merge cpu: its sample types cpu/nanoseconds differ from samples/count (new)"
        );
        // The refused file left the merge as it was: finishing adds `more`.
        s.finish_add(adding).unwrap();
        let Inputs::Compared { base, new, .. } = s.summary().inputs else {
            panic!("still a comparison");
        };
        assert_eq!((base.as_str(), new.as_str()), ("base", "new + more"));
        let after = top_text(&mut s);
        assert_ne!(after, before);
        assert!(after.contains("of 10 total"), "the base's total: {after}");
    }

    #[test]
    fn two_profiles_compare_with_the_earlier_as_base() {
        let later = ("later".to_string(), counts(&["main;a 15", "main;b 10"], 20));
        let earlier = (
            "earlier".to_string(),
            counts(&["main;a 10", "main;b 10"], 10),
        );
        let (mut s, mode) = Session::open_many(vec![later, earlier], None, 30).unwrap();
        assert_eq!(mode, OpenMode::Compare);
        let Inputs::Compared {
            base,
            new,
            mode,
            base_totals,
            new_totals,
            ..
        } = s.summary().inputs
        else {
            panic!("{:?}", s.summary().inputs)
        };
        assert_eq!((base.as_str(), new.as_str()), ("earlier", "later"));
        assert_eq!(
            (mode, base_totals, new_totals),
            (CompareMode::DiffBase, vec![20], vec![25])
        );
        // -diff_base: a grew by 5 of the base's 20.
        let text = top_text(&mut s);
        assert!(text.contains("of 20 total"), "{text}");
        assert!(
            text.contains("         5 25.00% 25.00%          5 25.00%  a\n"),
            "{text}"
        );
        // -base: the difference's own total.
        s.set_compare(CompareMode::Base, false).unwrap();
        assert!(top_text(&mut s).contains("Showing nodes accounting for 5, 100% of 5 total"));
        s.swap().unwrap();
        let text = top_text(&mut s);
        assert!(
            text.contains("        -5   100%   100%         -5   100%  a\n"),
            "{text}"
        );
        assert!(matches!(s.summary().inputs, Inputs::Compared { ref new, .. } if new == "earlier"));
        // Top rows carry both sides (after the swap, base 15 -> new 10).
        let Answer::Top(w) = s.answer(Query::Top {
            opts: ReportOptions::default(),
            filter: "^a$".into(),
            order: crate::protocol::RowOrder::Flat,
            start: 0,
            count: 10,
        }) else {
            panic!()
        };
        let sides = w.rows[0].sides.clone().unwrap();
        assert_eq!(
            (
                w.rows[0].flat.as_str(),
                sides.base.as_str(),
                sides.new.as_str()
            ),
            ("-5", "15", "10")
        );
        assert_eq!(sides.delta_pct, "-33.33%");
        // The flame graph is the new profile's, with the base per box.
        let Answer::Flame(f) = s.answer(Query::Flame {
            opts: ReportOptions::default(),
            zoom: None,
            width_px: 1000,
            search: String::new(),
            dark: false,
            by_base: false,
        }) else {
            panic!()
        };
        assert_eq!((f.total, f.base_total), (20, Some(25)));
        let a = f.boxes.iter().find(|b| b.name == "a").unwrap();
        assert_eq!((a.total, a.base), (10, Some(15)));
        assert_eq!(
            a.color,
            crate::view::flame_diff::change_color(-5.0 / 15.0, false)
        );
    }

    #[test]
    fn the_default_mode_follows_what_was_chosen() {
        let p = |n: &str| (n.to_string(), counts(&["main 1"], 0));
        let dump = |n: &str| {
            let text = "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n";
            (
                n.to_string(),
                crate::decode::decode(text.as_bytes()).unwrap(),
            )
        };
        assert_eq!(default_mode(&[p("a"), p("b")]), OpenMode::Compare);
        assert_eq!(default_mode(&[p("a"), p("b"), p("c")]), OpenMode::Merge);
        assert_eq!(default_mode(&[dump("a"), dump("b")]), OpenMode::Series);
        assert_eq!(default_mode(&[dump("a"), p("b")]), OpenMode::Compare);
        let (s, mode) = Session::open_many(vec![dump("a"), dump("b")], None, 0).unwrap();
        assert_eq!(mode, OpenMode::Series);
        assert_eq!(s.snapshot_names(), vec!["a", "b"]);
    }

    #[test]
    fn merging_names_every_input_and_refuses_other_types() {
        let p = |n: &str, s: &str| (n.to_string(), counts(&[s], 0));
        let (mut s, mode) = Session::open_many(
            vec![p("a", "main;x 1"), p("b", "main;x 2"), p("c", "main;y 4")],
            None,
            0,
        )
        .unwrap();
        assert_eq!(mode, OpenMode::Merge);
        assert_eq!(
            s.summary().inputs,
            Inputs::Merged {
                names: vec!["a".into(), "b".into(), "c".into()]
            }
        );
        assert_eq!(s.summary().name, "a + 2 more");
        assert!(top_text(&mut s).contains("of 7 total"));
        s.add(vec![p("d", "main;y 3")]).unwrap();
        assert!(top_text(&mut s).contains("of 10 total"));
        let cpu = ProfileBuilder::new(&[("cpu", "nanoseconds")])
            .samples(&["main 1"])
            .build();
        let e = s
            .add(vec![p("e", "main 1"), ("cpu.pb".into(), cpu.clone())])
            .unwrap_err();
        assert_eq!(
            e,
            "cannot merge cpu.pb: its sample types cpu/nanoseconds differ from samples/count (a)"
        );
        assert!(
            top_text(&mut s).contains("of 10 total"),
            "unchanged on error"
        );
        let e = s.set_base(("cpu.pb".into(), cpu)).unwrap_err();
        assert_eq!(
            e,
            "cannot compare a + 3 more (pprof protobuf) with the base cpu.pb (pprof protobuf): \
             sample types differ: samples/count (a + 3 more) vs cpu/nanoseconds (cpu.pb)"
        );
        assert!(s.set_compare(CompareMode::Base, true).is_err(), "no base");
        s.set_base(p("base", "main;x 10")).unwrap();
        assert!(
            top_text(&mut s).contains("of 10 total"),
            "-diff_base: the base's"
        );
    }

    #[test]
    fn opening_merges_as_files_come_and_routes_the_rest() {
        let p = |n: &str, s: &str, t| (n.to_string(), counts(&[s], t));
        let open = |mode, inputs: Vec<Named>| {
            let mut o = Opening::new(mode, inputs.len(), 0);
            for i in inputs {
                o.push(i)?;
            }
            o.finish()
        };
        let three = || {
            vec![
                p("a", "main;x 1", 3),
                p("b", "main;x 2", 2),
                p("c", "main;y 4", 1),
            ]
        };
        let (mut s, mode) = open(None, three()).unwrap();
        assert_eq!(mode, OpenMode::Merge);
        assert!(top_text(&mut s).contains("of 7 total"));
        assert_eq!(s.summary().name, "a + 2 more");
        let (_, mode) = open(None, three()[..2].to_vec()).unwrap();
        assert_eq!(mode, OpenMode::Compare);
        let (s, mode) = open(Some(OpenMode::Merge), three()[..2].to_vec()).unwrap();
        assert_eq!(mode, OpenMode::Merge);
        assert_eq!(
            s.summary().inputs,
            Inputs::Merged {
                names: vec!["a".into(), "b".into()]
            }
        );
        let cpu = ProfileBuilder::new(&[("cpu", "nanoseconds")])
            .samples(&["main 1"])
            .build();
        let mut bad = three();
        bad.insert(1, ("cpu.pb".into(), cpu));
        assert_eq!(
            open(None, bad).err().as_deref(),
            Some("cannot merge cpu.pb: its sample types cpu/nanoseconds differ from samples/count (a)")
        );
        let dump = |n: &str| {
            let text = "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n";
            (
                n.to_string(),
                crate::decode::decode(text.as_bytes()).unwrap(),
            )
        };
        // Goroutine snapshots chosen together open as a series.
        assert!(open(None, vec![dump("a"), dump("b"), dump("c")]).is_ok());
    }
}
