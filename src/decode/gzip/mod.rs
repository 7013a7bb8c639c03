//! gzip (RFC 1952): detection and size-limited, streaming inflate.
//!
//! Why not just inflate the whole file with a library call? Three
//! reasons: a gzip bomb must stop at a size limit with bounded memory, a
//! broken file must say *where* it is broken (header, deflate data, CRC,
//! length), and Go writes profiles that other tools may have concatenated
//! into multi-member streams. So the header is parsed here, raw deflate goes
//! through zlib-rs's streaming inflate into an output buffer, and each
//! member's CRC-32 and ISIZE trailer is checked.
//!
//! Why zlib-rs's inflate: in V8's wasm (the worker, where profiles are
//! read) it inflates the 1M-sample reference profile (18 MB to 67 MB) in
//! 151-160 ms where miniz_oxide's core takes 233-244 ms, and natively in
//! 133-142 ms against 153-168 ms. Its stable `Inflate` keeps the deflate window
//! itself, so each chunk is written to the start of one plain buffer.
//!
//! [`Inflater`] hands out the output one chunk at a time (a slice of its
//! buffer), so a later streaming protobuf decoder can consume it without ever
//! holding the whole uncompressed file; [`inflate`] is that loop collecting
//! into a `Vec`.

use std::io::Read;
use zlib_rs::{Inflate, InflateError, InflateFlush, Status};

use super::{DecodeError, Progress, Result, Stage};

/// Size of the buffer deflate decodes into: larger means fewer, longer
/// chunks.
const OUTPUT_BUFFER: usize = 256 << 10;

/// A raw deflate stream's window (32 KiB), as gzip members use.
const WINDOW_BITS: u8 = 15;

/// Progress is reported each time this many compressed bytes have been read.
const PROGRESS_EVERY: u64 = 1 << 20;

/// Whether `bytes` start with the gzip magic `1f 8b`.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
}

/// Inflates a whole gzip stream (all members), failing with
/// [`DecodeError::TooLarge`] as soon as the output would exceed `limit`.
///
/// Memory stays below `limit` plus the [`Inflater`]'s buffers (1 MiB in,
/// 256 KiB out, and zlib-rs's state with its 32 KiB window): the output
/// `Vec` grows by doubling but never past `limit`.
pub fn inflate(bytes: &[u8], limit: u64, progress: &mut dyn Progress) -> Result<Vec<u8>> {
    let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut out: Vec<u8> = Vec::with_capacity(initial_capacity(bytes, limit_usize));
    let mut inflater = Inflater::new(bytes, limit).with_input_size(bytes.len() as u64);
    while let Some(chunk) = inflater.next_chunk(progress)? {
        let needed = out.len().saturating_add(chunk.len());
        if needed > out.capacity() {
            // Double, but never reserve past the limit (the Inflater has
            // already checked that `needed` is within it).
            let target = out
                .capacity()
                .saturating_mul(2)
                .max(needed)
                .min(limit_usize.max(needed));
            out.reserve_exact(target - out.len());
        }
        out.extend_from_slice(chunk);
    }
    Ok(out)
}

/// A first guess at the output size: the ISIZE trailer of the last member,
/// when it is plausible. ISIZE is only the size modulo 2^32 and is chosen by
/// whoever wrote the file, so it is trusted only up to a compression ratio
/// real profiles reach (they compress 3-10x); a bomb starts small instead and
/// grows by doubling.
fn initial_capacity(bytes: &[u8], limit: usize) -> usize {
    const PLAUSIBLE_RATIO: usize = 64;
    let Some(trailer) = bytes.len().checked_sub(4).and_then(|s| bytes.get(s..)) else {
        return 0;
    };
    let isize = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]) as usize;
    if isize <= bytes.len().saturating_mul(PLAUSIBLE_RATIO) {
        isize.min(limit)
    } else {
        bytes.len().saturating_mul(4).min(limit)
    }
}

/// Where the inflater is in the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Expecting a member header (the first, or after a trailer).
    Header,
    /// Inside a member's deflate data.
    Deflate,
    /// All members read.
    Done,
}

/// Size of the input buffer: compressed bytes are read this many at a time.
const INPUT_BUFFER: usize = 1 << 20;

/// Where a gzip stream's input ended early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CutShort {
    /// In the compressed data: the rest of the content is missing.
    InData,
    /// In the trailer: the content is whole, but its CRC-32 and length
    /// could not be checked.
    InTrailer,
}

/// Streaming gzip decoder; see the module docs. It reads its input from any
/// [`Read`] (a slice, or a file read in slices) a buffer at a time, so neither
/// the compressed nor the uncompressed data need be in memory whole.
pub struct Inflater<R> {
    reader: R,
    /// Compressed bytes read but not yet used are `input[lo..hi]`.
    input: Box<[u8]>,
    lo: usize,
    hi: usize,
    /// Absolute offset of `input[0]` in the compressed stream.
    input_base: u64,
    /// The reader is exhausted.
    eof: bool,
    /// The compressed size, when known, for progress reports.
    input_size: u64,
    stage: Stage,
    state: State,
    decomp: Inflate,
    output: Vec<u8>,
    /// CRC-32 and length of the current member's output so far.
    crc: u32,
    member_len: u64,
    /// Offset of the current member's header, for messages.
    member_start: u64,
    members: u32,
    total_out: u64,
    limit: u64,
    next_progress: u64,
    /// Where the input ended early, if it did: what came out before is
    /// intact, only the rest is missing.
    cut_short: Option<CutShort>,
    /// An error found after the output handed out with it: the next call's.
    pending: Option<DecodeError>,
}

impl<R: Read> Inflater<R> {
    pub fn new(reader: R, limit: u64) -> Self {
        Inflater {
            reader,
            input: Vec::new().into_boxed_slice(),
            lo: 0,
            hi: 0,
            input_base: 0,
            eof: false,
            input_size: 0,
            stage: Stage::Inflating,
            state: State::Header,
            decomp: Inflate::new(false, WINDOW_BITS),
            output: vec![0; OUTPUT_BUFFER],
            crc: 0,
            member_len: 0,
            member_start: 0,
            members: 0,
            total_out: 0,
            limit,
            next_progress: PROGRESS_EVERY,
            cut_short: None,
            pending: None,
        }
    }

    /// The compressed size, for progress reports (`done` of `total`).
    pub fn with_input_size(mut self, size: u64) -> Self {
        self.input_size = size;
        self
    }

    /// The stage progress is reported as ([`Stage::Inflating`] by default;
    /// a caller that decodes while inflating says [`Stage::Decoding`]).
    pub fn with_stage(mut self, stage: Stage) -> Self {
        self.stage = stage;
        self
    }

    /// Changes the size limit: a caller that finds the output is a
    /// goroutine dump, which it streams, lifts it.
    pub fn set_limit(&mut self, limit: u64) {
        self.limit = limit;
    }

    /// Uncompressed bytes produced so far.
    pub fn total_out(&self) -> u64 {
        self.total_out
    }

    /// Compressed bytes consumed so far.
    pub fn total_in(&self) -> u64 {
        self.pos()
    }

    /// Absolute offset of the next unused input byte.
    fn pos(&self) -> u64 {
        self.input_base + self.lo as u64
    }

    /// Absolute offset just past the input read so far (its end, once `eof`).
    fn end(&self) -> u64 {
        self.input_base + self.hi as u64
    }

    /// Whether the last error was the input ending early, and where:
    /// every byte handed out before it is intact.
    pub fn cut_short(&self) -> Option<CutShort> {
        self.cut_short
    }

    /// Reads more input after the unused bytes. `false` at the end of input.
    fn fill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.input.is_empty() {
            self.input = vec![0; INPUT_BUFFER].into_boxed_slice();
        }
        if self.lo > 0 {
            self.input.copy_within(self.lo..self.hi, 0);
            self.input_base += self.lo as u64;
            self.hi -= self.lo;
            self.lo = 0;
        }
        if self.hi == self.input.len() {
            return Ok(true); // full: the caller has enough to go on
        }
        loop {
            match self.reader.read(&mut self.input[self.hi..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.hi += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(DecodeError::Read {
                        message: e.to_string(),
                    })
                }
            }
        }
    }

    /// Makes `n` (at most [`INPUT_BUFFER`]) unused input bytes available;
    /// `false` if the input ends first.
    fn ensure(&mut self, n: usize) -> Result<bool> {
        while self.hi - self.lo < n {
            if !self.fill()? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The next piece of output, `None` at the end of the last member. The
    /// slice is valid until the next call.
    pub fn next_chunk(&mut self, progress: &mut dyn Progress) -> Result<Option<&[u8]>> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Header => {
                    if self.members > 0 && self.at_end_of_members()? {
                        self.state = State::Done;
                        continue;
                    }
                    self.read_header()?;
                    self.state = State::Deflate;
                }
                State::Deflate => {
                    if self.pos() >= self.next_progress {
                        self.next_progress = self.pos().saturating_add(PROGRESS_EVERY);
                        let total = self.input_size.max(self.pos());
                        if !progress.report(self.stage, self.pos(), total) {
                            return Err(DecodeError::Cancelled);
                        }
                    }
                    if self.lo == self.hi {
                        self.fill()?;
                    }
                    let (in_before, out_before) = (self.decomp.total_in(), self.decomp.total_out());
                    let status = self.decomp.decompress(
                        &self.input[self.lo..self.hi],
                        &mut self.output,
                        InflateFlush::NoFlush,
                    );
                    let read = (self.decomp.total_in() - in_before) as usize;
                    let written = (self.decomp.total_out() - out_before) as usize;
                    self.lo += read;
                    match status {
                        Ok(Status::StreamEnd) => {
                            self.state = State::Header;
                        }
                        Ok(Status::Ok | Status::BufError) => {
                            if read == 0 && written == 0 {
                                let more = if self.lo == 0 && self.hi == self.input.len() {
                                    false // cannot happen: deflate takes what it is given
                                } else {
                                    self.fill()?
                                };
                                if !more {
                                    self.cut_short = Some(CutShort::InData);
                                    return Err(self.error_at(
                                        self.end(),
                                        "the compressed data ends early (the file is truncated)",
                                    ));
                                }
                            }
                        }
                        Err(e) => {
                            let why = match e {
                                InflateError::DataError => self.decomp.error_message(),
                                _ => Some(e.as_str()),
                            };
                            let message = match why {
                                Some(why) => format!("the deflate data is corrupt: {why}"),
                                None => "the deflate data is corrupt".to_string(),
                            };
                            return Err(self.error_at(self.pos(), &message));
                        }
                    }
                    if self.state == State::Header {
                        // Account for the final output before the trailer check.
                        self.account(written)?;
                        let trailer = self.read_trailer();
                        if written > 0 {
                            // The member's last bytes go out first, so a
                            // trailer cut short loses none of the content.
                            self.pending = trailer.err();
                            return Ok(Some(&self.output[..written]));
                        }
                        trailer?;
                        continue;
                    }
                    if written == 0 {
                        continue;
                    }
                    self.account(written)?;
                    return Ok(Some(&self.output[..written]));
                }
            }
        }
    }

    /// Updates CRC and lengths for `output[..n]`, and enforces the size
    /// limit before the bytes are handed out.
    fn account(&mut self, n: usize) -> Result<()> {
        let (bytes, n) = (&self.output[..n], n as u64);
        self.total_out = self.total_out.saturating_add(n);
        if self.total_out > self.limit {
            return Err(DecodeError::TooLarge {
                limit: self.limit,
                size: (self.input_size > 0).then_some(self.input_size),
                compressed: true,
            });
        }
        self.crc = crc32_update(self.crc, bytes);
        self.member_len = self.member_len.wrapping_add(n);
        Ok(())
    }

    /// After a member: true when nothing but padding follows. Some tools pad
    /// gzip files with zero bytes; anything else must be another member.
    fn at_end_of_members(&mut self) -> Result<bool> {
        let start = self.pos();
        let mut zeros = false;
        loop {
            if self.lo == self.hi && !self.fill()? {
                return Ok(true);
            }
            match self.input[self.lo..self.hi].iter().position(|&b| b != 0) {
                None => {
                    self.lo = self.hi;
                    zeros = true;
                }
                Some(0) if !zeros => return Ok(false),
                Some(_) => {
                    return Err(self.error_at(
                        start,
                        "expected a gzip member (magic 1f 8b) after the previous one",
                    ))
                }
            }
        }
    }

    fn error_at(&self, offset: u64, message: &str) -> DecodeError {
        let member = if self.members > 1 {
            format!(
                " (member {} starting at byte {})",
                self.members, self.member_start
            )
        } else {
            String::new()
        };
        DecodeError::Gzip {
            offset,
            message: format!("{message}{member}"),
        }
    }

    /// Takes `n` header bytes (available), adding them to the header CRC.
    fn take_header(&mut self, n: usize, hcrc: &mut u32) -> std::ops::Range<usize> {
        let r = self.lo..self.lo + n;
        *hcrc = crc32_update(*hcrc, &self.input[r.clone()]);
        self.lo += n;
        r
    }

    fn read_header(&mut self) -> Result<()> {
        const FHCRC: u8 = 0x02;
        const FEXTRA: u8 = 0x04;
        const FNAME: u8 = 0x08;
        const FCOMMENT: u8 = 0x10;
        const RESERVED: u8 = 0xe0;
        let start = self.pos();
        self.member_start = start;
        self.members += 1;
        let complete = self.ensure(10)?;
        let rest = &self.input[self.lo..self.hi];
        if rest.first().is_some_and(|&b| b != 0x1f) || rest.get(1).is_some_and(|&b| b != 0x8b) {
            return Err(self.error_at(
                start,
                "expected a gzip member (magic 1f 8b) after the previous one",
            ));
        }
        let truncated = |this: &Self| this.error_at(this.end(), "the gzip header is truncated");
        if !complete {
            return Err(truncated(self));
        }
        let mut hcrc = 0u32;
        let fixed = self.take_header(10, &mut hcrc);
        let (method, flags) = (self.input[fixed.start + 2], self.input[fixed.start + 3]);
        if method != 8 {
            return Err(self.error_at(
                start + 2,
                &format!("unknown compression method {method} (only 8, deflate, exists)"),
            ));
        }
        if flags & RESERVED != 0 {
            return Err(self.error_at(
                start + 3,
                &format!("reserved header flag bits are set ({flags:#04x})"),
            ));
        }
        if flags & FEXTRA != 0 {
            if !self.ensure(2)? {
                return Err(truncated(self));
            }
            let x = self.take_header(2, &mut hcrc);
            let xlen = u16::from_le_bytes([self.input[x.start], self.input[x.start + 1]]) as usize;
            if !self.ensure(xlen)? {
                return Err(truncated(self));
            }
            self.take_header(xlen, &mut hcrc);
        }
        for flag in [FNAME, FCOMMENT] {
            if flags & flag != 0 {
                // A zero-terminated string of any length.
                loop {
                    if self.lo == self.hi && !self.fill()? {
                        return Err(truncated(self));
                    }
                    match self.input[self.lo..self.hi].iter().position(|&b| b == 0) {
                        Some(nul) => {
                            self.take_header(nul + 1, &mut hcrc);
                            break;
                        }
                        None => {
                            self.take_header(self.hi - self.lo, &mut hcrc);
                        }
                    }
                }
            }
        }
        if flags & FHCRC != 0 {
            let at = self.pos();
            if !self.ensure(2)? {
                return Err(truncated(self));
            }
            let stored = u16::from_le_bytes([self.input[self.lo], self.input[self.lo + 1]]);
            if stored != (hcrc & 0xffff) as u16 {
                return Err(self.error_at(at, "the gzip header checksum (FHCRC) does not match"));
            }
            self.lo += 2;
        }
        self.decomp.reset(false);
        self.crc = 0;
        self.member_len = 0;
        Ok(())
    }

    fn read_trailer(&mut self) -> Result<()> {
        let p = self.pos();
        if !self.ensure(8)? {
            self.cut_short = Some(CutShort::InTrailer);
            return Err(self.error_at(
                self.end(),
                "the gzip trailer (CRC-32 and length) is truncated",
            ));
        }
        let t = &self.input[self.lo..self.lo + 8];
        let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        let isize = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
        if crc != self.crc {
            return Err(self.error_at(
                p,
                &format!("CRC-32 mismatch: the trailer says {crc:08x}, the data gives {:08x} (the file is corrupt)", self.crc),
            ));
        }
        if isize != self.member_len as u32 {
            return Err(self.error_at(
                p + 4,
                &format!(
                    "length mismatch: the trailer says {isize} bytes (mod 2^32), the data has {}",
                    self.member_len
                ),
            ));
        }
        self.lo += 8;
        Ok(())
    }
}

/// Continues a CRC-32 (IEEE 802.3, as gzip uses) over `data` (start with
/// 0). zlib-rs's, which the inflate links anyway: in V8's wasm it takes
/// 36-40 ms over 67 MB where a slicing-by-8 table loop takes 43-44 ms.
pub fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    zlib_rs::crc32::crc32(crc, data)
}

/// CRC-32 of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    crc32_update(0, data)
}

#[cfg(test)]
mod tests;
