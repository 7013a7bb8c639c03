//! What the page's export buttons save, as text: the names of the files
//! and the top table as TSV or CSV. The flame graph's SVG is the
//! painter's ([`crate::render::svg`]), the goroutine view's Markdown
//! [`super::goroutine_markdown`]'s.
//!
//! Written by hand: the CSV that RFC 4180 asks for is three rules (quote a
//! field holding a comma, a quote or a line break; double its quotes; end
//! lines with CRLF), less code than any crate's writer would add to the
//! wasm.

use super::top_rows::TopWindow;

/// How [`top_table`] separates fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Delimited {
    /// Tab-separated, one line per row ending in `\n`; a tab or line break
    /// inside a field (no Go name has one) becomes a space, as TSV has no
    /// quoting.
    Tsv,
    /// RFC 4180: comma-separated, CRLF line ends, fields quoted when needed.
    Csv,
}

impl Delimited {
    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Delimited::Tsv => "tsv",
            Delimited::Csv => "csv",
        }
    }
}

/// The name of an export of `input` (the open file's name): its stem, then
/// `what` and `ext`, as `cpu.pb.gz` gives `cpu.flame.svg`. The stem drops
/// the extensions profiles are saved with, and any character a file name
/// cannot hold on some system becomes `_`.
pub fn export_name(input: &str, what: &str, ext: &str) -> String {
    const KNOWN: [&str; 11] = [
        "gz", "pb", "pprof", "prof", "proto", "txt", "log", "out", "dump", "profile", "html",
    ];
    let mut stem = input.rsplit(['/', '\\']).next().unwrap_or("");
    while let Some((head, ext)) = stem.rsplit_once('.') {
        if head.is_empty() || !KNOWN.contains(&ext.to_ascii_lowercase().as_str()) {
            break;
        }
        stem = head;
    }
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let stem = if stem.trim().is_empty() {
        "profile"
    } else {
        stem.trim()
    };
    format!("{stem}.{what}.{ext}")
}

/// The rows of `window` (the whole table: see `Query::TopExport`) as
/// shown: a header line, then one line per row with the table's columns as
/// the page prints them (a comparison's base and new first, and its
/// delta%).
pub fn top_table(window: &TopWindow, how: Delimited) -> String {
    let compared = window.rows.first().is_some_and(|r| r.sides.is_some());
    let header: &[&str] = if compared {
        &[
            "base", "new", "delta", "delta%", "flat%", "sum%", "cum", "cum%", "name",
        ]
    } else {
        &["flat", "flat%", "sum%", "cum", "cum%", "name"]
    };
    let mut out = String::new();
    line(&mut out, how, header.iter().copied());
    for r in &window.rows {
        let numbers = [&r.flat, &r.flat_pct, &r.sum_pct, &r.cum, &r.cum_pct];
        match &r.sides {
            Some(s) => line(
                &mut out,
                how,
                [&s.base, &s.new, &r.flat, &s.delta_pct, &r.flat_pct]
                    .into_iter()
                    .chain([&r.sum_pct, &r.cum, &r.cum_pct, &r.name])
                    .map(String::as_str),
            ),
            None => line(
                &mut out,
                how,
                numbers.into_iter().chain([&r.name]).map(String::as_str),
            ),
        }
    }
    out
}

fn line<'a>(out: &mut String, how: Delimited, fields: impl Iterator<Item = &'a str>) {
    for (i, f) in fields.enumerate() {
        match how {
            Delimited::Tsv => {
                if i > 0 {
                    out.push('\t');
                }
                out.extend(f.chars().map(|c| match c {
                    '\t' | '\n' | '\r' => ' ',
                    c => c,
                }));
            }
            Delimited::Csv => {
                if i > 0 {
                    out.push(',');
                }
                if f.contains([',', '"', '\n', '\r']) {
                    out.push('"');
                    out.push_str(&f.replace('"', "\"\""));
                    out.push('"');
                } else {
                    out.push_str(f);
                }
            }
        }
    }
    out.push_str(match how {
        Delimited::Tsv => "\n",
        Delimited::Csv => "\r\n",
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_input_file() {
        assert_eq!(export_name("cpu.pb.gz", "flame", "svg"), "cpu.flame.svg");
        assert_eq!(export_name("cpu.pprof", "top", "tsv"), "cpu.top.tsv");
        assert_eq!(
            export_name("dump.txt", "goroutines", "md"),
            "dump.goroutines.md"
        );
        assert_eq!(
            export_name("svc.v2.heap.pb.gz", "top", "csv"),
            "svc.v2.heap.top.csv"
        );
        assert_eq!(export_name("unknown", "flame", "png"), "unknown.flame.png");
        assert_eq!(export_name(".gz", "flame", "png"), ".gz.flame.png");
        assert_eq!(export_name("", "top", "csv"), "profile.top.csv");
        assert_eq!(export_name("a|b:c.pb.gz", "top", "csv"), "a_b_c.top.csv");
    }
}
