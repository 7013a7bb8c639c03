//! Golden tests: our `-top` text against `go tool pprof -top` for every
//! oracle in `../shared/corpus` (made by Go 1.19's pprof) and
//! `../shared/corpus/go1.27` (Go 1.27's).
//!
//! We print today's pprof text, so the Go 1.27 oracles must match whole,
//! header included. Go 1.19's pprof wrote the `Time:` line in an older
//! layout (`Nov 25, 2026 at 7:22am (UTC)`); for those oracles that one line
//! is compared by its instant, every other line exactly.
//!
//! Oracle files are discovered by listing the directory, so a new profile
//! with its `FILE.top.<sample_index>.txt`, `FILE.topfull.<sample_index>.txt`
//! or `FILE.topcum.txt` is tested without touching this file. The commands
//! that made them (corpus README):
//! * `.top.<i>`: `-top -nodecount=100000 -sample_index=<i>`
//! * `.topfull.<i>`: the same plus `-nodefraction=0`
//! * `.topcum`: `-top -cum -nodecount=50` (default sample type)

mod support;

use std::path::{Path, PathBuf};

use pprof_lens::analysis::options::{ReportOptions, SortOrder};
use pprof_lens::analysis::top::top_table;
use pprof_lens::view::top_text::render_top;

struct Oracle {
    path: PathBuf,
    /// Made by Go 1.19's pprof (older `Time:` layout).
    go119: bool,
    profile: PathBuf,
    /// `None`: the profile's default sample type.
    sample_index: Option<String>,
    full: bool,
    cum: bool,
}

fn oracles(corpus: &Path) -> Vec<Oracle> {
    let mut out = oracles_in(corpus, true);
    out.extend(oracles_in(&corpus.join("go1.27"), false));
    out
}

fn oracles_in(dir: &Path, go119: bool) -> Vec<Oracle> {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("corpus directory {} is missing: {e}", dir.display()));
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.expect("directory entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".txt") else {
            continue;
        };
        let Some(pos) = stem.find(".pb.gz.") else {
            continue;
        };
        let profile = dir.join(&stem[..pos + ".pb.gz".len()]);
        let kind = &stem[pos + ".pb.gz.".len()..];
        let oracle = if kind == "topcum" {
            Oracle {
                path: path.clone(),
                go119,
                profile,
                sample_index: None,
                full: false,
                cum: true,
            }
        } else if let Some(i) = kind.strip_prefix("top.") {
            Oracle {
                path: path.clone(),
                go119,
                profile,
                sample_index: Some(i.to_string()),
                full: false,
                cum: false,
            }
        } else if let Some(i) = kind.strip_prefix("topfull.") {
            Oracle {
                path: path.clone(),
                go119,
                profile,
                sample_index: Some(i.to_string()),
                full: true,
                cum: false,
            }
        } else {
            continue;
        };
        out.push(oracle);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    assert!(!out.is_empty(), "no top oracles found in {}", dir.display());
    out
}

/// Go 1.19's `Time: Nov 25, 2026 at 7:22am (UTC)` as today's layout
/// (`2026-11-25 07:22:xx UTC`, seconds unknown): the two agree when ours
/// starts with the returned prefix.
fn go119_time_as_today(line: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let rest = line.strip_prefix("Time: ")?.strip_suffix(" (UTC)")?;
    let (date, clock) = rest.split_once(" at ")?;
    let (month_day, year) = date.split_once(", ")?;
    let (month, day) = month_day.split_once(' ')?;
    let month = MONTHS.iter().position(|m| *m == month)? + 1;
    let (hm, ampm) = clock.split_at(clock.len() - 2);
    let (h, m) = hm.split_once(':')?;
    let h: u32 = h.parse().ok()?;
    let hour = match (h % 12, ampm) {
        (h, "am") => h,
        (h, "pm") => h + 12,
        _ => return None,
    };
    Some(format!(
        "Time: {year}-{month:02}-{:02} {hour:02}:{m}:",
        day.parse::<u32>().ok()?
    ))
}

/// The oracle as today's pprof would print it: Go 1.19's `Time:` line
/// replaced by ours when they name the same minute.
fn as_today(want: &str, got: &str) -> String {
    let ours = got.lines().find(|l| l.starts_with("Time: "));
    want.lines()
        .map(|l| match (go119_time_as_today(l), ours) {
            (Some(prefix), Some(ours)) if ours.starts_with(&prefix) => ours.to_string(),
            _ => l.to_string(),
        })
        .map(|l| l + "\n")
        .collect()
}

#[test]
fn go119_times_convert() {
    assert_eq!(
        go119_time_as_today("Time: Nov 25, 2026 at 7:22am (UTC)").as_deref(),
        Some("Time: 2026-11-25 07:22:")
    );
    assert_eq!(
        go119_time_as_today("Time: Jan 1, 1970 at 12:05am (UTC)").as_deref(),
        Some("Time: 1970-01-01 00:05:")
    );
    assert_eq!(
        go119_time_as_today("Time: Dec 31, 1969 at 11:59pm (UTC)").as_deref(),
        Some("Time: 1969-12-31 23:59:")
    );
    assert_eq!(go119_time_as_today("Type: cpu"), None);
}

#[test]
fn top_text_matches_every_pprof_oracle() {
    let Some(corpus) = support::corpus("top_text_matches_every_pprof_oracle") else {
        return;
    };
    let oracles = oracles(&corpus);
    let mut failures = Vec::new();
    let mut cache: Option<(PathBuf, pprof_lens::model::Profile)> = None;
    for o in &oracles {
        let name = o.path.file_name().unwrap().to_string_lossy().into_owned();
        if cache.as_ref().is_none_or(|(p, _)| *p != o.profile) {
            let bytes = std::fs::read(&o.profile)
                .unwrap_or_else(|e| panic!("{}: {e}", o.profile.display()));
            let profile = pprof_lens::decode::decode(&bytes)
                .unwrap_or_else(|e| panic!("decoding {}: {e}", o.profile.display()));
            cache = Some((o.profile.clone(), profile));
        }
        let profile = &cache.as_ref().unwrap().1;
        let sample_index = o.sample_index.as_ref().map(|s| {
            profile
                .sample_index_by_name(s)
                .unwrap_or_else(|| panic!("{name}: no sample type {s}"))
        });
        let opts = ReportOptions {
            sample_index,
            sort: if o.cum {
                SortOrder::Cum
            } else {
                SortOrder::Flat
            },
            nodecount: if o.cum { 50 } else { 100_000 },
            nodefraction: if o.full { 0.0 } else { 0.005 },
            ..ReportOptions::default()
        };
        let table = top_table(profile, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = render_top(profile, &table, &opts);
        let want = std::fs::read_to_string(&o.path).expect("oracle text");
        let want = if o.go119 { as_today(&want, &got) } else { want };
        support::check_oracle(&name, &want, &got, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} of {} oracles differ: {failures:?}",
        failures.len(),
        oracles.len()
    );
    eprintln!("{} oracles match", oracles.len());
}
