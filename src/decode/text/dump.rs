//! `debug=2` goroutine dumps and panic / fatal error tracebacks.
//!
//! A dump is a run of blocks, one per goroutine (file lines start with a tab):
//!
//! ```text
//! goroutine 18 gp=0xc000102380 m=nil [chan receive, 5 minutes, locked to thread]:
//! main.worker(0xc00001c0c0, {0x4c1b20?, 0x1})
//!     /src/main.go:38 +0x65
//! ...additional frames elided...
//! created by main.main in goroutine 1
//!     /src/main.go:77 +0xe8
//! ```
//!
//! Blocks may be preceded by `panic: ...`, `fatal error: ...` or a signal
//! report, and the whole thing is often buried in other output (test logs,
//! app logs, several crashes in one file). The decoder reads every block in
//! the file, so a file with several tracebacks yields all their goroutines
//! (ids may repeat; a warning says so) and every panic in
//! [`Profile::panics`], each tied to the first goroutine after it; identical
//! consecutive panic messages (a storm of `fatal error: fault`) are recorded
//! once with a warning. A panic may have no goroutine after it at all
//! (`GOTRACEBACK=none`); which goroutines a traceback shows is
//! [`GoroutineTable::coverage`](crate::model::GoroutineTable::coverage) (see
//! [`super::tracebacks`]). Lines outside blocks are ignored; a line inside a
//! block that is not part of Go's syntax is skipped with a warning (a
//! foreign line at column 0 also ends the block, since log output has
//! resumed). Each goroutine becomes one sample (value 1) with labels `state`,
//! `wait` (minutes) and its pprof labels from the header, and one row of
//! [`GoroutineTable`](crate::model::GoroutineTable); headers are read by
//! [`super::header`].
//!
//! Frames become locations keyed by (function, file, line) with address 0:
//! the `+0x5e` after a file line is an offset from the function's entry, not
//! an address, and the model has no field for it.

pub use super::frame_lines::{is_elided, parse_call, parse_created_by, parse_file_line};
pub use super::header::{parse_header, Header};
use super::labels::parse_set;
use super::tracebacks::Tracebacks;
use super::{is_space, lossy, trim, trim_end, Sink};

mod cut;
mod frame_cache;
mod stream;
use crate::decode::{Progress, Result};
use crate::model::{
    Goroutine, Label, LabelSetId, LabelSets, LocId, PanicInfo, PanicKind, Profile, StrId,
};
use frame_cache::FrameCache;
use stream::decode_held;
pub use stream::{last_header_start, DumpStream};

/// The start of a panic, fatal error or signal report at column 0, with the
/// message text of its first line.
pub fn parse_panic_start(line: &[u8]) -> Option<(PanicKind, &[u8])> {
    if let Some(m) = line.strip_prefix(b"panic: ") {
        return Some((PanicKind::Panic, m));
    }
    if trim_end(line) == b"panic:" {
        return Some((PanicKind::Panic, b""));
    }
    if let Some(m) = line.strip_prefix(b"fatal error: ") {
        return Some((PanicKind::FatalError, m));
    }
    // `SIGSEGV: segmentation violation`, `SIGQUIT: quit`, possibly after the
    // terminal's echo of Ctrl-\ (`^\`).
    let s = line.strip_prefix(b"^\\").unwrap_or(line);
    let name = s.strip_prefix(b"SIG")?;
    let n = name
        .iter()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        .count();
    if n > 0 && name[n..].starts_with(b": ") {
        return Some((PanicKind::Signal, s));
    }
    None
}

/// Lines that continue a panic message: indented lines (multi-line values,
/// `\tpanic: ...` of nested panics, `running tests:`), `[signal ...]` and a
/// signal's `PC=... m=... sigcode=...`.
pub(crate) fn continues_panic(line: &[u8]) -> bool {
    match line.first() {
        Some(&b) if is_space(b) => !trim(line).is_empty(),
        Some(b'[') => line.starts_with(b"[signal "),
        Some(b'P') => line.starts_with(b"PC="),
        _ => false,
    }
}

/// Whether a panic or fatal error message (its first line, without the
/// `panic: ` prefix) is one only the Go runtime or testing package writes,
/// or carries the `[recovered]` suffixes.
pub(crate) fn is_go_panic_message(msg: &[u8]) -> bool {
    const MESSAGES: [&[u8]; 8] = [
        b"runtime error: ",
        b"test timed out after ",
        b"deadlock: all goroutines in bubble are blocked",
        b"all goroutines are asleep - deadlock!",
        b"concurrent map ",
        b"stack overflow",
        b"out of memory",
        b"unexpected signal during runtime execution",
    ];
    MESSAGES.iter().any(|m| msg.starts_with(m)) || has_recovered_suffix(msg)
}

/// Whether a line that continues a panic message is one only Go writes: a
/// nested `\tpanic: ...`, `[signal ...]`, a signal's `PC=...`, a test
/// timeout's `running tests:`, or a value's last line with the
/// `[recovered]` suffixes.
pub(crate) fn is_go_panic_continuation(line: &[u8]) -> bool {
    let t = trim(line);
    line.starts_with(b"[signal ")
        || line.starts_with(b"PC=")
        || t.starts_with(b"panic: ")
        || t == b"running tests:"
        || has_recovered_suffix(t)
}

fn has_recovered_suffix(s: &[u8]) -> bool {
    let t = trim_end(s);
    t.ends_with(b"[recovered]")
        || t.ends_with(b"[recovered, repanicked]")
        || t.ends_with(b"[recovered, reraised]")
}

/// A panic message keeps at most this many bytes (a `running tests:` list
/// can be long, but not this long).
const MAX_PANIC_MESSAGE: usize = 1 << 20;

/// Pending frame text waiting for its file line.
#[derive(Clone, Copy)]
enum Pending<'a> {
    None,
    Call {
        name: &'a [u8],
        args: &'a [u8],
        line: u32,
    },
    CreatedBy {
        name: &'a [u8],
        goroutine: Option<u64>,
        line: u32,
    },
}

/// The goroutine being read.
struct Current<'a> {
    id: u64,
    state: StrId,
    wait_minutes: Option<u32>,
    locked_to_thread: bool,
    leaked: bool,
    durable: bool,
    scan: bool,
    bubble: Option<u64>,
    labels: LabelSetId,
    extra: StrId,
    line: u32,
    args_start: u32,
    created_by: Option<LocId>,
    creator_goroutine: Option<u64>,
    frames_elided: bool,
    stack_unavailable: bool,
    pending: Pending<'a>,
}

struct PanicBuilder {
    info: PanicInfo,
}

struct Decoder<'a> {
    sink: Sink,
    /// Leaf-first locations of the goroutine being read (reused).
    frames: Vec<LocId>,
    cur: Option<Current<'a>>,
    /// Raw (function, file, line) -> location, kept across pieces.
    frame_cache: FrameCache,
    /// Row index of the last goroutine closed without a `created by`, which a
    /// `created by` after a blank line may still belong to (Go prints one
    /// there when a traceback is cut short by an unwinding error).
    late_creator_row: Option<usize>,
    late_pending: Option<(&'a [u8], Option<u64>)>,
    panic: Option<PanicBuilder>,
    /// Panics recorded since the last goroutine header (their goroutine is
    /// the next header's).
    panics_waiting: usize,
    /// Consecutive repeats of the last panic message (`fatal error: fault`
    /// storms), reported as one warning.
    repeats: u64,
    repeat_line: u32,
    crashed: bool,
    tracebacks: Tracebacks,
    /// A sample's labels being assembled (reused).
    labels: Vec<Label>,
    keys: Keys,
}

#[derive(Default)]
struct Keys {
    state: StrId,
    wait: StrId,
    minutes: StrId,
}

/// Decodes a goroutine dump or traceback held whole; the caller has checked
/// that the text holds a goroutine header or a Go panic ([`super::detect`]).
/// It is read as a [`DumpStream`] reads a file, in pieces of about `piece`
/// bytes, each a slice of the text, so the goroutine table is sized ahead.
pub fn decode(
    bytes: &[u8],
    max_goroutines: u64,
    piece: usize,
    progress: &mut dyn Progress,
) -> Result<Profile> {
    decode_held(bytes, max_goroutines, piece, progress)
}

impl<'a> Decoder<'a> {
    fn line(&mut self, n: u32, line: &'a [u8]) {
        if let Some(pb) = &mut self.panic {
            if continues_panic(line) {
                let info = &mut pb.info;
                note_recovered(info, line);
                if info.message.len() < MAX_PANIC_MESSAGE {
                    if !info.message.is_empty() {
                        info.message.push('\n');
                    }
                    info.message.push_str(&lossy(line));
                    if info.message.len() >= MAX_PANIC_MESSAGE {
                        info.message.push_str("\n[message cut at 1 MiB]");
                    }
                }
                return;
            }
            self.finish_panic();
        }

        if trim(line).is_empty() {
            if self.cur.is_some() {
                self.close(n);
            }
            return;
        }

        // Goroutine headers, panic starts and `runtime stack:` start
        // something new wherever they appear.
        if line.starts_with(b"goroutine ") {
            if let Some(h) = parse_header(line) {
                self.close(n);
                self.open(n, &h);
                return;
            }
        }
        if let Some((kind, msg)) = parse_panic_start(line) {
            self.close(n);
            self.start_panic(n, kind, msg);
            return;
        }
        if line.starts_with(b"runtime stack:") {
            self.close(n);
            self.crashed = true;
            self.tracebacks.runtime_stack(n);
            return;
        }

        if self.cur.is_some() {
            self.in_block(n, line);
        } else {
            self.outside(n, line);
        }
    }

    fn in_block(&mut self, n: u32, line: &'a [u8]) {
        let indented = line.first().is_some_and(|&b| is_space(b));
        let pending = self.cur.as_ref().map_or(Pending::None, |c| c.pending);
        match pending {
            Pending::None => {}
            _ if indented => {
                if let Some((file, lineno)) = parse_file_line(line) {
                    self.complete_pending(pending, file, lineno);
                    return;
                }
                self.complete_pending(pending, b"", 0);
                self.warn(
                    n,
                    "expected the file:line of the frame above; skipped this line",
                );
                return;
            }
            Pending::Call { line: at, .. } | Pending::CreatedBy { line: at, .. } => {
                self.warn(at, "frame without its file:line line");
                self.complete_pending(pending, b"", 0);
                if self.cur.is_none() {
                    // `created by` closed the goroutine.
                    return self.outside(n, line);
                }
            }
        }
        if indented {
            if trim(line) == b"goroutine running on other thread; stack unavailable" {
                if let Some(c) = &mut self.cur {
                    c.stack_unavailable = true;
                }
            } else {
                self.warn(
                    n,
                    "unexpected indented line in a goroutine's stack; skipped",
                );
            }
            return;
        }
        if let Some((name, goroutine)) = parse_created_by(line) {
            if let Some(c) = &mut self.cur {
                c.pending = Pending::CreatedBy {
                    name,
                    goroutine,
                    line: n,
                };
            }
            return;
        }
        if is_elided(line) {
            if let Some(c) = &mut self.cur {
                c.frames_elided = true;
            }
            return;
        }
        if let Some((name, args)) = parse_call(line) {
            if let Some(c) = &mut self.cur {
                c.pending = Pending::Call {
                    name,
                    args,
                    line: n,
                };
            }
            return;
        }
        // Something else at column 0: the dump was cut short or other output
        // resumed without a blank line. Close the goroutine.
        self.warn(
            n,
            "unexpected line inside a goroutine's stack; the goroutine ends here",
        );
        self.close(n);
    }

    /// Outside a goroutine block only a late `created by` matters.
    fn outside(&mut self, _n: u32, line: &'a [u8]) {
        if let Some((name, goroutine)) = self.late_pending.take() {
            if line.first().is_some_and(|&b| is_space(b)) {
                if let Some((file, lineno)) = parse_file_line(line) {
                    let loc = self.loc(name, file, lineno);
                    if let Some(row) = self.late_creator_row.take() {
                        let g = &mut self.sink.p.goroutines.rows[row];
                        g.created_by = Some(loc);
                        g.creator_goroutine = goroutine;
                    }
                    return;
                }
            }
        }
        if self.late_creator_row.is_some() {
            if let Some(created) = parse_created_by(line) {
                self.late_pending = Some(created);
            }
        }
    }

    fn complete_pending(&mut self, pending: Pending<'a>, file: &'a [u8], lineno: i64) {
        match pending {
            Pending::None => {}
            Pending::Call { name, args, .. } => {
                let loc = self.loc(name, file, lineno);
                self.frames.push(loc);
                let args = self.sink.intern(args);
                self.sink.p.goroutines.args.push(args);
                if let Some(c) = &mut self.cur {
                    c.pending = Pending::None;
                }
            }
            Pending::CreatedBy {
                name, goroutine, ..
            } => {
                let loc = self.loc(name, file, lineno);
                if let Some(c) = &mut self.cur {
                    c.pending = Pending::None;
                    c.created_by = Some(loc);
                    c.creator_goroutine = goroutine;
                }
                // Nothing follows `created by` in a goroutine's block.
                let n = self.cur.as_ref().map_or(0, |c| c.line);
                self.close(n);
                self.late_creator_row = None;
            }
        }
    }

    fn loc(&mut self, name: &'a [u8], file: &'a [u8], line: i64) -> LocId {
        let sink = &mut self.sink;
        self.frame_cache
            .get_or(name, file, line, || sink.frame_loc(name, file, line))
    }

    fn open(&mut self, n: u32, h: &Header<'_>) {
        let state = self.sink.intern(h.state);
        let mut extras = h.extras();
        let extra = match (extras.next(), extras.next()) {
            (None, _) => StrId(0),
            (Some(one), None) => self.sink.intern(one),
            (Some(a), Some(b)) => {
                let mut s = lossy(a).into_owned();
                for part in [b].into_iter().chain(extras) {
                    s.push_str(", ");
                    s.push_str(&lossy(part));
                }
                self.sink.p.strings.intern(&s)
            }
        };
        let labels = match h.labels.map(parse_set) {
            None => LabelSets::EMPTY,
            Some(Some((kvs, _))) => {
                self.labels.clear();
                for (k, v) in kvs {
                    let key = self.sink.p.strings.intern(&k);
                    let value = self.sink.p.strings.intern(&v);
                    self.labels.push(Label {
                        key,
                        str: Some(value),
                        num: 0,
                        num_unit: StrId(0),
                    });
                }
                self.sink.p.label_sets.intern(&self.labels)
            }
            Some(None) => {
                self.sink.p.warn(
                    Some(n),
                    None,
                    format!(
                        "could not read the labels of goroutine {}; they were left out",
                        h.id
                    ),
                );
                LabelSets::EMPTY
            }
        };
        self.flush_repeats();
        let start = self.sink.p.panics.len() - self.panics_waiting;
        for p in &mut self.sink.p.panics[start..] {
            p.goroutine = Some(h.id);
        }
        self.panics_waiting = 0;
        self.tracebacks.goroutine();
        self.late_creator_row = None;
        self.late_pending = None;
        self.frames.clear();
        self.cur = Some(Current {
            id: h.id,
            state,
            wait_minutes: h.wait_minutes,
            locked_to_thread: h.locked_to_thread,
            leaked: h.leaked,
            durable: h.durable,
            scan: h.scan,
            bubble: h.bubble,
            labels,
            extra,
            line: n,
            args_start: self.sink.p.goroutines.args.len() as u32,
            created_by: None,
            creator_goroutine: None,
            frames_elided: false,
            stack_unavailable: false,
            pending: Pending::None,
        });
    }

    /// Ends the goroutine being read (if any) and records its sample.
    fn close(&mut self, n: u32) {
        let Some(c) = self.cur.as_ref() else { return };
        if let Pending::Call { line, .. } | Pending::CreatedBy { line, .. } = c.pending {
            let pending = c.pending;
            self.warn(line, "frame without its file:line line");
            self.complete_pending(pending, b"", 0);
            if self.cur.is_none() {
                return; // a pending `created by` closed it
            }
        }
        let _ = n;
        let Some(c) = self.cur.take() else { return };
        let stack = self.sink.stacks.push_leaf_first(&self.frames);
        self.frames.clear();
        self.labels.clear();
        self.labels.push(Label {
            key: self.keys.state,
            str: Some(c.state),
            num: 0,
            num_unit: StrId(0),
        });
        if let Some(m) = c.wait_minutes {
            self.labels.push(Label {
                key: self.keys.wait,
                str: None,
                num: i64::from(m),
                num_unit: self.keys.minutes,
            });
        }
        self.labels
            .extend_from_slice(self.sink.p.label_sets.get(c.labels));
        self.sink.push_sample(stack, &[1], &self.labels);
        let args_end = self.sink.p.goroutines.args.len() as u32;
        self.sink.p.goroutines.rows.push(Goroutine {
            id: c.id,
            state: c.state,
            wait_minutes: c.wait_minutes,
            locked_to_thread: c.locked_to_thread,
            leaked: c.leaked,
            durable: c.durable,
            scan: c.scan,
            bubble: c.bubble,
            labels: c.labels,
            extra: c.extra,
            created_by: c.created_by,
            creator_goroutine: c.creator_goroutine,
            args_start: c.args_start,
            args_end,
            frames_elided: c.frames_elided,
            stack_unavailable: c.stack_unavailable,
            line: c.line,
        });
        self.late_creator_row = if c.created_by.is_none() {
            Some(self.sink.p.goroutines.rows.len() - 1)
        } else {
            None
        };
    }

    fn start_panic(&mut self, n: u32, kind: PanicKind, msg: &[u8]) {
        let mut info = PanicInfo {
            kind,
            message: lossy(msg).into_owned(),
            recovered: false,
            repanicked: false,
            goroutine: None,
            line: n,
        };
        note_recovered(&mut info, msg);
        self.panic = Some(PanicBuilder { info });
        if kind == PanicKind::Signal {
            self.crashed = true;
        }
    }

    fn finish_panic(&mut self) {
        let Some(pb) = self.panic.take() else { return };
        let info = pb.info;
        if self.panics_waiting > 0 {
            if let Some(last) = self.sink.p.panics.last() {
                if last.kind == info.kind && last.message == info.message {
                    if self.repeats == 0 {
                        self.repeat_line = info.line;
                    }
                    self.repeats += 1;
                    return;
                }
            }
        }
        self.flush_repeats();
        self.tracebacks.message(info.line, self.sink.p.panics.len());
        self.sink.p.panics.push(info);
        self.panics_waiting += 1;
    }

    fn flush_repeats(&mut self) {
        if self.repeats == 0 {
            return;
        }
        let what = match self.sink.p.panics.last() {
            Some(p) => {
                let prefix = match p.kind {
                    PanicKind::Panic => "panic: ",
                    PanicKind::FatalError => "fatal error: ",
                    PanicKind::Signal => "",
                };
                let first = p.message.lines().next().unwrap_or("");
                format!("{prefix}{}", first.chars().take(80).collect::<String>())
            }
            None => String::new(),
        };
        let n = self.repeats;
        self.repeats = 0;
        let line = self.repeat_line;
        self.sink.p.warn(
            Some(line),
            None,
            format!("`{what}` repeated {n} more times; recorded once"),
        );
    }

    fn warn(&mut self, n: u32, msg: &str) {
        let id = self.cur.as_ref().map(|c| c.id);
        let text = match id {
            Some(id) => format!("{msg} (goroutine {id})"),
            None => msg.to_string(),
        };
        self.sink.p.warn(Some(n), None, text);
    }
}

fn note_recovered(info: &mut PanicInfo, line: &[u8]) {
    let t = trim_end(line);
    if t.ends_with(b"[recovered]") {
        info.recovered = true;
    } else if has_recovered_suffix(t) {
        info.recovered = true;
        info.repanicked = true;
    }
}
