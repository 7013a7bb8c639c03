//! `go tool pprof -top` / `-text` output (the same report): the header,
//! the column heads, then one row per node:
//!
//! ```text
//!       flat  flat%   sum%        cum   cum%
//!      1.35s 23.36% 23.36%      2.88s 49.83%  regexp.(*Regexp).tryBacktrack
//! ```
//!
//! The name is the rest of the line (it may hold spaces: generic shapes,
//! `-lines` granularity), less a trailing `(inline)` / `(partial-inline)`.
//! The first table in the input is read; its rows end at the first line
//! that is not a row.

use super::{fetch_command, is_top_heads, sample_kind, Meta};
use crate::decode::text::{lossy, Lines, Sink};
use crate::decode::{DecodeError, Result};
use crate::measurement::{parse_decimal, parse_label};
use crate::model::{Profile, SourceFormat, TextTop, TextTopRow};

/// One parsed row: its printed columns, values, unit and name.
struct Row {
    printed: [String; 5],
    flat: f64,
    cum: f64,
    unit: &'static str,
    name: String,
    inline: String,
}

/// `44.22%`, `0.0092%`, `100%`, `1e-05%` (Go's `%g` below 0.0001%).
fn is_percent(s: &str) -> bool {
    s.strip_suffix('%')
        .is_some_and(|n| match n.split_once('e') {
            Some((m, e)) => {
                let digits = e.trim_start_matches(['+', '-']);
                parse_decimal(m).is_some()
                    && !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
            }
            None => parse_decimal(n).is_some(),
        })
}

/// Parses a row; `None` for any line that is not one.
fn parse_row(line: &str) -> Option<Row> {
    let mut rest = line.trim_start();
    let mut cols: Vec<&str> = Vec::with_capacity(5);
    for _ in 0..5 {
        let end = rest.find([' ', '\t']).unwrap_or(rest.len());
        cols.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    let name = rest.trim_end();
    if name.is_empty() || ![1, 2, 4].iter().all(|&i| is_percent(cols[i])) {
        return None;
    }
    let (flat, fu) = parse_label(cols[0])?;
    let (cum, cu) = parse_label(cols[3])?;
    // A zero prints without its unit.
    let unit = match (fu, cu) {
        (a, b) if a == b => a,
        ("count", b) if flat == 0.0 => b,
        (a, "count") if cum == 0.0 => a,
        _ => return None,
    };
    let (name, inline) = ["(inline)", "(partial-inline)"]
        .iter()
        .find_map(|m| {
            name.strip_suffix(m)
                .filter(|n| n.ends_with(' '))
                .map(|n| (n.trim_end(), *m))
        })
        .unwrap_or((name, ""));
    Some(Row {
        printed: [cols[0], cols[1], cols[2], cols[3], cols[4]].map(str::to_string),
        flat,
        cum,
        unit,
        name: name.to_string(),
        inline: inline.to_string(),
    })
}

/// `Showing nodes accounting for X, P% of T total`: T in the base unit.
fn total_of(header: &[String]) -> Option<f64> {
    header.iter().find_map(|h| {
        let t = h.trim().strip_prefix("Showing nodes accounting for ")?;
        let t = t.strip_suffix(" total")?;
        parse_label(t.rsplit(" of ").next()?.trim()).map(|(v, _)| v)
    })
}

/// Decodes the first top table in `bytes`.
pub fn decode(bytes: &[u8]) -> Result<Profile> {
    let mut meta = Meta::default();
    let mut lines = Lines::new(bytes);
    let mut heads_line = 0;
    for (n, _, line) in lines.by_ref() {
        if is_top_heads(line) {
            heads_line = n;
            break;
        }
        let line = lossy(line);
        // A prompt starts a new report: only the header printed after it
        // belongs to this table.
        if line.trim_start().starts_with("(pprof)") {
            meta.header.clear();
        }
        meta.read(&line);
    }
    let mut rows = Vec::new();
    for (_, _, line) in lines {
        match parse_row(&lossy(line)) {
            Some(r)
                if rows
                    .first()
                    .is_none_or(|f: &Row| compatible(f.unit, r.unit)) =>
            {
                rows.push(r)
            }
            _ => break,
        }
    }
    if rows.is_empty() {
        return Err(DecodeError::Text {
            line: heads_line + 1,
            message:
                "a go tool pprof top table without rows: expected `flat flat% sum% cum cum% name`, \
                      such as `1.35s 23.36% 23.36% 2.88s 49.83%  main.work`"
                    .into(),
        });
    }
    let unit = rows
        .iter()
        .map(|r| r.unit)
        .find(|&u| u != "count")
        .unwrap_or("count");
    let total = total_of(&meta.header).unwrap_or_else(|| {
        // No `Showing nodes` line: the first row's flat% gives it.
        rows.iter()
            .find_map(|r| {
                let pct = parse_decimal(r.printed[1].trim_end_matches('%'))?;
                (pct > 0.0 && r.flat != 0.0).then(|| r.flat.abs() * 100.0 / pct)
            })
            .unwrap_or(0.0)
    });
    let kind = sample_kind(&meta, unit);
    let mut sink = Sink::new(SourceFormat::PprofTop);
    let vt = sink.value_type(&kind, unit);
    sink.p.sample_types.push(vt);
    sink.p.duration_nanos = meta.duration_nanos;
    let fetch = fetch_command(&meta, &kind);
    let mut p = sink.finish();
    p.text_top = Some(Box::new(TextTop {
        header: meta.header,
        rows: rows
            .into_iter()
            .map(|r| TextTopRow {
                name: r.name,
                inline: r.inline,
                flat: r.flat.round() as i64,
                cum: r.cum.round() as i64,
                printed: r.printed,
            })
            .collect(),
        total: total.round() as i64,
        fetch,
    }));
    Ok(p)
}

/// Rows of one table share a unit (a zero row prints as a plain count).
fn compatible(a: &str, b: &str) -> bool {
    a == b || a == "count" || b == "count"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_with_spaces_and_inline_marks() {
        let r = parse_row(
            "    0.48s  8.30% 31.66%      0.48s  8.30%  regexp.(*bitState).shouldVisit (inline)",
        )
        .unwrap();
        assert_eq!(r.name, "regexp.(*bitState).shouldVisit");
        assert_eq!(r.inline, "(inline)");
        assert_eq!((r.flat, r.cum, r.unit), (0.48e9, 0.48e9, "nanoseconds"));
        let r = parse_row("         0     0% 99.35%     0.04MB  0.68%  main.(*SortedMap[go.shape.float64,go.shape.[]*main.Product]).Put")
            .unwrap();
        assert_eq!((r.flat, r.unit), (0.0, "bytes"));
        let r = parse_row("  1  50% 50%  2  100%  main.f { x int; y int } /src/a.go:12").unwrap();
        assert!(parse_row("  1 1e-05% 50%  2  100%  main.g").is_some());
        assert_eq!(r.name, "main.f { x int; y int } /src/a.go:12");
        for bad in [
            "",
            "(pprof) top",
            "1.35s 23.36% 23.36% 2.88s 49.83%",
            "1.35s 23.36 23.36% 2.88s 49.83% main",
            "1.35s 23.36% 23.36% 2.88MB 49.83% main",
            "x 23.36% 23.36% 2.88s 49.83% main",
        ] {
            assert!(parse_row(bad).is_none(), "{bad}");
        }
    }
}
