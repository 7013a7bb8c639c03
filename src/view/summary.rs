//! What the header of the profile view shows about the open file.

use serde::{Deserialize, Serialize};

use crate::model::Profile;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleTypeInfo {
    pub name: String,
    pub unit: String,
}

/// What the header of the profile view shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub name: String,
    pub bytes: u64,
    /// Human description of the detected format.
    pub kind: String,
    pub sample_types: Vec<SampleTypeInfo>,
    /// Index pprof would choose: `default_sample_type`, else the last.
    pub default_index: usize,
    /// Sum of |value| per sample type (pprof's total before filters).
    pub totals: Vec<i64>,
    pub samples: u64,
    pub duration_nanos: i64,
    pub time_nanos: i64,
    pub period: i64,
    pub period_type: Option<SampleTypeInfo>,
    pub has_goroutines: bool,
    pub warnings: Vec<String>,
    pub warning_count: u64,
}

impl Summary {
    pub fn of(profile: &Profile, name: &str, bytes: u64) -> Summary {
        let n = profile.num_sample_types();
        let mut totals = vec![0i64; n];
        for (i, v) in profile.samples.values.iter().enumerate() {
            totals[i % n] = totals[i % n].saturating_add(v.saturating_abs());
        }
        let info = |t: &crate::model::ValueType| SampleTypeInfo {
            name: profile.str(t.kind).to_string(),
            unit: profile.str(t.unit).to_string(),
        };
        Summary {
            name: name.to_string(),
            bytes,
            kind: profile.format.describe().to_string(),
            sample_types: profile.sample_types.iter().map(info).collect(),
            default_index: profile.default_sample_index(),
            totals,
            samples: profile.samples.len() as u64,
            duration_nanos: profile.duration_nanos,
            time_nanos: profile.time_nanos,
            period: profile.period,
            period_type: profile.period_type.as_ref().map(info),
            has_goroutines: profile.is_goroutine_data(),
            warnings: profile
                .warnings
                .iter()
                .map(|w| match (w.line, w.offset) {
                    (Some(l), _) => format!("line {l}: {}", w.message),
                    (None, Some(o)) => format!("byte {o}: {}", w.message),
                    _ => w.message.clone(),
                })
                .collect(),
            warning_count: profile.warning_count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;

    #[test]
    fn summary_totals_use_absolute_values() {
        let p = ProfileBuilder::new(&[("samples", "count"), ("cpu", "nanoseconds")])
            .samples(&["main;a 1 10", "main;b -2 -30"])
            .build();
        let s = Summary::of(&p, "x.pb", 10);
        assert_eq!(s.totals, vec![3, 40]);
        assert_eq!(s.default_index, 1);
        assert_eq!(s.sample_types[1].name, "cpu");
    }
}
