//! A window of a pasted top table ([`TextTop`]) as the top view shows any
//! table: the printed numbers as they were, ordered and filtered like the
//! rows of a profile's own table.

use crate::model::{Profile, TextTop};
use crate::pattern::Pattern;

use super::top_rows::{RowOrder, TopRowView, TopWindow};

/// Rows `start..start+count` of `table` whose name matches `filter`, in
/// `order` (the text's own order is flat order).
pub fn text_top_window(
    profile: &Profile,
    table: &TextTop,
    filter: Option<&Pattern>,
    order: RowOrder,
    start: usize,
    count: usize,
) -> TopWindow {
    let st = profile.sample_types.first().copied().unwrap_or_default();
    let full = |i: usize| {
        let r = &table.rows[i];
        if r.inline.is_empty() {
            r.name.clone()
        } else {
            format!("{} {}", r.name, r.inline)
        }
    };
    let mut idx: Vec<usize> = (0..table.rows.len())
        .filter(|&i| filter.is_none_or(|re| re.is_match(&full(i))))
        .collect();
    match order {
        RowOrder::Flat => {}
        RowOrder::Cum => crate::sort::sort_by_key(&mut idx, &mut |&i| {
            std::cmp::Reverse(table.rows[i].cum.wrapping_abs())
        }),
        RowOrder::Name => crate::sort::sort_by(&mut idx, &mut |&a, &b| {
            table.rows[a].name.cmp(&table.rows[b].name)
        }),
    }
    let rows = idx
        .iter()
        .skip(start)
        .take(count)
        .map(|&i| {
            let r = &table.rows[i];
            let [flat, flat_pct, sum_pct, cum, cum_pct] = r.printed.clone();
            TopRowView {
                rank: i as u32,
                flat,
                flat_pct,
                sum_pct,
                cum,
                cum_pct,
                name: full(i),
                function: r.name.clone(),
                sides: None,
            }
        })
        .collect();
    TopWindow {
        header: table.header.clone(),
        sample_type: profile.str(st.kind).to_string(),
        unit: profile.str(st.unit).to_string(),
        row_count: idx.len() as u32,
        start: start as u32,
        rows,
        no_stacks: true,
    }
}
