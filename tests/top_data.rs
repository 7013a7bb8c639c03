//! Readable goldens for the top table: small fixture profiles in
//! `tests/data/top/*.samples` and, beside them in `results/`, the text
//! `go tool pprof -top` style output for a few option sets. A change in
//! the text shows as a diff of lines; `PPROF_LENS_BLESS=1` rewrites them.
//!
//! The fixture format: `types: kind/unit ...`, optional `period: kind/unit N`
//! and `duration: NANOS`, then one sample a line in
//! [`ProfileBuilder`]'s syntax; `#` starts a comment line.

mod support;

use pprof_lens::analysis::options::{Granularity, ReportOptions, SortOrder};
use pprof_lens::analysis::top::top_table;
use pprof_lens::model::builder::ProfileBuilder;
use pprof_lens::model::Profile;
use pprof_lens::view::top_text::render_top;

fn fixture(text: &str) -> Profile {
    let mut types = Vec::new();
    let mut period = None;
    let mut duration = 0;
    let mut samples = Vec::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if let Some(t) = line.strip_prefix("types:") {
            types = t
                .split_whitespace()
                .map(|t| t.split_once('/').expect("kind/unit"))
                .collect();
        } else if let Some(p) = line.strip_prefix("period:") {
            let (t, n) = p.trim().split_once(' ').expect("period: kind/unit N");
            period = Some((
                t.split_once('/').expect("kind/unit"),
                n.parse::<i64>().expect("a period"),
            ));
        } else if let Some(d) = line.strip_prefix("duration:") {
            duration = d.trim().parse().expect("nanoseconds");
        } else {
            samples.push(line);
        }
    }
    let mut b = ProfileBuilder::new(&types).samples(&samples);
    if let Some((t, n)) = period {
        b = b.period(t, n);
    }
    let mut p = b.build();
    p.duration_nanos = duration;
    p
}

fn top(p: &Profile, opts: &ReportOptions) -> String {
    render_top(p, &top_table(p, opts).expect("valid options"), opts)
}

#[test]
fn top_text_of_the_fixtures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/top");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/data/top")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".samples")
                .map(String::from)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 2, "fixtures missing: {names:?}");
    let o = ReportOptions::default;
    let variants: [(&str, ReportOptions); 5] = [
        ("top", o()),
        (
            "cum",
            ReportOptions {
                sort: SortOrder::Cum,
                ..o()
            },
        ),
        (
            "lines",
            ReportOptions {
                granularity: Granularity::Lines,
                nodefraction: 0.0,
                ..o()
            },
        ),
        (
            "focus-ignore",
            ReportOptions {
                focus: "main\\.".into(),
                ignore: "json".into(),
                ..o()
            },
        ),
        (
            "hide-noinlines",
            ReportOptions {
                hide: "^runtime\\.".into(),
                noinlines: true,
                ..o()
            },
        ),
    ];
    for name in &names {
        let text = std::fs::read_to_string(format!("{dir}/{name}.samples")).expect("fixture");
        let p = fixture(&text);
        for (variant, opts) in &variants {
            support::check_golden(
                &format!("tests/data/top/results/{name}.{variant}.txt"),
                &top(&p, opts),
            );
        }
    }
}
