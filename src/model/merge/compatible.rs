//! Whether profiles can be merged, as pprof's `compatible` decides, and
//! the error that says what differs.

use crate::model::{Profile, ValueType};

/// Why profiles could not be merged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("no profiles to merge")]
    NoProfiles,
    /// `profile` (1-based, in the order given) has other sample types than
    /// the first profile.
    #[error("sample types differ: {first} (profile 1) vs {other} (profile {profile})")]
    SampleTypes {
        profile: usize,
        first: String,
        other: String,
    },
    #[error("period types differ: {first} (profile 1) vs {other} (profile {profile})")]
    PeriodTypes {
        profile: usize,
        first: String,
        other: String,
    },
}

/// `type/unit` for error messages.
fn value_type_text(p: &Profile, t: Option<ValueType>) -> String {
    let t = t.unwrap_or_default();
    format!("{}/{}", p.str(t.kind), p.str(t.unit))
}

fn sample_types_text(p: &Profile) -> String {
    if p.sample_types.is_empty() {
        return "none".to_string();
    }
    let types: Vec<String> = p
        .sample_types
        .iter()
        .map(|t| value_type_text(p, Some(*t)))
        .collect();
    types.join(", ")
}

fn same_type(a: &Profile, at: Option<ValueType>, b: &Profile, bt: Option<ValueType>) -> bool {
    // pprof reads a missing period type as an empty one.
    let (at, bt) = (at.unwrap_or_default(), bt.unwrap_or_default());
    a.str(at.kind) == b.str(bt.kind) && a.str(at.unit) == b.str(bt.unit)
}

/// pprof's `compatible`: the same period type and the same sample types in
/// the same order.
pub(crate) fn check_compatible(
    first: &Profile,
    other: &Profile,
    n: usize,
) -> Result<(), MergeError> {
    if !same_type(first, first.period_type, other, other.period_type) {
        return Err(MergeError::PeriodTypes {
            profile: n,
            first: value_type_text(first, first.period_type),
            other: value_type_text(other, other.period_type),
        });
    }
    let same = first.sample_types.len() == other.sample_types.len()
        && first
            .sample_types
            .iter()
            .zip(&other.sample_types)
            .all(|(a, b)| same_type(first, Some(*a), other, Some(*b)));
    if !same {
        return Err(MergeError::SampleTypes {
            profile: n,
            first: sample_types_text(first),
            other: sample_types_text(other),
        });
    }
    Ok(())
}
