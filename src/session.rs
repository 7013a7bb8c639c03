//! A loaded profile and the answers to the view's questions about it.
//!
//! The Web Worker holds one `Session`; component tests and native tests use
//! the same type directly, so what the page shows is tested without a
//! browser. Results of the expensive steps are cached per options, because
//! scrolling or hovering asks the same question many times.

use std::rc::Rc;

use crate::analysis::filter::Options;
use crate::analysis::top::{top_table, TopTable};
use crate::model::Profile;
use crate::protocol::{Answer, Query};
use crate::view::{top_rows, top_text};

pub struct Session {
    pub profile: Rc<Profile>,
    top: Option<(Options, Rc<TopTable>)>,
}

impl Session {
    pub fn new(profile: Profile) -> Session {
        Session { profile: Rc::new(profile), top: None }
    }

    fn top(&mut self, opts: &Options) -> Result<Rc<TopTable>, String> {
        if let Some((o, t)) = &self.top {
            if o == opts {
                return Ok(t.clone());
            }
        }
        let table = Rc::new(top_table(&self.profile, opts).map_err(|e| e.to_string())?);
        self.top = Some((opts.clone(), table.clone()));
        Ok(table)
    }

    pub fn answer(&mut self, query: Query) -> Answer {
        self.try_answer(query).unwrap_or_else(|message| Answer::Failed { message })
    }

    fn try_answer(&mut self, query: Query) -> Result<Answer, String> {
        match query {
            Query::Top { opts, filter, order, start, count } => {
                let table = self.top(&opts)?;
                let re = if filter.trim().is_empty() {
                    None
                } else {
                    Some(regex::Regex::new(&filter).map_err(|e| format!("filter: {e}"))?)
                };
                let count = count.min(2000) as usize;
                Ok(Answer::Top(top_rows::top_window(
                    &self.profile,
                    &table,
                    &opts,
                    re.as_ref(),
                    order,
                    start as usize,
                    count,
                )))
            }
            Query::TopText { opts } => {
                let table = self.top(&opts)?;
                Ok(Answer::Text { text: top_text::render_top(&self.profile, &table, &opts) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;
    use crate::protocol::RowOrder;

    fn session() -> Session {
        Session::new(
            ProfileBuilder::new(&[("samples", "count")])
                .samples(&["main;a;b 5", "main;a;c 3", "main;d 2"])
                .build(),
        )
    }

    #[test]
    fn top_window_pages_filters_and_orders() {
        let mut s = session();
        let opts = Options { nodefraction: 0.0, ..Options::default() };
        let q = |filter: &str, order, start, count| Query::Top { opts: opts.clone(), filter: filter.into(), order, start, count };
        let Answer::Top(w) = s.answer(q("", RowOrder::Flat, 0, 100)) else { panic!() };
        assert_eq!(w.row_count, 5);
        assert_eq!(w.rows[0].name, "b");
        assert_eq!((w.rows[0].flat.as_str(), w.rows[0].flat_pct.as_str()), ("5", "50.00%"));
        assert!(w.header.iter().any(|l| l.starts_with("Showing nodes accounting for 10, 100% of 10 total")), "{:?}", w.header);
        let Answer::Top(w) = s.answer(q("", RowOrder::Flat, 1, 2)) else { panic!() };
        assert_eq!((w.start, w.rows.len()), (1, 2));
        let Answer::Top(w) = s.answer(q("^[ab]$", RowOrder::Name, 0, 100)) else { panic!() };
        assert_eq!(w.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), vec!["a", "b"]);
        let Answer::Top(w) = s.answer(q("", RowOrder::Cum, 0, 1)) else { panic!() };
        assert_eq!(w.rows[0].name, "main");
    }

    #[test]
    fn bad_regexes_fail_with_a_message() {
        let mut s = session();
        let a = s.answer(Query::Top { opts: Options::default(), filter: "(".into(), order: RowOrder::Flat, start: 0, count: 10 });
        assert!(matches!(a, Answer::Failed { message } if message.starts_with("filter:")));
        let opts = Options { focus: "[".into(), ..Options::default() };
        assert!(matches!(s.answer(Query::TopText { opts }), Answer::Failed { .. }));
    }

    #[test]
    fn top_text_is_pprof_text() {
        let mut s = session();
        let Answer::Text { text } = s.answer(Query::TopText { opts: Options::default() }) else { panic!() };
        assert!(text.contains("      flat  flat%   sum%        cum   cum%\n"), "{text}");
    }
}
