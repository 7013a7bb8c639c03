//! One group holding most goroutines: where they pile up, and the usual
//! shape of a leak. It reads only counts and frames, so every format (a
//! debug=1 dump and a protobuf profile have no states) gets it.

use super::{call_site, describe_site, package_of, plural};
use crate::analysis::goroutines::{Frame, GoroutineSummary, Group, Hint, HintKind, Severity};

/// A group is dominant from this share of the total, in percent ...
pub const DOMINANT_MIN_SHARE: u64 = 50;
/// ... of a total over this many goroutines: a small program's few
/// goroutines often all share one stack, and that says nothing.
pub const DOMINANT_MIN_TOTAL: u64 = 1_000;

/// The largest group when it holds [`DOMINANT_MIN_SHARE`]% or more of a
/// total over [`DOMINANT_MIN_TOTAL`]. The total is the debug=1 header's
/// when the file has one, since the records may be an excerpt of the dump.
pub(super) fn dominant_group(s: &GoroutineSummary) -> Vec<Hint> {
    let Some((i, g)) = s
        .groups
        .iter()
        .enumerate()
        .max_by_key(|(i, g)| (g.count, std::cmp::Reverse(*i)))
    else {
        return Vec::new();
    };
    let total = s.header_total.filter(|&t| t >= g.count).unwrap_or(s.total);
    if total <= DOMINANT_MIN_TOTAL || g.count.saturating_mul(100) < total * DOMINANT_MIN_SHARE {
        return Vec::new();
    }
    // Two decimals always: pprof's percentage rounds 99.98% up to 100%,
    // which would hide the goroutines outside the group.
    let share = format!("{:.2}%", g.count as f64 * 100.0 / total as f64);
    vec![Hint {
        severity: Severity::Warn,
        kind: HintKind::DominantGroup,
        title: format!(
            "{} of {total} ({share}) in one stack at {}",
            plural(g.count, "goroutine", "goroutines"),
            describe_site(user_function(g))
        ),
        text: format!(
            "{share} of all goroutines wait with the same stack, so this is where they pile up. \
             If this count grows between dumps, it is a leak: take another dump later and open \
             both together as a series, which matches the groups and shows their growth."
        ),
        groups: vec![i as u32],
    }]
}

/// The first frame (leaf to root) outside Go's standard library, else the
/// first outside the runtime and sync: the code that owns the goroutines.
/// Standard packages are those whose first path element has no dot (pprof's
/// own test), `main` aside.
fn user_function(g: &Group) -> Option<&Frame> {
    g.stack
        .iter()
        .find(|f| !f.function.is_empty() && !is_std(&f.function))
        .or_else(|| call_site(g))
}

fn is_std(f: &str) -> bool {
    let p = package_of(f);
    let first = p.split('/').next().unwrap_or(p);
    p != "main" && !first.contains('.')
}

#[cfg(test)]
mod tests {
    use super::super::tests::{group, summary, titles};
    use super::*;

    const COLLY: [&str; 4] = [
        "runtime.gopark",
        "net/http.(*persistConn).roundTrip",
        "github.com/gocolly/colly/v2.(*httpBackend).Do",
        "main.main",
    ];

    #[test]
    fn from_half_of_a_total_over_the_minimum() {
        let half = DOMINANT_MIN_TOTAL / 2 + 1;
        let h = dominant_group(&summary(vec![
            group(half, "", &COLLY),
            group(half, "", &["main.other"]),
        ]));
        assert_eq!(
            titles(&h),
            ["501 goroutines of 1002 (50.00%) in one stack at github.com/gocolly/colly/v2.(*httpBackend).Do (main.go:12)"]
        );
        assert_eq!(
            (h[0].groups.as_slice(), h[0].severity),
            (&[0][..], Severity::Warn)
        );
        // Just under half: nothing.
        assert!(dominant_group(&summary(vec![
            group(499, "", &COLLY),
            group(400, "", &["main.other"]),
            group(102, "", &["main.third"]),
        ]))
        .is_empty());
        let at_min = DOMINANT_MIN_TOTAL / 2;
        assert!(dominant_group(&summary(vec![
            group(at_min, "", &COLLY),
            group(at_min, "", &["main.other"]),
        ]))
        .is_empty());
    }

    #[test]
    fn shares_are_of_the_header_total() {
        let mut s = summary(vec![group(97_908, "", &COLLY), group(3, "", &["main.f"])]);
        s.header_total = Some(97_926);
        let h = dominant_group(&s);
        assert!(
            h[0].title.starts_with("97908 goroutines of 97926 (99.98%)"),
            "{}",
            h[0].title
        );
        // A header below the records (an edited file) is not believed.
        s.header_total = Some(10);
        assert!(dominant_group(&s)[0].title.contains("of 97911 (100.00%)"));
    }

    #[test]
    fn the_user_function_skips_the_standard_library() {
        let g = group(1, "", &["net/http.(*conn).serve", "main.serve"]);
        assert_eq!(user_function(&g).unwrap().function, "main.serve");
        let std_only = group(1, "", &["runtime.gopark", "net.(*netFD).Read"]);
        assert_eq!(
            user_function(&std_only).unwrap().function,
            "net.(*netFD).Read"
        );
    }
}
