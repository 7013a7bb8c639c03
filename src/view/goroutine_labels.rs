//! Goroutine groups by label value: how many goroutines carry each
//! `key=value`, for the goroutine view's label filter.

use crate::analysis::goroutines::Group;

/// One `key=value` and the goroutines carrying it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelCount {
    pub label: String,
    pub count: u64,
}

/// Every `key=value` of `groups` with its goroutine count, most first
/// (ties by label). Groups whose labels vary carry none.
pub fn label_counts(groups: &[Group]) -> Vec<LabelCount> {
    let mut counts: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for g in groups {
        for l in &g.labels {
            *counts.entry(l.as_str()).or_default() += g.count;
        }
    }
    let mut out: Vec<LabelCount> = counts
        .into_iter()
        .map(|(label, count)| LabelCount {
            label: label.to_string(),
            count,
        })
        .collect();
    crate::sort::sort_by(&mut out, &mut |a, b| {
        b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label))
    });
    out
}

/// Whether `g` carries `label` (`key=value`); every group passes an empty
/// filter.
pub fn group_has(g: &Group, label: &str) -> bool {
    label.is_empty() || g.labels.iter().any(|l| l == label)
}
