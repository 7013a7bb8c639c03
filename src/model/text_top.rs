//! A top table read from `go tool pprof -top` / `-text` output: the only
//! model of a profile that arrives without its samples.
//!
//! pprof's text keeps flat and cum per function but no call stacks, so no
//! sample table can be rebuilt from it (a made-up one would add functions
//! that never ran). The rows are kept as pprof printed them, next to their
//! values read back in the sample type's base unit, so the page shows the
//! same numbers as the text and can still sort and draw bars.

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextTopRow {
    /// The name without the inline mark.
    pub name: String,
    /// `(inline)`, `(partial-inline)` or empty.
    pub inline: String,
    /// Flat and cum in the base unit (bytes, nanoseconds, count), rounded
    /// as the text allows.
    pub flat: i64,
    pub cum: i64,
    /// The five numeric columns as printed: flat, flat%, sum%, cum, cum%.
    pub printed: [String; 5],
}

/// A pasted top table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextTop {
    /// pprof's lines above the column heads (`File:`, `Type:`, `Showing
    /// nodes accounting for ...`, `Dropped ...`), as printed.
    pub header: Vec<String>,
    pub rows: Vec<TextTopRow>,
    /// The `of X total` value in the base unit; 100%.
    pub total: i64,
    /// The command that fetches the profile itself, for the banner.
    pub fetch: String,
}

impl TextTop {
    /// The table as pprof printed it (header, column heads, rows).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for h in &self.header {
            out.push_str(h);
            out.push('\n');
        }
        out.push_str("      flat  flat%   sum%        cum   cum%\n");
        for r in &self.rows {
            let [f, fp, sp, c, cp] = &r.printed;
            out.push_str(&format!(
                "{f:>10} {fp:>6} {sp:>6} {c:>10} {cp:>6}  {}",
                r.name
            ));
            if !r.inline.is_empty() {
                out.push(' ');
                out.push_str(&r.inline);
            }
            out.push('\n');
        }
        out
    }
}
