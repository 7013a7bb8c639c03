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
//!
//! Patterns are Go regexps (RE2 syntax), compiled with regex-lite: like Go's
//! regexp, its `\w`, `\d`, `\s` and `\b` are ASCII only (the `regex` crate's
//! are Unicode). Unlike Go's, it has no `\pL`-style classes (a pattern using
//! one is an error, not a silent miss) and `(?i)` folds ASCII letters only;
//! Go symbol names are ASCII, so neither changes what a filter matches in
//! practice. The tests below pin both the agreement and the differences.

use regex_lite::Regex;

use crate::model::{LabelSetId, LocId, Profile};
use crate::view::measurement;

/// How frames are merged into nodes (pprof's `-granularity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Granularity {
    /// One node per function (pprof's default).
    #[default]
    Functions,
    /// One node per function and source file.
    FileFunctions,
    /// One node per source file.
    Files,
    /// One node per source line.
    Lines,
    /// One node per instruction address (and inlined frame).
    Addresses,
}

/// Row order of the top table (pprof's `-flat` / `-cum`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SortOrder {
    #[default]
    Flat,
    Cum,
}

/// Report options, named as `go tool pprof` names them. Empty strings mean
/// "not set".
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Options {
    /// Sample type to report; `None` is the profile's default
    /// ([`Profile::default_sample_index`]).
    pub sample_index: Option<usize>,
    pub sort: SortOrder,
    pub granularity: Granularity,
    /// Show at most this many nodes; 0 shows all (the `-top` default).
    pub nodecount: usize,
    /// Drop nodes whose cum is below this fraction of the total.
    pub nodefraction: f64,
    /// Drop call edges lighter than this fraction of the total; in a top
    /// table this only decides the `(inline)` labels, which come from edges.
    pub edgefraction: f64,
    pub focus: String,
    pub ignore: String,
    pub hide: String,
    pub show: String,
    pub show_from: String,
    /// `[key=]regex[,regex...]` or `[key=]range` such as `64kb:`, `:1mb`,
    /// `12kb:64mb`, `32kb`.
    pub tagfocus: String,
    pub tagignore: String,
    pub noinlines: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sample_index: None,
            sort: SortOrder::Flat,
            granularity: Granularity::Functions,
            nodecount: 0,
            nodefraction: 0.005,
            edgefraction: 0.001,
            focus: String::new(),
            ignore: String::new(),
            hide: String::new(),
            show: String::new(),
            show_from: String::new(),
            tagfocus: String::new(),
            tagignore: String::new(),
            noinlines: false,
        }
    }
}

impl Options {
    /// The filters that are set, as pprof lists them under `Active filters:`.
    pub fn active_filters(&self) -> Vec<String> {
        [
            ("focus", &self.focus),
            ("ignore", &self.ignore),
            ("hide", &self.hide),
            ("show", &self.show),
            ("show_from", &self.show_from),
            ("tagfocus", &self.tagfocus),
            ("tagignore", &self.tagignore),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
    }
}

/// An option that could not be used; the message names the option, like
/// pprof's `parsing focus regexp: ...`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FilterError {
    pub option: &'static str,
    pub message: String,
}

fn compile_regex(option: &'static str, value: &str) -> Result<Option<Regex>, FilterError> {
    if value.is_empty() {
        return Ok(None);
    }
    Regex::new(value)
        .map(Some)
        .map_err(|e| FilterError { option, message: format!("parsing {option} regexp: {e}") })
}

/// A numeric label test from a range such as `64kb:`.
#[derive(Clone, Debug)]
struct NumRange {
    unit: String,
    lo: Option<f64>,
    hi: Option<f64>,
}

impl NumRange {
    fn matches(&self, value: i64, value_unit: &str) -> bool {
        let (sv, su) = measurement::scale(value, value_unit, &self.unit);
        su == self.unit.as_str() && self.lo.is_none_or(|lo| sv >= lo) && self.hi.is_none_or(|hi| sv <= hi)
    }
}

#[derive(Clone, Debug)]
enum TagTest {
    Num(NumRange),
    Regexes(Vec<Regex>),
}

#[derive(Clone, Debug)]
struct TagFilter {
    key: Option<String>,
    test: TagTest,
}

/// pprof's `parseTagFilterRange`: `Ok(None)` when `filter` is not a range
/// (it is then a regex).
fn parse_tag_range(option: &'static str, filter: &str) -> Result<Option<NumRange>, FilterError> {
    // `([+-]?[[:digit:]]+)([[:alpha:]]+)?`, first two matches.
    let rx = Regex::new("([+-]?[[:digit:]]+)([[:alpha:]]+)?").expect("static regex");
    let ranges: Vec<(&str, &str, &str)> = rx
        .captures_iter(filter)
        .take(2)
        .map(|c| {
            let whole = c.get(0).map_or("", |m| m.as_str());
            (whole, c.get(1).map_or("", |m| m.as_str()), c.get(2).map_or("", |m| m.as_str()))
        })
        .collect();
    let Some(&(m0, num0, unit0)) = ranges.first() else {
        return Ok(None);
    };
    let parse = |s: &str| {
        s.parse::<i64>()
            .map_err(|e| FilterError { option, message: format!("{option}: failed to parse int {s}: {e}") })
    };
    let v0 = parse(num0)?;
    let (scaled0, unit) = measurement::scale(v0, unit0, unit0);
    let unit = unit.into_owned();
    if ranges.len() == 1 {
        let (lo, hi) = if filter == m0 {
            (Some(scaled0), Some(scaled0))
        } else if filter.strip_suffix(':') == Some(m0) {
            (Some(scaled0), None)
        } else if filter.strip_prefix(':') == Some(m0) {
            (None, Some(scaled0))
        } else {
            return Ok(None);
        };
        return Ok(Some(NumRange { unit, lo, hi }));
    }
    let (m1, num1, unit1) = ranges[1];
    if filter != format!("{m0}:{m1}") {
        return Ok(None);
    }
    let v1 = parse(num1)?;
    let (scaled1, unit_b) = measurement::scale(v1, unit1, &unit);
    if unit_b != unit.as_str() {
        return Ok(None);
    }
    Ok(Some(NumRange { unit, lo: Some(scaled0), hi: Some(scaled1) }))
}

fn compile_tag_filter(option: &'static str, value: &str) -> Result<Option<TagFilter>, FilterError> {
    if value.is_empty() {
        return Ok(None);
    }
    let (key, value) = match value.split_once('=') {
        Some((k, v)) => (Some(k.to_string()), v),
        None => (None, value),
    };
    if let Some(range) = parse_tag_range(option, value)? {
        return Ok(Some(TagFilter { key, test: TagTest::Num(range) }));
    }
    let mut rxs = Vec::new();
    for part in value.split(',') {
        let rx = Regex::new(part)
            .map_err(|e| FilterError { option, message: format!("parsing {option} regexp: {e}") })?;
        rxs.push(rx);
    }
    Ok(Some(TagFilter { key, test: TagTest::Regexes(rxs) }))
}

/// pprof's `NumLabelUnits`: the unit of each numeric label key (the first
/// unit given in the file; `bytes` for `alignment` and `request`; else the
/// key itself).
pub fn num_label_units(profile: &Profile) -> hashbrown::HashMap<String, String> {
    let mut units: hashbrown::HashMap<String, String> = hashbrown::HashMap::new();
    let mut keys: Vec<String> = Vec::new();
    let mut seen_sets = vec![false; profile.label_sets.len()];
    for &set in &profile.samples.labels {
        if std::mem::replace(&mut seen_sets[set.index()], true) {
            continue;
        }
        for l in profile.label_sets.get(set) {
            if l.str.is_some() {
                continue;
            }
            let key = profile.str(l.key);
            if !keys.iter().any(|k| k == key) {
                keys.push(key.to_string());
            }
            let unit = profile.str(l.num_unit);
            if !unit.is_empty() && !units.contains_key(key) {
                units.insert(key.to_string(), unit.to_string());
            }
        }
    }
    for key in keys {
        if units.get(&key).is_none_or(|u| u.is_empty()) {
            let unit = match key.as_str() {
                "alignment" | "request" => "bytes".to_string(),
                _ => key.clone(),
            };
            units.insert(key, unit);
        }
    }
    units
}

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

/// Literals of which every match of a pattern contains one, found by
/// reading the pattern. regex-lite has no literal optimisations: it runs its
/// automaton from every position of every name, about a microsecond a name,
/// while most filters are a name or a few (`main`, `^runtime\.`,
/// `alloc|malloc`, `(?i)http`), and a substring search rejects the many
/// names without them some fifty times faster.
///
/// Conservative by construction: a pattern it cannot read (inline flags
/// other than a leading `(?i)`, escapes other than punctuation and
/// `\d\w\s\b`-style classes) gets no prefilter, and a branch's literal is
/// only a run of plain characters outside groups and classes, without the
/// last one when a quantifier follows it. A test checks on generated
/// patterns that it never rejects a name the regex matches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prefilter {
    /// One literal per top-level alternative; `None`: every name may match.
    needles: Option<Vec<String>>,
    /// ASCII case-insensitive (a leading `(?i)`: regex-lite folds ASCII only).
    fold: bool,
}

impl Prefilter {
    pub fn new(pattern: &str) -> Prefilter {
        let (fold, body) = match pattern.strip_prefix("(?i)") {
            Some(rest) => (true, rest),
            None => (false, pattern),
        };
        let needles = top_level_branches(body).and_then(|branches| {
            branches.into_iter().map(required_literal).collect::<Option<Vec<String>>>()
        });
        let needles = needles.map(|n| if fold { n.iter().map(|s| s.to_ascii_lowercase()).collect() } else { n });
        Prefilter { needles, fold }
    }

    /// False only when `haystack` cannot match the pattern.
    pub fn may_match(&self, haystack: &str) -> bool {
        let Some(needles) = &self.needles else { return true };
        needles.iter().any(|n| {
            if self.fold {
                haystack.as_bytes().windows(n.len()).any(|w| w.eq_ignore_ascii_case(n.as_bytes()))
            } else {
                haystack.contains(n.as_str())
            }
        })
    }
}

/// Splits a pattern at its top-level `|`s; `None` if it holds inline flags.
fn top_level_branches(pattern: &str) -> Option<Vec<&str>> {
    let b = pattern.as_bytes();
    let (mut out, mut start, mut depth, mut i) = (Vec::new(), 0, 0usize, 0);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => i = class_end(b, i)?,
            b'(' => {
                if b.get(i + 1) == Some(&b'?') {
                    // `(?flags)` changes what follows; `(?flags:...)`, `(?:...)`
                    // and named groups are groups.
                    let close = b[i + 2..].iter().position(|&c| c == b':' || c == b')' || c == b'<')?;
                    if b[i + 2 + close] == b')' {
                        return None;
                    }
                }
                depth += 1;
            }
            b')' => depth = depth.checked_sub(1)?,
            b'|' if depth == 0 => {
                out.push(&pattern[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&pattern[start..]);
    Some(out)
}

/// Index of the `]` closing the class that opens at `b[open]`.
fn class_end(b: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    if b.get(i) == Some(&b'^') {
        i += 1;
    }
    if b.get(i) == Some(&b']') {
        i += 1; // a leading `]` is literal
    }
    let mut depth = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The longest run of plain characters that every match of `branch` holds;
/// `None` when there is none or the branch uses syntax not read here.
fn required_literal(branch: &str) -> Option<String> {
    let b = branch.as_bytes();
    let (mut best, mut run) = (String::new(), String::new());
    let mut i = 0;
    let end_run = |run: &mut String, best: &mut String| {
        if run.len() > best.len() {
            *best = std::mem::take(run);
        }
        run.clear();
    };
    while i < b.len() {
        match b[i] {
            b'\\' => {
                let c = *b.get(i + 1)?;
                if c.is_ascii_punctuation() && c != b'<' && c != b'>' {
                    run.push(c as char);
                } else if matches!(c, b'd' | b'D' | b'w' | b'W' | b's' | b'S' | b'b' | b'B' | b'A' | b'z')
                    && b.get(i + 2) != Some(&b'{')
                {
                    end_run(&mut run, &mut best);
                } else {
                    return None;
                }
                i += 2;
                continue;
            }
            b'*' | b'+' | b'?' | b'{' => {
                // The quantified atom may be absent (or repeated): it is not
                // part of a run.
                run.pop();
                end_run(&mut run, &mut best);
                if b[i] == b'{' {
                    i += b[i..].iter().position(|&c| c == b'}')?;
                }
            }
            b'[' => {
                end_run(&mut run, &mut best);
                i = class_end(b, i)?;
            }
            b'(' => {
                end_run(&mut run, &mut best);
                i = group_end(b, i)?;
            }
            b'.' | b'^' | b'$' => end_run(&mut run, &mut best),
            b')' | b'|' => return None,
            _ => {
                let c = branch[i..].chars().next()?;
                run.push(c);
                i += c.len_utf8();
                continue;
            }
        }
        i += 1;
    }
    end_run(&mut run, &mut best);
    (!best.is_empty()).then_some(best)
}

/// Index of the `)` closing the group that opens at `b[open]`.
fn group_end(b: &[u8], open: usize) -> Option<usize> {
    let (mut depth, mut i) = (0, open);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => i = class_end(b, i)?,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Per-function memo of regex matches on name or file.
struct FuncMatcher<'a> {
    re: &'a Regex,
    pre: Prefilter,
    memo: Vec<u8>,
    maps: Vec<u8>,
}

impl<'a> FuncMatcher<'a> {
    fn new(re: &'a Regex, profile: &Profile) -> Self {
        FuncMatcher {
            re,
            pre: Prefilter::new(re.as_str()),
            memo: vec![0; profile.functions.len()],
            maps: vec![0; profile.mappings.len()],
        }
    }

    fn is_match(&self, s: &str) -> bool {
        self.pre.may_match(s) && self.re.is_match(s)
    }

    fn line(&mut self, profile: &Profile, line: u32) -> bool {
        let f = profile.lines[line as usize].func.index();
        match self.memo.get(f) {
            None => false,
            Some(0) => {
                let func = &profile.functions[f];
                let hit = self.is_match(profile.str(func.name)) || self.is_match(profile.str(func.file));
                self.memo[f] = if hit { 2 } else { 1 };
                hit
            }
            Some(&m) => m == 2,
        }
    }

    fn mapping(&mut self, profile: &Profile, loc: LocId) -> bool {
        let Some(mid) = profile.locations[loc.index()].mapping else { return false };
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
pub fn apply(profile: &Profile, opts: &Options) -> Result<AppliedFilters, FilterError> {
    let focus = compile_regex("focus", &opts.focus)?;
    let ignore = compile_regex("ignore", &opts.ignore)?;
    let hide = compile_regex("hide", &opts.hide)?;
    let show = compile_regex("show", &opts.show)?;
    let show_from = compile_regex("show_from", &opts.show_from)?;
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

        let mark = if ignore_m.as_mut().is_some_and(|m| m.location(profile, id, &cur)) {
            FocusMark::Ignored
        } else if focus_m.as_mut().is_none_or(|m| m.location(profile, id, &cur)) {
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
                let focused = tagfocus.as_ref().is_none_or(|f| tag_matches(profile, &units, f, set));
                let ignored = tagignore.as_ref().is_some_and(|f| tag_matches(profile, &units, f, set));
                focused && !ignored
            })
            .collect();
        out.label_ok = Some(ok);
    }
    Ok(out)
}

fn tag_matches(
    profile: &Profile,
    units: &hashbrown::HashMap<String, String>,
    filter: &TagFilter,
    set: LabelSetId,
) -> bool {
    let labels = profile.label_sets.get(set);
    match (&filter.test, &filter.key) {
        (TagTest::Num(range), None) => labels.iter().any(|l| {
            l.str.is_none() && {
                let key = profile.str(l.key);
                range.matches(l.num, units.get(key).map_or("", |u| u.as_str()))
            }
        }),
        (TagTest::Num(range), Some(want)) => {
            let unit = units.get(want.as_str()).map_or("", |u| u.as_str());
            labels.iter().any(|l| l.str.is_none() && profile.str(l.key) == want && range.matches(l.num, unit))
        }
        // Every regex must match some `key:value` string label.
        (TagTest::Regexes(rxs), None) => rxs.iter().all(|rx| {
            labels.iter().any(|l| {
                l.str.is_some_and(|v| rx.is_match(&format!("{}:{}", profile.str(l.key), profile.str(v))))
            })
        }),
        (TagTest::Regexes(rxs), Some(want)) => labels.iter().any(|l| {
            l.str.is_some_and(|v| profile.str(l.key) == want && rxs.iter().any(|rx| rx.is_match(profile.str(v))))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;

    #[test]
    fn bad_regex_names_the_option() {
        let p = ProfileBuilder::new(&[("samples", "count")]).sample("main 1").build();
        for (opts, name) in [
            (Options { focus: "(".into(), ..Default::default() }, "focus"),
            (Options { ignore: "[".into(), ..Default::default() }, "ignore"),
            (Options { hide: "(".into(), ..Default::default() }, "hide"),
            (Options { show: "(".into(), ..Default::default() }, "show"),
            (Options { show_from: "(".into(), ..Default::default() }, "show_from"),
            (Options { tagfocus: "k=(".into(), ..Default::default() }, "tagfocus"),
            (Options { tagignore: "(".into(), ..Default::default() }, "tagignore"),
        ] {
            let err = apply(&p, &opts).err().expect("error");
            assert_eq!(err.option, name);
            assert!(err.message.starts_with(&format!("parsing {name} regexp:")), "{}", err.message);
        }
        let huge = Options { tagfocus: "99999999999999999999999kb".into(), ..Default::default() };
        assert_eq!(apply(&p, &huge).err().expect("error").option, "tagfocus");
    }

    /// Each row was checked with Go 1.19's `regexp.MatchString` (`None`:
    /// Go rejects the pattern).
    const GO_REGEXP: &[(&str, &str, Option<bool>)] = &[
        (r"^runtime\.", "runtime.mallocgc", Some(true)),
        (r"^runtime\.", "internal/runtime/maps.(*Map).Get", Some(false)),
        (r"^runtime\.", "runtimes.F", Some(false)),
        (r"runtime\.", "internal/runtime.F", Some(true)),
        ("net/http", "net/http.(*conn).serve", Some(true)),
        ("net/http", "/usr/lib/go/src/net/http/server.go", Some(true)),
        (r"github\.com/acme/svc/v2\.", "github.com/acme/svc/v2.(*Server).Handle", Some(true)),
        ("github.com/acme", "githubXcom/acme.F", Some(true)),
        ("alloc|malloc", "runtime.mallocgc", Some(true)),
        ("alloc|malloc", "runtime.newobject", Some(false)),
        (r"^(sync|runtime)\.", "sync.(*Mutex).Lock", Some(true)),
        (r"^(sync|runtime)\.", "internal/sync.(*Mutex).Lock", Some(false)),
        ("(?i)HTTP", "net/http.Get", Some(true)),
        (r"(?i)^main\.handler$", "main.Handler", Some(true)),
        (r"\bsync\b", "sync.(*Mutex).Lock", Some(true)),
        (r"\bsync\b", "internal/syncx.F", Some(false)),
        (r"\bsync\b", "async.F", Some(false)),
        (r"\bé", "éa", Some(false)),
        (r"\.func\d+$", "main.main.func1", Some(true)),
        (r"\.func\d+$", "main.main.func1.2", Some(false)),
        (r"\d", "\u{663}", Some(false)),
        (r"\w", "é", Some(false)),
        (r"\s", "\u{a0}", Some(false)),
        ("^.$", "é", Some(true)),
        (r"main\.\(\*T\)\.M", "main.(*T).M", Some(true)),
        (r"main\.\(\*T\)\.M", "main.T.M", Some(false)),
        (r"\(\*Pool\[.*\]\)", "main.(*Pool[go.shape.int]).serve", Some(true)),
        (r"[[:alpha:]]+\.[[:upper:]]", "main.Run", Some(true)),
        (r"^[^.]+\.[a-z]", "main.Run", Some(false)),
        ("foo$", "foo\n", Some(false)),
        ("(?m)foo$", "foo\nbar", Some(true)),
        ("a.b", "a\nb", Some(false)),
        ("(?s)a.b", "a\nb", Some(true)),
        (r"(?P<pkg>\w+)\.", "main.F", Some(true)),
        ("(?U)a+", "aaa", Some(true)),
        ("(", "", None),
        ("[", "", None),
        ("a{2,1}", "", None),
        (r"\Z", "", None),
        (r"[a-\d]", "", None),
        (r"\C", "a", None),
    ];

    #[test]
    fn patterns_match_like_go_regexp() {
        for &(pattern, name, want) in GO_REGEXP {
            let got = compile_regex("focus", pattern).map(|re| re.expect("non-empty").is_match(name)).ok();
            assert_eq!(got, want, "{pattern:?} on {name:?}");
        }
    }

    /// Where regex-lite and Go's regexp part; none concerns a Go symbol name.
    #[test]
    fn known_differences_from_go_regexp() {
        let is_match = |p: &str, s: &str| compile_regex("focus", p).map(|re| re.expect("non-empty").is_match(s));
        // Go folds Unicode: `(?i)k` matches the Kelvin sign, `(?i)é` matches `É`.
        assert_eq!(is_match("(?i)k", "\u{212a}"), Ok(false));
        assert_eq!(is_match("(?i)é", "É"), Ok(false));
        // Go's `\s` leaves out `\v`.
        assert_eq!(is_match(r"\s", "\u{b}"), Ok(true));
        // Unicode classes are rejected with a message rather than matching.
        let err = is_match(r"\pL", "é").expect_err("no Unicode classes");
        assert!(err.message.starts_with("parsing focus regexp: "), "{}", err.message);
        // Go rejects these; regex-lite accepts them.
        assert_eq!(is_match("a**", "a"), Ok(true));
        assert_eq!(is_match(r"(?<pkg>\w+)\.", "main.F"), Ok(true));
        assert_eq!(is_match("x{1001}", "x"), Ok(false));
    }

    #[test]
    fn prefilters_read_the_literals_of_common_patterns() {
        let needles = |p: &str| Prefilter::new(p).needles;
        let v = |xs: &[&str]| Some(xs.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(needles("main"), v(&["main"]));
        assert_eq!(needles(r"^runtime\.mallocgc$"), v(&["runtime.mallocgc"]));
        assert_eq!(needles(r"github\.com/acme/svc/v2\.\(\*Server\)"), v(&["github.com/acme/svc/v2.(*Server)"]));
        assert_eq!(needles("alloc|malloc|^gc"), v(&["alloc", "malloc", "gc"]));
        assert_eq!(needles("(?i)HTTP|Serve"), v(&["http", "serve"]));
        assert_eq!(needles(r"net/http.*\.serve"), v(&["net/http"]));
        assert_eq!(needles(r"^(sync|runtime)\.Lock"), v(&[".Lock"]));
        assert_eq!(needles(r"\bsync\b"), v(&["sync"]));
        assert_eq!(needles("abcd?e"), v(&["abc"]), "a quantified character is not required");
        assert_eq!(needles("x{2,3}yz"), v(&["yz"]));
        assert_eq!(needles("[[:alpha:]]+ab[]x]cd"), v(&["ab"]));
        for unread in ["", ".*", "a|", r"\w+", "(main)", "a(?i)b", "(?s)a.b", r"\x41", r"\b{start}x", "(?m)^x"] {
            assert_eq!(needles(unread), None, "{unread:?}");
        }
        let p = Prefilter::new("(?i)http");
        assert!(p.may_match("net/HTTP.Get") && !p.may_match("net/htt.Get"));
    }

    /// A prefilter never turns down a name its regex matches: random patterns
    /// over the syntax it reads, against random names.
    #[test]
    fn prefilters_never_reject_a_match() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        const ATOMS: &[&str] = &[
            "a", "b", "A", "é", ".", "/", r"\.", r"\(", r"\*", r"\\", r"\d", r"\w", r"\b", r"\B", "^", "$", "[ab]",
            "[^a]", "[[:alpha:]]", "[]a]", "(a|b)", "(?:ab)", "(?i:a)", "(?P<n>b)", "*", "+", "?", "{1,2}", "*?", "|", " ",
        ];
        const CHARS: &[&str] = &["a", "b", "A", "B", "é", "É", ".", "/", "(", "*", "\\", "1", " ", "_"];
        let mut checked = 0;
        for _ in 0..20_000 {
            let mut pattern = String::from(if next(4) == 0 { "(?i)" } else { "" });
            for _ in 0..1 + next(6) {
                pattern.push_str(ATOMS[next(ATOMS.len())]);
            }
            let Ok(re) = Regex::new(&pattern) else { continue };
            let pre = Prefilter::new(&pattern);
            for _ in 0..30 {
                let name: String = (0..next(8)).map(|_| CHARS[next(CHARS.len())]).collect();
                if re.is_match(&name) {
                    assert!(pre.may_match(&name), "{pattern:?} matches {name:?} but its prefilter {pre:?} says no");
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "only {checked} matches checked");
    }

    /// The names of the functions at locations with `mark`, sorted.
    fn marked(p: &Profile, opts: &Options, mark: FocusMark) -> Vec<String> {
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
        let focus = |f: &str| marked(&p, &Options { focus: f.into(), ..Default::default() }, FocusMark::Focused);
        assert_eq!(focus(r"^runtime\."), ["runtime.mallocgc"]);
        assert_eq!(focus("runtime"), ["internal/runtime/maps.(*Map).Get", "runtime.mallocgc"]);
        assert_eq!(focus(r"github\.com/acme/svc/v2\.\(\*Server\)"), ["github.com/acme/svc/v2.(*Server).Handle"]);
        assert_eq!(focus("src/net/http/"), ["net/http.(*conn).serve"], "the file name matches too");
        let servers = ["github.com/acme/svc/v2.(*Server).Handle", "main.main", "net/http.(*conn).serve"];
        assert_eq!(focus("(?i)SERVER|^main"), servers);
        let ignore = Options { ignore: r"\bmaps\b".into(), ..Default::default() };
        assert_eq!(marked(&p, &ignore, FocusMark::Ignored), ["internal/runtime/maps.(*Map).Get"]);
    }

    #[test]
    fn tag_ranges_parse_like_pprof() {
        let r = parse_tag_range("t", "64kb:").unwrap().unwrap();
        assert_eq!((r.unit.as_str(), r.lo, r.hi), ("kB", Some(64.0), None));
        assert!(r.matches(64 * 1024, "bytes"));
        assert!(!r.matches(64 * 1024 - 1, "bytes"));
        let r = parse_tag_range("t", ":1mb").unwrap().unwrap();
        assert!(r.matches(1 << 20, "bytes") && !r.matches((1 << 20) + 1, "bytes"));
        let r = parse_tag_range("t", "12kb:64mb").unwrap().unwrap();
        assert!(r.matches(20 << 10, "bytes") && !r.matches(65 << 20, "bytes"));
        let r = parse_tag_range("t", "32").unwrap().unwrap();
        assert!(r.matches(32, "worker") && !r.matches(31, "worker"));
        assert!(parse_tag_range("t", "main.*").unwrap().is_none());
        assert!(parse_tag_range("t", "1kb:2ms").unwrap().is_none(), "units differ: a regex");
        assert!(parse_tag_range("t", "a1").unwrap().is_none());
    }
}
