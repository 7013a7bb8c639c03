//! The top table as rows of display strings, formatted exactly as pprof's
//! `-top` columns (the same units and percentages as [`super::top_text`]).

use crate::analysis::filter::Options;
use crate::analysis::top::TopTable;
use crate::model::Profile;
use crate::protocol::{RowOrder, TopRowView, TopWindow};
use crate::view::measurement;

/// Formats rows `start..start+count` of `table` after keeping only rows whose
/// name matches `filter` (if any) and ordering them by `order`.
pub fn top_window(
    profile: &Profile,
    table: &TopTable,
    opts: &Options,
    filter: Option<&regex_lite::Regex>,
    order: RowOrder,
    start: usize,
    count: usize,
) -> TopWindow {
    let st = profile.sample_types.get(table.sample_index).copied().unwrap_or_default();
    let unit = profile.str(st.unit);
    let (header, out_unit) = super::top_text::header_lines(profile, table, opts);
    let mut idx: Vec<usize> = (0..table.rows.len())
        .filter(|&i| filter.is_none_or(|re| re.is_match(&table.rows[i].name)))
        .collect();
    match order {
        RowOrder::Name => idx.sort_by(|&a, &b| table.rows[a].name.cmp(&table.rows[b].name)),
        // The table is already in pprof's order for opts.sort; re-sort only
        // when the view asks for the other one.
        RowOrder::Cum if table.sort != crate::analysis::filter::SortOrder::Cum => {
            idx.sort_by(|&a, &b| table.rows[b].cum.cmp(&table.rows[a].cum))
        }
        RowOrder::Flat if table.sort != crate::analysis::filter::SortOrder::Flat => {
            idx.sort_by(|&a, &b| table.rows[b].flat.cmp(&table.rows[a].flat))
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
                flat_pct: measurement::percentage(r.flat, table.total).trim().to_string(),
                sum_pct: measurement::percentage(r.flat_sum, table.total).trim().to_string(),
                cum: measurement::scaled_label(r.cum, unit, &out_unit),
                cum_pct: measurement::percentage(r.cum, table.total).trim().to_string(),
                name: if inl.is_empty() { r.name.clone() } else { format!("{} {inl}", r.name) },
                function: r.function.clone(),
            }
        })
        .collect();
    TopWindow { header, row_count: idx.len() as u32, start: start as u32, rows }
}
