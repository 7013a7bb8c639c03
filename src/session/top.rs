//! Rows of the top table as the page shows them: a window for the
//! scrolling table, or every row for an export.

use super::{table_unit, user_pattern, Session};
use crate::analysis::options::ReportOptions;
use crate::protocol::{RowOrder, TopWindow};
use crate::view::{text_top_rows, top_rows};

impl Session {
    /// Rows `start..start+count` of the top table for `opts`, after the
    /// name `filter`, in `order`; for a pasted top, its printed rows.
    pub(super) fn top_window(
        &mut self,
        opts: &ReportOptions,
        filter: &str,
        order: RowOrder,
        start: usize,
        count: usize,
    ) -> Result<TopWindow, String> {
        let pattern = user_pattern("filter", filter)?;
        if let Some(text) = &self.profile.text_top {
            return Ok(text_top_rows::text_top_window(
                &self.profile,
                text,
                pattern.as_ref(),
                order,
                start,
                count,
            ));
        }
        let table = self.top(opts)?;
        let profile = self.labelled(self.profile.clone(), opts);
        let mut window = top_rows::top_window(
            &profile,
            &table,
            opts,
            pattern.as_ref(),
            order,
            start,
            count,
        );
        if let Some((base, new)) = self.side_tops(opts)? {
            let unit = table_unit(&self.profile, &table);
            top_rows::add_sides(&mut window, &table, &base, &new, &unit);
        }
        Ok(window)
    }
}
