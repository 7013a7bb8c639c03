//! pprof's tag (label) filters: `tagfocus` and `tagignore` values, either
//! numeric ranges in pprof's syntax (`bytes=1kb:64kb`, `:1mb`, `32`) or
//! comma-separated regexps, each optionally restricted to one key (`key=`).

use regex_lite::Regex;

use crate::analysis::options::FilterError;
use crate::measurement;
use crate::model::{LabelSetId, Profile};
use crate::pattern::Pattern;

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
        su == self.unit.as_str()
            && self.lo.is_none_or(|lo| sv >= lo)
            && self.hi.is_none_or(|hi| sv <= hi)
    }
}

#[derive(Clone, Debug)]
enum TagTest {
    Num(NumRange),
    Regexes(Vec<Pattern>),
}

#[derive(Clone, Debug)]
pub(crate) struct TagFilter {
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
            (
                whole,
                c.get(1).map_or("", |m| m.as_str()),
                c.get(2).map_or("", |m| m.as_str()),
            )
        })
        .collect();
    let Some(&(m0, num0, unit0)) = ranges.first() else {
        return Ok(None);
    };
    let parse = |s: &str| {
        s.parse::<i64>().map_err(|e| FilterError {
            option,
            message: format!("{option}: failed to parse int {s}: {e}"),
        })
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
    Ok(Some(NumRange {
        unit,
        lo: Some(scaled0),
        hi: Some(scaled1),
    }))
}

pub(crate) fn compile_tag_filter(
    option: &'static str,
    value: &str,
) -> Result<Option<TagFilter>, FilterError> {
    if value.is_empty() {
        return Ok(None);
    }
    let (key, value) = match value.split_once('=') {
        Some((k, v)) => (Some(k.to_string()), v),
        None => (None, value),
    };
    if let Some(range) = parse_tag_range(option, value)? {
        return Ok(Some(TagFilter {
            key,
            test: TagTest::Num(range),
        }));
    }
    let mut rxs = Vec::new();
    for part in value.split(',') {
        rxs.push(Pattern::new(option, part)?);
    }
    Ok(Some(TagFilter {
        key,
        test: TagTest::Regexes(rxs),
    }))
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

pub(crate) fn tag_matches(
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
            labels.iter().any(|l| {
                l.str.is_none() && profile.str(l.key) == want && range.matches(l.num, unit)
            })
        }
        // Every regex must match some `key:value` string label.
        (TagTest::Regexes(rxs), None) => rxs.iter().all(|rx| {
            labels.iter().any(|l| {
                l.str.is_some_and(|v| {
                    rx.is_match(&format!("{}:{}", profile.str(l.key), profile.str(v)))
                })
            })
        }),
        (TagTest::Regexes(rxs), Some(want)) => labels.iter().any(|l| {
            l.str.is_some_and(|v| {
                profile.str(l.key) == want && rxs.iter().any(|rx| rx.is_match(profile.str(v)))
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(
            parse_tag_range("t", "1kb:2ms").unwrap().is_none(),
            "units differ: a regex"
        );
        assert!(parse_tag_range("t", "a1").unwrap().is_none());
    }
}
