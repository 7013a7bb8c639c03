//! Readable goldens for the goroutine summary: every dump in
//! `tests/data/goroutines/` is decoded, summarised and written out as text,
//! which must equal `results/<dump>.summary.txt`. A text diff shows which
//! count, group or hint moved. When a change is intended, re-bless with
//! `PPROF_LENS_BLESS=1 cargo test --test goroutine_golden` and read the diff.
//!
//! The rendering lives here, not in `src/view`: it is a test aid that shows
//! every field, ids and group numbers included, which is more than a user
//! wants to copy, and no screen offers such a copy today.

use std::fmt::Write as _;
use std::path::Path;

use pprof_lens::analysis::goroutines::{summarize, GoroutineOptions, GoroutineSummary, Group};

mod support;

const DATA: &str = "tests/data/goroutines";

/// Frames listed per group, leaf first; deeper stacks end with a count.
const TOP_FRAMES: usize = 8;

/// The dumps, relative to the crate root.
fn dumps() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DATA);
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/data/goroutines")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "txt"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v.into_iter().map(|name| format!("{DATA}/{name}")).collect()
}

fn result_path(dump: &str) -> String {
    let (dir, name) = dump.rsplit_once('/').unwrap();
    format!("{dir}/results/{name}.summary.txt")
}

fn render(s: &GoroutineSummary) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "total: {} goroutines", s.total);
    if s.leak_profile || s.leaked > 0 {
        let _ = writeln!(
            o,
            "leaked: {} (goroutine leak profile: {})",
            s.leaked, s.leak_profile
        );
    }
    if let Some(p) = &s.partial {
        let _ = writeln!(o, "partial: shows {p}");
    }
    match &s.state_note {
        Some(note) => {
            let _ = writeln!(o, "states: {note}");
        }
        None => {
            let _ = writeln!(o, "states:");
            for c in &s.states {
                let _ = writeln!(o, "  {:>6}  {}", c.count, c.state);
            }
        }
    }
    render_waits(&mut o, s);
    let _ = writeln!(o, "locked to thread: {}", s.locked_to_thread);

    let _ = writeln!(o, "\npanics: {}", s.panics.len());
    for p in &s.panics {
        let _ = writeln!(
            o,
            "  {:?} in goroutine {}, group {}: {:?}",
            p.kind,
            opt(p.goroutine),
            opt(p.group.map(|g| format!("#{g}"))),
            p.message
        );
    }

    let _ = writeln!(o, "\ngroups: {}", s.groups.len());
    for (i, g) in s.groups.iter().enumerate() {
        render_group(&mut o, i, g);
    }

    let _ = writeln!(o, "\nhints: {}", s.hints.len());
    for h in &s.hints {
        let groups: Vec<String> = h.groups.iter().map(|g| format!("#{g}")).collect();
        let _ = writeln!(
            o,
            "  [{}] {:?}: {}\n    groups {}\n    {}",
            format!("{:?}", h.severity).to_lowercase(),
            h.kind,
            h.title,
            groups.join(" "),
            h.text
        );
    }
    o
}

fn render_waits(o: &mut String, s: &GoroutineSummary) {
    let w = &s.wait_histogram;
    if w.rows.is_empty() {
        return;
    }
    let width = w.rows.iter().map(|r| r.state.len()).max().unwrap_or(0);
    let _ = write!(o, "waits:\n  {:width$}", "");
    for b in &w.buckets {
        let _ = write!(o, "  {b:>9}");
    }
    o.push('\n');
    for r in &w.rows {
        let _ = write!(o, "  {:width$}", r.state);
        for c in &r.counts {
            let _ = write!(o, "  {c:>9}");
        }
        o.push('\n');
    }
}

fn render_group(o: &mut String, i: usize, g: &Group) {
    let state = if g.state.is_empty() {
        "(no state)"
    } else {
        &g.state
    };
    let _ = write!(o, "  #{i} {state}: {}", g.count);
    if g.panicking {
        o.push_str(", panicking");
    }
    if g.leaked > 0 {
        let _ = write!(o, ", {} leaked", g.leaked);
    }
    if g.durable > 0 {
        let _ = write!(o, ", {} durable", g.durable);
    }
    o.push('\n');
    if g.labels_vary {
        let _ = writeln!(o, "    labels vary");
    }
    let waits = match (g.min_wait_minutes, g.max_wait_minutes) {
        (Some(lo), Some(hi)) if lo == hi => format!("{lo} min"),
        (Some(lo), Some(hi)) => format!("{lo}-{hi} min"),
        _ => "-".to_string(),
    };
    let _ = writeln!(
        o,
        "    wait {waits}, {} with none shown, {} locked to thread",
        g.no_wait_shown, g.locked_to_thread
    );
    if !g.goroutine_ids.is_empty() {
        let ids: Vec<String> = g.goroutine_ids.iter().map(|id| id.to_string()).collect();
        let _ = writeln!(o, "    ids {}", ids.join(" "));
    }
    if let Some(f) = &g.created_by {
        let _ = write!(o, "    created by {f} at {}", opt(g.created_at.as_ref()));
        if let Some(id) = g.creator_goroutine {
            let _ = write!(o, " in goroutine {id}");
        }
        o.push('\n');
    }
    if !g.labels.is_empty() {
        let _ = writeln!(o, "    labels {}", g.labels.join(" "));
    }
    for f in g.stack.iter().take(TOP_FRAMES) {
        let inlined = if f.inlined { " (inlined)" } else { "" };
        let _ = writeln!(
            o,
            "    | {}({}) {}:{}{inlined}",
            f.function, f.args, f.file, f.line
        );
    }
    if g.stack.len() > TOP_FRAMES {
        let _ = writeln!(o, "    | ... {} more", g.stack.len() - TOP_FRAMES);
    }
    if g.frames_elided {
        let _ = writeln!(o, "    | ...additional frames elided...");
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or("-".to_string(), |v| v.to_string())
}

#[test]
fn summaries_read_as_blessed() {
    let dumps = dumps();
    assert!(dumps.len() >= 2, "fixtures in {DATA}: {dumps:?}");
    for dump in &dumps {
        let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(dump)).unwrap();
        let p = pprof_lens::decode::decode(&bytes).unwrap_or_else(|e| panic!("{dump}: {e}"));
        let got = render(&summarize(&p, &GoroutineOptions::default()));
        support::check_golden(&result_path(dump), &got);
    }
}
