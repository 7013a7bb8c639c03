//! pprof protobuf (`proto/profile.proto`) -> [`Profile`], in one streaming
//! pass.
//!
//! [`StreamDecoder`] is fed the uncompressed bytes in chunks of any size, as
//! the gzip [`crate::decode::gzip::Inflater`] hands them out, and never needs
//! the whole file at once: a profile costs its model plus one field's bytes,
//! so a 1 GB profile does not need a second gigabyte for its inflated copy.
//!
//! Stages, as in pprof's `ParseData -> postDecode -> CheckValid`:
//! 1. **Walk** the top-level `Profile` fields as they arrive (this file),
//!    tracking byte offsets, so every error says where it is. The table
//!    messages are kept as read, strings are interned, and each `Sample` is
//!    read at once (`sample.rs`).
//! 2. Field order is not guaranteed, and Go writes samples *before*
//!    locations, functions and the string table, so a sample cannot be
//!    resolved when it is read. It is kept with the file's own numbers: its
//!    stack is interned by the file's location ids (`stack_interner.rs`), its
//!    labels by the file's string indices.
//! 3. **Resolve** at the end ([`StreamDecoder::finish`], `resolve.rs`): file
//!    ids and string indices into the model's typed ids, checking ids (0 is
//!    reserved, no duplicates) and index ranges; then the stack table's
//!    location column is translated (once per distinct stack node, not once
//!    per frame) and the label sets are re-interned.
//!
//! A problem found in stage 3 (a sample refers to a location that is not in
//! the profile) names the sample by its number; its byte offset is no longer
//! known. Everything found while walking gives the byte offset.
//!
//! # Which bytes prost reads
//!
//! One reader walks the file: the hand-written one in `wire.rs`. prost
//! ([`messages`]) only decodes, from a slice the walk hands it, a table
//! message that arrived whole in one field:
//! * **By hand: `Profile` itself, and `Sample` with its `Label`s.** prost
//!   decodes a message only when all its bytes are in one buffer, and
//!   `Profile` is the whole file: walking its fields by hand is what lets the
//!   file arrive in chunks and never be held whole, and what gives each
//!   error its byte offset. A `Sample` is a few bytes, but there are millions
//!   of them: prost would allocate three `Vec`s for each, where
//!   `sample.rs` reuses scratch buffers and hashes the stack as it reads it.
//! * **By prost: `ValueType`, `Mapping` and `Function`.** There is one per
//!   function, not per sample, so their cost does not matter, and prost's
//!   decoding of them is what a hand-written copy would have to redo, down
//!   to the wording of its error messages, which users see after the
//!   field's name and byte offset.
//! * **`Location`: by hand when it is plain, else by prost**
//!   (`location.rs`). prost gives each location a heap block for its lines,
//!   and a fleet's merge decodes millions of locations; the hand-written
//!   reader takes only what pprof writes and hands anything else to prost,
//!   so results and error messages stay prost's.
//!
//! Two kinds of failure: while the bytes do not yet look like a profile (the
//! first fields are not valid `Profile` fields), errors are
//! [`DecodeError::Unrecognized`] so detection can say "not a profile"; after
//! that they are [`DecodeError::Protobuf`] (bad encoding) or
//! [`DecodeError::Invalid`] (well-formed, but breaks the format's rules).

mod location;
pub mod messages;
mod resolve;
mod sample;
mod stack_interner;
mod wire;

use prost::Message;

use self::messages as pb;
use self::resolve::{FileSamples, FileTables};
use self::wire::{read_key, read_varint, FieldSpan, WireType};
use super::{DecodeError, DecodeOptions, Progress, Result, Stage};
use crate::model::{Label, LocId, Profile, SourceFormat};

/// Progress is reported (and cancellation checked) every this many bytes.
const PROGRESS_EVERY: usize = 1 << 20;

/// After this many well-formed top-level fields in a row the input counts as
/// a profile even if none of them was a message we could check.
const FIELDS_TO_RECOGNIZE: u32 = 3;

/// Decodes a whole uncompressed pprof protobuf held in memory. `gzipped`
/// only records where the bytes came from. Progress is reported as
/// [`Stage::Decoding`] over the bytes walked.
pub fn decode(
    bytes: &[u8],
    gzipped: bool,
    _opts: &DecodeOptions,
    progress: &mut dyn Progress,
) -> Result<Profile> {
    let mut d =
        StreamDecoder::new(gzipped, bytes.len() as u64).expecting(bytes.len() as u64, false);
    let total = bytes.len() as u64;
    let mut pos = 0;
    while pos < bytes.len() {
        // The whole input is here, so fields may run past `stop`: no copy.
        let stop = bytes.len().min(pos + PROGRESS_EVERY);
        pos = d.walk(bytes, pos, stop, true)?;
        if !progress.report(Stage::Decoding, pos as u64, total) {
            return Err(DecodeError::Cancelled);
        }
    }
    d.finish()
}

/// The name of a top-level `Profile` field, for messages.
fn field_name(field: u64) -> &'static str {
    match field {
        1 => "sample_type",
        2 => "sample",
        3 => "mapping",
        4 => "location",
        5 => "function",
        6 => "string_table",
        7 => "drop_frames",
        8 => "keep_frames",
        9 => "time_nanos",
        10 => "duration_nanos",
        11 => "period_type",
        12 => "period",
        13 => "comment",
        14 => "default_sample_type",
        15 => "doc_url",
        _ => "unknown field",
    }
}

fn invalid(message: String) -> DecodeError {
    DecodeError::Invalid { message }
}

/// A streaming pprof decoder: [`Self::feed`] it chunks, then [`Self::finish`].
pub struct StreamDecoder {
    /// Absolute offset of the buffer being walked, for messages.
    base: usize,
    /// Absolute offset of the next byte [`Self::feed`] will get.
    fed: usize,
    /// The start of a field cut off by the end of the last chunk.
    window: Vec<u8>,
    /// The input is at most this long (the file size for plain input, the
    /// size limit for gzip), so a longer field length is an error at once
    /// rather than a wait for bytes that never come.
    size_bound: u64,
    /// Whether the input has been seen to be a profile (see module docs).
    recognized: bool,
    fields_seen: u32,
    profile: Profile,
    /// Everything but the samples, as read.
    file: FileTables,
    /// The samples' stacks and label sets by the file's numbers (see module
    /// docs).
    samples: FileSamples,
    /// Scratch for the sample being read.
    locs: Vec<LocId>,
    labels: Vec<Label>,
}

impl StreamDecoder {
    /// A decoder for input of at most `size_bound` bytes.
    pub fn new(gzipped: bool, size_bound: u64) -> Self {
        StreamDecoder {
            base: 0,
            fed: 0,
            window: Vec::new(),
            size_bound,
            recognized: false,
            fields_seen: 0,
            profile: Profile::new(SourceFormat::Pprof { gzipped }),
            file: FileTables::default(),
            samples: FileSamples::new(),
            locs: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// Sizes the stack lookup for an input of `bytes`, `compressed` or not,
    /// when the first sample comes. The profiles measured here hold a
    /// stack node per 7 to 85 inflated bytes and inflate 1.2 to 3.6 times;
    /// one node per 24 inflated bytes, gzip taken as 2x, sizes the
    /// reference profile's lookup at its final size. A file of few stacks
    /// gets more slots than it needs: up to 2^22 of 4 bytes, while its
    /// samples are read. Files expected under half a million nodes grow
    /// their slots as before: their growths cost a few milliseconds, and
    /// sized ahead, a fleet's merge of them peaked 2 to 5 MB higher (the
    /// allocator's doing: the bytes live at its peak were the same).
    pub fn expecting(mut self, bytes: u64, compressed: bool) -> Self {
        let per_node = if compressed { 12 } else { 24 };
        let nodes = usize::try_from(bytes / per_node).unwrap_or(usize::MAX);
        if nodes >= 1 << 19 {
            self.samples.stacks.expect_nodes(nodes);
        }
        self
    }

    /// Bytes fed so far.
    pub fn bytes_fed(&self) -> u64 {
        self.fed as u64
    }

    /// Walks the next `chunk` of the input. Only the part of a field that a
    /// chunk's end cuts off is copied (into a small window); everything else
    /// is read where it lies.
    pub fn feed(&mut self, mut chunk: &[u8]) -> Result<()> {
        // Absolute offset of `chunk[0]`; the window always lies just before it.
        let mut at = self.fed;
        self.fed += chunk.len();
        let mut window = std::mem::take(&mut self.window);
        while !window.is_empty() {
            self.base = at - window.len();
            match self.field_extent(&window)? {
                Some(need) if need <= window.len() => {
                    let end = self.walk(&window, 0, window.len(), false)?;
                    window.drain(..end);
                }
                extent => {
                    // Complete the pending field from the front of the chunk;
                    // a cut key or length takes at most 20 bytes.
                    if chunk.is_empty() {
                        self.window = window;
                        return Ok(());
                    }
                    let want = extent.map_or(20, |need| need - window.len());
                    let take = want.min(chunk.len());
                    window.extend_from_slice(&chunk[..take]);
                    chunk = &chunk[take..];
                    at += take;
                }
            }
        }
        if window.capacity() > 1 << 20 {
            window = Vec::new(); // a huge field has passed; do not keep its room
        }
        self.window = window;
        self.base = at;
        let end = self.walk(chunk, 0, chunk.len(), false)?;
        self.window.extend_from_slice(&chunk[end..]);
        Ok(())
    }

    /// Ends the input: checks that nothing was cut off, then resolves ids
    /// and builds the profile.
    pub fn finish(mut self) -> Result<Profile> {
        if !self.window.is_empty() {
            let window = std::mem::take(&mut self.window);
            self.base = self.fed - window.len();
            // At the end, a cut field is an error that says where.
            self.walk(&window, 0, window.len(), true)?;
        }
        if !self.recognized {
            return Err(DecodeError::Unrecognized {
                detail: "not a pprof protobuf: too short to be a profile".into(),
            });
        }
        resolve::resolve(self.file, self.samples, &mut self.profile)?;
        Ok(self.profile)
    }

    /// An encoding error at `offset` into the buffer being walked: "not a
    /// profile" until the input was recognised.
    fn malformed(
        &self,
        offset: usize,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> DecodeError {
        let (field, message) = (field.into(), message.into());
        let offset = self.base + offset;
        if self.recognized {
            DecodeError::Protobuf {
                offset: offset as u64,
                field,
                message,
            }
        } else {
            DecodeError::Unrecognized {
                detail: format!("not a pprof protobuf: at byte {offset} ({field}): {message}"),
            }
        }
    }

    /// How many bytes the first field of `buf` takes, once its key, length
    /// (or value) are in `buf`; `None` while they are cut off.
    fn field_extent(&self, buf: &[u8]) -> Result<Option<usize>> {
        let mut pos = 0;
        Ok(self
            .top_level_field(buf, &mut pos, false)?
            .map(|span| span.end))
    }

    /// Reads one top-level field at `*pos`, checking its wire type against
    /// the schema, and moves `*pos` past it. `None` when `buf` ends inside
    /// the field and more input may follow (`at_end` false); at the end of
    /// input that is an error.
    fn top_level_field(
        &self,
        buf: &[u8],
        pos: &mut usize,
        at_end: bool,
    ) -> Result<Option<FieldSpan>> {
        let key_at = *pos;
        // A varint that `buf` cuts: wait for more unless it is already too long.
        let cut = |p: usize| !at_end && buf.len() - p < 10;
        let Some(key) = read_key(buf, pos, buf.len()) else {
            if cut(key_at) {
                return Ok(None);
            }
            return Err(self.malformed(key_at, "Profile", "bad varint in a field key"));
        };
        let (field, wt) = (key.field, key.wire_type);
        let what = || format!("Profile.{} (field {field})", field_name(field));
        if field == 0 {
            return Err(self.malformed(key_at, "Profile", "field number 0 is not allowed"));
        }
        let expected: &[WireType] = match field {
            1..=6 | 11 => &[WireType::LEN],
            13 => &[WireType::VARINT, WireType::LEN],
            7..=15 => &[WireType::VARINT],
            _ => &[],
        };
        if !expected.is_empty() && !expected.contains(&wt) {
            return Err(self.malformed(
                key_at,
                what(),
                format!(
                    "wire type {wt} ({}), expected {}",
                    wt.name(),
                    expected[0].name()
                ),
            ));
        }
        if expected.is_empty() && !self.recognized {
            return Err(self.malformed(key_at, what(), "not a field of a pprof Profile"));
        }
        let mut start = *pos;
        match wt {
            WireType::VARINT => {
                if read_varint(buf, pos, buf.len()).is_none() {
                    if cut(start) {
                        return Ok(None);
                    }
                    return Err(self.malformed(start, what(), "bad or truncated varint"));
                }
            }
            WireType::LEN => {
                let Some(len) = read_varint(buf, pos, buf.len()) else {
                    if cut(start) {
                        return Ok(None);
                    }
                    return Err(self.malformed(start, what(), "bad or truncated length"));
                };
                let remaining = (buf.len() - *pos) as u64;
                if len > remaining {
                    // Bytes left in the whole input, as far as is known.
                    let left_in_input = self.size_bound.saturating_sub((self.base + *pos) as u64);
                    if !at_end && len <= left_in_input {
                        return Ok(None);
                    }
                    let left = if at_end { remaining } else { left_in_input };
                    return Err(self.malformed(
                        start,
                        what(),
                        format!("length {len} runs past the end of the data ({left} bytes left; truncated file?)"),
                    ));
                }
                start = *pos;
                *pos += len as usize;
            }
            WireType::I64 | WireType::I32 => {
                let n = wt.fixed_size().unwrap_or(0);
                if buf.len() - *pos < n {
                    if !at_end {
                        return Ok(None);
                    }
                    return Err(self.malformed(start, what(), "truncated fixed-size value"));
                }
                *pos += n;
            }
            _ => {
                return Err(self.malformed(
                    key_at,
                    what(),
                    format!("wire type {wt} ({}) is not supported", wt.name()),
                ))
            }
        }
        Ok(Some(FieldSpan {
            key,
            start,
            end: *pos,
        }))
    }

    /// Walks the fields of `buf` (whose first byte is at absolute offset
    /// `self.base`) that start at `from` and before `stop`. Returns where it
    /// stopped: at or after `stop`, or, when more input may follow
    /// (`at_end` false), at the start of a field that `buf` cuts off.
    fn walk(&mut self, buf: &[u8], from: usize, stop: usize, at_end: bool) -> Result<usize> {
        let mut pos = from;
        while pos < stop {
            let field_at = pos;
            let Some(span) = self.top_level_field(buf, &mut pos, at_end)? else {
                return Ok(field_at);
            };
            self.field(buf, span)?;
        }
        Ok(pos)
    }

    /// Takes one complete top-level field.
    fn field(&mut self, buf: &[u8], span: FieldSpan) -> Result<()> {
        let FieldSpan { key, start, end } = span;
        let body = span.value(buf);
        let at = self.base + start;
        let index_err = |d: &Self, name: &str, i: usize, e: prost::DecodeError| {
            d.malformed(start, format!("Profile.{name}[{i}]"), e.to_string())
        };
        let mut checked = false;
        match key.field {
            1 => {
                let m = pb::ValueType::decode(body)
                    .map_err(|e| index_err(self, "sample_type", self.file.sample_types.len(), e))?;
                self.file.sample_types.push((m, at));
                checked = true;
            }
            2 => match self.sample(buf, span) {
                // Bytes that are not yet known to be a profile are "not a
                // profile", not a broken one.
                Err(DecodeError::Invalid { message }) if !self.recognized => {
                    return Err(DecodeError::Unrecognized {
                        detail: format!("not a pprof protobuf: {message}"),
                    })
                }
                other => other?,
            },
            3 => {
                let m = pb::Mapping::decode(body)
                    .map_err(|e| index_err(self, "mapping", self.file.mappings.len(), e))?;
                self.file.mappings.push((m, at));
                checked = true;
            }
            4 => {
                let n = self.file.locations.len();
                self.file
                    .locations
                    .push(body, at)
                    .map_err(|e| index_err(self, "location", n, e))?;
                checked = true;
            }
            5 => {
                let m = pb::Function::decode(body)
                    .map_err(|e| index_err(self, "function", self.file.functions.len(), e))?;
                self.file.functions.push((m, at));
                checked = true;
            }
            6 => {
                // The stack lookup's slots (50 MB at 3M nodes) are not
                // needed beside the strings and the tables resolved after
                // them (see `StackInterner::pause`).
                self.samples.stacks.pause();
                // Go does not check that strings are UTF-8; neither does
                // `go tool pprof`. Replace bad bytes rather than fail.
                // `from_utf8` first: its check of valid text (nearly every
                // string) is several times faster than the lossy walk.
                let s = match std::str::from_utf8(body) {
                    Ok(s) => std::borrow::Cow::Borrowed(s),
                    Err(_) => String::from_utf8_lossy(body),
                };
                if self.file.strings.is_empty() && s.is_empty() {
                    checked = true;
                }
                let id = self.profile.strings.intern(&s);
                self.file.strings.push(id);
            }
            11 => {
                let m = pb::ValueType::decode(body)
                    .map_err(|e| self.malformed(start, "Profile.period_type", e.to_string()))?;
                self.file.period_type = Some((m, at));
                checked = true;
            }
            13 if key.wire_type == WireType::LEN => {
                let mut p = start;
                while p < end {
                    let v = read_varint(buf, &mut p, end).ok_or_else(|| {
                        self.malformed(p, "Profile.comment", "bad varint in packed field")
                    })?;
                    self.file.comments.push(v as i64);
                }
            }
            field @ 7..=15 => {
                let mut p = start;
                let v = read_varint(buf, &mut p, end).unwrap_or(0) as i64;
                match field {
                    7 => self.file.drop_frames = v,
                    8 => self.file.keep_frames = v,
                    9 => self.profile.time_nanos = v,
                    10 => self.profile.duration_nanos = v,
                    12 => self.profile.period = v,
                    13 => self.file.comments.push(v),
                    14 => self.file.default_sample_type = v,
                    15 => self.file.doc_url = v,
                    _ => {}
                }
            }
            _ => {} // unknown field: skipped (newer schema)
        }
        self.fields_seen += 1;
        if checked || self.fields_seen >= FIELDS_TO_RECOGNIZE {
            self.recognized = true;
        }
        Ok(())
    }
}
