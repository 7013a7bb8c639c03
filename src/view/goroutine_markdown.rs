//! The goroutine view as a Markdown document to paste into an incident
//! document: the totals, the goroutines per state, what the hints say, and
//! the groups of identical stacks with their top frames.
//!
//! GitHub-flavoured Markdown tables: a cell ends at an unescaped `|`, even
//! inside a code span, so every `|` of a name is written `\|`; names go in
//! code spans so their `*`, `_` and `<` stay as they are.

use std::fmt::Write;

use crate::analysis::goroutines::{GoroutineSummary, Group};
use crate::view::numbers::group_digits;

/// How many frames of a group's stack the document shows, from the top.
pub const TOP_FRAMES: usize = 5;

/// The document for `s`, the summary of the file named `name`.
pub fn goroutines_markdown(s: &GoroutineSummary, name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Goroutines of {}\n", text(name));
    let mut facts = vec![format!("**{} goroutines**", group_digits(s.total))];
    if let Some(h) = s.header_total.filter(|&h| h != s.total) {
        facts.push(format!("{} in the header", group_digits(h)));
    }
    if s.leaked > 0 {
        facts.push(format!("{} leaked", group_digits(s.leaked)));
    }
    if s.locked_to_thread > 0 {
        facts.push(format!(
            "{} locked to a thread",
            group_digits(s.locked_to_thread)
        ));
    }
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    if let Some(p) = &s.partial {
        let _ = writeln!(
            out,
            "This traceback shows {}; the others were not printed.\n",
            text(p)
        );
    }
    for p in &s.panics {
        let _ = writeln!(out, "> {}\n", text(&p.message));
    }
    if s.states_recorded && !s.states.is_empty() {
        out.push_str("| state | goroutines |\n|---|--:|\n");
        for c in &s.states {
            let _ = writeln!(out, "| {} | {} |", cell(&c.state), group_digits(c.count));
        }
        out.push('\n');
    } else if let Some(note) = &s.state_note {
        let _ = writeln!(out, "{}\n", text(note));
    }
    if !s.hints.is_empty() {
        out.push_str("## What this suggests\n\n");
        for h in &s.hints {
            let _ = writeln!(out, "- **{}** {}", text(&h.title), text(&h.text));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "## {} groups of identical stacks\n",
        group_digits(s.groups.len() as u64)
    );
    out.push_str("| # | goroutines | state | waiting | top frames | created by |\n");
    out.push_str("|--:|--:|---|---|---|---|\n");
    for (i, g) in s.groups.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            i + 1,
            group_digits(g.count),
            cell(&state(g)),
            wait(g),
            frames(g),
            g.created_by.as_deref().map(code).unwrap_or_default(),
        );
    }
    out
}

fn state(g: &Group) -> String {
    let mut s = g.state.clone();
    if g.leaked > 0 {
        s.push_str(&if g.leaked == g.count {
            " (leaked)".to_string()
        } else {
            format!(" ({} leaked)", g.leaked)
        });
    }
    if g.panicking {
        s.push_str(" (panicking)");
    }
    if !g.labels.is_empty() {
        s.push_str(&format!(" {{{}}}", g.labels.join(", ")));
    }
    s
}

fn wait(g: &Group) -> String {
    match (g.min_wait_minutes, g.max_wait_minutes) {
        (Some(a), Some(b)) if a == b => format!("{a} min"),
        (Some(a), Some(b)) => format!("{a}–{b} min"),
        _ => String::new(),
    }
}

/// The top of the stack, leaf first, one frame a line of the cell.
fn frames(g: &Group) -> String {
    let mut shown: Vec<String> = g
        .stack
        .iter()
        .take(TOP_FRAMES)
        .map(|f| code(&f.function))
        .collect();
    if g.stack.len() > TOP_FRAMES || g.frames_elided {
        shown.push("…".into());
    }
    if shown.is_empty() {
        "(no stack)".into()
    } else {
        shown.join("<br>")
    }
}

/// Text for a table cell: pipes escaped, line breaks turned to spaces.
fn cell(s: &str) -> String {
    s.chars()
        .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|")
}

/// A name as a code span in a table cell: its backticks need a longer
/// fence, its pipes `\|`.
fn code(s: &str) -> String {
    let s = cell(s);
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

/// Text outside a table: one line, with Markdown's own characters escaped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_are_escaped_in_cells_and_code() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(code("main.(*T).f|g"), "`main.(*T).f\\|g`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(text("*x* <y>"), "\\*x\\* \\<y\\>");
    }
}
