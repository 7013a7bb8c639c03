//! Sample labels as pprof reports them: the values per key with their share
//! of the total (`-tags`, `report.printTags`), which keys are kept
//! (`tagshow` / `taghide`, `Profile.FilterTagsByName`), and label values
//! turned into pseudo-frames at the root or leaf of each stack (`tagroot` /
//! `tagleaf`, `driver.addLabelNodes`).
//!
//! pprof applies `tagshow` / `taghide` after the sample filters and only
//! removes labels from samples, so they never change a `-top` table's rows:
//! they change the labels reported here, and add a line under
//! `Active filters:`. `tagroot` / `tagleaf` run before every filter, so the
//! pseudo-frames can be focused or hidden like any function.

use crate::analysis::flame::{FlameFilter, ReportFilter};
use crate::analysis::options::{FilterError, ReportOptions};
use crate::analysis::tag_filter::{compile_tag_filter, num_label_units, tag_matches};
use crate::measurement;
use crate::model::{
    Function, Label, LabelSetId, Line, LocId, Location, Profile, StackBuilder, StrId,
};
use crate::pattern::Pattern;

/// One value of a label key and the samples' sum carrying it.
#[derive(Clone, Debug, PartialEq)]
pub struct TagValue {
    /// The string value, or the number formatted as pprof prints it
    /// (`4kB`, `12ms`).
    pub name: String,
    pub flat: i64,
    /// A `tagfocus` / `tagignore` value that selects exactly this value
    /// (`phase=^match$`, `bytes=4096bytes`), when one exists.
    pub filter: Option<String>,
}

/// One label key, its values sorted as pprof sorts them (by |value|, then
/// by name).
#[derive(Clone, Debug, PartialEq)]
pub struct TagKey {
    pub key: String,
    /// Sum over the kept samples of each value they carry for this key.
    pub total: i64,
    pub numeric: bool,
    pub values: Vec<TagValue>,
}

/// The labels of the samples kept by the report's filters.
#[derive(Clone, Debug, PartialEq)]
pub struct TagReport {
    pub sample_index: usize,
    /// The report's total, over every sample (pprof's `rpt.Total()`, made
    /// before the filters run).
    pub total: i64,
    /// Keys sorted by name.
    pub keys: Vec<TagKey>,
}

/// pprof's `FilterTagsByName`: which keys stay for `tagshow` / `taghide`.
pub struct KeyFilter {
    show: Option<Pattern>,
    hide: Option<Pattern>,
}

impl KeyFilter {
    pub fn new(opts: &ReportOptions) -> Result<KeyFilter, FilterError> {
        Ok(KeyFilter {
            show: Pattern::optional("tagshow", &opts.tagshow)?,
            hide: Pattern::optional("taghide", &opts.taghide)?,
        })
    }

    pub fn keeps(&self, key: &str) -> bool {
        self.show.as_ref().is_none_or(|p| p.is_match(key))
            && !self.hide.as_ref().is_some_and(|p| p.is_match(key))
    }
}

/// The `tagfocus` value that picks exactly `label`, checked by compiling it.
fn exact_filter(
    profile: &Profile,
    units: &hashbrown::HashMap<String, String>,
    label: &Label,
    set: LabelSetId,
) -> Option<String> {
    let key = profile.str(label.key);
    let text = match label.str {
        Some(v) => format!("{key}=^{}$", regex_lite::escape(profile.str(v))),
        None => {
            let unit = units.get(key).map_or("", |u| u.as_str());
            format!("{key}={}{unit}", label.num)
        }
    };
    let filter = compile_tag_filter("tagfocus", &text).ok()??;
    tag_matches(profile, units, &filter, set).then_some(text)
}

/// pprof's `-tags` report over the samples that `opts`' filters keep.
pub fn tag_report(profile: &Profile, opts: &ReportOptions) -> Result<TagReport, FilterError> {
    report_of(profile, opts, false)
}

/// [`tag_report`], leaving out the samples whose values are all 0 when
/// `merged`: pprof's merge drops those, labels and all. It keeps one file
/// as read, and there such a sample still names its labels.
fn report_of(
    profile: &Profile,
    opts: &ReportOptions,
    merged: bool,
) -> Result<TagReport, FilterError> {
    let nt = profile.num_sample_types();
    let sample_index = opts
        .sample_index
        .unwrap_or_else(|| profile.default_sample_index());
    if sample_index >= nt {
        return Err(FilterError {
            option: "sample_index",
            message: format!("sample_index {sample_index} out of range"),
        });
    }
    let keep = ReportFilter::new(profile, opts)?;
    let keys = KeyFilter::new(opts)?;
    let units = num_label_units(profile);
    let value = |i: usize| profile.samples.values[i * nt + sample_index];
    let mut total: i64 = 0;
    for i in 0..profile.samples.len() {
        total = total.wrapping_add(value(i).wrapping_abs());
    }
    if let Some(base) = super::compare::diff_base_total(profile, sample_index) {
        total = base;
    }

    // Per label set, the sum of its kept samples: sets are few, samples many.
    let mut per_set = vec![0i64; profile.label_sets.len()];
    let mut seen = vec![false; profile.label_sets.len()];
    let all_zero = |i: usize| {
        profile.samples.values[i * nt..(i + 1) * nt]
            .iter()
            .all(|&v| v == 0)
    };
    for (i, set) in profile.samples.labels.iter().enumerate() {
        if keep.keep_sample(i) && !(merged && all_zero(i)) {
            per_set[set.index()] = per_set[set.index()].wrapping_add(value(i));
            seen[set.index()] = true;
        }
    }
    let mut out: Vec<TagKey> = Vec::new();
    let mut values: Vec<hashbrown::HashMap<String, usize>> = Vec::new();
    for (s, &sum) in per_set.iter().enumerate() {
        if !seen[s] {
            continue;
        }
        let set = LabelSetId(s as u32);
        for l in profile.label_sets.get(set) {
            let key = profile.str(l.key);
            if !keys.keeps(key) {
                continue;
            }
            let name = match l.str {
                Some(v) => profile.str(v).to_string(),
                None => measurement::scaled_label(
                    l.num,
                    units.get(key).map_or("", |u| u.as_str()),
                    "minimum",
                ),
            };
            let k = match out.iter().position(|t| t.key == key) {
                Some(k) => k,
                None => {
                    out.push(TagKey {
                        key: key.to_string(),
                        total: 0,
                        numeric: l.str.is_none(),
                        values: Vec::new(),
                    });
                    values.push(hashbrown::HashMap::new());
                    out.len() - 1
                }
            };
            let tag = &mut out[k];
            tag.total = tag.total.wrapping_add(sum);
            let v = *values[k].entry(name.clone()).or_insert_with(|| {
                tag.values.push(TagValue {
                    name,
                    flat: 0,
                    filter: None,
                });
                tag.values.len() - 1
            });
            let value = &mut tag.values[v];
            value.flat = value.flat.wrapping_add(sum);
            if value.filter.is_none() {
                value.filter = exact_filter(profile, &units, l, set);
            }
        }
    }
    sort_report(&mut out);
    Ok(TagReport {
        sample_index,
        total,
        keys: out,
    })
}

/// The labels of `-diff_base=base new` from the two sides, as
/// [`top_compare`](crate::analysis::top_compare) reads the top table: each
/// value's sum is the new profile's minus the base's, and 100% is the
/// base's size. The `pprof::base` mark pprof puts on the base's samples is
/// left out: it names a side, not a label of the program.
pub fn diff_base_tag_report(
    new: &Profile,
    base: &Profile,
    opts: &ReportOptions,
) -> Result<TagReport, FilterError> {
    let opts = opts.with_sample_index_of(new);
    // pprof merges the two sides into one profile.
    let mut out = report_of(new, &opts, true)?;
    let b = report_of(base, &opts, true)?;
    if b.total > 0 {
        out.total = b.total;
    }
    for bk in b.keys {
        let k = match out.keys.iter().position(|k| k.key == bk.key) {
            Some(k) => k,
            None => {
                out.keys.push(TagKey {
                    total: 0,
                    values: Vec::new(),
                    ..bk.clone()
                });
                out.keys.len() - 1
            }
        };
        let key = &mut out.keys[k];
        key.total = key.total.wrapping_sub(bk.total);
        for bv in bk.values {
            match key.values.iter_mut().find(|v| v.name == bv.name) {
                Some(v) => v.flat = v.flat.wrapping_sub(bv.flat),
                None => key.values.push(TagValue {
                    flat: bv.flat.wrapping_neg(),
                    ..bv
                }),
            }
        }
    }
    sort_report(&mut out.keys);
    Ok(out)
}

/// Keys by name, each key's values as pprof sorts them: by |value|, then
/// by name.
fn sort_report(keys: &mut [TagKey]) {
    crate::sort::sort_by(keys, &mut |a, b| a.key.cmp(&b.key));
    for k in keys {
        crate::sort::sort_by(&mut k.values, &mut |a, b| {
            b.flat
                .wrapping_abs()
                .cmp(&a.flat.wrapping_abs())
                .then_with(|| a.name.cmp(&b.name))
        });
    }
}

/// The comma-separated keys of a `tagroot` / `tagleaf` option, empty ones
/// dropped (pprof's `dropEmptyStrings(strings.Split(...))`).
fn keys_of(option: &str) -> Vec<&str> {
    option.split(',').filter(|k| !k.is_empty()).collect()
}

/// pprof's `formatLabelValues`: a sample's string values for `key`, then its
/// numbers, scaled to a readable unit when the file gave units.
fn label_values(profile: &Profile, set: LabelSetId, key: StrId) -> Vec<String> {
    let labels = profile.label_sets.get(set);
    let mut values: Vec<String> = labels
        .iter()
        .filter(|l| l.key == key)
        .filter_map(|l| l.str.map(|v| profile.str(v).to_string()))
        .collect();
    let nums: Vec<&Label> = labels
        .iter()
        .filter(|l| l.key == key && l.str.is_none())
        .collect();
    let has_units = nums.iter().any(|l| !profile.str(l.num_unit).is_empty());
    // pprof pads the units only up to the last number that has one: when
    // the last has none, the lengths differ and it drops the numbers.
    if has_units
        && nums
            .last()
            .is_some_and(|l| profile.str(l.num_unit).is_empty())
    {
        return values;
    }
    for l in nums {
        values.push(if has_units {
            measurement::scaled_label(l.num, profile.str(l.num_unit), "minimum")
        } else {
            measurement::scaled_label(l.num, "", "")
        });
    }
    values
}

/// The profile with pprof's `tagroot` / `tagleaf` pseudo-frames: for each
/// key, a frame named by the sample's values for it (joined by commas,
/// empty when it has none), in a file named by the key. The first root key
/// becomes the root, the last leaf key the leaf. `None` when both options
/// are empty.
pub fn with_label_frames(profile: &Profile, tagroot: &str, tagleaf: &str) -> Option<Profile> {
    let (roots, leaves) = (keys_of(tagroot), keys_of(tagleaf));
    if roots.is_empty() && leaves.is_empty() {
        return None;
    }
    let mut p = profile.clone();
    let root_ids: Vec<StrId> = roots.iter().map(|k| p.strings.intern(k)).collect();
    let leaf_ids: Vec<StrId> = leaves.iter().map(|k| p.strings.intern(k)).collect();
    let mut locs: hashbrown::HashMap<(String, StrId), LocId> = hashbrown::HashMap::new();
    // Per label set, the pseudo-frames (leaf side, root side), made once.
    let mut frames: Vec<Option<(Vec<LocId>, Vec<LocId>)>> = vec![None; p.label_sets.len()];
    let mut builder = StackBuilder::new();
    let old_stacks = std::mem::take(&mut p.stacks);
    let mut new_stack: Vec<Option<_>> = Vec::with_capacity(p.samples.len());
    let mut path: Vec<LocId> = Vec::new();
    for i in 0..p.samples.len() {
        let set = p.samples.labels[i];
        if frames[set.index()].is_none() {
            let mut make = |keys: &[StrId], p: &mut Profile| -> Vec<LocId> {
                // Backwards: the first key ends nearest the root, the last
                // nearest the leaf, as pprof orders them.
                keys.iter()
                    .rev()
                    .map(|&key| {
                        let name = label_values(p, set, key).join(",");
                        *locs.entry((name, key)).or_insert_with_key(|(name, key)| {
                            let name = p.strings.intern(name);
                            p.functions.push(Function {
                                name,
                                system_name: name,
                                file: *key,
                                start_line: 0,
                            });
                            let func = crate::model::FuncId(p.functions.len() as u32 - 1);
                            p.lines.push(Line {
                                func,
                                line: 0,
                                column: 0,
                            });
                            let line = p.lines.len() as u32;
                            p.locations.push(Location {
                                source_id: 0,
                                mapping: None,
                                address: 0,
                                lines_start: line - 1,
                                lines_end: line,
                                is_folded: false,
                            });
                            LocId(p.locations.len() as u32 - 1)
                        })
                    })
                    .collect()
            };
            let leaf = make(&leaf_ids, &mut p);
            let root = make(&root_ids, &mut p);
            frames[set.index()] = Some((leaf, root));
        }
        let (leaf, root) = frames[set.index()].as_ref().expect("made above");
        path.clear();
        path.extend(leaf.iter().copied());
        if let Some(s) = p.samples.stack[i] {
            path.extend(old_stacks.frames(s));
        }
        path.extend(root.iter().copied());
        new_stack.push(builder.push_leaf_first(&path));
    }
    p.stacks = builder.finish();
    p.samples.stack = new_stack;
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;

    fn stacks(p: &Profile) -> Vec<String> {
        (0..p.samples.len())
            .map(|i| {
                let mut names: Vec<&str> = p.samples.stack[i]
                    .map(|s| p.stacks.frames(s).collect::<Vec<_>>())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|l| {
                        let line = p.lines[p.locations[l.index()].lines_start as usize];
                        p.str(p.functions[line.func.index()].name)
                    })
                    .collect();
                names.reverse();
                names.join(";")
            })
            .collect()
    }

    #[test]
    fn label_frames_go_where_pprof_puts_them() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&[
                "main;work 1 phase=a worker=2 bytes=#4096bytes",
                "main;work 1 phase=b",
                "- 1 worker=1",
            ])
            .build();
        let got = with_label_frames(&p, "phase,worker", "bytes").expect("frames");
        assert_eq!(
            stacks(&got),
            vec!["a;2;main;work;4kB", "b;;main;work;", ";1;"],
            "first root key at the root, empty names where a key is missing"
        );
        assert_eq!(
            stacks(&with_label_frames(&p, "", "worker,phase").unwrap())[0],
            "main;work;2;a"
        );
        assert!(with_label_frames(&p, ",", "").is_none());
        assert_eq!(
            got.functions.len(),
            p.functions.len() + 8,
            "one function per name and key"
        );
    }

    #[test]
    fn tagshow_and_taghide_pick_keys_and_clicks_pick_one_value() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&[
                "main 3 phase=a.b worker=2",
                "main 1 phase=ab bytes=#2688bytes",
            ])
            .build();
        let keys = |show: &str, hide: &str| {
            let opts = ReportOptions {
                tagshow: show.into(),
                taghide: hide.into(),
                ..ReportOptions::default()
            };
            let r = tag_report(&p, &opts).unwrap();
            r.keys.iter().map(|k| k.key.clone()).collect::<Vec<_>>()
        };
        assert_eq!(keys("", ""), ["bytes", "phase", "worker"]);
        assert_eq!(keys("o", "ph"), ["worker"]);
        let r = tag_report(&p, &ReportOptions::default()).unwrap();
        let filters: Vec<(String, Option<String>)> = r
            .keys
            .iter()
            .flat_map(|k| k.values.iter().map(|v| (v.name.clone(), v.filter.clone())))
            .collect();
        assert_eq!(
            filters,
            [
                ("2.62kB".to_string(), Some("bytes=2688bytes".to_string())),
                ("a.b".into(), Some("phase=^a\\.b$".into())),
                ("ab".into(), Some("phase=^ab$".into())),
                ("2".into(), Some("worker=^2$".into())),
            ]
        );
        // The click's filter keeps exactly the samples with that value.
        let focused = ReportOptions {
            tagfocus: "phase=^a\\.b$".into(),
            ..ReportOptions::default()
        };
        let r = tag_report(&p, &focused).unwrap();
        assert_eq!(
            (r.total, r.keys[0].key.as_str(), r.keys[0].total),
            (4, "phase", 3)
        );
    }

    #[test]
    fn keys_follow_pprof_split() {
        assert_eq!(keys_of("a,,b,"), vec!["a", "b"]);
        assert!(keys_of(",").is_empty());
    }
}
