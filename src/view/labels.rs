//! The labels panel's rows and pprof's `-tags` text, from a
//! [`TagReport`]: values and shares formatted as `report.printTags` does.

use serde::{Deserialize, Serialize};

use crate::analysis::labels::TagReport;
use crate::measurement;
use crate::model::Profile;

/// One value row of the labels panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelValueView {
    /// As pprof prints it: the string, or the number in a readable unit.
    pub value: String,
    /// The samples' sum carrying it, in the sample type's unit (`1.84s`).
    pub amount: String,
    /// Its share of the report's total, as pprof prints it (`31.83%`).
    pub percent: String,
    /// The same share as a fraction, for the bar behind the row.
    pub share: f64,
    /// A `tagfocus` / `tagignore` value picking exactly this value.
    pub filter: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelKeyView {
    pub key: String,
    /// Whether the values are numbers (`bytes`), shown with their unit.
    pub numeric: bool,
    /// `Total 5.65s of 5.78s (97.75%)`.
    pub total: String,
    pub values: Vec<LabelValueView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelsView {
    pub keys: Vec<LabelKeyView>,
    /// The whole report as `go tool pprof -tags` prints it.
    pub text: String,
}

/// The panel rows and the `-tags` text of `report`, made from `profile`.
pub fn labels_view(profile: &Profile, report: &TagReport) -> LabelsView {
    let st = profile
        .sample_types
        .get(report.sample_index)
        .copied()
        .unwrap_or_default();
    let unit = profile.str(st.unit);
    let fmt = |v: i64| measurement::scaled_label(v, unit, "minimum");
    let total = report.total;
    let keys: Vec<LabelKeyView> = report
        .keys
        .iter()
        .map(|k| LabelKeyView {
            key: k.key.clone(),
            numeric: k.numeric,
            total: if total > 0 {
                format!(
                    "Total {} of {} ({})",
                    fmt(k.total),
                    fmt(total),
                    measurement::percentage(k.total, total)
                )
            } else {
                format!("Total {} of {}", fmt(k.total), fmt(total))
            },
            values: k
                .values
                .iter()
                .map(|v| LabelValueView {
                    value: v.name.clone(),
                    amount: fmt(v.flat),
                    percent: if total > 0 {
                        measurement::percentage(v.flat, total)
                    } else {
                        String::new()
                    },
                    share: if total > 0 {
                        (v.flat as f64 / total as f64).abs()
                    } else {
                        0.0
                    },
                    filter: v.filter.clone(),
                })
                .collect(),
        })
        .collect();
    let text = tags_text(&keys);
    LabelsView { keys, text }
}

/// Go's `tabwriter` with `AlignRight` and one space of padding, on pprof's
/// cells: per key, a `key:` column and an `amount (percent):` column, the
/// value name trailing. Hand-written: it is these two columns only.
fn tags_text(keys: &[LabelKeyView]) -> String {
    let width = |s: &str| s.chars().count();
    let pad = |s: &str, w: usize| format!("{}{s}", " ".repeat(w.saturating_sub(width(s))));
    let mut out = String::new();
    for k in keys {
        let head = format!("{}:", k.key);
        let w0 = width(&head).max(1) + 1;
        let cells: Vec<String> = k
            .values
            .iter()
            .map(|v| {
                if v.percent.is_empty() {
                    format!("{}:", v.amount)
                } else {
                    format!("{} ({}):", v.amount, v.percent)
                }
            })
            .collect();
        let w1 = cells.iter().map(|c| width(c)).max().unwrap_or(0) + 1;
        out.push_str(&pad(&head, w0));
        out.push(' ');
        out.push_str(&k.total);
        out.push('\n');
        for (v, cell) in k.values.iter().zip(&cells) {
            out.push_str(&pad(" ", w0));
            out.push_str(&pad(cell, w1));
            out.push(' ');
            out.push_str(&v.value);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}
