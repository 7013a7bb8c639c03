//! A dump read a piece at a time, so a dump of any size is decoded without
//! holding its text: memory grows with the model (distinct frames and
//! stacks, one row per goroutine), not with the text.
//!
//! The text comes in pieces that each end right before a goroutine header
//! ([`last_header_start`] finds the cut). A header ends whatever came before
//! it (a panic message, the goroutine being read, a late `created by`), so
//! the decoder finishes those at the end of a piece exactly as the header
//! would, and nothing it keeps between pieces points into the text (the
//! frame cache owns its keys). The same [`DumpStream`] reads a dump held
//! whole, in pieces that are slices of it ([`decode_held`]), so both ways
//! share every line of the parser.

use super::{parse_header, Decoder, FrameCache, Keys, PanicBuilder, Tracebacks};
use crate::decode::text::{Lines, Sink};
use crate::decode::{DecodeError, Progress, Result, Stage};
use crate::model::{Label, LocId, Profile, SourceFormat};

/// What the decoder keeps between pieces: everything but the goroutine
/// being read, which borrows the piece's text.
struct Carry {
    sink: Sink,
    frame_cache: FrameCache,
    frames: Vec<LocId>,
    late_creator_row: Option<usize>,
    panic: Option<PanicBuilder>,
    panics_waiting: usize,
    repeats: u64,
    repeat_line: u32,
    crashed: bool,
    tracebacks: Tracebacks,
    labels: Vec<Label>,
    keys: Keys,
}

/// A goroutine dump or traceback decoded piece by piece ([`Self::feed`]).
pub struct DumpStream {
    carry: Carry,
    /// Lines and bytes read so far, for line numbers and progress.
    lines: u32,
    offset: u64,
    total: u64,
    max_goroutines: u64,
}

impl DumpStream {
    /// A stream over a dump of `total` bytes (for progress reports) that
    /// stops with [`DecodeError::TooManyGoroutines`] past `max_goroutines`.
    pub fn new(total: u64, max_goroutines: u64) -> Self {
        let mut sink = Sink::new(SourceFormat::GoroutineDump);
        let vt = sink.value_type("goroutine", "count");
        sink.p.sample_types.push(vt);
        sink.p.period_type = Some(vt);
        sink.p.period = 1;
        let keys = Keys {
            state: sink.p.strings.intern("state"),
            wait: sink.p.strings.intern("wait"),
            minutes: sink.p.strings.intern("minutes"),
        };
        DumpStream {
            carry: Carry::new(sink, keys),
            lines: 0,
            offset: 0,
            total,
            max_goroutines,
        }
    }

    /// The dump's size, when the first was an estimate (a gzipped dump's
    /// grows with the compression ratio seen so far). Set before the first
    /// piece, it sizes the goroutine table ahead.
    pub fn set_total(&mut self, total: u64) {
        self.total = total;
    }

    /// Lines read so far.
    pub fn lines(&self) -> u32 {
        self.lines
    }

    /// Goroutines read so far.
    pub fn goroutines(&self) -> usize {
        self.carry.sink.p.goroutines.rows.len()
    }

    /// Reads the next piece of the dump. A piece that is not the last must
    /// end with a newline right before a goroutine header (see
    /// [`last_header_start`]); the last piece ends the dump.
    pub fn feed(&mut self, piece: &[u8], last: bool, progress: &mut dyn Progress) -> Result<()> {
        let carry = std::mem::replace(&mut self.carry, placeholder());
        let mut d = Decoder::from_carry(carry);
        // A dump whose last line has no newline was cut off (a log or size
        // limit), usually inside a goroutine's stack.
        let cut = last && piece.last().is_some_and(|&b| b != b'\n');
        let mut next_tick = 1 << 20;
        let mut last_line = self.lines;
        let mut lines = Lines::new(piece).peekable();
        while let Some((n, offset, line)) = lines.next() {
            if offset >= next_tick {
                next_tick = offset + (1 << 20);
                let done = self.offset + offset as u64;
                if !progress.report(Stage::Decoding, done, self.total.max(done)) {
                    return Err(DecodeError::Cancelled);
                }
            }
            let n = n.saturating_add(self.lines);
            if cut && lines.peek().is_none() {
                d.cut_line(n, line);
            } else {
                d.line(n, line);
            }
            last_line = n;
        }
        self.lines = last_line;
        self.offset += piece.len() as u64;
        if last {
            d.finish_panic();
            d.end_of_input(last_line);
            d.close(last_line.saturating_add(1));
            d.flush_repeats();
        } else {
            // What the header that starts the next piece does first.
            d.finish_panic();
            d.close(last_line.saturating_add(1));
        }
        self.carry = d.into_carry();
        if !last && self.offset == piece.len() as u64 {
            self.reserve_for_the_rest();
        }
        let rows = self.goroutines() as u64;
        if rows > self.max_goroutines {
            return Err(DecodeError::TooManyGoroutines {
                limit: self.max_goroutines,
                line: self.lines,
            });
        }
        Ok(())
    }

    /// Sizes the per-goroutine vectors for the whole dump, estimated from
    /// its size and the first piece, so that they do not double as they
    /// grow: doubling leaves up to half of each unused, and a vector that
    /// moves holds both copies for a moment. Past the estimate they grow as
    /// usual.
    fn reserve_for_the_rest(&mut self) {
        let p = &mut self.carry.sink.p;
        let rows = p.goroutines.rows.len() as u64;
        if rows == 0 || self.total <= self.offset {
            return;
        }
        // 2% over, for goroutines a little shorter than the first ones.
        let (total, offset) = (self.total, self.offset);
        let scale = |n: usize| -> u64 {
            let want = (n as u64).saturating_mul(total) / offset;
            want.saturating_add(want / 50)
        };
        // A dump that looks to be over the limit grows as it is read, and
        // stops with the limit's error if it really is.
        if scale(p.goroutines.rows.len()) > self.max_goroutines {
            return;
        }
        let scale = |n: usize| usize::try_from(scale(n)).unwrap_or(0).saturating_sub(n);
        let extra = scale(p.goroutines.rows.len());
        p.goroutines.rows.reserve_exact(extra);
        p.samples.stack.reserve_exact(extra);
        p.samples.labels.reserve_exact(extra);
        p.samples.values.reserve_exact(extra);
        let extra = scale(p.goroutines.args.len());
        p.goroutines.args.reserve_exact(extra);
    }

    /// The profile, once the last piece has been fed.
    pub fn finish(self) -> Profile {
        let mut c = self.carry;
        if !c.sink.p.panics.is_empty() || c.crashed {
            c.sink.p.format = SourceFormat::Traceback;
        }
        let p = &mut c.sink.p;
        p.goroutines.leak_profile = p.goroutines.rows.iter().any(|g| g.leaked);
        c.tracebacks.finish(p);
        c.sink.finish()
    }
}

impl Carry {
    fn new(sink: Sink, keys: Keys) -> Carry {
        Carry {
            sink,
            frame_cache: FrameCache::default(),
            frames: Vec::new(),
            late_creator_row: None,
            panic: None,
            panics_waiting: 0,
            repeats: 0,
            repeat_line: 0,
            crashed: false,
            tracebacks: Tracebacks::default(),
            labels: Vec::new(),
            keys,
        }
    }
}

/// An empty carry, held only while a piece is being read.
fn placeholder() -> Carry {
    Carry::new(Sink::new(SourceFormat::GoroutineDump), Keys::default())
}

impl<'a> Decoder<'a> {
    fn from_carry(c: Carry) -> Self {
        Decoder {
            sink: c.sink,
            frames: c.frames,
            cur: None,
            frame_cache: c.frame_cache,
            late_creator_row: c.late_creator_row,
            late_pending: None,
            panic: c.panic,
            panics_waiting: c.panics_waiting,
            repeats: c.repeats,
            repeat_line: c.repeat_line,
            crashed: c.crashed,
            tracebacks: c.tracebacks,
            labels: c.labels,
            keys: c.keys,
        }
    }

    /// The owned state, once the goroutine being read has been closed. A
    /// pending late `created by` is dropped: the header that starts the
    /// next piece drops it too.
    fn into_carry(self) -> Carry {
        debug_assert!(self.cur.is_none());
        Carry {
            sink: self.sink,
            frame_cache: self.frame_cache,
            frames: self.frames,
            late_creator_row: self.late_creator_row,
            panic: self.panic,
            panics_waiting: self.panics_waiting,
            repeats: self.repeats,
            repeat_line: self.repeat_line,
            crashed: self.crashed,
            tracebacks: self.tracebacks,
            labels: self.labels,
            keys: self.keys,
        }
    }
}

/// Reads a dump held whole as a file is streamed, in pieces of about
/// `piece` bytes cut before a goroutine header, but each a slice of the
/// text, never a copy. Read as one piece, the goroutine table would grow by
/// doubling; in pieces it is sized after the first (431 MB dump: 759 MB
/// peak with the text, against 580 MB).
pub(super) fn decode_held(
    bytes: &[u8],
    max_goroutines: u64,
    piece: usize,
    progress: &mut dyn Progress,
) -> Result<Profile> {
    let mut stream = DumpStream::new(bytes.len() as u64, max_goroutines);
    // Fed up to `start`, searched for headers up to `scanned`.
    let (mut start, mut scanned) = (0usize, 0usize);
    loop {
        let end = scanned.saturating_add(piece.max(1));
        if end >= bytes.len() {
            stream.feed(&bytes[start..], true, progress)?;
            return Ok(stream.finish());
        }
        // From the newline before the new bytes, as a header needs one.
        let from = scanned.saturating_sub(1).max(start);
        if let Some(cut) = last_header_start(&bytes[from..end]) {
            stream.feed(&bytes[start..from + cut], false, progress)?;
            start = from + cut;
        }
        scanned = end;
    }
}

/// Where the last goroutine header that starts a whole line in `text` begins,
/// after its first byte: a piece may end right before it. The header's
/// line must be complete (a newline after it), so that it reads as the
/// decoder will read it.
pub fn last_header_start(text: &[u8]) -> Option<usize> {
    const HEAD: &[u8] = b"\ngoroutine ";
    let mut end = text.len();
    while end > HEAD.len() {
        let window = &text[..end];
        let at = window.windows(HEAD.len()).rposition(|w| w == HEAD)?;
        let start = at + 1;
        let rest = &text[start..];
        if let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            let mut line = &rest[..nl];
            if let [head @ .., b'\r'] = line {
                line = head;
            }
            if parse_header(line).is_some() {
                return Some(start);
            }
        }
        end = at + 1;
    }
    None
}
