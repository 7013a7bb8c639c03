//! Rows of the top table as the page shows them: a window for the
//! scrolling table, or every row for an export.

use std::rc::Rc;

use super::{table_unit, user_pattern, Session};
use crate::analysis::options::ReportOptions;
use crate::analysis::top::{top_table, TopTable};
use crate::analysis::top_compare;
use crate::model::Profile;
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

    /// The top table for `opts`. A comparison under `-diff_base` reads it
    /// from its two sides, with their flat per row for the base and new
    /// columns, when that is exact (see `top_compare`).
    pub(super) fn top(&mut self, opts: &ReportOptions) -> Result<Rc<TopTable>, String> {
        if let Some((o, t)) = &self.top {
            if o == opts {
                return Ok(t.clone());
            }
        }
        let sides = self.compared.as_ref().filter(|c| c.reads_sides());
        let table = match sides.map(|c| c.sides()) {
            Some((base, new)) if top_compare::applies(new, base, opts) => {
                let t = top_compare::diff_base_top(new, base, opts).map_err(|e| e.to_string())?;
                self.side_tops = Some((opts.clone(), Rc::new(t.base), Rc::new(t.new)));
                t.table
            }
            _ => {
                let profile = self.with_samples()?;
                let profile = self.labelled(profile, opts);
                top_table(&profile, opts).map_err(|e| e.to_string())?
            }
        };
        let table = Rc::new(table);
        self.top = Some((opts.clone(), table.clone()));
        Ok(table)
    }

    /// The shown profile with its samples: a comparison that reads its
    /// sides shows only the difference's header, and makes the difference
    /// when a view that reads samples first asks.
    pub(super) fn with_samples(&mut self) -> Result<Rc<Profile>, String> {
        match &mut self.compared {
            Some(c) if c.reads_sides() => c.diff(),
            _ => Ok(self.profile.clone()),
        }
    }
}
