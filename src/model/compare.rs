//! Comparing two profiles, as `go tool pprof -base` / `-diff_base` /
//! `-normalize` do (`internal/driver/fetch.go`, `fetchProfiles`): the base
//! is scaled by -1 and merged with the new profile, so every number of a
//! report is new minus base.
//!
//! The two modes differ only in the total that percentages are taken of:
//! `-diff_base` marks the base's samples `pprof::base=true`, and a report
//! that finds that label takes its total from those samples alone (the
//! base's size), where `-base` takes the usual sum of |value| over the
//! difference. That report rule lives in `analysis::compare`.
//!
//! `-normalize` scales the *new* profile, per sample type, so that its
//! signed sum equals the base's (pprof's `Profile.Normalize`), before the
//! subtraction. It applies to every sample type at once, so it needs no
//! sample index. Each sample is scaled and rounded as read: pprof merges
//! several sources into one before it normalizes, but keeps a single file
//! as it was read (`combineProfiles`), and rounding a sum differs from
//! summing rounded values.
//!
//! To compare fleets, [`merge`](super::merge::merge) each side first: that
//! is what pprof does with several `-base` or source files.

use super::merge::{check_compatible, merge_inputs, Input, MergeError};
use super::Profile;

/// pprof's two ways of subtracting a base.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum CompareMode {
    /// `-diff_base=BASE`: percentages are of the base's total.
    #[default]
    DiffBase,
    /// `-base=BASE`: percentages are of the difference's own total.
    Base,
}

/// The difference `new - base` as one profile; see the module docs.
///
/// Errors when the two have other sample or period types (checked first,
/// with the new profile as "profile 1").
pub fn subtract_base(
    new: &Profile,
    base: &Profile,
    mode: CompareMode,
    normalize: bool,
) -> Result<Profile, MergeError> {
    check_compatible(new, base, 2)?;
    let n = new.sample_types.len();
    let new_scale = if normalize {
        normalize_ratios(new, base)
    } else {
        vec![1.0; n]
    };
    let inputs = [
        Input {
            profile: new,
            scales: vec![new_scale],
            base_label: false,
        },
        Input {
            profile: base,
            scales: vec![vec![-1.0; n]],
            base_label: mode == CompareMode::DiffBase,
        },
    ];
    merge_inputs(&inputs)
}

/// pprof's `Normalize` ratios: per sample type, the base's signed sum over
/// the new profile's (0 when the new sum is 0).
pub fn normalize_ratios(new: &Profile, base: &Profile) -> Vec<f64> {
    let n = new.sample_types.len();
    let sums = |p: &Profile| {
        let mut s = vec![0i64; n];
        if n > 0 {
            for row in p.samples.values.chunks(n) {
                for (t, v) in s.iter_mut().zip(row) {
                    *t = t.wrapping_add(*v);
                }
            }
        }
        s
    };
    let (b, s) = (sums(base), sums(new));
    b.iter()
        .zip(&s)
        .map(|(&b, &s)| if s == 0 { 0.0 } else { b as f64 / s as f64 })
        .collect()
}
