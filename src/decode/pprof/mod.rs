//! pprof protobuf (`proto/profile.proto`) -> [`Profile`], in one streaming
//! pass.
//!
//! [`StreamDecoder`] is fed the uncompressed bytes in chunks of any size, as
//! the gzip [`crate::decode::gzip::Inflater`] hands them out, and never needs the
//! whole file at once: a profile costs its model plus one field's bytes, so a
//! 1 GB profile does not need a second gigabyte for its inflated copy.
//!
//! Stages, as in pprof's `ParseData -> postDecode -> CheckValid`:
//! 1. **Walk** the top-level `Profile` fields as they arrive, tracking byte
//!    offsets, so every error says where it is. The small messages
//!    (`ValueType`, `Mapping`, `Location`, `Function`) are decoded with prost
//!    ([`messages`]) and kept; strings are interned; each `Sample` is
//!    decoded at once by a hand-written loop into reusable scratch buffers
//!    (no allocation per sample).
//! 2. Field order is not guaranteed, and Go writes samples *before*
//!    locations, functions and the string table, so a sample cannot be
//!    resolved when it is read. It is kept with the file's own numbers: its
//!    stack is interned by the file's location ids, its labels by the file's
//!    string indices.
//! 3. **Resolve** at the end ([`StreamDecoder::finish`]): file ids and string
//!    indices into the model's typed ids, checking ids (0 is reserved, no
//!    duplicates) and index ranges; then the stack table's location column
//!    is translated (once per distinct stack node, not once per frame) and
//!    the label sets are re-interned.
//!
//! A problem found in stage 3 (a sample refers to a location that is not in
//! the profile) names the sample by its number; its byte offset is no longer
//! known. Everything found while walking gives the byte offset.
//!
//! Two kinds of failure: while the bytes do not yet look like a profile (the
//! first fields are not valid `Profile` fields), errors are
//! [`DecodeError::Unrecognized`] so detection can say "not a profile"; after
//! that they are [`DecodeError::Protobuf`] (bad encoding) or
//! [`DecodeError::Invalid`] (well-formed, but breaks the format's rules).

pub mod messages;
mod stack_interner;

use hashbrown::HashMap;
use prost::Message;

use self::messages as proto;
use self::stack_interner::{mix, StackInterner};

use super::{DecodeError, DecodeOptions, Progress, Result, Stage};
use crate::model::{
    FuncId, Function, Label, LabelSetId, LabelSets, Line, LocId, Location, Mapping, MappingId,
    Profile, SourceFormat, StackTable, StrId, ValueType,
};

/// Progress is reported (and cancellation checked) every this many bytes.
const PROGRESS_EVERY: usize = 1 << 20;

/// After this many well-formed top-level fields in a row the input counts as
/// a profile even if none of them was a message we could check.
const FIELDS_TO_RECOGNIZE: u32 = 3;

/// While samples are read, location ids below this are kept as they are (Go
/// numbers locations 1..n); larger ids get provisional numbers from here up.
const BIG_ID: u64 = 1 << 31;

const WT_VARINT: u64 = 0;
const WT_I64: u64 = 1;
const WT_LEN: u64 = 2;
const WT_I32: u64 = 5;

/// Decodes a whole uncompressed pprof protobuf held in memory. `gzipped`
/// only records where the bytes came from. Progress is reported as
/// [`Stage::Decoding`] over the bytes walked.
pub fn decode(
    bytes: &[u8],
    gzipped: bool,
    _opts: &DecodeOptions,
    progress: &mut dyn Progress,
) -> Result<Profile> {
    let mut d = StreamDecoder::new(gzipped, bytes.len() as u64);
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

fn wire_type_name(wt: u64) -> &'static str {
    match wt {
        0 => "varint",
        1 => "64-bit",
        2 => "length-delimited",
        3 => "start-group",
        4 => "end-group",
        5 => "32-bit",
        _ => "invalid",
    }
}

/// Reads a varint at `*pos`, not past `end`. `None` if it is truncated or
/// longer than 10 bytes.
#[inline(always)]
fn read_varint(buf: &[u8], pos: &mut usize, end: usize) -> Option<u64> {
    let end = end.min(buf.len());
    let p = *pos;
    // Fast path: one-byte varints are most of a profile (small ids, counts).
    let b0 = *buf.get(p).filter(|_| p < end)?;
    if b0 < 0x80 {
        *pos = p + 1;
        return Some(b0 as u64);
    }
    let mut value = (b0 & 0x7f) as u64;
    let mut shift = 7;
    let mut i = p + 1;
    loop {
        if i >= end {
            return None;
        }
        let b = buf[i];
        i += 1;
        if shift == 63 && b > 1 {
            return None;
        }
        value |= ((b & 0x7f) as u64) << shift;
        if b < 0x80 {
            *pos = i;
            return Some(value);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

/// Maps file ids (`Location.id`, ...) to dense model indices. Ids are small
/// and dense in practice (Go numbers them 1..n), so a `Vec` indexed by id is
/// the common case; a hash map covers sparse ids without unbounded memory.
#[derive(Debug)]
enum IdMap {
    Dense(Vec<u32>),
    Sparse(HashMap<u64, u32>),
}

impl IdMap {
    const ABSENT: u32 = u32::MAX;

    /// Builds the map for `ids` (in table order), rejecting id 0 and
    /// duplicates with `what` ("location", ...) and byte `offsets` in the
    /// message.
    fn build(ids: &[u64], offsets: &[usize], what: &str) -> Result<IdMap> {
        let max = ids.iter().copied().max().unwrap_or(0);
        let dense_limit = (ids.len() as u64).saturating_mul(2).saturating_add(1024);
        let mut map = if max <= dense_limit {
            IdMap::Dense(vec![Self::ABSENT; max as usize + 1])
        } else {
            IdMap::Sparse(HashMap::with_capacity(ids.len()))
        };
        for (i, &id) in ids.iter().enumerate() {
            if id == 0 {
                return Err(invalid(format!(
                    "{what} #{i} (at byte {}) has id 0, which is reserved",
                    offsets[i]
                )));
            }
            let index = i as u32;
            let previous = match &mut map {
                IdMap::Dense(v) => std::mem::replace(&mut v[id as usize], index),
                IdMap::Sparse(m) => m.insert(id, index).unwrap_or(Self::ABSENT),
            };
            if previous != Self::ABSENT {
                return Err(invalid(format!(
                    "duplicate {what} id {id}: {what} #{previous} (at byte {}) and {what} #{i} (at byte {})",
                    offsets[previous as usize], offsets[i]
                )));
            }
        }
        Ok(map)
    }

    #[inline(always)]
    fn get(&self, id: u64) -> Option<u32> {
        let index = match self {
            IdMap::Dense(v) => *v.get(usize::try_from(id).ok()?)?,
            IdMap::Sparse(m) => *m.get(&id)?,
        };
        (index != Self::ABSENT).then_some(index)
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
    /// File string index -> interned string.
    strings: Vec<StrId>,
    // Raw messages, with their byte offsets.
    sample_types: Vec<(proto::ValueType, usize)>,
    mappings: Vec<(proto::Mapping, usize)>,
    locations: Vec<(proto::Location, usize)>,
    functions: Vec<(proto::Function, usize)>,
    period_type: Option<(proto::ValueType, usize)>,
    drop_frames: i64,
    keep_frames: i64,
    default_sample_type: i64,
    doc_url: i64,
    comments: Vec<i64>,
    // Samples, with the file's numbers (see module docs).
    stacks: StackInterner,
    locs: Vec<LocId>,
    labels: Vec<Label>,
    /// Label sets by file string indices (as `StrId`s).
    raw_label_sets: LabelSets,
    /// Provisional number - [`BIG_ID`] -> location id, for ids >= [`BIG_ID`].
    big_ids: Vec<u64>,
    big_index: HashMap<u64, u32>,
    /// The first sample's value count and offset, and the first sample whose
    /// count differs from it: (index, offset, count). Checked against the
    /// sample types at the end if they were not known when it was read.
    first_values: Option<(usize, usize)>,
    odd_values: Option<(usize, usize, usize)>,
    locations_by_id: IdMap,
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
            strings: Vec::new(),
            sample_types: Vec::new(),
            mappings: Vec::new(),
            locations: Vec::new(),
            functions: Vec::new(),
            period_type: None,
            drop_frames: 0,
            keep_frames: 0,
            default_sample_type: 0,
            doc_url: 0,
            comments: Vec::new(),
            stacks: StackInterner::new(),
            locs: Vec::new(),
            labels: Vec::new(),
            raw_label_sets: LabelSets::default(),
            big_ids: Vec::new(),
            big_index: HashMap::new(),
            first_values: None,
            odd_values: None,
            locations_by_id: IdMap::Dense(Vec::new()),
        }
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
        self.resolve()?;
        self.check_value_counts()?;
        self.resolve_samples()?;
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
            .map(|(_, wt, _, end)| if wt == WT_LEN { end } else { pos }))
    }

    /// Reads one top-level key at `*pos` and, for a length-delimited field,
    /// its bounds. Returns (field, wire type, start of value, end of value or
    /// 0), or `None` when `buf` ends inside the field and more input may
    /// follow (`at_end` false); at the end of input that is an error.
    #[allow(clippy::type_complexity)]
    fn top_level_field(
        &self,
        buf: &[u8],
        pos: &mut usize,
        at_end: bool,
    ) -> Result<Option<(u64, u64, usize, usize)>> {
        let key_at = *pos;
        // A varint that `buf` cuts: wait for more unless it is already too long.
        let cut = |p: usize| !at_end && buf.len() - p < 10;
        let Some(key) = read_varint(buf, pos, buf.len()) else {
            if cut(key_at) {
                return Ok(None);
            }
            return Err(self.malformed(key_at, "Profile", "bad varint in a field key"));
        };
        let (field, wt) = (key >> 3, key & 7);
        let what = || format!("Profile.{} (field {field})", field_name(field));
        if field == 0 {
            return Err(self.malformed(key_at, "Profile", "field number 0 is not allowed"));
        }
        let expected: &[u64] = match field {
            1..=6 | 11 => &[WT_LEN],
            13 => &[WT_VARINT, WT_LEN],
            7..=15 => &[WT_VARINT],
            _ => &[],
        };
        if !expected.is_empty() && !expected.contains(&wt) {
            return Err(self.malformed(
                key_at,
                what(),
                format!(
                    "wire type {wt} ({}), expected {}",
                    wire_type_name(wt),
                    wire_type_name(expected[0])
                ),
            ));
        }
        if expected.is_empty() && !self.recognized {
            return Err(self.malformed(key_at, what(), "not a field of a pprof Profile"));
        }
        let start = *pos;
        let end = match wt {
            WT_VARINT => {
                if read_varint(buf, pos, buf.len()).is_none() {
                    if cut(start) {
                        return Ok(None);
                    }
                    return Err(self.malformed(start, what(), "bad or truncated varint"));
                }
                0
            }
            WT_LEN => {
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
                let s = *pos;
                *pos += len as usize;
                return Ok(Some((field, wt, s, *pos)));
            }
            WT_I64 | WT_I32 => {
                let n = if wt == WT_I64 { 8 } else { 4 };
                if buf.len() - *pos < n {
                    if !at_end {
                        return Ok(None);
                    }
                    return Err(self.malformed(start, what(), "truncated fixed-size value"));
                }
                *pos += n;
                0
            }
            _ => {
                return Err(self.malformed(
                    key_at,
                    what(),
                    format!("wire type {wt} ({}) is not supported", wire_type_name(wt)),
                ))
            }
        };
        Ok(Some((field, wt, start, end)))
    }

    /// Walks the fields of `buf` (whose first byte is at absolute offset
    /// `self.base`) that start at `from` and before `stop`. Returns where it
    /// stopped: at or after `stop`, or, when more input may follow
    /// (`at_end` false), at the start of a field that `buf` cuts off.
    fn walk(&mut self, buf: &[u8], from: usize, stop: usize, at_end: bool) -> Result<usize> {
        let mut pos = from;
        while pos < stop {
            let field_at = pos;
            let Some((field, wt, start, end)) = self.top_level_field(buf, &mut pos, at_end)? else {
                return Ok(field_at);
            };
            self.field(buf, field, wt, start, end)?;
        }
        Ok(pos)
    }

    /// Takes one complete top-level field.
    fn field(&mut self, buf: &[u8], field: u64, wt: u64, start: usize, end: usize) -> Result<()> {
        let body = if wt == WT_LEN {
            &buf[start..end]
        } else {
            &[][..]
        };
        let at = self.base + start;
        let index_err = |d: &Self, name: &str, i: usize, e: prost::DecodeError| {
            d.malformed(start, format!("Profile.{name}[{i}]"), e.to_string())
        };
        let mut checked = false;
        match field {
            1 => {
                let m = proto::ValueType::decode(body)
                    .map_err(|e| index_err(self, "sample_type", self.sample_types.len(), e))?;
                self.sample_types.push((m, at));
                checked = true;
            }
            2 => match self.sample(buf, start, end) {
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
                let m = proto::Mapping::decode(body)
                    .map_err(|e| index_err(self, "mapping", self.mappings.len(), e))?;
                self.mappings.push((m, at));
                checked = true;
            }
            4 => {
                let m = proto::Location::decode(body)
                    .map_err(|e| index_err(self, "location", self.locations.len(), e))?;
                self.locations.push((m, at));
                checked = true;
            }
            5 => {
                let m = proto::Function::decode(body)
                    .map_err(|e| index_err(self, "function", self.functions.len(), e))?;
                self.functions.push((m, at));
                checked = true;
            }
            6 => {
                // Go does not check that strings are UTF-8; neither does
                // `go tool pprof`. Replace bad bytes rather than fail.
                let s = String::from_utf8_lossy(body);
                if self.strings.is_empty() && s.is_empty() {
                    checked = true;
                }
                let id = self.profile.strings.intern(&s);
                self.strings.push(id);
            }
            11 => {
                let m = proto::ValueType::decode(body)
                    .map_err(|e| self.malformed(start, "Profile.period_type", e.to_string()))?;
                self.period_type = Some((m, at));
                checked = true;
            }
            13 if wt == WT_LEN => {
                let mut p = start;
                while p < end {
                    let v = read_varint(buf, &mut p, end).ok_or_else(|| {
                        self.malformed(p, "Profile.comment", "bad varint in packed field")
                    })?;
                    self.comments.push(v as i64);
                }
            }
            7..=15 => {
                let mut p = start;
                let v = read_varint(buf, &mut p, buf.len()).unwrap_or(0) as i64;
                match field {
                    7 => self.drop_frames = v,
                    8 => self.keep_frames = v,
                    9 => self.profile.time_nanos = v,
                    10 => self.profile.duration_nanos = v,
                    12 => self.profile.period = v,
                    13 => self.comments.push(v),
                    14 => self.default_sample_type = v,
                    15 => self.doc_url = v,
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

    /// Resolves a file string index; `what` names the field for the message.
    #[inline]
    fn string(&self, index: i64, what: impl FnOnce() -> String) -> Result<StrId> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.strings.get(i).copied())
            .ok_or_else(|| {
                invalid(format!(
                    "string index {index} in {} is out of range (the string table has {} strings)",
                    what(),
                    self.strings.len()
                ))
            })
    }

    /// A string index where 0 ("") means "not set".
    fn optional_string(&self, index: i64, what: &str) -> Result<Option<StrId>> {
        if index == 0 {
            return Ok(None);
        }
        self.string(index, || what.to_string()).map(Some)
    }

    /// Second stage: ids and string indices into model ids, with checks.
    fn resolve(&mut self) -> Result<()> {
        match self.strings.first() {
            None => {
                return Err(invalid(
                    "the string table is missing (it must start with \"\")".into(),
                ))
            }
            Some(&s) if s != StrId(0) || !self.profile.strings.get(s).is_empty() => {
                return Err(invalid(format!(
                    "string_table[0] must be \"\", found {:?}",
                    self.profile.strings.get(s)
                )))
            }
            Some(_) => {}
        }

        let mut sample_types = Vec::with_capacity(self.sample_types.len());
        for (i, (vt, at)) in self.sample_types.iter().enumerate() {
            let kind = self.string(vt.r#type, || {
                format!("sample_type[{i}].type (at byte {at})")
            })?;
            let unit = self.string(vt.unit, || format!("sample_type[{i}].unit (at byte {at})"))?;
            sample_types.push(ValueType { kind, unit });
        }
        self.profile.sample_types = sample_types;
        if let Some((vt, at)) = self.period_type {
            let kind = self.string(vt.r#type, || format!("period_type.type (at byte {at})"))?;
            let unit = self.string(vt.unit, || format!("period_type.unit (at byte {at})"))?;
            self.profile.period_type = Some(ValueType { kind, unit });
        }
        self.profile.drop_frames = self.optional_string(self.drop_frames, "drop_frames")?;
        self.profile.keep_frames = self.optional_string(self.keep_frames, "keep_frames")?;
        self.profile.default_sample_type =
            self.optional_string(self.default_sample_type, "default_sample_type")?;
        self.profile.doc_url = self.optional_string(self.doc_url, "doc_url")?;
        let mut comments = Vec::with_capacity(self.comments.len());
        for (i, &c) in self.comments.iter().enumerate() {
            comments.push(self.string(c, || format!("comment[{i}]"))?);
        }
        self.profile.comments = comments;

        // Mappings.
        let ids: Vec<u64> = self.mappings.iter().map(|(m, _)| m.id).collect();
        let offsets: Vec<usize> = self.mappings.iter().map(|(_, at)| *at).collect();
        let mappings_by_id = IdMap::build(&ids, &offsets, "mapping")?;
        let mut mappings = Vec::with_capacity(self.mappings.len());
        for (m, at) in &self.mappings {
            let what = |f: &str| format!("mapping id {} (at byte {at}) {f}", m.id);
            mappings.push(Mapping {
                source_id: m.id,
                memory_start: m.memory_start,
                memory_limit: m.memory_limit,
                file_offset: m.file_offset,
                file: self.string(m.filename, || what("filename"))?,
                build_id: self.string(m.build_id, || what("build_id"))?,
                has_functions: m.has_functions,
                has_filenames: m.has_filenames,
                has_line_numbers: m.has_line_numbers,
                has_inline_frames: m.has_inline_frames,
            });
        }
        self.profile.mappings = mappings;

        // Functions.
        let ids: Vec<u64> = self.functions.iter().map(|(f, _)| f.id).collect();
        let offsets: Vec<usize> = self.functions.iter().map(|(_, at)| *at).collect();
        let functions_by_id = IdMap::build(&ids, &offsets, "function")?;
        let mut functions = Vec::with_capacity(self.functions.len());
        for (f, at) in &self.functions {
            let what = |field: &str| format!("function id {} (at byte {at}) {field}", f.id);
            functions.push(Function {
                name: self.string(f.name, || what("name"))?,
                system_name: self.string(f.system_name, || what("system_name"))?,
                file: self.string(f.filename, || what("filename"))?,
                start_line: f.start_line,
            });
        }
        self.profile.functions = functions;

        // Locations and their lines.
        let ids: Vec<u64> = self.locations.iter().map(|(l, _)| l.id).collect();
        let offsets: Vec<usize> = self.locations.iter().map(|(_, at)| *at).collect();
        self.locations_by_id = IdMap::build(&ids, &offsets, "location")?;
        let line_count: usize = self.locations.iter().map(|(l, _)| l.line.len()).sum();
        let mut lines = Vec::with_capacity(line_count);
        let mut locations = Vec::with_capacity(self.locations.len());
        let too_many = || invalid("more than 4 billion lines in locations".into());
        for (l, at) in &self.locations {
            let mapping = match l.mapping_id {
                0 => None,
                id => Some(MappingId(mappings_by_id.get(id).ok_or_else(|| {
                    invalid(format!(
                        "location id {} (at byte {at}) refers to mapping id {id}, which is not in the profile",
                        l.id
                    ))
                })?)),
            };
            let lines_start = u32::try_from(lines.len()).map_err(|_| too_many())?;
            for (j, line) in l.line.iter().enumerate() {
                let func = functions_by_id.get(line.function_id).ok_or_else(|| {
                    invalid(format!(
                        "location id {} (at byte {at}) line[{j}] refers to function id {}, which is not in the profile",
                        l.id, line.function_id
                    ))
                })?;
                lines.push(Line {
                    func: FuncId(func),
                    line: line.line,
                    column: line.column,
                });
            }
            let lines_end = u32::try_from(lines.len()).map_err(|_| too_many())?;
            locations.push(Location {
                source_id: l.id,
                mapping,
                address: l.address,
                lines_start,
                lines_end,
                is_folded: l.is_folded,
            });
        }
        self.profile.lines = lines;
        self.profile.locations = locations;
        // The raw messages are no longer needed; free them before samples.
        self.mappings = Vec::new();
        self.functions = Vec::new();
        self.locations = Vec::new();
        Ok(())
    }

    /// Checks each sample's value count against the sample types (which may
    /// have come after the samples).
    fn check_value_counts(&self) -> Result<()> {
        let n_types = self.profile.sample_types.len();
        let bad = match (self.first_values, self.odd_values) {
            (Some((count, at)), _) if count != n_types => Some((0, at, count)),
            (_, odd) => odd,
        };
        match bad {
            Some((index, at, got)) => Err(invalid(format!(
                "sample #{index} (at byte {at}) has {got} values but the profile has {n_types} sample types"
            ))),
            None => Ok(()),
        }
    }

    /// Translates what samples were read with (the file's location ids and
    /// string indices) into model ids.
    fn resolve_samples(&mut self) -> Result<()> {
        let stacks = std::mem::replace(&mut self.stacks, StackInterner::new());
        let mut table = stacks.finish();
        // Locations: once per distinct stack node.
        let mut bad: Option<Vec<bool>> = None;
        let nodes = table.len();
        for (n, loc) in table.locs_mut().iter_mut().enumerate() {
            let id = self.file_location_id(*loc);
            match self.locations_by_id.get(id) {
                Some(l) => *loc = LocId(l),
                None => bad.get_or_insert_with(|| vec![false; nodes])[n] = true,
            }
        }
        if let Some(bad) = bad {
            return Err(self.missing_location(&table, bad));
        }
        self.profile.stacks = table;

        // Label sets: re-interned, as two file indices may name equal strings.
        let raw = std::mem::take(&mut self.raw_label_sets);
        let mut remap = Vec::with_capacity(raw.len());
        let mut labels = Vec::new();
        for set in 0..raw.len() {
            let set = LabelSetId(set as u32);
            labels.clear();
            for (i, l) in raw.get(set).iter().enumerate() {
                let what = |f: &str| {
                    let sample = self
                        .profile
                        .samples
                        .labels
                        .iter()
                        .position(|&s| s == set)
                        .unwrap_or(0);
                    format!("sample #{sample} label[{i}].{f}")
                };
                labels.push(Label {
                    key: self.string(l.key.0 as i64, || what("key"))?,
                    str: match l.str {
                        Some(s) => Some(self.string(s.0 as i64, || what("str"))?),
                        None => None,
                    },
                    num: l.num,
                    num_unit: self.string(l.num_unit.0 as i64, || what("num_unit"))?,
                });
            }
            remap.push(self.profile.label_sets.intern(&labels));
        }
        for l in &mut self.profile.samples.labels {
            *l = remap[l.index()];
        }
        Ok(())
    }

    /// The file's location id behind a location number kept while reading.
    fn file_location_id(&self, loc: LocId) -> u64 {
        match (loc.0 as u64).checked_sub(BIG_ID) {
            Some(i) => self.big_ids.get(i as usize).copied().unwrap_or(0),
            None => loc.0 as u64,
        }
    }

    /// The error for stack nodes (flagged in `bad`) whose location is not in
    /// the profile: names the first sample that has one, and the leaf-most
    /// such location in it, as a decoder resolving in file order would.
    fn missing_location(&self, table: &StackTable, own: Vec<bool>) -> DecodeError {
        // Parents come before children: flag every node below a bad one.
        let mut bad = own.clone();
        for n in 0..bad.len() {
            if let Some(p) = table.parents()[n] {
                bad[n] |= bad[p.index()];
            }
        }
        let first = self
            .profile
            .samples
            .stack
            .iter()
            .position(|s| s.is_some_and(|s| bad[s.index()]));
        let (index, id) = match first {
            Some(i) => {
                // The leaf-most node whose own location is missing.
                let mut node = self.profile.samples.stack[i];
                let mut id = 0;
                while let Some(n) = node {
                    if own[n.index()] {
                        id = self.file_location_id(table.loc(n));
                        break;
                    }
                    node = table.parent(n);
                }
                (i, id)
            }
            None => (0, 0),
        };
        let reserved = if id == 0 { " (0 is reserved)" } else { "" };
        invalid(format!(
            "sample #{index} refers to location id {id}, which is not in the profile{reserved}"
        ))
    }

    /// Decodes one `Sample` message at `buf[start..end]`: the stack (by the
    /// file's location ids) is interned, the values appended to the profile,
    /// the labels (by the file's string indices) interned.
    fn sample(&mut self, buf: &[u8], start: usize, end: usize) -> Result<()> {
        let index = self.profile.samples.stack.len();
        let at = self.base + start;
        let mut locs = std::mem::take(&mut self.locs);
        let mut labels = std::mem::take(&mut self.labels);
        locs.clear();
        labels.clear();
        let values_before = self.profile.samples.values.len();
        let mut hash = 0u64;
        let mut p = start;
        while p < end {
            let key_at = p;
            let key = read_varint(buf, &mut p, end).ok_or_else(|| {
                self.malformed(
                    key_at,
                    format!("Profile.sample[{index}]"),
                    "bad varint in a field key",
                )
            })?;
            let (field, wt) = (key >> 3, key & 7);
            match (field, wt) {
                (1, WT_VARINT) => {
                    let id = read_varint(buf, &mut p, end)
                        .ok_or_else(|| self.bad_varint(key_at, index, "location_id"))?;
                    let loc = self.location_number(id)?;
                    locs.push(loc);
                    hash = mix(hash, loc.0);
                }
                (1, WT_LEN) => {
                    let (s, e) =
                        self.sub_message(buf, &mut p, end, key_at, index, "location_id")?;
                    let mut q = s;
                    while q < e {
                        let id = read_varint(buf, &mut q, e)
                            .ok_or_else(|| self.bad_varint(q, index, "location_id"))?;
                        let loc = self.location_number(id)?;
                        locs.push(loc);
                        hash = mix(hash, loc.0);
                    }
                }
                (2, WT_VARINT) => {
                    let v = read_varint(buf, &mut p, end)
                        .ok_or_else(|| self.bad_varint(key_at, index, "value"))?;
                    self.profile.samples.values.push(v as i64);
                }
                (2, WT_LEN) => {
                    let (s, e) = self.sub_message(buf, &mut p, end, key_at, index, "value")?;
                    let mut q = s;
                    while q < e {
                        let v = read_varint(buf, &mut q, e)
                            .ok_or_else(|| self.bad_varint(q, index, "value"))?;
                        self.profile.samples.values.push(v as i64);
                    }
                }
                (3, WT_LEN) => {
                    let (s, e) = self.sub_message(buf, &mut p, end, key_at, index, "label")?;
                    let raw = self.label(buf, s, e, index, labels.len())?;
                    // As pprof: a label is a string label if `str` is set,
                    // numeric if `num` or `num_unit` is; otherwise ignored.
                    let i = labels.len();
                    let index_of = |v: i64, f: &str| -> Result<StrId> {
                        u32::try_from(v).map(StrId).map_err(|_| {
                            invalid(format!("string index {v} in sample #{index} (at byte {at}) label[{i}].{f} is out of range"))
                        })
                    };
                    if raw.str != 0 {
                        let (key, str) = (index_of(raw.key, "key")?, index_of(raw.str, "str")?);
                        labels.push(Label {
                            key,
                            str: Some(str),
                            num: 0,
                            num_unit: StrId(0),
                        });
                    } else if raw.num != 0 || raw.num_unit != 0 {
                        let (key, num_unit) = (
                            index_of(raw.key, "key")?,
                            index_of(raw.num_unit, "num_unit")?,
                        );
                        labels.push(Label {
                            key,
                            str: None,
                            num: raw.num,
                            num_unit,
                        });
                    }
                }
                (1..=3, _) => {
                    return Err(self.malformed(
                        key_at,
                        format!("Profile.sample[{index}] field {field}"),
                        format!("unexpected wire type {wt} ({})", wire_type_name(wt)),
                    ))
                }
                _ => self.skip(
                    buf,
                    &mut p,
                    end,
                    key_at,
                    wt,
                    &format!("Profile.sample[{index}] field {field}"),
                )?,
            }
        }
        // Checked against the sample types at the end: a writer may put
        // them after the samples.
        let got = self.profile.samples.values.len() - values_before;
        match self.first_values {
            None => self.first_values = Some((got, at)),
            Some((first, _)) if first != got && self.odd_values.is_none() => {
                self.odd_values = Some((index, at, got))
            }
            Some(_) => {}
        }
        let stack = self.stacks.intern(&locs, hash)?;
        let label_set = if labels.is_empty() {
            LabelSetId(0)
        } else {
            self.raw_label_sets.intern(&labels)
        };
        self.profile.samples.stack.push(stack);
        self.profile.samples.labels.push(label_set);
        self.locs = locs;
        self.labels = labels;
        Ok(())
    }

    /// The number a sample's location id is kept under until the locations
    /// are known (see [`BIG_ID`]).
    #[inline(always)]
    fn location_number(&mut self, id: u64) -> Result<LocId> {
        // Id 0 is kept too: it is reported at the end, after the location
        // table's own errors, like any id that is not in the profile.
        if id < BIG_ID {
            return Ok(LocId(id as u32));
        }
        if let Some(&n) = self.big_index.get(&id) {
            return Ok(LocId(n));
        }
        let n = u32::try_from(BIG_ID as usize + self.big_ids.len())
            .ok()
            .filter(|&n| n < u32::MAX)
            .ok_or_else(|| invalid("more than 2 billion distinct large location ids".into()))?;
        self.big_ids.push(id);
        self.big_index.insert(id, n);
        Ok(LocId(n))
    }

    fn bad_varint(&self, at: usize, index: usize, field: &str) -> DecodeError {
        self.malformed(
            at,
            format!("Profile.sample[{index}].{field}"),
            "bad or truncated varint",
        )
    }

    /// Reads a length prefix at `*p` and returns the bounds of the body.
    #[allow(clippy::too_many_arguments)]
    fn sub_message(
        &self,
        buf: &[u8],
        p: &mut usize,
        end: usize,
        key_at: usize,
        index: usize,
        field: &str,
    ) -> Result<(usize, usize)> {
        let what = || format!("Profile.sample[{index}].{field}");
        let len = read_varint(buf, p, end)
            .ok_or_else(|| self.malformed(key_at, what(), "bad or truncated length"))?;
        let remaining = (end - *p) as u64;
        if len > remaining {
            return Err(self.malformed(
                key_at,
                what(),
                format!("length {len} runs past the end of the sample ({remaining} bytes left)"),
            ));
        }
        let s = *p;
        *p += len as usize;
        Ok((s, *p))
    }

    /// Skips an unknown field's value.
    #[allow(clippy::too_many_arguments)]
    fn skip(
        &self,
        buf: &[u8],
        p: &mut usize,
        end: usize,
        key_at: usize,
        wt: u64,
        what: &str,
    ) -> Result<()> {
        let ok = match wt {
            WT_VARINT => read_varint(buf, p, end).is_some(),
            WT_I64 | WT_I32 => {
                let n = if wt == WT_I64 { 8 } else { 4 };
                let fits = end - *p >= n;
                *p += if fits { n } else { 0 };
                fits
            }
            WT_LEN => match read_varint(buf, p, end) {
                Some(len) if len <= (end - *p) as u64 => {
                    *p += len as usize;
                    true
                }
                _ => false,
            },
            _ => {
                return Err(self.malformed(
                    key_at,
                    what,
                    format!("wire type {wt} ({}) is not supported", wire_type_name(wt)),
                ))
            }
        };
        if ok {
            Ok(())
        } else {
            Err(self.malformed(key_at, what, "truncated value"))
        }
    }

    /// Decodes a `Label` at `buf[s..e]` (raw string indices).
    fn label(
        &self,
        buf: &[u8],
        s: usize,
        e: usize,
        index: usize,
        label: usize,
    ) -> Result<proto::Label> {
        let mut raw = proto::Label::default();
        let mut p = s;
        let what = || format!("Profile.sample[{index}].label[{label}]");
        while p < e {
            let key_at = p;
            let key = read_varint(buf, &mut p, e)
                .ok_or_else(|| self.malformed(key_at, what(), "bad varint in a field key"))?;
            let (field, wt) = (key >> 3, key & 7);
            if (1..=4).contains(&field) {
                if wt != WT_VARINT {
                    return Err(self.malformed(
                        key_at,
                        what(),
                        format!("field {field} has wire type {wt}, expected varint"),
                    ));
                }
                let v = read_varint(buf, &mut p, e)
                    .ok_or_else(|| self.malformed(key_at, what(), "bad or truncated varint"))?
                    as i64;
                match field {
                    1 => raw.key = v,
                    2 => raw.str = v,
                    3 => raw.num = v,
                    _ => raw.num_unit = v,
                }
            } else {
                self.skip(buf, &mut p, e, key_at, wt, &what())?;
            }
        }
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        let mut p = 0;
        assert_eq!(read_varint(&[0x96, 0x01], &mut p, 2), Some(150));
        assert_eq!(p, 2);
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        let mut p = 0;
        assert_eq!(read_varint(&max, &mut p, 10), Some(u64::MAX));
        let mut p = 0;
        assert_eq!(read_varint(&[0xff; 11], &mut p, 11), None);
        let mut p = 0;
        assert_eq!(read_varint(&[0x80, 0x80], &mut p, 2), None, "truncated");
        let mut p = 0;
        assert_eq!(read_varint(&[0x96, 0x01], &mut p, 1), None, "stops at end");
    }

    #[test]
    fn id_maps_dense_and_sparse() {
        let dense = IdMap::build(&[3, 1, 2], &[0, 1, 2], "location").unwrap();
        assert!(matches!(dense, IdMap::Dense(_)));
        assert_eq!(dense.get(3), Some(0));
        assert_eq!(dense.get(4), None);
        assert_eq!(dense.get(u64::MAX), None);
        let sparse = IdMap::build(&[1 << 40, 7], &[0, 1], "location").unwrap();
        assert!(matches!(sparse, IdMap::Sparse(_)));
        assert_eq!(sparse.get(1 << 40), Some(0));
        let dup = IdMap::build(&[5, 5], &[10, 20], "function")
            .unwrap_err()
            .to_string();
        assert!(
            dup.contains("duplicate function id 5") && dup.contains("byte 20"),
            "{dup}"
        );
        let zero = IdMap::build(&[0], &[10], "mapping")
            .unwrap_err()
            .to_string();
        assert!(zero.contains("id 0"), "{zero}");
    }
}
