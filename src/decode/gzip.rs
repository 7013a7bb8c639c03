//! gzip (RFC 1952): detection and size-limited, streaming inflate.
//!
//! Why not just call `miniz_oxide::inflate::decompress_to_vec`? Three
//! reasons: a gzip bomb must stop at a size limit with bounded memory, a
//! broken file must say *where* it is broken (header, deflate data, CRC,
//! length), and Go writes profiles that other tools may have concatenated
//! into multi-member streams. So the header is parsed here, raw deflate goes
//! through miniz_oxide's core decompressor into a ring buffer, and each
//! member's CRC-32 and ISIZE trailer is checked.
//!
//! [`Inflater`] hands out the output one chunk at a time (a slice of its ring
//! buffer), so a later streaming protobuf decoder can consume it without ever
//! holding the whole uncompressed file; [`inflate`] is that loop collecting
//! into a `Vec`.

use miniz_oxide::inflate::core::inflate_flags::TINFL_FLAG_HAS_MORE_INPUT;
use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

use super::{DecodeError, Progress, Result, Stage};

/// Size of the ring buffer deflate decodes into. Must be a power of two and
/// at least the 32 KiB deflate window; larger means fewer, longer chunks.
const RING: usize = 256 << 10;

/// Progress is reported each time this many compressed bytes have been read.
const PROGRESS_EVERY: u64 = 1 << 20;

/// Whether `bytes` start with the gzip magic `1f 8b`.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
}

/// Inflates a whole gzip stream (all members), failing with
/// [`DecodeError::TooLarge`] as soon as the output would exceed `limit`.
///
/// Memory stays below `limit` plus one ring buffer: the output `Vec` grows by
/// doubling but never past `limit`.
pub fn inflate(bytes: &[u8], limit: u64, progress: &mut dyn Progress) -> Result<Vec<u8>> {
    let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut out: Vec<u8> = Vec::with_capacity(initial_capacity(bytes, limit_usize));
    let mut inflater = Inflater::new(bytes, limit);
    while let Some(chunk) = inflater.next_chunk(progress)? {
        let needed = out.len().saturating_add(chunk.len());
        if needed > out.capacity() {
            // Double, but never reserve past the limit (the Inflater has
            // already checked that `needed` is within it).
            let target = out.capacity().saturating_mul(2).max(needed).min(limit_usize.max(needed));
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
    let Some(trailer) = bytes.len().checked_sub(4).and_then(|s| bytes.get(s..)) else { return 0 };
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
    /// Expecting a member header at `pos` (the first, or after a trailer).
    Header,
    /// Inside a member's deflate data.
    Deflate,
    /// All members read.
    Done,
}

/// Streaming gzip decoder over an in-memory input; see the module docs.
pub struct Inflater<'a> {
    input: &'a [u8],
    /// Next unread input byte.
    pos: usize,
    state: State,
    decomp: Box<DecompressorOxide>,
    ring: Vec<u8>,
    /// Write position in `ring`.
    ring_pos: usize,
    /// CRC-32 and length of the current member's output so far.
    crc: u32,
    member_len: u64,
    /// Offset of the current member's header, for messages.
    member_start: usize,
    members: u32,
    total_out: u64,
    limit: u64,
    next_progress: u64,
}

impl<'a> Inflater<'a> {
    pub fn new(input: &'a [u8], limit: u64) -> Self {
        Inflater {
            input,
            pos: 0,
            state: State::Header,
            decomp: Box::default(),
            ring: vec![0; RING],
            ring_pos: 0,
            crc: 0,
            member_len: 0,
            member_start: 0,
            members: 0,
            total_out: 0,
            limit,
            next_progress: PROGRESS_EVERY,
        }
    }

    /// Uncompressed bytes produced so far.
    pub fn total_out(&self) -> u64 {
        self.total_out
    }

    /// Compressed bytes consumed so far.
    pub fn total_in(&self) -> u64 {
        self.pos as u64
    }

    /// The next piece of output, `None` at the end of the last member. The
    /// slice is valid until the next call.
    pub fn next_chunk(&mut self, progress: &mut dyn Progress) -> Result<Option<&[u8]>> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Header => {
                    if self.members > 0 && self.at_end_of_members() {
                        self.state = State::Done;
                        continue;
                    }
                    self.read_header()?;
                    self.state = State::Deflate;
                }
                State::Deflate => {
                    if self.pos as u64 >= self.next_progress {
                        self.next_progress = (self.pos as u64).saturating_add(PROGRESS_EVERY);
                        if !progress.report(Stage::Inflating, self.pos as u64, self.input.len() as u64) {
                            return Err(DecodeError::Cancelled);
                        }
                    }
                    let input = self.input.get(self.pos..).unwrap_or(&[]);
                    let (status, read, written) =
                        decompress(&mut self.decomp, input, &mut self.ring, self.ring_pos, TINFL_FLAG_HAS_MORE_INPUT);
                    self.pos += read;
                    let start = self.ring_pos;
                    let end = start + written;
                    match status {
                        TINFLStatus::Done => {
                            self.state = State::Header;
                        }
                        TINFLStatus::HasMoreOutput => {}
                        TINFLStatus::NeedsMoreInput => {
                            if read == 0 && written == 0 {
                                return Err(self.error_at(
                                    self.input.len(),
                                    "the compressed data ends early (the file is truncated)",
                                ));
                            }
                        }
                        _ => {
                            return Err(self.error_at(self.pos, "the deflate data is corrupt"));
                        }
                    }
                    if status == TINFLStatus::Done {
                        // Account for the final output before the trailer check.
                        self.account(start, end)?;
                        self.read_trailer()?;
                        if written > 0 {
                            return Ok(Some(&self.ring[start..end]));
                        }
                        continue;
                    }
                    if written == 0 {
                        continue;
                    }
                    self.account(start, end)?;
                    return Ok(Some(&self.ring[start..end]));
                }
            }
        }
    }

    /// Updates CRC, lengths and the ring position for `ring[start..end]`, and
    /// enforces the size limit before the bytes are handed out.
    fn account(&mut self, start: usize, end: usize) -> Result<()> {
        let n = (end - start) as u64;
        self.total_out = self.total_out.saturating_add(n);
        if self.total_out > self.limit {
            return Err(DecodeError::TooLarge { limit: self.limit });
        }
        self.crc = crc32_update(self.crc, &self.ring[start..end]);
        self.member_len = self.member_len.wrapping_add(n);
        self.ring_pos = end & (RING - 1);
        Ok(())
    }

    /// After a member: true when nothing but padding follows. Some tools pad
    /// gzip files with zero bytes; anything else must be another member.
    fn at_end_of_members(&self) -> bool {
        self.input.get(self.pos..).is_none_or(|rest| rest.iter().all(|&b| b == 0))
    }

    fn error_at(&self, offset: usize, message: &str) -> DecodeError {
        let member = if self.members > 1 { format!(" (member {} starting at byte {})", self.members, self.member_start) } else { String::new() };
        DecodeError::Gzip { offset: offset as u64, message: format!("{message}{member}") }
    }

    fn read_header(&mut self) -> Result<()> {
        const FHCRC: u8 = 0x02;
        const FEXTRA: u8 = 0x04;
        const FNAME: u8 = 0x08;
        const FCOMMENT: u8 = 0x10;
        const RESERVED: u8 = 0xe0;
        let start = self.pos;
        self.member_start = start;
        self.members += 1;
        let input = self.input;
        let truncated = |this: &Self| this.error_at(input.len(), "the gzip header is truncated");
        let rest = input.get(start..).unwrap_or(&[]);
        if rest.first().is_some_and(|&b| b != 0x1f) || rest.get(1).is_some_and(|&b| b != 0x8b) {
            return Err(self.error_at(start, "expected a gzip member (magic 1f 8b) after the previous one"));
        }
        let fixed = input.get(start..start + 10).ok_or_else(|| truncated(self))?;
        if fixed[2] != 8 {
            return Err(self.error_at(
                start + 2,
                &format!("unknown compression method {} (only 8, deflate, exists)", fixed[2]),
            ));
        }
        let flags = fixed[3];
        if flags & RESERVED != 0 {
            return Err(self.error_at(start + 3, &format!("reserved header flag bits are set ({flags:#04x})")));
        }
        let mut p = start + 10;
        if flags & FEXTRA != 0 {
            let xlen = input.get(p..p + 2).ok_or_else(|| truncated(self))?;
            let xlen = u16::from_le_bytes([xlen[0], xlen[1]]) as usize;
            p += 2;
            if input.len() < p + xlen {
                return Err(truncated(self));
            }
            p += xlen;
        }
        for flag in [FNAME, FCOMMENT] {
            if flags & flag != 0 {
                let rest = input.get(p..).unwrap_or(&[]);
                let nul = rest.iter().position(|&b| b == 0).ok_or_else(|| truncated(self))?;
                p += nul + 1;
            }
        }
        if flags & FHCRC != 0 {
            let stored = input.get(p..p + 2).ok_or_else(|| truncated(self))?;
            let stored = u16::from_le_bytes([stored[0], stored[1]]);
            let actual = (crc32(&input[start..p]) & 0xffff) as u16;
            if stored != actual {
                return Err(self.error_at(p, "the gzip header checksum (FHCRC) does not match"));
            }
            p += 2;
        }
        self.pos = p;
        self.decomp.init();
        self.crc = 0;
        self.member_len = 0;
        Ok(())
    }

    fn read_trailer(&mut self) -> Result<()> {
        let p = self.pos;
        let Some(t) = self.input.get(p..p + 8) else {
            return Err(self.error_at(self.input.len(), "the gzip trailer (CRC-32 and length) is truncated"));
        };
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
        self.pos = p + 8;
        Ok(())
    }
}

/// CRC-32 (IEEE 802.3, as gzip uses) tables for slicing-by-8: `T[k][b]` is
/// the CRC of byte `b` followed by `k` zero bytes.
static CRC_TABLES: [[u32; 256]; 8] = crc_tables();

const fn crc_tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

/// Continues a CRC-32 over `data` (start with 0).
pub fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    let t = &CRC_TABLES;
    let mut c = !crc;
    let mut chunks = data.chunks_exact(8);
    for b in &mut chunks {
        let lo = c ^ u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        c = t[7][(lo & 0xff) as usize]
            ^ t[6][((lo >> 8) & 0xff) as usize]
            ^ t[5][((lo >> 16) & 0xff) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][b[4] as usize]
            ^ t[2][b[5] as usize]
            ^ t[1][b[6] as usize]
            ^ t[0][b[7] as usize];
    }
    for &b in chunks.remainder() {
        c = t[0][((c ^ b as u32) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// CRC-32 of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    crc32_update(0, data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::NoProgress;

    /// A gzip member around raw deflate of `data`, with the given header flags
    /// and extra header bytes.
    fn member(data: &[u8], flags: u8, extra_header: &[u8]) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 0xff];
        out.extend_from_slice(extra_header);
        out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
        out.extend(crc32(data).to_le_bytes());
        out.extend((data.len() as u32).to_le_bytes());
        out
    }

    #[test]
    fn crc32_known_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        let long: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let split = crc32_update(crc32(&long[..333]), &long[333..]);
        assert_eq!(split, crc32(&long));
    }

    #[test]
    fn inflates_header_fields_and_multiple_members() {
        let mut file = member(b"hello ", 0x08, b"name.txt\0");
        file.extend(member(b"world", 0x04 | 0x10, b"\x03\x00abcsome comment\0"));
        let mut hcrc = vec![0x1f, 0x8b, 8, 0x02, 0, 0, 0, 0, 0, 0xff];
        let h = (crc32(&hcrc) & 0xffff) as u16;
        hcrc.extend(h.to_le_bytes());
        let body = member(b"!", 0, b"");
        hcrc.extend_from_slice(&body[10..]);
        file.extend(hcrc);
        assert_eq!(inflate(&file, 1 << 20, &mut NoProgress).unwrap(), b"hello world!");
    }

    #[test]
    fn big_output_crosses_ring_buffer_many_times() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8 ^ (i >> 12) as u8).collect();
        let file = member(&data, 0, b"");
        assert!(inflate(&file, 1 << 30, &mut NoProgress).unwrap() == data, "round trip differs");
        let result = inflate(&file, 1_000_000, &mut NoProgress);
        assert!(matches!(result, Err(DecodeError::TooLarge { limit: 1_000_000 })), "limit not enforced");
    }

    #[test]
    fn errors_say_where() {
        let file = member(b"some profile bytes", 0, b"");
        let err = |bytes: &[u8]| match inflate(bytes, 1 << 20, &mut NoProgress) {
            Err(DecodeError::Gzip { offset, message }) => (offset, message),
            Err(other) => panic!("expected a gzip error, got {other:?}"),
            Ok(out) => panic!("expected a gzip error, got {} bytes", out.len()),
        };
        assert!(err(b"\x1f\x8b").1.contains("header is truncated"));
        let mut bad_method = file.clone();
        bad_method[2] = 7;
        assert_eq!(err(&bad_method).0, 2);
        let (off, msg) = err(&file[..file.len() - 12]);
        assert!(msg.contains("truncated"), "{msg}");
        assert_eq!(off as usize, file.len() - 12);
        let mut bad_crc = file.clone();
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 1;
        let (off, msg) = err(&bad_crc);
        assert!(msg.contains("CRC-32 mismatch"), "{msg}");
        assert_eq!(off as usize, n - 8);
        let mut bad_len = file.clone();
        bad_len[n - 1] ^= 1;
        assert!(err(&bad_len).1.contains("length mismatch"));
        let mut trailing = file.clone();
        trailing.extend_from_slice(b"junk");
        assert!(err(&trailing).1.contains("expected a gzip member"));
        let mut padded = file.clone();
        padded.extend_from_slice(&[0; 7]);
        assert!(inflate(&padded, 1 << 20, &mut NoProgress).is_ok());
    }

    #[test]
    fn cancels() {
        let data = vec![7u8; 8 << 20];
        let mut file = member(&data, 0, b"");
        // Incompressible-ish padding so that the compressed stream crosses a
        // progress boundary: several members.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let noise: Vec<u8> = (0..1_500_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        file.extend(member(&noise, 0, b""));
        let mut calls = 0;
        let mut cancel = |stage: Stage, _: u64, _: u64| {
            assert_eq!(stage, Stage::Inflating);
            calls += 1;
            false
        };
        let result = inflate(&file, 1 << 30, &mut cancel);
        assert!(matches!(result, Err(DecodeError::Cancelled)), "not cancelled");
        assert_eq!(calls, 1);
    }
}
