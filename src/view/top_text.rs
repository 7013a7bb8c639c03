//! The top table as `go tool pprof -top` prints it, header lines included,
//! so that "copy as pprof text" pastes exactly what pprof would show
//! (`report.printText`, `reportLabels`, `ProfileLabels`).

use std::fmt::Write as _;

use crate::analysis::graph::go_base;
use crate::analysis::options::ReportOptions;
use crate::analysis::top::TopTable;
use crate::measurement;
use crate::model::Profile;

/// pprof's header lines for `table` (`File:` ... `Showing nodes ...`,
/// `Dropped ...`), and the output unit the rows are printed in. Cheap: the
/// rows are scanned for the unit but not formatted.
pub fn header_lines(
    profile: &Profile,
    table: &TopTable,
    opts: &ReportOptions,
) -> (Vec<String>, String) {
    let st = profile
        .sample_types
        .get(table.sample_index)
        .copied()
        .unwrap_or_default();
    let sample_type = profile.str(st.kind);
    let sample_unit = profile.str(st.unit);
    let output_unit = measurement::select_output_unit(
        table.rows.iter().map(|r| (r.flat, r.cum)),
        table.total,
        sample_unit,
    );
    let fmt_value = |v: i64| measurement::scaled_label(v, sample_unit, &output_unit);

    let mut labels: Vec<String> =
        profile_labels(profile, sample_type, sample_unit, table.total, &fmt_value);
    let filters = opts.active_filters();
    if !filters.is_empty() {
        labels.push("Active filters:".to_string());
        for f in filters {
            labels.push(format!("   {}", truncate_filter(&f)));
        }
    }
    labels.push(format!(
        "Showing nodes accounting for {}, {} of {} total",
        fmt_value(table.shown_flat_sum),
        measurement::percentage(table.shown_flat_sum, table.total).trim(),
        fmt_value(table.total)
    ));
    if table.total != 0 {
        if table.dropped_nodes > 0 {
            let noun = if table.dropped_nodes > 1 {
                "nodes"
            } else {
                "node"
            };
            labels.push(format!(
                "Dropped {} {noun} (cum <= {})",
                table.dropped_nodes,
                fmt_value(table.dropped_cutoff)
            ));
        }
        if table.truncated() {
            labels.push(format!(
                "Showing top {} nodes out of {}",
                table.rows.len(),
                table.orig_count
            ));
        }
    }

    (labels, output_unit)
}

/// Renders `table` (built from `profile` with `opts`) as pprof's text report.
pub fn render_top(profile: &Profile, table: &TopTable, opts: &ReportOptions) -> String {
    let st = profile
        .sample_types
        .get(table.sample_index)
        .copied()
        .unwrap_or_default();
    let sample_unit = profile.str(st.unit);
    let (labels, output_unit) = header_lines(profile, table, opts);
    let fmt_value = |v: i64| measurement::scaled_label(v, sample_unit, &output_unit);
    let mut out = String::with_capacity(128 + table.rows.len() * 80);
    out.push_str(&labels.join("\n"));
    out.push('\n');
    let _ = writeln!(
        out,
        "{:>10} {:>5}% {:>5}% {:>10} {:>5}%",
        "flat", "flat", "sum", "cum", "cum"
    );
    for row in &table.rows {
        let inl = row.inline.as_str();
        let _ = writeln!(
            out,
            "{:>10} {} {} {:>10} {}  {}{}{}",
            fmt_value(row.flat),
            measurement::percentage(row.flat, table.total),
            measurement::percentage(row.flat_sum, table.total),
            fmt_value(row.cum),
            measurement::percentage(row.cum, table.total),
            row.name,
            if inl.is_empty() { "" } else { " " },
            inl
        );
    }
    out
}

/// pprof cuts long filter values at 80 bytes and adds `…`.
fn truncate_filter(s: &str) -> String {
    if s.len() <= 80 {
        return s.to_string();
    }
    let mut end = 80;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\u{2026}", &s[..end])
}

/// pprof's `ProfileLabels`: `File:`, `Build ID:`, comments, `Type:`,
/// `Doc:`, `Time:`, `Duration: ..., Total samples = ...`.
fn profile_labels(
    profile: &Profile,
    sample_type: &str,
    sample_unit: &str,
    total: i64,
    fmt_value: &dyn Fn(i64) -> String,
) -> Vec<String> {
    let mut label = Vec::new();
    if let Some(m) = profile.mappings.first() {
        let file = profile.str(m.file);
        if !file.is_empty() {
            label.push(format!("File: {}", go_base(file)));
        }
        let build_id = profile.str(m.build_id);
        if !build_id.is_empty() {
            label.push(format!("Build ID: {build_id}"));
        }
    }
    for &c in &profile.comments {
        let c = profile.str(c);
        if !c.starts_with('#') {
            label.push(c.to_string());
        }
    }
    if !sample_type.is_empty() {
        label.push(format!("Type: {sample_type}"));
    }
    if let Some(url) = profile
        .doc_url
        .map(|u| profile.str(u))
        .filter(|u| !u.is_empty())
    {
        label.push(format!("Doc: {url}"));
    }
    if profile.time_nanos != 0 {
        label.push(format!("Time: {}", format_time_utc(profile.time_nanos)));
    }
    if profile.duration_nanos != 0 {
        let duration = measurement::label(profile.duration_nanos, "nanoseconds");
        let (total_nanos, total_unit) = measurement::scale(total, sample_unit, "nanoseconds");
        let ratio = if total_unit == "ns" && total_nanos != 0.0 {
            format!(
                "({})",
                measurement::percentage(total_nanos as i64, profile.duration_nanos)
            )
        } else {
            String::new()
        };
        label.push(format!(
            "Duration: {duration}, Total samples = {} {ratio}",
            fmt_value(total)
        ));
    }
    label
}

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31) in the
/// proleptic Gregorian calendar (era arithmetic: 400-year cycles of 146097
/// days, months counted from March so the leap day comes last).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Go's `time.Unix(0, nanos).Format("2006-01-02 15:04:05 MST")` in UTC,
/// the `Time:` line of today's pprof (Go 1.24 and later).
pub fn format_time_utc(nanos: i64) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::top::top_table;
    use crate::model::builder::ProfileBuilder;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_782), (2026, 11, 25));
    }

    #[test]
    fn times_like_go() {
        // 2026-11-25 07:22:31 UTC
        assert_eq!(
            format_time_utc(1_795_591_351_000_000_000),
            "2026-11-25 07:22:31 UTC"
        );
        assert_eq!(format_time_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            format_time_utc(43_200_000_000_000),
            "1970-01-01 12:00:00 UTC"
        );
        assert_eq!(format_time_utc(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(
            format_time_utc(13 * 3_600_000_000_000 + 5 * 60_000_000_000 + 999_999_999),
            "1970-01-01 13:05:00 UTC"
        );
    }

    #[test]
    fn renders_like_pprof() {
        let p = ProfileBuilder::new(&[("samples", "count"), ("cpu", "nanoseconds")])
            .duration_nanos(1_000_000_000)
            .samples(&[
                "main;work;calc 150 1500000000",
                "main;work 40 400000000",
                "main;a+h 9 90000000",
                "main;tiny 1 2000000",
            ])
            .build();
        let opts = ReportOptions::default();
        let t = top_table(&p, &opts).unwrap();
        let text = render_top(&p, &t, &opts);
        let want = "\
Type: cpu
Duration: 1s, Total samples = 1992ms (199.20%)
Showing nodes accounting for 1990ms, 99.90% of 1992ms total
Dropped 1 node (cum <= 9.96ms)
      flat  flat%   sum%        cum   cum%
    1500ms 75.30% 75.30%     1500ms 75.30%  calc
     400ms 20.08% 95.38%     1900ms 95.38%  work
      90ms  4.52% 99.90%       90ms  4.52%  h (inline)
         0     0% 99.90%       90ms  4.52%  a
         0     0% 99.90%     1992ms   100%  main
";
        assert_eq!(text, want);

        let opts = ReportOptions {
            sample_index: Some(0),
            nodecount: 2,
            focus: "work".into(),
            nodefraction: 0.0,
            ..Default::default()
        };
        let t = top_table(&p, &opts).unwrap();
        let text = render_top(&p, &t, &opts);
        let want = "\
Type: samples
Duration: 1s, Total samples = 200 
Active filters:
   focus=work
Showing nodes accounting for 190, 95.00% of 200 total
Showing top 2 nodes out of 3
      flat  flat%   sum%        cum   cum%
       150 75.00% 75.00%        150 75.00%  calc
        40 20.00% 95.00%        190 95.00%  work
";
        assert_eq!(text, want);
    }
}
