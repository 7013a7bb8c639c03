//! What the header of the profile view shows about the open file.

use serde::{Deserialize, Serialize};

use crate::model::compare::CompareMode;
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
    /// What the shown profile is made of: one file, several merged, or a
    /// base and a new profile compared.
    pub inputs: Inputs,
    /// For a pasted `go tool pprof -top`, which has no stacks: the command
    /// that fetches the profile itself.
    #[serde(default)]
    pub fetch: Option<String>,
}

/// The files behind the shown profile, as the header names them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Inputs {
    #[default]
    One,
    /// Several files merged as `go tool pprof a b c` merges them, in order.
    Merged { names: Vec<String> },
    /// `new - base`, as `-diff_base=BASE NEW` or `-base=BASE NEW` make it.
    Compared {
        base: String,
        new: String,
        mode: CompareMode,
        normalize: bool,
        /// Sum of |value| per sample type of each side, before subtracting.
        base_totals: Vec<i64>,
        new_totals: Vec<i64>,
    },
    /// Goroutine snapshots of one process, in the order opened; the views
    /// other than the series show the last.
    Series { names: Vec<String> },
}

impl Summary {
    /// The `<option>` of sample type `i`: its value, which the page's
    /// `sample-type` select reports back, and its label. A type with no
    /// name is addressed by its index, as pprof's `-sample_index=0` does.
    pub fn sample_type_option(&self, i: usize) -> (String, String) {
        let t = &self.sample_types[i];
        match (t.name.is_empty(), t.unit.is_empty()) {
            (true, true) => (i.to_string(), format!("sample type {}", i + 1)),
            (true, false) => (i.to_string(), format!("sample type {} ({})", i + 1, t.unit)),
            (false, true) => (t.name.clone(), t.name.clone()),
            (false, false) => (t.name.clone(), format!("{} ({})", t.name, t.unit)),
        }
    }

    /// The sample type an option value names: a name, or the index of a
    /// type without one.
    pub fn sample_index_of(&self, value: &str) -> Option<usize> {
        (0..self.sample_types.len()).find(|&i| self.sample_type_option(i).0 == value)
    }

    pub fn of(profile: &Profile, name: &str, bytes: u64) -> Summary {
        let totals = match &profile.text_top {
            Some(t) => vec![t.total],
            None => totals(profile),
        };
        let info = |t: &crate::model::ValueType| SampleTypeInfo {
            name: profile.str(t.kind).to_string(),
            unit: profile.str(t.unit).to_string(),
        };
        Summary {
            name: name.to_string(),
            bytes,
            kind: profile.describe().to_string(),
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
            inputs: Inputs::One,
            fetch: profile.text_top.as_ref().map(|t| t.fetch.clone()),
        }
    }
}

/// Sum of |value| per sample type (pprof's total before filters).
pub fn totals(profile: &Profile) -> Vec<i64> {
    let n = profile.num_sample_types();
    let mut totals = vec![0i64; n];
    for (i, v) in profile.samples.values.iter().enumerate() {
        totals[i % n] = totals[i % n].saturating_add(v.saturating_abs());
    }
    totals
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

    #[test]
    fn nameless_sample_types_are_addressed_by_index() {
        let p = ProfileBuilder::new(&[
            ("", ""),
            ("cpu", "nanoseconds"),
            ("", "bytes"),
            ("samples", ""),
        ])
        .samples(&["main 1 2 3 4"])
        .build();
        let s = Summary::of(&p, "x.pb", 10);
        let options: Vec<(String, String)> = (0..4).map(|i| s.sample_type_option(i)).collect();
        assert_eq!(
            options,
            [
                ("0".to_string(), "sample type 1".to_string()),
                ("cpu".to_string(), "cpu (nanoseconds)".to_string()),
                ("2".to_string(), "sample type 3 (bytes)".to_string()),
                ("samples".to_string(), "samples".to_string()),
            ]
        );
        assert_eq!(
            (
                s.sample_index_of("0"),
                s.sample_index_of("cpu"),
                s.sample_index_of("2")
            ),
            (Some(0), Some(1), Some(2))
        );
        assert_eq!(
            (s.sample_index_of("1"), s.sample_index_of("")),
            (None, None),
            "a named type is not picked by index"
        );
    }
}
