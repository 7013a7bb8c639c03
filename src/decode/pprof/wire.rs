//! The protobuf wire format, as far as the hand-written readers need it:
//! varints, field keys, wire types, skipping a value, and [`FieldSpan`], where
//! one field lies in a buffer.
//!
//! Everything here is a pure function of the bytes; the callers turn a
//! failure into a message that names the field and its byte offset, which
//! only they know.

use std::fmt;

/// The low three bits of a field key: how the value is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct WireType(u8);

impl WireType {
    pub const VARINT: WireType = WireType(0);
    pub const I64: WireType = WireType(1);
    pub const LEN: WireType = WireType(2);
    pub const I32: WireType = WireType(5);

    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "varint",
            1 => "64-bit",
            2 => "length-delimited",
            3 => "start-group",
            4 => "end-group",
            5 => "32-bit",
            _ => "invalid",
        }
    }

    /// The byte size of a fixed-size value; `None` for other wire types.
    pub fn fixed_size(self) -> Option<usize> {
        match self {
            WireType::I64 => Some(8),
            WireType::I32 => Some(4),
            _ => None,
        }
    }
}

/// Messages show the wire type's number, as protobuf tools do.
impl fmt::Display for WireType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A field key: the field number and the wire type of its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Key {
    pub field: u64,
    pub wire_type: WireType,
}

impl Key {
    #[inline(always)]
    pub fn from_varint(key: u64) -> Key {
        Key {
            field: key >> 3,
            wire_type: WireType((key & 7) as u8),
        }
    }
}

/// One complete field in a buffer: its key and the bounds of its value. For
/// a length-delimited field the value is the body after the length prefix;
/// for the others it is the encoded varint or fixed-size bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct FieldSpan {
    pub key: Key,
    pub start: usize,
    pub end: usize,
}

impl FieldSpan {
    /// The value's bytes.
    pub fn value<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        &buf[self.start..self.end]
    }
}

/// Reads a varint at `*pos`, not past `end`. `None` if it is truncated or
/// longer than 10 bytes.
#[inline(always)]
pub(super) fn read_varint(buf: &[u8], pos: &mut usize, end: usize) -> Option<u64> {
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

/// Reads a field key at `*pos`, not past `end`.
#[inline(always)]
pub(super) fn read_key(buf: &[u8], pos: &mut usize, end: usize) -> Option<Key> {
    read_varint(buf, pos, end).map(Key::from_varint)
}

/// Why a value could not be skipped.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum SkipError {
    /// Groups (3, 4) and the wire types 6 and 7, which pprof never writes.
    Unsupported,
    Truncated,
}

/// Moves `*pos` past a value of wire type `wire_type`, not past `end`. On
/// failure `*pos` is left at the value or inside it.
pub(super) fn skip(
    buf: &[u8],
    pos: &mut usize,
    end: usize,
    wire_type: WireType,
) -> Result<(), SkipError> {
    let ok = match wire_type {
        WireType::VARINT => read_varint(buf, pos, end).is_some(),
        WireType::I64 | WireType::I32 => {
            let n = wire_type.fixed_size().unwrap_or(0);
            let fits = end - *pos >= n;
            *pos += if fits { n } else { 0 };
            fits
        }
        WireType::LEN => match read_varint(buf, pos, end) {
            Some(len) if len <= (end - *pos) as u64 => {
                *pos += len as usize;
                true
            }
            _ => false,
        },
        _ => return Err(SkipError::Unsupported),
    };
    if ok {
        Ok(())
    } else {
        Err(SkipError::Truncated)
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
    fn keys_split_field_and_wire_type() {
        let mut p = 0;
        // Field 16, length-delimited: (16 << 3 | 2) = 130 = 0x82 0x01.
        let key = read_key(&[0x82, 0x01], &mut p, 2).unwrap();
        assert_eq!(key.field, 16);
        assert_eq!(key.wire_type, WireType::LEN);
        assert_eq!(p, 2);
        let odd = Key::from_varint(7);
        assert_eq!(
            (odd.wire_type.to_string(), odd.wire_type.name()),
            ("7".into(), "invalid")
        );
    }

    #[test]
    fn skips_each_wire_type() {
        let buf = [0x96, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0xaa, 0xbb];
        let mut p = 0;
        assert_eq!(skip(&buf, &mut p, buf.len(), WireType::VARINT), Ok(()));
        assert_eq!(p, 2);
        assert_eq!(skip(&buf, &mut p, buf.len(), WireType::I64), Ok(()));
        assert_eq!(p, 10);
        assert_eq!(skip(&buf, &mut p, buf.len(), WireType::LEN), Ok(()));
        assert_eq!(p, 13);
        let mut p = 10;
        assert_eq!(
            skip(&buf, &mut p, 12, WireType::LEN),
            Err(SkipError::Truncated),
            "the body runs past the end"
        );
        let mut p = 0;
        assert_eq!(
            skip(&buf, &mut p, 3, WireType::I32),
            Err(SkipError::Truncated)
        );
        assert_eq!(p, 0);
        assert_eq!(
            skip(&buf, &mut p, buf.len(), WireType(3)),
            Err(SkipError::Unsupported)
        );
    }
}
