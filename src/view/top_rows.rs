//! The top table as rows of display strings, formatted exactly as pprof's
//! `-top` columns (the same units and percentages as [`super::top_text`]).

use crate::analysis::options::ReportOptions;
use crate::analysis::top::TopTable;
use crate::model::Profile;
use serde::{Deserialize, Serialize};

use crate::measurement;
use crate::pattern::Pattern;

/// Row order in the top table view: pprof's flat or cum order, or by name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOrder {
    #[default]
    Flat,
    Cum,
    Name,
}

/// One formatted top-table row, with pprof's units and percentages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopRowView {
    /// Position in the unfiltered table (pprof's order).
    pub rank: u32,
    pub flat: String,
    pub flat_pct: String,
    pub sum_pct: String,
    pub cum: String,
    pub cum_pct: String,
    /// The name as pprof prints it, with ` (inline)` where pprof adds it.
    pub name: String,
    /// The function alone, for "show in flame graph".
    pub function: String,
    /// When comparing: the row's flat value on each side (`flat` is then
    /// the delta).
    pub sides: Option<RowSides>,
}

/// A compared row's flat value in the base and the new profile, and the
/// change as a share of the base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowSides {
    pub base: String,
    pub new: String,
    /// `+12.50%`, or `new` when the base has none of it.
    pub delta_pct: String,
}

/// Fills in [`TopRowView::sides`] of `window` (made from `diff`) from the
/// two sides' flat per row name ([`flat_by_name`], built with the same
/// options), matching rows by name.
///
/// [`flat_by_name`]: crate::analysis::top::flat_by_name
pub fn add_sides(
    window: &mut TopWindow,
    diff: &TopTable,
    base: &hashbrown::HashMap<String, i64>,
    new: &hashbrown::HashMap<String, i64>,
    unit: &str,
) {
    for row in &mut window.rows {
        let Some(name) = diff.rows.get(row.rank as usize).map(|r| &r.name) else {
            continue;
        };
        let (b, n) = (
            base.get(name).copied().unwrap_or(0),
            new.get(name).copied().unwrap_or(0),
        );
        row.sides = Some(RowSides {
            base: measurement::label(b, unit),
            new: measurement::label(n, unit),
            delta_pct: delta_pct(b, n),
        });
    }
}

/// The change from `base` to `new` as a share of the base.
pub fn delta_pct(base: i64, new: i64) -> String {
    match (base, new) {
        (0, 0) => "0%".to_string(),
        (0, _) => "new".to_string(),
        _ => format!(
            "{:+.2}%",
            (new - base) as f64 * 100.0 / base.unsigned_abs() as f64
        ),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopWindow {
    /// pprof's header lines (`Showing nodes accounting for ...`, `Dropped ...`).
    pub header: Vec<String>,
    /// The sample type shown (`inuse_space`, `cpu`) and its unit, which the
    /// column explanations are worded for.
    pub sample_type: String,
    pub unit: String,
    /// Rows after the name filter.
    pub row_count: u32,
    pub start: u32,
    pub rows: Vec<TopRowView>,
    /// The table was read from pprof's text: there are no stacks behind
    /// it, so no flame graph, granularity or pprof filters.
    #[serde(default)]
    pub no_stacks: bool,
}

/// Formats rows `start..start+count` of `table` after keeping only rows whose
/// name matches `filter` (if any) and ordering them by `order`.
pub fn top_window(
    profile: &Profile,
    table: &TopTable,
    opts: &ReportOptions,
    filter: Option<&Pattern>,
    order: RowOrder,
    start: usize,
    count: usize,
) -> TopWindow {
    let st = profile
        .sample_types
        .get(table.sample_index)
        .copied()
        .unwrap_or_default();
    let unit = profile.str(st.unit);
    let (header, out_unit) = super::top_text::header_lines(profile, table, opts);
    let mut idx: Vec<usize> = (0..table.rows.len())
        .filter(|&i| filter.is_none_or(|re| re.is_match(&table.rows[i].name)))
        .collect();
    match order {
        RowOrder::Name => crate::sort::sort_by(&mut idx, &mut |&a, &b| {
            table.rows[a].name.cmp(&table.rows[b].name)
        }),
        // The table is already in pprof's order for opts.sort; re-sort only
        // when the view asks for the other one.
        RowOrder::Cum if table.sort != crate::analysis::options::SortOrder::Cum => {
            crate::sort::sort_by(&mut idx, &mut |&a, &b| {
                table.rows[b].cum.cmp(&table.rows[a].cum)
            })
        }
        RowOrder::Flat if table.sort != crate::analysis::options::SortOrder::Flat => {
            crate::sort::sort_by(&mut idx, &mut |&a, &b| {
                table.rows[b].flat.cmp(&table.rows[a].flat)
            })
        }
        _ => {}
    }
    let rows = idx
        .iter()
        .skip(start)
        .take(count)
        .map(|&i| {
            let r = &table.rows[i];
            let inl = r.inline.as_str();
            TopRowView {
                rank: i as u32,
                flat: measurement::scaled_label(r.flat, unit, &out_unit),
                flat_pct: measurement::percentage(r.flat, table.total)
                    .trim()
                    .to_string(),
                sum_pct: measurement::percentage(r.flat_sum, table.total)
                    .trim()
                    .to_string(),
                cum: measurement::scaled_label(r.cum, unit, &out_unit),
                cum_pct: measurement::percentage(r.cum, table.total)
                    .trim()
                    .to_string(),
                name: if inl.is_empty() {
                    r.name.clone()
                } else {
                    format!("{} {inl}", r.name)
                },
                function: r.function.clone(),
                sides: None,
            }
        })
        .collect();
    TopWindow {
        header,
        sample_type: profile.str(st.kind).to_string(),
        unit: unit.to_string(),
        row_count: idx.len() as u32,
        start: start as u32,
        rows,
        no_stacks: false,
    }
}
