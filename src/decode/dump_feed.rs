//! A goroutine dump streamed a piece at a time ([`DumpStream`]), pulled
//! from a [`DumpSource`] (a file read as it is, or an inflater's output) or
//! pushed as it arrives ([`DumpPush`]: a browser's file stream, which hands
//! out chunks asynchronously and reads a file 2-3x faster than a worker's
//! synchronous reader). Both cut the text in the same places, so they
//! decode it alike.

use super::text::dump::{last_header_start, DumpStream};
use super::{gzip, read_up_to, DecodeError, DecodeOptions, Progress, Result};
use crate::model::Profile;
use std::io::Read;

/// Where a streamed dump's text comes from: a file read as it is, or the
/// output of an inflater.
pub(super) trait DumpSource {
    /// Appends to `buf` until it holds at least `want` bytes; `false` once
    /// the text has ended.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize, progress: &mut dyn Progress)
        -> Result<bool>;

    /// The text's size, or an estimate of it, from `size`, the input's.
    fn estimate(&self, size: u64) -> u64 {
        size
    }

    /// Says where in the text an error of the source happened.
    fn locate(&self, e: DecodeError, _lines: u32, _bytes: u64) -> DecodeError {
        e
    }

    /// Whether the source's last error was its input ending early, with
    /// all the text before it intact (a gzip file cut short), and where.
    fn cut_short(&self) -> Option<gzip::CutShort> {
        None
    }
}

impl DumpSource for &mut dyn Read {
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize, _: &mut dyn Progress) -> Result<bool> {
        read_up_to(&mut **self, buf, want)?;
        Ok(buf.len() >= want)
    }
}

impl<R: Read> DumpSource for gzip::Inflater<R> {
    fn fill(
        &mut self,
        buf: &mut Vec<u8>,
        want: usize,
        progress: &mut dyn Progress,
    ) -> Result<bool> {
        // A chunk is at most the inflater's output buffer, so a piece is
        // at most that much over.
        while buf.len() < want {
            match self.next_chunk(progress)? {
                Some(chunk) => buf.extend_from_slice(chunk),
                None => return Ok(false),
            }
        }
        Ok(true)
    }

    /// The compressed size times the ratio so far: what sizes the
    /// goroutine table ahead ([`text::dump::DumpStream::set_total`]).
    fn estimate(&self, size: u64) -> u64 {
        let (inn, out) = (self.total_in(), self.total_out());
        if inn == 0 {
            return out;
        }
        let ratio = out as f64 / inn as f64;
        ((size as f64 * ratio) as u64).max(out)
    }

    fn cut_short(&self) -> Option<gzip::CutShort> {
        gzip::Inflater::cut_short(self)
    }

    fn locate(&self, e: DecodeError, lines: u32, bytes: u64) -> DecodeError {
        match e {
            DecodeError::Gzip { offset, message } => DecodeError::Gzip {
                offset,
                message: format!(
                    "{message}, after line {lines} of the goroutine dump inside \
                     ({bytes} bytes of it were read)"
                ),
            },
            other => other,
        }
    }
}

/// Cuts a dump's text into pieces that end right before a goroutine header
/// and feeds them to a [`DumpStream`]: what a piece's last goroutine
/// leaves over waits in `buf` for the next bytes.
struct Feeder {
    stream: DumpStream,
    buf: Vec<u8>,
    /// Bytes of `buf` already searched for a header start.
    searched: usize,
    /// Input bytes read, for the size in [`DecodeError::TooLarge`].
    read: u64,
    /// Text bytes fed to the stream, for where a source's error happened.
    fed: u64,
    size: u64,
    compressed: bool,
    piece: usize,
    max_uncompressed: u64,
}

impl Feeder {
    fn new(head: Vec<u8>, size: u64, compressed: bool, opts: &DecodeOptions) -> Feeder {
        Feeder {
            stream: DumpStream::new(size, opts.max_goroutines),
            read: head.len() as u64,
            buf: head,
            searched: 0,
            fed: 0,
            size,
            compressed,
            piece: opts.dump_piece.max(1),
            max_uncompressed: opts.max_uncompressed,
        }
    }

    /// How many bytes `buf` should hold before the next [`Self::cut`].
    fn want(&self) -> usize {
        self.searched + self.piece
    }

    /// Feeds the stream what `buf` holds up to its last goroutine header
    /// among the bytes not searched yet. A dump with no header for
    /// [`DecodeOptions::max_uncompressed`] bytes (a log with a traceback at
    /// its start) stops there, as a whole-text read would. Never inlined:
    /// the stream's decoder would be copied into each caller.
    #[inline(never)]
    fn cut(&mut self, progress: &mut dyn Progress) -> Result<()> {
        // From the byte before: a header starts after a newline.
        let from = self.searched.saturating_sub(1);
        match last_header_start(&self.buf[from..]) {
            Some(cut) => {
                let cut = from + cut;
                self.stream.feed(&self.buf[..cut], false, progress)?;
                self.fed += cut as u64;
                self.buf.drain(..cut);
            }
            None if self.buf.len() as u64 > self.max_uncompressed => {
                return Err(DecodeError::TooLarge {
                    limit: self.max_uncompressed,
                    size: Some(if self.compressed {
                        self.size
                    } else {
                        self.size.max(self.read)
                    }),
                    compressed: self.compressed,
                });
            }
            // One goroutine or one stretch of log longer than a piece.
            None => {}
        }
        self.searched = self.buf.len();
        Ok(())
    }

    /// Feeds the rest as the dump's end.
    #[inline(never)]
    fn finish(mut self, progress: &mut dyn Progress) -> Result<(Profile, u32)> {
        self.stream.feed(&self.buf, true, progress)?;
        let lines = self.stream.lines();
        Ok((self.stream.finish(), lines))
    }
}

/// Decodes a goroutine dump a piece at a time, `head` being its first
/// bytes ([`DecodeOptions::dump_piece`] at a time, each piece ending
/// before the last goroutine header read).
pub(super) fn decode_dump_stream(
    source: &mut dyn DumpSource,
    head: Vec<u8>,
    size: u64,
    compressed: bool,
    opts: &DecodeOptions,
    progress: &mut dyn Progress,
) -> Result<Profile> {
    let mut f = Feeder::new(head, size, compressed, opts);
    loop {
        let want = f.want();
        let before = f.buf.len();
        // A dump cut short, as a log limit or an interrupted copy leaves
        // it, keeps what came before the cut, with a warning: the same as
        // the cut text read plain.
        let (more, cut) = match source.fill(&mut f.buf, want, progress) {
            Ok(more) => (more, None),
            Err(DecodeError::Gzip { offset, message }) => match source.cut_short() {
                Some(at) => (false, Some((offset, message, at))),
                None => {
                    let e = DecodeError::Gzip { offset, message };
                    return Err(source.locate(e, f.stream.lines(), f.fed));
                }
            },
            Err(e) => return Err(source.locate(e, f.stream.lines(), f.fed)),
        };
        f.read += (f.buf.len() - before) as u64;
        f.stream.set_total(source.estimate(size));
        if !more {
            let (mut profile, lines) = f.finish(progress)?;
            if let Some((offset, message, at)) = cut {
                warn_cut_short(&mut profile, lines, offset, &message, at);
            }
            return Ok(profile);
        }
        f.cut(progress)?;
    }
}

/// The pieces of a pushed dump after its first (which sizes the goroutine
/// table, and stays [`DecodeOptions::dump_piece`]). Small enough that each
/// chunk a browser's file stream hands out (about 2 MiB each for a large
/// file in Chromium) is decoded as it arrives rather than gathered first:
/// the 431 MB dump reached ready in 1,692 ms in Chromium with pieces of
/// 256 KiB, 1,746 ms with 1 MiB, 1,800 ms with 64 KiB, and 1,827-1,919 ms
/// with 8 MiB (best of 3 each, in one session).
const PUSHED_PIECE: usize = 256 << 10;

/// A plain goroutine dump decoded as its bytes are pushed in, in chunks of
/// any size: for input that arrives asynchronously, where the reader
/// cannot be pulled from.
pub struct DumpPush {
    feeder: Feeder,
}

impl DumpPush {
    /// A dump of `size` bytes whose first bytes are `head` (see
    /// [`super::is_plain_dump`]).
    pub fn new(head: Vec<u8>, size: u64, opts: &DecodeOptions) -> DumpPush {
        DumpPush {
            feeder: Feeder::new(head, size, false, opts),
        }
    }

    /// Takes the next `len` bytes, written by `fill` straight into the
    /// decoder's buffer (a chunk from JavaScript is copied once).
    pub fn push_with(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut [u8]),
        progress: &mut dyn Progress,
    ) -> Result<()> {
        let f = &mut self.feeder;
        let start = f.buf.len();
        f.buf.resize(start + len, 0);
        fill(&mut f.buf[start..]);
        f.read += len as u64;
        if f.buf.len() >= f.want() {
            f.cut(progress)?;
            f.piece = f.piece.min(PUSHED_PIECE);
        }
        Ok(())
    }

    /// Takes the next bytes.
    pub fn push(&mut self, chunk: &[u8], progress: &mut dyn Progress) -> Result<()> {
        self.push_with(chunk.len(), |buf| buf.copy_from_slice(chunk), progress)
    }

    /// The dump has ended: its model.
    pub fn finish(self, progress: &mut dyn Progress) -> Result<Profile> {
        Ok(self.feeder.finish(progress)?.0)
    }
}

/// The warning for a gzipped dump whose input ended early at compressed
/// byte `offset`, after `lines` lines of text.
pub(super) fn warn_cut_short(
    profile: &mut Profile,
    lines: u32,
    offset: u64,
    message: &str,
    at: gzip::CutShort,
) {
    let outcome = match at {
        gzip::CutShort::InData => {
            format!("the dump is read to line {lines}, and what followed it is missing")
        }
        gzip::CutShort::InTrailer => {
            "the dump is whole, but its CRC-32 and length could not be checked".to_string()
        }
    };
    // First, where the page's banner shows it: it says why the last
    // goroutine may be cut too.
    profile.warnings.insert(
        0,
        crate::model::Warning {
            line: None,
            offset: None,
            message: format!("the gzip file is cut short at byte {offset}: {message}; {outcome}"),
        },
    );
    profile.warnings.truncate(100);
    profile.warning_count += 1;
}
