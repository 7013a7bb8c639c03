//! `go tool pprof -traces` output: after the header, one block per sample,
//! each opened by a `-----------+---...` line:
//!
//! ```text
//! -----------+-------------------------------------------------------
//!      phase:  json
//!      bytes:  1.75kB
//!       10ms   regexp.(*Regexp).tryBacktrack
//!              regexp.(*Regexp).backtrack (inline)
//!              main.worker
//! ```
//!
//! Label lines (`key:  value ...`, keys right-aligned) come first; the
//! first frame line carries the sample's value; frames are leaf first. A
//! frame marked `(inline)` was inlined into the frame below it, so the two
//! share one location, as in the profile pprof read. A label whose every
//! value carries a unit (`bytes:  1.75kB`) is numeric; others are strings.

use hashbrown::HashMap;

use super::{is_traces_separator, sample_kind, Meta};
use crate::decode::text::{lossy, Lines, Sink};
use crate::decode::{DecodeError, Result};
use crate::measurement::parse_label;
use crate::model::{FuncId, Label, Line, LocId, Location, Profile, SourceFormat};

/// One block being read.
#[derive(Default)]
struct Block {
    line: u32,
    labels: Vec<(String, String)>,
    value: Option<(f64, &'static str)>,
    /// Frames leaf first, with whether each was inlined into the next.
    frames: Vec<(String, bool)>,
}

/// `key:  v1 v2` (or `key:  [v1 v2]`) before the first frame.
fn parse_label_line(line: &str) -> Option<(String, String)> {
    let t = line.trim();
    let (key, value) = t.split_once(':')?;
    if key.is_empty() || key.contains(char::is_whitespace) || !value.starts_with("  ") {
        return None;
    }
    let value = value.trim();
    let value = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    Some((key.to_string(), value.to_string()))
}

fn frame_name(s: &str) -> (String, bool) {
    let s = s.trim();
    match s.strip_suffix(" (inline)") {
        Some(n) => (n.trim_end().to_string(), true),
        None => (s.to_string(), false),
    }
}

/// Decodes `-traces` output.
pub fn decode(bytes: &[u8]) -> Result<Profile> {
    let mut meta = Meta::default();
    let mut blocks: Vec<Block> = Vec::new();
    let mut cur: Option<Block> = None;
    for (n, _, raw) in Lines::new(bytes) {
        if is_traces_separator(raw) {
            if let Some(b) = cur.take() {
                blocks.push(b);
            }
            cur = Some(Block {
                line: n,
                ..Block::default()
            });
            continue;
        }
        let line = lossy(raw);
        let Some(b) = cur.as_mut() else {
            meta.read(&line);
            continue;
        };
        if line.trim().is_empty() || line.trim_start().starts_with("(pprof)") {
            // The paste goes on past the report.
            blocks.push(cur.take().expect("a block is open"));
            continue;
        }
        if b.value.is_none() {
            if let Some(l) = parse_label_line(&line) {
                b.labels.push(l);
                continue;
            }
            let t = line.trim_start();
            let end = t.find([' ', '\t']).unwrap_or(t.len());
            let value = parse_label(&t[..end]).ok_or_else(|| DecodeError::Text {
                line: n,
                message: "a -traces sample should start with its value and leaf function".into(),
            })?;
            b.value = Some(value);
            b.frames.push(frame_name(&t[end..]));
        } else {
            b.frames.push(frame_name(&line));
        }
    }
    blocks.extend(cur);
    blocks.retain(|b| !(b.value.is_none() && b.labels.is_empty()));
    if blocks.is_empty() {
        return Err(DecodeError::Text {
            line: 1,
            message: "go tool pprof -traces output without samples".into(),
        });
    }
    if let Some(b) = blocks
        .iter()
        .find(|b| b.value.is_none() || b.frames.iter().any(|f| f.0.is_empty()))
    {
        return Err(DecodeError::Text {
            line: b.line,
            message: "a -traces sample without its value and stack".into(),
        });
    }
    let unit = blocks
        .iter()
        .filter_map(|b| b.value.map(|v| v.1))
        .find(|&u| u != "count")
        .unwrap_or("count");
    if let Some(b) = blocks.iter().find(|b| {
        b.value
            .is_some_and(|(v, u)| u != unit && !(u == "count" && v == 0.0))
    }) {
        return Err(DecodeError::Text {
            line: b.line,
            message: format!("a -traces sample in another unit than {unit}"),
        });
    }
    let kind = sample_kind(&meta, unit);
    let mut sink = Sink::new(SourceFormat::PprofTraces);
    let vt = sink.value_type(&kind, unit);
    sink.p.sample_types.push(vt);
    sink.p.duration_nanos = meta.duration_nanos;
    let mut locs: HashMap<Vec<(FuncId, i64)>, LocId> = HashMap::new();
    for b in &blocks {
        let mut stack_locs = Vec::new();
        let mut lines: Vec<(FuncId, i64)> = Vec::new();
        for (name, inlined) in &b.frames {
            lines.push((sink.func(name.as_bytes(), b""), 0));
            if !inlined {
                stack_locs.push(location(&mut sink, &mut locs, std::mem::take(&mut lines)));
            }
        }
        if !lines.is_empty() {
            stack_locs.push(location(&mut sink, &mut locs, lines));
        }
        let stack = sink.stacks.push_leaf_first(&stack_locs);
        let labels: Vec<Label> = b
            .labels
            .iter()
            .flat_map(|(k, v)| label_values(&mut sink, k, v))
            .collect();
        let value = b.value.map_or(0.0, |v| v.0).round() as i64;
        sink.push_sample(stack, &[value], &labels);
    }
    Ok(sink.finish())
}

/// The labels of one `key:  values` line.
fn label_values(sink: &mut Sink, key: &str, value: &str) -> Vec<Label> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    let nums: Option<Vec<(f64, &str)>> = parts
        .iter()
        .map(|p| parse_label(p).filter(|(_, u)| *u != "count"))
        .collect();
    match nums {
        Some(nums) if !nums.is_empty() => nums
            .into_iter()
            .map(|(v, u)| sink.num_label(key, v.round() as i64, u))
            .collect(),
        _ => {
            let k = sink.intern(key.as_bytes());
            let s = sink.intern(value.as_bytes());
            let empty = sink.intern(b"");
            vec![Label {
                key: k,
                str: Some(s),
                num: 0,
                num_unit: empty,
            }]
        }
    }
}

/// The location holding `lines` (innermost first), made once.
fn location(
    sink: &mut Sink,
    locs: &mut HashMap<Vec<(FuncId, i64)>, LocId>,
    lines: Vec<(FuncId, i64)>,
) -> LocId {
    if let Some(&id) = locs.get(&lines) {
        return id;
    }
    let start = sink.p.lines.len() as u32;
    for &(func, line) in &lines {
        sink.p.lines.push(Line {
            func,
            line,
            column: 0,
        });
    }
    let id = LocId(sink.p.locations.len() as u32);
    sink.p.locations.push(Location {
        source_id: 0,
        mapping: None,
        address: 0,
        lines_start: start,
        lines_end: sink.p.lines.len() as u32,
        is_folded: false,
    });
    locs.insert(lines, id);
    id
}
