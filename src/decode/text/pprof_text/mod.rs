//! What `go tool pprof` prints: `-top` / `-text` tables ([`top`]) and
//! `-traces` ([`traces`]), as pasted from a terminal.
//!
//! A paste may carry more than the report: the command line, `Fetching
//! profile over HTTP ...`, `Saved profile in ...`, the `(pprof) top`
//! prompt. Those lines are read for what they tell (where the profile came
//! from, for the command that fetches it again) and otherwise skipped. The
//! report header (`File:`, `Type:`, `Time:`, `Duration:`, `Showing ...`,
//! `Dropped ...`) is kept as printed.
//!
//! Values are read back from pprof's printed labels
//! ([`crate::measurement::parse_label`]), so they are as exact as the text:
//! `1.75kB` is 1792 bytes whatever the sample held.

pub mod top;
pub mod traces;

use super::trim;
use crate::measurement::parse_label;

/// `flat  flat%   sum%        cum   cum%`, however the paste spaced it.
pub fn is_top_heads(line: &[u8]) -> bool {
    let mut words = trim(line)
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|w| !w.is_empty());
    [&b"flat"[..], b"flat%", b"sum%", b"cum", b"cum%"]
        .iter()
        .all(|w| words.next() == Some(*w))
        && words.next().is_none()
}

/// `-----------+-------...`: the line before each `-traces` sample.
pub fn is_traces_separator(line: &[u8]) -> bool {
    let t = trim(line);
    t.len() >= 20
        && t.starts_with(b"-----------+-")
        && t.iter().filter(|&&b| b != b'-').count() == 1
}

/// What the lines around a report tell about the profile.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    /// `Type:`, the sample type shown.
    pub kind: Option<String>,
    /// `Duration:`, in nanoseconds.
    pub duration_nanos: i64,
    /// Where the profile came from: the last argument of a `go tool pprof`
    /// (or `pprof`) command line, or `Fetching profile over HTTP from URL`.
    pub source: Option<String>,
    /// The report's own header lines, as printed.
    pub header: Vec<String>,
}

impl Meta {
    /// Reads one line above the report; returns whether it was one of
    /// pprof's header lines.
    pub fn read(&mut self, line: &str) -> bool {
        // Without a terminal echoing the command, the report starts on the
        // prompt's line: `(pprof) Showing nodes ...`.
        let line = match line.trim_start().strip_prefix("(pprof)") {
            Some(rest) => rest.trim_start(),
            None => line,
        };
        let t = line.trim();
        if let Some(kind) = t.strip_prefix("Type:") {
            self.kind = Some(kind.trim().to_string());
        } else if let Some(d) = t.strip_prefix("Duration:") {
            let d = d.split(',').next().unwrap_or("").trim();
            if let Some((v, "nanoseconds")) = parse_label(d) {
                self.duration_nanos = v as i64;
            }
        } else if let Some(url) = t.strip_prefix("Fetching profile over HTTP from ") {
            self.source = Some(url.trim().to_string());
            return false;
        } else if let Some(src) = command_source(t) {
            self.source = Some(src);
            return false;
        }
        let header = [
            "File:",
            "Build ID:",
            "Type:",
            "Time:",
            "Duration:",
            "Showing ",
            "Dropped ",
        ]
        .iter()
        .any(|p| t.starts_with(p))
            || t.starts_with("Active filters:")
            || (line.starts_with("   ") && self.in_filters());
        if header {
            self.header.push(line.trim_end().to_string());
        }
        header
    }

    fn in_filters(&self) -> bool {
        self.header.last().is_some_and(|h| {
            h.starts_with("Active filters:") || (h.starts_with("   ") && !h.trim().is_empty())
        })
    }
}

/// The profile a `go tool pprof [flags] SOURCE` (or `pprof ...`) line
/// opened: its last argument that is not a flag.
fn command_source(line: &str) -> Option<String> {
    let line = line.trim_start_matches(['$', '%', '>', ' ']);
    let rest = line
        .strip_prefix("go tool pprof ")
        .or_else(|| line.strip_prefix("pprof "))?;
    rest.split_whitespace()
        .rev()
        .find(|a| !a.starts_with('-'))
        .map(|a| a.trim_matches(['\'', '"']).to_string())
}

/// The sample type a report shows: its `Type:` line, else a guess from the
/// source's path and the values' unit (pprof's default sample type for
/// that kind of profile).
pub fn sample_kind(meta: &Meta, unit: &str) -> String {
    if let Some(k) = &meta.kind {
        return k.clone();
    }
    let src = meta.source.as_deref().unwrap_or("");
    let has = |w: &str| src.contains(w);
    match unit {
        "bytes" if has("allocs") => "alloc_space",
        "bytes" => "inuse_space",
        "nanoseconds" if has("mutex") || has("block") => "delay",
        "nanoseconds" => "cpu",
        _ if has("goroutine") => "goroutine",
        _ if has("threadcreate") => "threadcreate",
        _ if has("mutex") || has("block") => "contentions",
        _ if has("heap") => "inuse_objects",
        _ if has("allocs") => "alloc_objects",
        _ => "samples",
    }
    .to_string()
}

/// The command that fetches the profile itself: `curl` from the URL the
/// report came from, or from the usual `net/http/pprof` path for its
/// sample type; `go tool pprof -proto` for a saved file.
pub fn fetch_command(meta: &Meta, kind: &str) -> String {
    if let Some(src) = &meta.source {
        if src.contains("://") || src.contains("/debug/pprof/") {
            let name = src
                .split('?')
                .next()
                .and_then(|p| p.rsplit('/').find(|s| !s.is_empty()))
                .filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric()))
                .unwrap_or("profile");
            return format!("curl -o {name}.pb.gz '{src}'");
        }
        return format!("go tool pprof -proto {src} > profile.pb.gz");
    }
    let path = match kind {
        "cpu" | "samples" => "profile?seconds=30",
        k if k.starts_with("alloc_") => "allocs",
        k if k.starts_with("inuse_") => "heap",
        "goroutine" => "goroutine",
        "goroutineleak" => "goroutineleak",
        "threadcreate" => "threadcreate",
        "delay" | "contentions" => "mutex",
        _ => return "go tool pprof -proto SOURCE > profile.pb.gz".to_string(),
    };
    let name = path.split('?').next().unwrap_or(path);
    let name = if name == "profile" { "cpu" } else { name };
    format!("curl -o {name}.pb.gz 'http://HOST/debug/pprof/{path}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_heads_and_separators() {
        assert!(is_top_heads(b"      flat  flat%   sum%        cum   cum%"));
        assert!(is_top_heads(b"flat\tflat%\tsum%\tcum\tcum%\r"));
        assert!(!is_top_heads(b"      flat  flat%   sum%        cum"));
        assert!(!is_top_heads(b"flat flat% sum% cum cum% name"));
        assert!(is_traces_separator(
            b"-----------+-------------------------------------------------------"
        ));
        assert!(!is_traces_separator(b"--- mutex:"));
        assert!(!is_traces_separator(b"-----------+----x----------------"));
    }

    #[test]
    fn the_source_and_the_fetch_command() {
        let mut m = Meta::default();
        assert!(!m.read("go tool pprof http://localhost:8002/debug/pprof/heap"));
        assert_eq!(
            fetch_command(&m, "inuse_space"),
            "curl -o heap.pb.gz 'http://localhost:8002/debug/pprof/heap'"
        );
        assert_eq!(sample_kind(&m, "bytes"), "inuse_space");
        let mut m = Meta::default();
        m.read("$ go tool pprof -top -nodecount=20 cpu.pb.gz");
        assert_eq!(
            fetch_command(&m, "cpu"),
            "go tool pprof -proto cpu.pb.gz > profile.pb.gz"
        );
        let m = Meta::default();
        assert_eq!(
            fetch_command(&m, "cpu"),
            "curl -o cpu.pb.gz 'http://HOST/debug/pprof/profile?seconds=30'"
        );
        assert_eq!(sample_kind(&m, "nanoseconds"), "cpu");
    }

    #[test]
    fn header_lines_are_kept_as_printed() {
        let mut m = Meta::default();
        for l in [
            "File: cpu_regexp_json",
            "Type: cpu",
            "Duration: 3.14s, Total samples = 5.78s (184.02%)",
            "Entering interactive mode (type \"help\" for commands, \"o\" for options)",
            "(pprof) top",
            "Active filters:",
            "   focus=regexp",
            "Showing nodes accounting for 5.12s, 88.58% of 5.78s total",
        ] {
            m.read(l);
        }
        assert_eq!(m.kind.as_deref(), Some("cpu"));
        assert_eq!(m.duration_nanos, 3_140_000_000);
        assert_eq!(m.header.len(), 6, "{:?}", m.header);
    }
}
