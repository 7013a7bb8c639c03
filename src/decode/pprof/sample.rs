//! One `Sample` message, read by hand as it is walked: its stack is
//! interned by the file's location ids, its values go straight to the
//! profile, its labels are interned by the file's string indices.
//!
//! A profile holds millions of samples, so this loop allocates nothing per
//! sample (it reuses the decoder's scratch buffers), hashes the stack while
//! reading it for [`StackInterner::intern`](super::stack_interner::StackInterner::intern),
//! and names each error by the sample's number and the byte offset.

use super::messages as pb;
use super::stack_interner::mix;
use super::wire::{read_key, read_varint, skip, FieldSpan, SkipError, WireType};
use super::{invalid, StreamDecoder};
use crate::decode::{DecodeError, Result};
use crate::model::{Label, LabelSetId, StrId};

impl StreamDecoder {
    /// Decodes the `Sample` message whose body is `span` in `buf`.
    pub(super) fn sample(&mut self, buf: &[u8], span: FieldSpan) -> Result<()> {
        let (start, end) = (span.start, span.end);
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
            let key = read_key(buf, &mut p, end).ok_or_else(|| {
                self.malformed(
                    key_at,
                    format!("Profile.sample[{index}]"),
                    "bad varint in a field key",
                )
            })?;
            match (key.field, key.wire_type) {
                (1, WireType::VARINT) => {
                    let id = read_varint(buf, &mut p, end)
                        .ok_or_else(|| self.bad_varint(key_at, index, "location_id"))?;
                    let loc = self.samples.locations.number(id)?;
                    locs.push(loc);
                    hash = mix(hash, loc.0);
                }
                (1, WireType::LEN) => {
                    let (s, e) =
                        self.length_prefixed(buf, &mut p, end, key_at, index, "location_id")?;
                    let mut q = s;
                    while q < e {
                        let id = read_varint(buf, &mut q, e)
                            .ok_or_else(|| self.bad_varint(q, index, "location_id"))?;
                        let loc = self.samples.locations.number(id)?;
                        locs.push(loc);
                        hash = mix(hash, loc.0);
                    }
                }
                (2, WireType::VARINT) => {
                    let v = read_varint(buf, &mut p, end)
                        .ok_or_else(|| self.bad_varint(key_at, index, "value"))?;
                    self.profile.samples.values.push(v as i64);
                }
                (2, WireType::LEN) => {
                    let (s, e) = self.length_prefixed(buf, &mut p, end, key_at, index, "value")?;
                    let mut q = s;
                    while q < e {
                        let v = read_varint(buf, &mut q, e)
                            .ok_or_else(|| self.bad_varint(q, index, "value"))?;
                        self.profile.samples.values.push(v as i64);
                    }
                }
                (3, WireType::LEN) => {
                    let (s, e) = self.length_prefixed(buf, &mut p, end, key_at, index, "label")?;
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
                (field @ 1..=3, wt) => {
                    return Err(self.malformed(
                        key_at,
                        format!("Profile.sample[{index}] field {field}"),
                        format!("unexpected wire type {wt} ({})", wt.name()),
                    ))
                }
                (field, wt) => self.skip(
                    buf,
                    &mut p,
                    end,
                    key_at,
                    wt,
                    &format!("Profile.sample[{index}] field {field}"),
                )?,
            }
        }
        let got = self.profile.samples.values.len() - values_before;
        self.samples.value_counts.record(index, at, got);
        let stack = self.samples.stacks.intern(&locs, hash)?;
        let label_set = if labels.is_empty() {
            LabelSetId(0)
        } else {
            self.samples.label_sets.intern(&labels)
        };
        self.profile.samples.stack.push(stack);
        self.profile.samples.labels.push(label_set);
        self.locs = locs;
        self.labels = labels;
        Ok(())
    }

    fn bad_varint(&self, at: usize, index: usize, field: &str) -> DecodeError {
        self.malformed(
            at,
            format!("Profile.sample[{index}].{field}"),
            "bad or truncated varint",
        )
    }

    /// Reads a length prefix at `*p` and returns the bounds of the body.
    fn length_prefixed(
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

    /// Skips an unknown field's value; `what` names the field.
    fn skip(
        &self,
        buf: &[u8],
        p: &mut usize,
        end: usize,
        key_at: usize,
        wt: WireType,
        what: &str,
    ) -> Result<()> {
        skip(buf, p, end, wt).map_err(|e| match e {
            SkipError::Unsupported => self.malformed(
                key_at,
                what,
                format!("wire type {wt} ({}) is not supported", wt.name()),
            ),
            SkipError::Truncated => self.malformed(key_at, what, "truncated value"),
        })
    }

    /// Decodes a `Label` at `buf[s..e]` (raw string indices).
    fn label(
        &self,
        buf: &[u8],
        s: usize,
        e: usize,
        index: usize,
        label: usize,
    ) -> Result<pb::Label> {
        let mut raw = pb::Label::default();
        let mut p = s;
        let what = || format!("Profile.sample[{index}].label[{label}]");
        while p < e {
            let key_at = p;
            let key = read_key(buf, &mut p, e)
                .ok_or_else(|| self.malformed(key_at, what(), "bad varint in a field key"))?;
            let field = key.field;
            if (1..=4).contains(&field) {
                if key.wire_type != WireType::VARINT {
                    return Err(self.malformed(
                        key_at,
                        what(),
                        format!(
                            "field {field} has wire type {}, expected varint",
                            key.wire_type
                        ),
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
                self.skip(buf, &mut p, e, key_at, key.wire_type, &what())?;
            }
        }
        Ok(raw)
    }
}
