//! Report options and sample filters, with pprof's names and matching rules.
//!
//! pprof filters in this order (`driver.applyFocus`, `profile/filter.go`):
//! 1. `focus` / `ignore` pick whole samples: a sample is kept when one of
//!    its locations matches `focus` (or there is no `focus`) and none
//!    matches `ignore`, so ignore wins. A location matches when the name or
//!    file of any of its (inlined) functions, or its mapping's file, does;
//! 2. `hide` drops the matching frames (lines) from locations, `show` keeps
//!    only the matching ones; a location left without lines disappears from
//!    every sample;
//! 3. `show_from` drops the frames above (rootward of) the root-most
//!    matching location, and inside a matching location the frames that
//!    called the matching function; samples with no match are dropped;
//! 4. `tagfocus` / `tagignore` pick samples by label;
//! 5. `noinlines` then keeps only the outermost function of each location.
//!
//! Filters are evaluated once per location (and once per label set), never
//! per sample, and the results are flat arrays indexed by [`LocId`], so the
//! graph walk over a million samples only does array lookups.

use crate::analysis::options::{FilterError, ReportOptions};
use crate::analysis::tag_filter::{compile_tag_filter, num_label_units, tag_matches};
use crate::model::{LabelSetId, LocId, Profile};
use crate::pattern::Pattern;

/// Where a location stands for `focus` / `ignore`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FocusMark {
    Neither,
    Focused,
    Ignored,
}

/// The filters applied to one profile: per-location results and a per-label
/// set verdict, computed once.
pub struct AppliedFilters {
    /// `focus`/`ignore` mark per location; all `Focused` without filters.
    pub focus: Vec<FocusMark>,
    /// Whether any location is focused/ignored-checked at all (a cheap
    /// "no sample filter by name" test).
    pub by_name: bool,
    /// Locations removed from every sample by `hide` / `show`.
    pub hidden: Vec<bool>,
    /// With `show_from`: the locations that match it.
    pub show_from: Option<Vec<bool>>,
    /// Frames kept per location, innermost first, as indices into
    /// `Profile::lines`: `lines[line_start[l]..line_start[l + 1]]`.
    pub lines: Vec<u32>,
    pub line_start: Vec<u32>,
    /// Verdict of `tagfocus` / `tagignore` per label set; `None` without
    /// tag filters.
    pub label_ok: Option<Vec<bool>>,
}

impl AppliedFilters {
    /// Frames (line indices) kept for a location, innermost first.
    #[inline]
    pub fn location_lines(&self, loc: LocId) -> &[u32] {
        let i = loc.index();
        &self.lines[self.line_start[i] as usize..self.line_start[i + 1] as usize]
    }

    /// Whether samples with this label set survive the tag filters.
    #[inline]
    pub fn labels_pass(&self, set: LabelSetId) -> bool {
        self.label_ok.as_ref().is_none_or(|ok| ok[set.index()])
    }
}

/// Per-function memo of regex matches on name or file.
struct FuncMatcher<'a> {
    pattern: &'a Pattern,
    memo: Vec<u8>,
    maps: Vec<u8>,
}

impl<'a> FuncMatcher<'a> {
    fn new(pattern: &'a Pattern, profile: &Profile) -> Self {
        FuncMatcher {
            pattern,
            memo: vec![0; profile.functions.len()],
            maps: vec![0; profile.mappings.len()],
        }
    }

    fn is_match(&self, s: &str) -> bool {
        self.pattern.is_match(s)
    }

    fn line(&mut self, profile: &Profile, line: u32) -> bool {
        let f = profile.lines[line as usize].func.index();
        match self.memo.get(f) {
            None => false,
            Some(0) => {
                let func = &profile.functions[f];
                let hit =
                    self.is_match(profile.str(func.name)) || self.is_match(profile.str(func.file));
                self.memo[f] = if hit { 2 } else { 1 };
                hit
            }
            Some(&m) => m == 2,
        }
    }

    fn mapping(&mut self, profile: &Profile, loc: LocId) -> bool {
        let Some(mid) = profile.locations[loc.index()].mapping else {
            return false;
        };
        match self.maps.get(mid.index()) {
            None => false,
            Some(0) => {
                let hit = self.is_match(profile.str(profile.mappings[mid.index()].file));
                self.maps[mid.index()] = if hit { 2 } else { 1 };
                hit
            }
            Some(&m) => m == 2,
        }
    }

    /// pprof's `Location.matchesName` over the location's current lines.
    fn location(&mut self, profile: &Profile, loc: LocId, lines: &[u32]) -> bool {
        lines.iter().any(|&l| self.line(profile, l)) || self.mapping(profile, loc)
    }
}

/// Compiles the filters of `opts` and evaluates them on every location and
/// label set of `profile`.
pub fn apply(profile: &Profile, opts: &ReportOptions) -> Result<AppliedFilters, FilterError> {
    let focus = Pattern::optional("focus", &opts.focus)?;
    let ignore = Pattern::optional("ignore", &opts.ignore)?;
    let hide = Pattern::optional("hide", &opts.hide)?;
    let show = Pattern::optional("show", &opts.show)?;
    let show_from = Pattern::optional("show_from", &opts.show_from)?;
    let tagfocus = compile_tag_filter("tagfocus", &opts.tagfocus)?;
    let tagignore = compile_tag_filter("tagignore", &opts.tagignore)?;

    let n = profile.locations.len();
    let mut focus_m = focus.as_ref().map(|r| FuncMatcher::new(r, profile));
    let mut ignore_m = ignore.as_ref().map(|r| FuncMatcher::new(r, profile));
    let mut hide_m = hide.as_ref().map(|r| FuncMatcher::new(r, profile));
    let mut show_m = show.as_ref().map(|r| FuncMatcher::new(r, profile));
    let mut from_m = show_from.as_ref().map(|r| FuncMatcher::new(r, profile));

    let mut out = AppliedFilters {
        focus: Vec::with_capacity(n),
        by_name: focus.is_some() || ignore.is_some(),
        hidden: vec![false; n],
        show_from: show_from.as_ref().map(|_| vec![false; n]),
        lines: Vec::with_capacity(profile.lines.len()),
        line_start: Vec::with_capacity(n + 1),
        label_ok: None,
    };
    let mut cur: Vec<u32> = Vec::new();
    for (i, loc) in profile.locations.iter().enumerate() {
        let id = LocId(i as u32);
        cur.clear();
        let range = loc.line_range();
        let n_lines = profile.lines.len();
        cur.extend((range.start.min(n_lines)..range.end.min(n_lines)).map(|l| l as u32));

        let mark = if ignore_m
            .as_mut()
            .is_some_and(|m| m.location(profile, id, &cur))
        {
            FocusMark::Ignored
        } else if focus_m
            .as_mut()
            .is_none_or(|m| m.location(profile, id, &cur))
        {
            FocusMark::Focused
        } else {
            FocusMark::Neither
        };
        out.focus.push(mark);

        let mut hidden = false;
        if let Some(m) = hide_m.as_mut() {
            if m.location(profile, id, &cur) {
                if m.mapping(profile, id) {
                    cur.clear();
                } else {
                    cur.retain(|&l| !m.line(profile, l));
                }
                hidden |= cur.is_empty();
            }
        }
        if let Some(m) = show_m.as_mut() {
            if !m.mapping(profile, id) {
                cur.retain(|&l| m.line(profile, l));
            }
            hidden |= cur.is_empty();
        }
        if let (Some(m), Some(marks)) = (from_m.as_mut(), out.show_from.as_mut()) {
            // A hidden location is gone from every sample, so it cannot be
            // the one `show_from` cuts at.
            if !hidden {
                if m.mapping(profile, id) {
                    marks[i] = true;
                } else if let Some(last) = cur.iter().rposition(|&l| m.line(profile, l)) {
                    marks[i] = true;
                    cur.truncate(last + 1);
                }
            }
        }
        if opts.noinlines && cur.len() > 1 {
            cur.drain(..cur.len() - 1);
        }
        out.hidden[i] = hidden;
        out.line_start.push(out.lines.len() as u32);
        if !hidden {
            out.lines.extend_from_slice(&cur);
        }
    }
    out.line_start.push(out.lines.len() as u32);

    if tagfocus.is_some() || tagignore.is_some() {
        let units = num_label_units(profile);
        let ok = (0..profile.label_sets.len())
            .map(|s| {
                let set = LabelSetId(s as u32);
                let focused = tagfocus
                    .as_ref()
                    .is_none_or(|f| tag_matches(profile, &units, f, set));
                let ignored = tagignore
                    .as_ref()
                    .is_some_and(|f| tag_matches(profile, &units, f, set));
                focused && !ignored
            })
            .collect();
        out.label_ok = Some(ok);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;

    #[test]
    fn bad_regex_names_the_option() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .sample("main 1")
            .build();
        for (opts, name) in [
            (
                ReportOptions {
                    focus: "(".into(),
                    ..Default::default()
                },
                "focus",
            ),
            (
                ReportOptions {
                    ignore: "[".into(),
                    ..Default::default()
                },
                "ignore",
            ),
            (
                ReportOptions {
                    hide: "(".into(),
                    ..Default::default()
                },
                "hide",
            ),
            (
                ReportOptions {
                    show: "(".into(),
                    ..Default::default()
                },
                "show",
            ),
            (
                ReportOptions {
                    show_from: "(".into(),
                    ..Default::default()
                },
                "show_from",
            ),
            (
                ReportOptions {
                    tagfocus: "k=(".into(),
                    ..Default::default()
                },
                "tagfocus",
            ),
            (
                ReportOptions {
                    tagignore: "(".into(),
                    ..Default::default()
                },
                "tagignore",
            ),
        ] {
            let err = apply(&p, &opts).err().expect("error");
            assert_eq!(err.option, name);
            assert!(
                err.message.starts_with(&format!("parsing {name} regexp:")),
                "{}",
                err.message
            );
        }
        let huge = ReportOptions {
            tagfocus: "99999999999999999999999kb".into(),
            ..Default::default()
        };
        assert_eq!(apply(&p, &huge).err().expect("error").option, "tagfocus");
    }

    /// The names of the functions at locations with `mark`, sorted.
    fn marked(p: &Profile, opts: &ReportOptions, mark: FocusMark) -> Vec<String> {
        let f = apply(p, opts).expect("valid options");
        let mut out: Vec<String> = (0..p.locations.len())
            .filter(|&i| f.focus[i] == mark)
            .flat_map(|i| p.locations[i].line_range())
            .map(|l| p.str(p.functions[p.lines[l].func.index()].name).to_string())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn focus_and_ignore_match_package_paths_and_files() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&[
                "main.main;github.com/acme/svc/v2.(*Server).Handle;runtime.mallocgc 1",
                "main.main;net/http.(*conn).serve@/usr/lib/go/src/net/http/server.go:10 2",
                "main.main;internal/runtime/maps.(*Map).Get 4",
            ])
            .build();
        let focus = |f: &str| {
            marked(
                &p,
                &ReportOptions {
                    focus: f.into(),
                    ..Default::default()
                },
                FocusMark::Focused,
            )
        };
        assert_eq!(focus(r"^runtime\."), ["runtime.mallocgc"]);
        assert_eq!(
            focus("runtime"),
            ["internal/runtime/maps.(*Map).Get", "runtime.mallocgc"]
        );
        assert_eq!(
            focus(r"github\.com/acme/svc/v2\.\(\*Server\)"),
            ["github.com/acme/svc/v2.(*Server).Handle"]
        );
        assert_eq!(
            focus("src/net/http/"),
            ["net/http.(*conn).serve"],
            "the file name matches too"
        );
        let servers = [
            "github.com/acme/svc/v2.(*Server).Handle",
            "main.main",
            "net/http.(*conn).serve",
        ];
        assert_eq!(focus("(?i)SERVER|^main"), servers);
        let ignore = ReportOptions {
            ignore: r"\bmaps\b".into(),
            ..Default::default()
        };
        assert_eq!(
            marked(&p, &ignore, FocusMark::Ignored),
            ["internal/runtime/maps.(*Map).Get"]
        );
    }
}
