//! Tracebacks in a dump: where each starts, how many goroutines it shows,
//! and so which goroutines the input covers ([`Coverage`]).
//!
//! A traceback starts at a panic, fatal error, signal report or `runtime
//! stack:` line that follows goroutines (or is the first); later such lines
//! before its first goroutine belong to it (`fatal error: stack overflow`
//! then `runtime stack:`; a storm of `fatal error: fault`). Goroutines
//! before the first traceback are a plain dump's.
//!
//! What Go prints after the message decides the coverage: a fatal signal, a
//! Go deadlock (`all goroutines are asleep`) and a test timeout (testing sets
//! `GOTRACEBACK=all` first) print every goroutine; a synctest deadlock the
//! test's goroutine and its bubble's; otherwise, under the default
//! `GOTRACEBACK=single`, a panic prints only its own goroutine, and
//! `GOTRACEBACK=none` none. A traceback with one goroutine after its message
//! is therefore read as "only the running goroutine".

use crate::model::{Coverage, PanicKind, Profile};

struct Traceback {
    line: u32,
    goroutines: u64,
    /// Index in [`Profile::panics`] of its first message, if it has one.
    first_panic: Option<usize>,
}

#[derive(Default)]
pub(crate) struct Tracebacks {
    list: Vec<Traceback>,
}

impl Tracebacks {
    /// A panic, fatal error or signal report was recorded as `panics[index]`.
    pub(crate) fn message(&mut self, line: u32, index: usize) {
        match self.list.last_mut() {
            Some(t) if t.goroutines == 0 => {
                t.first_panic.get_or_insert(index);
            }
            _ => self.list.push(Traceback {
                line,
                goroutines: 0,
                first_panic: Some(index),
            }),
        }
    }

    /// `runtime stack:`, the system stack of a crash.
    pub(crate) fn runtime_stack(&mut self, line: u32) {
        if self.list.last().is_none_or(|t| t.goroutines != 0) {
            self.list.push(Traceback {
                line,
                goroutines: 0,
                first_panic: None,
            });
        }
    }

    pub(crate) fn goroutine(&mut self) {
        if let Some(t) = self.list.last_mut() {
            t.goroutines += 1;
        }
    }

    /// Sets the profile's coverage (the first partial traceback's, else
    /// all) and warns when there are several tracebacks.
    pub(crate) fn finish(self, p: &mut Profile) {
        let coverage = self
            .list
            .iter()
            .map(|t| coverage(t, p))
            .find(|c| c.is_partial())
            .unwrap_or_default();
        p.goroutines.coverage = coverage;
        if self.list.len() > 1 {
            let lines: Vec<String> = self
                .list
                .iter()
                .take(10)
                .map(|t| t.line.to_string())
                .collect();
            let more = if self.list.len() > 10 { ", ..." } else { "" };
            let msg = format!(
                "{} tracebacks in this input (starting at lines {}{more}); their goroutines are shown together, so ids may repeat",
                self.list.len(),
                lines.join(", ")
            );
            p.warn(Some(self.list[1].line), None, msg);
        }
    }
}

fn coverage(t: &Traceback, p: &Profile) -> Coverage {
    if t.goroutines == 0 {
        return Coverage::NoGoroutines;
    }
    let first = t.first_panic.and_then(|i| p.panics.get(i));
    match first {
        Some(x) if x.kind == PanicKind::Signal => Coverage::All,
        Some(x)
            if x.message
                .starts_with("deadlock: all goroutines in bubble are blocked") =>
        {
            Coverage::Bubble
        }
        Some(x)
            if x.message.starts_with("all goroutines are asleep")
                || x.message.starts_with("test timed out") =>
        {
            Coverage::All
        }
        _ if t.goroutines == 1 => Coverage::Running,
        _ => Coverage::All,
    }
}
