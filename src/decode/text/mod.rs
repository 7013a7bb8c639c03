//! Text formats: goroutine dumps, tracebacks and the legacy text profiles.
//!
//! * [`dump`]: `debug=2` goroutine dumps and panic / fatal error tracebacks
//!   (`goroutine N [state]:` blocks), wherever they sit in a log;
//! * [`grouped`]: `debug=1` count profiles (`goroutine profile: total N`,
//!   `threadcreate profile: total N`) and the `N @ 0x...` / `#\t0x...` record
//!   syntax they share with the legacy heap and contention profiles;
//! * [`legacy`]: `heap profile: ...` (heap, growth) and `--- mutex:` /
//!   `--- contention...`;
//! * [`threads`]: `--- threadz 1 ---`;
//! * [`java`]: Java's `--- heapz 1 ---` and `--- contentionz 1 ---`;
//! * [`pprof_text`]: what `go tool pprof` prints, `-top` / `-text` tables
//!   and `-traces`, pasted from a terminal.
//!
//! Detection is by content: the first line that starts one of these formats
//! decides ([`detect`]); text with none of them is
//! [`DecodeError::Unrecognized`] so the caller can say "not a Go profile".
//!
//! All parsing is hand-written over bytes, line by line, in one pass and
//! without recursion, so the cost is linear in the input whatever it holds.
//! Invalid UTF-8 is replaced (lossy) only where a string is kept; CR before LF
//! is dropped; tabs turned into spaces by a paste are accepted wherever Go
//! prints a tab.

pub mod dump;
pub mod frame_lines;
pub mod grouped;
pub mod header;
pub mod java;
pub mod labels;
pub mod legacy;
pub mod pprof_text;
pub mod threads;
mod tracebacks;

use hashbrown::HashMap;

use super::{DecodeError, DecodeOptions, Progress, Result, Stage};
use crate::model::{
    FuncId, Function, Label, LabelSetId, Line, LocId, Location, PanicKind, Profile, SourceFormat,
    StackBuilder, StackId, StrId, ValueType,
};

/// Whether the bytes could be text (cheap; looks at the first 4 KiB).
///
/// Binary protobuf is full of small varints and tags (`08`, `10`, `12`, ...),
/// so it has many control bytes; text has almost none. A few stray ones (a
/// terminal escape, a form feed) are tolerated; a NUL byte never is.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    if head.is_empty() {
        return false;
    }
    let mut odd = 0usize;
    for &b in head {
        if b == 0 {
            return false;
        }
        if b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t') {
            odd += 1;
        }
    }
    // At most 1 in 128 bytes; and a file must not start with one (pprof
    // protobuf starts with a field tag such as 0x0a then a length).
    let first_ok = head[0] >= 0x20 || matches!(head[0], b'\n' | b'\r' | b'\t');
    first_ok && odd * 128 <= head.len()
}

/// Which text format a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextKind {
    /// `goroutine N [state]:` blocks (debug=2, tracebacks), or a panic or
    /// fatal error whose traceback shows no goroutine.
    Dump,
    /// `<name> profile: total N` (debug=1 goroutine, goroutineleak,
    /// threadcreate, ...).
    Count,
    /// `heap profile: A: B [C: D] @ heap/R`.
    Heap,
    /// `--- mutex:` / `--- contention:` / `--- contentionz 1 ---`.
    Contention,
    /// `--- threadz 1 ---` or a first `--- Thread ... stack: ---`.
    Threads,
    /// Java's `--- heapz 1 ---` (Java's `--- contentionz 1 ---` is told
    /// from C++'s by its attributes, see [`decode`]).
    JavaHeap,
    /// `go tool pprof -top` / `-text`: the `flat flat% sum% cum cum%` heads.
    PprofTop,
    /// `go tool pprof -traces`: a `-----------+---` line.
    PprofTraces,
}

/// Finds the first line that starts a supported text format.
///
/// A `panic:`, `fatal error:` or signal line starts a traceback even when no
/// goroutine follows (`GOTRACEBACK=none` prints none, and Go's default prints
/// only the running goroutine, which a paste may leave out), but only once
/// it is clearly Go's: its message or a continuation line is one only Go
/// writes ([`dump::is_go_panic_message`], [`dump::is_go_panic_continuation`]),
/// or what follows the message (blank lines skipped) is the end of the input
/// or what `go run` / `go test` print after a crash. Log lines that merely
/// start with `panic:` stay unrecognised.
pub fn detect(bytes: &[u8]) -> Option<TextKind> {
    let (kind, _) = detect_lines(bytes);
    kind
}

/// What [`detect`] says of the whole text, judged from its first bytes
/// alone: `Some` only when a line decides it, so that no later line could
/// change the answer. `head` may end inside a line.
pub fn detect_prefix(head: &[u8]) -> Option<TextKind> {
    let end = head.iter().rposition(|&b| b == b'\n')?;
    match detect_lines(&head[..=end]) {
        (kind, true) => kind,
        (_, false) => None,
    }
}

/// The kind, and whether a line decided it (rather than the end of the
/// input).
fn detect_lines(bytes: &[u8]) -> (Option<TextKind>, bool) {
    // Inside a message not yet known to be Go's: its kind. A signal report
    // is Go's only once its `PC=` line follows.
    let mut in_panic: Option<PanicKind> = None;
    for (_, _, line) in Lines::new(bytes) {
        if let Some(kind) = in_panic {
            if dump::continues_panic(line) {
                if dump::is_go_panic_continuation(line) {
                    return (Some(TextKind::Dump), true);
                }
                continue;
            }
            if trim(line).is_empty() {
                continue;
            }
            if kind != PanicKind::Signal && ends_crash_output(line) {
                return (Some(TextKind::Dump), true);
            }
            in_panic = None;
        }
        if let Some(kind) = classify_start(line) {
            return (Some(kind), true);
        }
        if let Some((kind, msg)) = dump::parse_panic_start(line) {
            if kind != PanicKind::Signal && dump::is_go_panic_message(msg) {
                return (Some(TextKind::Dump), true);
            }
            in_panic = Some(kind);
        }
    }
    // The input ends with the message, as `GOTRACEBACK=none` leaves it.
    let kind = in_panic
        .filter(|&k| k != PanicKind::Signal)
        .map(|_| TextKind::Dump);
    (kind, false)
}

/// Lines `go run` and `go test` print after a crashed program's output.
fn ends_crash_output(line: &[u8]) -> bool {
    line.starts_with(b"exit status ") || line.starts_with(b"FAIL") || line.starts_with(b"--- FAIL")
}

fn classify_start(line: &[u8]) -> Option<TextKind> {
    match line.first()? {
        b'g' if line.starts_with(b"goroutine ") && dump::parse_header(line).is_some() => {
            Some(TextKind::Dump)
        }
        b'h' if line.starts_with(b"heap profile:") => Some(TextKind::Heap),
        b'-' if pprof_text::is_traces_separator(line) => Some(TextKind::PprofTraces),
        b'-' if legacy::is_contention_header(line) => Some(TextKind::Contention),
        b'-' if java::is_heapz_header(line) => Some(TextKind::JavaHeap),
        b'-' if threads::is_threadz_header(line) || threads::is_thread_start(line) => {
            Some(TextKind::Threads)
        }
        b'a'..=b'z' | b'A'..=b'Z' if grouped::parse_count_header(line).is_some() => {
            Some(TextKind::Count)
        }
        b' ' | b'\t' | b'f' if pprof_text::is_top_heads(line) => Some(TextKind::PprofTop),
        _ => None,
    }
}

/// Decodes a goroutine dump, traceback or legacy text profile.
pub fn decode(bytes: &[u8], opts: &DecodeOptions, progress: &mut dyn Progress) -> Result<Profile> {
    match detect(bytes) {
        Some(TextKind::Dump) => dump::decode(bytes, opts.max_goroutines, opts.dump_piece, progress),
        Some(TextKind::Count) => grouped::decode(bytes, progress),
        Some(TextKind::Heap) => legacy::decode_heap(bytes, progress),
        Some(TextKind::Contention) if java::is_java_contention(bytes) => {
            java::decode(bytes, progress)
        }
        Some(TextKind::Contention) => legacy::decode_contention(bytes, progress),
        Some(TextKind::JavaHeap) => java::decode(bytes, progress),
        Some(TextKind::Threads) => threads::decode(bytes, progress),
        Some(TextKind::PprofTop) => pprof_text::top::decode(bytes),
        Some(TextKind::PprofTraces) => pprof_text::traces::decode(bytes),
        None => Err(DecodeError::Unrecognized {
            detail: "text without a goroutine header (`goroutine N [state]:`), a Go panic or fatal error, \
                     a `goroutine profile: total N` line, a `heap profile:` line, a `--- mutex:` / `--- contention:` line \
                     a `--- threadz` line, or go tool pprof -top/-text/-traces output"
                .into(),
        }),
    }
}

/// Lines of a byte buffer: `(1-based line number, byte offset, line)`, the
/// line without its `\n` and without one trailing `\r`.
pub(crate) struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u32,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Lines {
            bytes,
            pos: 0,
            line: 0,
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (u32, usize, &'a [u8]);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let start = self.pos;
        let rest = &self.bytes[start..];
        let (mut line, next) = match find_newline(rest) {
            Some(i) => (&rest[..i], start + i + 1),
            None => (rest, self.bytes.len()),
        };
        if let [head @ .., b'\r'] = line {
            line = head;
        }
        self.pos = next;
        self.line = self.line.saturating_add(1);
        Some((self.line, start, line))
    }
}

/// Position of the first `\n`, eight bytes at a time (the classic "has a
/// zero byte" bit trick; the lowest flagged byte is always a true match).
#[inline]
fn find_newline(h: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const NL: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    let mut i = 0;
    while i + 8 <= h.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&h[i..i + 8]);
        let x = u64::from_le_bytes(w) ^ NL;
        let t = x.wrapping_sub(LO) & !x & HI;
        if t != 0 {
            return Some(i + (t.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    h[i..].iter().position(|&b| b == b'\n').map(|p| p + i)
}

/// Reports progress every megabyte; `Err(Cancelled)` if the caller says stop.
pub(crate) struct Ticker {
    next: usize,
    total: u64,
}

impl Ticker {
    const STEP: usize = 1 << 20;

    pub(crate) fn new(total: usize) -> Self {
        Ticker {
            next: Self::STEP,
            total: total as u64,
        }
    }

    #[inline]
    pub(crate) fn tick(&mut self, offset: usize, progress: &mut dyn Progress) -> Result<()> {
        if offset >= self.next {
            self.next = offset + Self::STEP;
            if !progress.report(Stage::Decoding, offset as u64, self.total) {
                return Err(DecodeError::Cancelled);
            }
        }
        Ok(())
    }
}

#[inline]
pub(crate) fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

#[inline]
pub(crate) fn trim(s: &[u8]) -> &[u8] {
    trim_end(trim_start(s))
}

#[inline]
pub(crate) fn trim_start(mut s: &[u8]) -> &[u8] {
    while let [b, rest @ ..] = s {
        if is_space(*b) {
            s = rest;
        } else {
            break;
        }
    }
    s
}

#[inline]
pub(crate) fn trim_end(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b] = s {
        if is_space(*b) || *b == b'\r' {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// Parses an unsigned decimal; `None` if empty, not all digits, or too big.
pub(crate) fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(v)
}

/// Parses an optionally negative decimal.
pub(crate) fn parse_i64(s: &[u8]) -> Option<i64> {
    match s {
        [b'-', rest @ ..] => parse_u64(rest)
            .and_then(|v| i64::try_from(v).ok())
            .map(|v| -v),
        _ => parse_u64(s).and_then(|v| i64::try_from(v).ok()),
    }
}

/// Parses `0x` followed by hex digits.
pub(crate) fn parse_hex(s: &[u8]) -> Option<u64> {
    let digits = s.strip_prefix(b"0x").or_else(|| s.strip_prefix(b"0X"))?;
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in digits {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return None,
        };
        v = (v << 4) | u64::from(d);
    }
    Some(v)
}

/// Splits `file:line` at its last colon; `None` unless the part after it is a
/// line number.
pub(crate) fn split_file_line(s: &[u8]) -> Option<(&[u8], i64)> {
    let colon = s.iter().rposition(|&b| b == b':')?;
    let line = parse_u64(&s[colon + 1..])?;
    Some((&s[..colon], i64::try_from(line).ok()?))
}

/// The text of a byte string, with invalid UTF-8 replaced.
pub(crate) fn lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

/// Builds the model while decoding: interns strings, functions and
/// locations, and the stack table.
pub(crate) struct Sink {
    pub(crate) p: Profile,
    pub(crate) stacks: StackBuilder,
    funcs: HashMap<(StrId, StrId), FuncId>,
    /// Text frames: one location per (function, file, line).
    locs_by_line: HashMap<(FuncId, i64), LocId>,
    /// Legacy records: one location per address.
    locs_by_addr: HashMap<u64, LocId>,
}

impl Sink {
    pub(crate) fn new(format: SourceFormat) -> Self {
        Sink {
            p: Profile::new(format),
            stacks: StackBuilder::new(),
            funcs: HashMap::new(),
            locs_by_line: HashMap::new(),
            locs_by_addr: HashMap::new(),
        }
    }

    #[inline]
    pub(crate) fn intern(&mut self, b: &[u8]) -> StrId {
        match std::str::from_utf8(b) {
            Ok(s) => self.p.strings.intern(s),
            Err(_) => self.p.strings.intern(&String::from_utf8_lossy(b)),
        }
    }

    pub(crate) fn value_type(&mut self, kind: &str, unit: &str) -> ValueType {
        ValueType {
            kind: self.p.strings.intern(kind),
            unit: self.p.strings.intern(unit),
        }
    }

    pub(crate) fn func(&mut self, name: &[u8], file: &[u8]) -> FuncId {
        let name = self.intern(name);
        let file = self.intern(file);
        let functions = &mut self.p.functions;
        *self.funcs.entry((name, file)).or_insert_with(|| {
            functions.push(Function {
                name,
                system_name: name,
                file,
                start_line: 0,
            });
            FuncId(functions.len() as u32 - 1)
        })
    }

    /// The location of a printed frame (function, file, line); address 0,
    /// because text frames carry only an offset from the function entry.
    pub(crate) fn frame_loc(&mut self, name: &[u8], file: &[u8], line: i64) -> LocId {
        let func = self.func(name, file);
        let lines = &mut self.p.lines;
        let locations = &mut self.p.locations;
        *self.locs_by_line.entry((func, line)).or_insert_with(|| {
            let start = lines.len() as u32;
            lines.push(Line {
                func,
                line,
                column: 0,
            });
            locations.push(Location {
                source_id: 0,
                mapping: None,
                address: 0,
                lines_start: start,
                lines_end: start + 1,
                is_folded: false,
            });
            LocId(locations.len() as u32 - 1)
        })
    }

    pub(crate) fn addr_loc_existing(&self, addr: u64) -> Option<LocId> {
        self.locs_by_addr.get(&addr).copied()
    }

    /// A location for an address with the given symbolised lines (innermost
    /// first); reuses the first location made for that address.
    pub(crate) fn addr_loc(&mut self, addr: u64, lines: &[(FuncId, i64)]) -> LocId {
        if let Some(id) = self.locs_by_addr.get(&addr) {
            return *id;
        }
        let start = self.p.lines.len() as u32;
        for &(func, line) in lines {
            self.p.lines.push(Line {
                func,
                line,
                column: 0,
            });
        }
        self.p.locations.push(Location {
            source_id: 0,
            mapping: None,
            address: addr,
            lines_start: start,
            lines_end: self.p.lines.len() as u32,
            is_folded: false,
        });
        let id = LocId(self.p.locations.len() as u32 - 1);
        self.locs_by_addr.insert(addr, id);
        id
    }

    pub(crate) fn num_label(&mut self, key: &str, num: i64, unit: &str) -> Label {
        Label {
            key: self.p.strings.intern(key),
            str: None,
            num,
            num_unit: self.p.strings.intern(unit),
        }
    }

    /// Adds a sample; returns its label set.
    pub(crate) fn push_sample(
        &mut self,
        stack: Option<StackId>,
        values: &[i64],
        labels: &[Label],
    ) -> LabelSetId {
        let set: LabelSetId = self.p.label_sets.intern(labels);
        self.p.samples.stack.push(stack);
        self.p.samples.values.extend_from_slice(values);
        self.p.samples.labels.push(set);
        set
    }

    pub(crate) fn finish(mut self) -> Profile {
        self.p.stacks = self.stacks.finish();
        self.p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newline_search_matches_naive() {
        let text = b"abc\ndefghijklmnop\n\nqrstuvwxyz0123456789\n\xff\x0a";
        for start in 0..text.len() {
            let h = &text[start..];
            assert_eq!(
                find_newline(h),
                h.iter().position(|&b| b == b'\n'),
                "from {start}"
            );
        }
        let mut bytes = vec![b'x'; 100];
        bytes[77] = b'\n';
        assert_eq!(find_newline(&bytes), Some(77));
        bytes[9] = 0x8a; // high bit set, not a newline
        assert_eq!(find_newline(&bytes), Some(77));
    }

    #[test]
    fn lines_drop_crlf_and_count() {
        let v: Vec<_> = Lines::new(b"a\r\nb\n\nc")
            .map(|(n, o, l)| (n, o, l.to_vec()))
            .collect();
        assert_eq!(
            v,
            vec![
                (1, 0, b"a".to_vec()),
                (2, 3, b"b".to_vec()),
                (3, 5, b"".to_vec()),
                (4, 6, b"c".to_vec())
            ]
        );
    }

    #[test]
    fn text_detection_heuristic() {
        assert!(looks_like_text(b"goroutine 1 [running]:\n"));
        assert!(looks_like_text(b"^\\SIGQUIT: quit\n"));
        assert!(!looks_like_text(b"\x0a\x04\x08\x01\x10\x02\x12\x05hello"));
        assert!(!looks_like_text(b"text\0with nul"));
        assert!(!looks_like_text(b""));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_hex(b"0x4ba286"), Some(0x4ba286));
        assert_eq!(parse_hex(b"0x"), None);
        assert_eq!(parse_hex(b"0x11111111111111111"), None);
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_i64(b"-12"), Some(-12));
        assert_eq!(
            split_file_line(b"C:/Program Files/Go/src/x.go:12"),
            Some((&b"C:/Program Files/Go/src/x.go"[..], 12))
        );
        assert_eq!(split_file_line(b"x.go"), None);
    }
}
