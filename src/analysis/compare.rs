//! The report rule of `-diff_base` (pprof's `report.computeTotal`): when
//! some samples carry `pprof::base=true`, the profile is a difference made
//! by [`subtract_base`](crate::model::compare::subtract_base), and 100% is
//! the base's size (the sum of |value| over those samples) rather than the
//! size of the difference. So a function that grew by half the base prints
//! 50%, whatever else changed.

use crate::model::merge::{BASE_LABEL_KEY, BASE_LABEL_VALUE};
use crate::model::{LabelSetId, Profile};

/// Which label sets mark a diff base sample; `None` when no set does (the
/// usual case, answered without looking at the samples).
pub fn base_label_sets(profile: &Profile) -> Option<Vec<bool>> {
    let key = profile.strings.find(BASE_LABEL_KEY)?;
    let value = profile.strings.find(BASE_LABEL_VALUE)?;
    let marks: Vec<bool> = (0..profile.label_sets.len())
        .map(|i| {
            profile
                .label_sets
                .get(LabelSetId(i as u32))
                .iter()
                .any(|l| l.key == key && l.str == Some(value))
        })
        .collect();
    marks.contains(&true).then_some(marks)
}

/// The total of a `-diff_base` report for `sample_index`: the sum of
/// |value| over the base's samples, or `None` when the profile has no base
/// samples or they sum to 0 (pprof then keeps the usual total).
pub fn diff_base_total(profile: &Profile, sample_index: usize) -> Option<i64> {
    let marks = base_label_sets(profile)?;
    let nt = profile.num_sample_types();
    let mut total: i64 = 0;
    for (i, set) in profile.samples.labels.iter().enumerate() {
        if marks.get(set.index()).copied().unwrap_or(false) {
            let v = profile
                .samples
                .values
                .get(i * nt + sample_index)
                .copied()
                .unwrap_or(0);
            total = total.wrapping_add(v.wrapping_abs());
        }
    }
    (total > 0).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;

    #[test]
    fn total_of_base_samples_only() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&[
                "main;a 7",
                "main;a -3 pprof::base=true",
                "main;b -1 pprof::base=true",
            ])
            .build();
        assert_eq!(diff_base_total(&p, 0), Some(4));
        let g = crate::analysis::graph::Graph::build(&p, &Default::default()).unwrap();
        assert_eq!(g.total, 4, "the graph's 100% is the base");
        // Another value, or no value, is not the mark.
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a 7", "main;a -3 pprof::base=false"])
            .build();
        assert_eq!(diff_base_total(&p, 0), None);
        // Base samples that sum to 0 leave the usual total, as in pprof.
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a 7", "main;a 0 pprof::base=true"])
            .build();
        assert_eq!(diff_base_total(&p, 0), None);
    }
}
