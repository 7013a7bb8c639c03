//! `debug=1` count profiles (`goroutine profile: total N`, `threadcreate
//! profile: total N`) and the record syntax shared with the legacy heap and
//! contention profiles (fields of `#` lines are tab-separated):
//!
//! ```text
//! 200 @ 0x4397d6 0x40657b 0x663645 0x4665a1
//! # labels: {"pool":"ingest"}
//! #    0x663644    main.poolWorker+0x64    corpusgen/main.go:38
//! ```
//!
//! Stacks come from the `#` lines, which carry real addresses (the return
//! address minus one) and the symbol, file and line; consecutive `#` lines
//! with the same address are inlined frames of one location, innermost
//! first. Go hides the leading `runtime.` frames and `runtime.goexit` from the
//! `#` lines, so those addresses of the `@` list have no symbol; they are
//! left out of the stack rather than shown as bare hex. A record with no `#`
//! frame at all (an unsymbolised profile) keeps its `@` addresses as
//! address-only locations, each adjusted by -1, the leaf too, as Go 1.27's
//! pprof does for these formats (`parseGoCount`, `parseHeap`,
//! `parseContention`; its threadz and CPU parsers spare the leaf).
//! The empty-stack group (`43 @` then `#\t0x0`) is a sample with no stack.
//! A memory map after the records (`--- Memory map: ---`) gives addresses
//! their binaries, as in pprof's `parseGoCount`.

use super::labels::parse_set;
use super::{
    is_space, parse_hex, parse_u64, split_file_line, trim, trim_start, Lines, Sink, Ticker,
};
use crate::decode::{memory_map, DecodeError, Progress, Result};
use crate::model::{FuncId, Goroutine, Label, LocId, Profile, SourceFormat, StackId, StrId};

/// Parses `<name> profile: total N` (pprof's `\w+ profile: total \d+`).
pub fn parse_count_header(line: &[u8]) -> Option<(&[u8], u64)> {
    let n = line
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    if n == 0 {
        return None;
    }
    let rest = line[n..].strip_prefix(b" profile: total ")?;
    Some((&line[..n], parse_u64(trim(rest))?))
}

/// Parses a record line `N @ 0x.. 0x..` (or `N @` for an empty stack) into
/// the count and the address text.
pub fn parse_count_record(line: &[u8]) -> Option<(i64, &[u8])> {
    let digits = line.iter().take_while(|b| b.is_ascii_digit()).count();
    let count = i64::try_from(parse_u64(&line[..digits])?).ok()?;
    let rest = trim_start(&line[digits..]).strip_prefix(b"@")?;
    Some((count, rest))
}

/// A `#` line with a frame: `#\t0x663644\tmain.poolWorker+0x64\tfile.go:38`
/// gives (address, function, file, line); `#\t0x0` gives an address with an
/// empty function. Spaces are accepted where Go prints tabs.
pub fn parse_hash_frame(line: &[u8]) -> Option<(u64, &[u8], &[u8], i64)> {
    let rest = trim_start(line.strip_prefix(b"#")?);
    let end = rest.iter().position(|&b| is_space(b)).unwrap_or(rest.len());
    let addr = parse_hex(&rest[..end])?;
    let rest = trim(&rest[end..]);
    if rest.is_empty() {
        return Some((addr, b"", b"", 0));
    }
    let end = rest.iter().position(|&b| is_space(b)).unwrap_or(rest.len());
    let tok = &rest[..end];
    let name = match tok.windows(3).rposition(|w| w == b"+0x") {
        Some(i) if i > 0 => &tok[..i],
        _ => tok,
    };
    let loc = trim(&rest[end..]);
    let (file, lineno) = split_file_line(loc).unwrap_or((loc, 0));
    Some((addr, name, file, lineno))
}

/// Parses `# labels: {"k":"v", "k2":"v2"}` (Go `%q` strings).
pub fn parse_labels(line: &[u8]) -> Option<Vec<(String, String)>> {
    let rest = trim_start(line.strip_prefix(b"#")?).strip_prefix(b"labels:")?;
    let (kvs, tail) = parse_set(trim(rest))?;
    trim(tail).is_empty().then_some(kvs)
}

/// One frame from a `#` line.
#[derive(Clone, Copy)]
struct Frame<'a> {
    addr: u64,
    name: &'a [u8],
    file: &'a [u8],
    line: i64,
}

/// A record being read: its `@` addresses, `#` frames and labels. Buffers
/// are reused across records.
#[derive(Default)]
pub(crate) struct Record<'a> {
    frames: Vec<Frame<'a>>,
    addrs: Vec<u64>,
    pub(crate) labels: Vec<Label>,
    lines_buf: Vec<(FuncId, i64)>,
    locs_buf: Vec<LocId>,
    pub(crate) line: u32,
    pub(crate) active: bool,
}

impl<'a> Record<'a> {
    /// Starts a record from the address text after `@`; `false` if an
    /// address is not hex (the record still starts, without those).
    pub(crate) fn start(&mut self, line: u32, addrs: &[u8]) -> bool {
        self.frames.clear();
        self.addrs.clear();
        self.labels.clear();
        self.line = line;
        self.active = true;
        let mut ok = true;
        for tok in addrs.split(|&b| is_space(b)).filter(|t| !t.is_empty()) {
            match parse_hex(tok) {
                Some(a) => self.addrs.push(a),
                None => ok = false,
            }
        }
        ok
    }

    /// Takes a `#` line of the current record: a frame or labels. Other
    /// comment lines are ignored.
    pub(crate) fn hash_line(&mut self, sink: &mut Sink, n: u32, line: &'a [u8]) {
        if let Some((addr, name, file, lineno)) = parse_hash_frame(line) {
            self.frames.push(Frame {
                addr,
                name,
                file,
                line: lineno,
            });
        } else if trim_start(&line[1..]).starts_with(b"labels:") {
            match parse_labels(line) {
                Some(kvs) => {
                    for (k, v) in kvs {
                        let key = sink.p.strings.intern(&k);
                        let value = sink.p.strings.intern(&v);
                        self.labels.push(Label {
                            key,
                            str: Some(value),
                            num: 0,
                            num_unit: StrId(0),
                        });
                    }
                }
                None => sink.p.warn(
                    Some(n),
                    None,
                    "could not read this `# labels:` line; labels skipped",
                ),
            }
        }
    }

    /// The record's stack (see the module docs for which frames it holds).
    pub(crate) fn build_stack(&mut self, sink: &mut Sink) -> Option<StackId> {
        self.locs_buf.clear();
        let mut i = 0;
        while i < self.frames.len() {
            let f = self.frames[i];
            let mut j = i + 1;
            while j < self.frames.len()
                && self.frames[j].addr == f.addr
                && !self.frames[j].name.is_empty()
            {
                j += 1;
            }
            if f.name.is_empty() {
                if f.addr != 0 {
                    let loc = sink.addr_loc(f.addr, &[]);
                    self.locs_buf.push(loc);
                }
            } else {
                let loc = match sink.addr_loc_existing(f.addr) {
                    Some(loc) => loc,
                    None => {
                        self.lines_buf.clear();
                        for g in &self.frames[i..j] {
                            let func = sink.func(g.name, g.file);
                            self.lines_buf.push((func, g.line));
                        }
                        sink.addr_loc(f.addr, &self.lines_buf)
                    }
                };
                self.locs_buf.push(loc);
            }
            i = j;
        }
        let symbolised = self.frames.iter().any(|f| f.addr != 0);
        if !symbolised {
            for &a in &self.addrs {
                let loc = sink.addr_loc(a.wrapping_sub(1), &[]);
                self.locs_buf.push(loc);
            }
        }
        sink.stacks.push_leaf_first(&self.locs_buf)
    }
}

/// Decodes a count profile; the caller has checked that a header exists.
pub fn decode(bytes: &[u8], progress: &mut dyn Progress) -> Result<Profile> {
    let mut lines = Lines::new(bytes);
    let (header_line, name, total) = loop {
        let Some((n, _, line)) = lines.next() else {
            return Err(DecodeError::Unrecognized {
                detail: "no `<name> profile: total N` line".into(),
            });
        };
        if let Some((name, total)) = parse_count_header(line) {
            break (n, name, total);
        }
    };
    let format = if name == b"threadcreate" {
        SourceFormat::LegacyThreadcreate
    } else {
        SourceFormat::GoroutineGrouped
    };
    let mut sink = Sink::new(format);
    sink.p.goroutines.leak_profile = name == b"goroutineleak";
    sink.p.goroutines.header_total = Some(total);
    let kind = String::from_utf8_lossy(name).into_owned();
    let vt = sink.value_type(&kind, "count");
    sink.p.sample_types.push(vt);
    sink.p.period_type = Some(vt);
    sink.p.period = 1;

    let mut rec = Record::default();
    let mut count = 0i64;
    let mut sum = 0i64;
    let mut ticker = Ticker::new(bytes.len());
    // Where a `---` line ended the records: a memory map may follow.
    let mut map_from = None;
    let finish = |sink: &mut Sink, rec: &mut Record<'_>, count: i64| {
        if !rec.active {
            return;
        }
        rec.active = false;
        let stack = rec.build_stack(sink);
        let labels = std::mem::take(&mut rec.labels);
        let set = sink.push_sample(stack, &[count], &labels);
        rec.labels = labels;
        // debug=1 groups carry no state, wait time or creator.
        sink.p.goroutines.rows.push(Goroutine {
            line: rec.line,
            labels: set,
            ..Goroutine::default()
        });
    };
    for (n, offset, line) in lines {
        ticker.tick(offset, progress)?;
        let t = trim(line);
        if t.is_empty() {
            continue;
        }
        if t[0] == b'#' {
            if rec.active {
                rec.hash_line(&mut sink, n, t);
            }
            continue;
        }
        if t.starts_with(b"---") {
            map_from = Some(offset);
            break;
        }
        if let Some((c, addrs)) = parse_count_record(t) {
            finish(&mut sink, &mut rec, count);
            if !rec.start(n, addrs) {
                sink.p.warn(
                    Some(n),
                    None,
                    "an address in this record is not hex; it was left out",
                );
            }
            count = c;
            sum = sum.saturating_add(c);
            continue;
        }
        if parse_count_header(t).is_some() {
            sink.p.warn(
                Some(n),
                None,
                "a second profile starts here; only the first one was read",
            );
            break;
        }
        finish(&mut sink, &mut rec, count);
        sink.p.warn(
            Some(n),
            None,
            "not a `N @ 0x...` record or `#` line; skipped",
        );
    }
    finish(&mut sink, &mut rec, count);
    if u64::try_from(sum).ok() != Some(total) {
        sink.p.warn(
            Some(header_line),
            None,
            format!("the header says total {total} but the records add up to {sum} (truncated or edited?)"),
        );
    }
    let mut profile = sink.finish();
    if let Some(at) = map_from {
        memory_map::attach_section(&mut profile, bytes, at);
    }
    Ok(profile)
}
