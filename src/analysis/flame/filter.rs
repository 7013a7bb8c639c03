//! What the report filters decide, as the flame build asks it.

use crate::model::{LocId, Profile};

/// What the report filters decide, as seen by the flame tree. Every method
/// has a "keep everything" default, so `&()` is the empty filter.
pub trait FlameFilter {
    /// Whether sample `sample` (an index into [`Profile::samples`]) is kept.
    fn keep_sample(&self, _sample: usize) -> bool {
        true
    }
    /// The lines of `loc` that survive `hide` / `show`, as indices into
    /// [`Profile::lines`], innermost first; `None` keeps them all.
    fn location_lines(&self, _loc: LocId) -> Option<&[u32]> {
        None
    }
    /// Whether `loc` disappears from every sample (all its lines hidden).
    fn is_hidden(&self, _loc: LocId) -> bool {
        false
    }
    /// Whether `show_from` is set; then [`Self::shows_from`] is asked.
    fn has_show_from(&self) -> bool {
        false
    }
    /// Whether `loc` matches `show_from`. Frames rootward of the root-most
    /// matching location are dropped, and samples without a match are
    /// dropped.
    fn shows_from(&self, _loc: LocId) -> bool {
        false
    }
}

/// No filter.
impl FlameFilter for () {}

/// A mask of kept samples, indexed like [`Profile::samples`]; samples past
/// its end are dropped.
impl FlameFilter for [bool] {
    fn keep_sample(&self, sample: usize) -> bool {
        self.get(sample).copied().unwrap_or(false)
    }
}

/// Keeps the samples for which the closure returns true.
pub struct KeepSamples<F: Fn(usize) -> bool>(pub F);

impl<F: Fn(usize) -> bool> FlameFilter for KeepSamples<F> {
    fn keep_sample(&self, sample: usize) -> bool {
        (self.0)(sample)
    }
}

/// The top table's filters (focus, ignore, hide, show, show_from, tagfocus,
/// tagignore) as the flame tree sees them, so both views show the same data.
pub struct ReportFilter<'a> {
    profile: &'a Profile,
    filters: crate::analysis::filter::AppliedFilters,
    stacks: StackVerdicts,
    /// Whether `hide` / `show` take some location out of every sample:
    /// pprof then drops the samples left with no location at all
    /// (`FilterSamplesByName`), which the labels report and the flame
    /// graph's root total leave out. The top table's total is taken before
    /// any filter, and such a sample reaches none of its rows.
    hides: bool,
}

/// Which samples `focus`, `ignore`, `show_from`, `hide` and `show` keep, by
/// leaf stack node.
enum StackVerdicts {
    /// None of them is set: every stack passes.
    All,
    /// Per stack node, [`ON_PATH_IGNORED`] | [`ON_PATH_FOCUSED`] |
    /// [`ON_PATH_SHOWN_FROM`] for its path from the root: made top-down in one
    /// pass over the table (parents come first), where asking per sample
    /// walks the whole stack of each of millions of samples.
    Marks(Vec<u8>),
}

const ON_PATH_IGNORED: u8 = 1;
const ON_PATH_FOCUSED: u8 = 2;
const ON_PATH_SHOWN_FROM: u8 = 4;
/// A location on the path that `hide` / `show` leave in place.
const ON_PATH_VISIBLE: u8 = 8;

impl<'a> ReportFilter<'a> {
    pub fn new(
        profile: &'a Profile,
        opts: &crate::analysis::options::ReportOptions,
    ) -> Result<Self, crate::analysis::options::FilterError> {
        use crate::analysis::filter::FocusMark;
        let filters = crate::analysis::filter::apply(profile, opts)?;
        let hides = filters.hidden.iter().any(|&h| h);
        let stacks = if !filters.by_name && filters.show_from.is_none() && !hides {
            StackVerdicts::All
        } else {
            // The marks `graph::stack_filter` looks for on a stack's way to
            // the root, or-ed down the table.
            let st = &profile.stacks;
            let own = |loc: LocId| {
                let i = loc.index();
                let mut m = 0;
                if filters.by_name {
                    match filters.focus.get(i) {
                        Some(FocusMark::Ignored) => m |= ON_PATH_IGNORED,
                        Some(FocusMark::Focused) => m |= ON_PATH_FOCUSED,
                        _ => {}
                    }
                }
                if let Some(marks) = &filters.show_from {
                    if marks.get(i).copied().unwrap_or(false)
                        && !filters.hidden.get(i).copied().unwrap_or(true)
                    {
                        m |= ON_PATH_SHOWN_FROM;
                    }
                }
                if !filters.hidden.get(i).copied().unwrap_or(true) {
                    m |= ON_PATH_VISIBLE;
                }
                m
            };
            let mut marks: Vec<u8> = Vec::with_capacity(st.len());
            for (&parent, &loc) in st.parents().iter().zip(st.locs()) {
                let up = parent.map_or(0, |p| marks[p.index()]);
                marks.push(up | own(loc));
            }
            StackVerdicts::Marks(marks)
        };
        Ok(ReportFilter {
            profile,
            filters,
            stacks,
            hides,
        })
    }
}

impl FlameFilter for ReportFilter<'_> {
    fn keep_sample(&self, sample: usize) -> bool {
        let samples = &self.profile.samples;
        if !self.filters.labels_pass(samples.labels[sample]) {
            return false;
        }
        // Focus and ignore look at whole stacks, as the top table does
        // (a stack without a show_from match is dropped by both too).
        let Some(leaf) = samples.stack[sample] else {
            return !self.hides;
        };
        match &self.stacks {
            StackVerdicts::All => true,
            StackVerdicts::Marks(marks) => {
                let m = marks.get(leaf.index()).copied().unwrap_or(0);
                m & ON_PATH_IGNORED == 0
                    && (m & ON_PATH_FOCUSED != 0 || !self.filters.by_name)
                    && (m & ON_PATH_SHOWN_FROM != 0 || self.filters.show_from.is_none())
                    && (m & ON_PATH_VISIBLE != 0 || !self.hides)
            }
        }
    }
    fn location_lines(&self, loc: LocId) -> Option<&[u32]> {
        Some(self.filters.location_lines(loc))
    }
    fn is_hidden(&self, loc: LocId) -> bool {
        self.filters
            .hidden
            .get(loc.index())
            .copied()
            .unwrap_or(false)
    }
    fn has_show_from(&self) -> bool {
        self.filters.show_from.is_some()
    }
    fn shows_from(&self, loc: LocId) -> bool {
        self.filters
            .show_from
            .as_ref()
            .is_some_and(|m| m.get(loc.index()).copied().unwrap_or(false))
    }
}
