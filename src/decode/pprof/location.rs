//! The file's `Location` messages as read, kept flat: a row each, every
//! location's lines in one shared array.
//!
//! Why not prost's `Location`: it owns a `Vec` of its lines, a heap block
//! per location that resolving reads back (a cache miss each) and then
//! frees. A fleet's merge decodes every location of every file, millions
//! of them, and those blocks were a tenth of its cache misses. A location
//! is read by hand when it holds only the fields pprof writes, each with
//! the wire type it should have; anything else (an unknown field, a bad
//! varint, a truncated line) is handed to prost, so its result and the
//! wording of its errors stay exactly prost's.

use prost::Message;

use super::messages as pb;
use super::wire::{read_key, read_varint, WireType};

/// A location as read, with its lines at `lines` in [`FileLocations::lines`]
/// and the absolute byte offset of its message, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RawLocation {
    pub id: u64,
    pub mapping_id: u64,
    pub address: u64,
    pub is_folded: bool,
    pub lines: (usize, usize),
    pub at: usize,
}

#[derive(Default)]
pub(super) struct FileLocations {
    pub rows: Vec<RawLocation>,
    pub lines: Vec<pb::Line>,
}

impl FileLocations {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Adds the `Location` message `body`, which starts at byte `at`.
    pub fn push(&mut self, body: &[u8], at: usize) -> Result<(), prost::DecodeError> {
        let start = self.lines.len();
        if let Some(row) = read_location(body, &mut self.lines, at) {
            self.rows.push(row);
            return Ok(());
        }
        self.lines.truncate(start);
        let m = pb::Location::decode(body)?;
        self.lines.extend_from_slice(&m.line);
        self.rows.push(RawLocation {
            id: m.id,
            mapping_id: m.mapping_id,
            address: m.address,
            is_folded: m.is_folded,
            lines: (start, self.lines.len()),
            at,
        });
        Ok(())
    }

    /// The lines of `row`, innermost first.
    pub fn lines_of(&self, row: &RawLocation) -> &[pb::Line] {
        &self.lines[row.lines.0..row.lines.1]
    }
}

/// Reads a location whose fields are all the ones pprof writes, with their
/// wire types (later values of a field replace earlier ones, as in prost);
/// `None` for anything else.
fn read_location(body: &[u8], lines: &mut Vec<pb::Line>, at: usize) -> Option<RawLocation> {
    let start = lines.len();
    let mut row = RawLocation {
        id: 0,
        mapping_id: 0,
        address: 0,
        is_folded: false,
        lines: (start, start),
        at,
    };
    let end = body.len();
    let mut p = 0;
    while p < end {
        let key = read_key(body, &mut p, end)?;
        match (key.field, key.wire_type) {
            (1, WireType::VARINT) => row.id = read_varint(body, &mut p, end)?,
            (2, WireType::VARINT) => row.mapping_id = read_varint(body, &mut p, end)?,
            (3, WireType::VARINT) => row.address = read_varint(body, &mut p, end)?,
            (5, WireType::VARINT) => row.is_folded = read_varint(body, &mut p, end)? != 0,
            (4, WireType::LEN) => {
                let len = read_varint(body, &mut p, end)?;
                let line_end = p.checked_add(usize::try_from(len).ok()?)?;
                if line_end > end {
                    return None;
                }
                lines.push(read_line(body, p, line_end)?);
                p = line_end;
            }
            _ => return None,
        }
    }
    row.lines.1 = lines.len();
    Some(row)
}

fn read_line(body: &[u8], mut p: usize, end: usize) -> Option<pb::Line> {
    let mut line = pb::Line::default();
    while p < end {
        let key = read_key(body, &mut p, end)?;
        let v = match key.wire_type {
            WireType::VARINT => read_varint(body, &mut p, end)?,
            _ => return None,
        };
        match key.field {
            1 => line.function_id = v,
            2 => line.line = v as i64,
            3 => line.column = v as i64,
            _ => return None,
        }
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(l: &pb::Location) -> Vec<u8> {
        l.encode_to_vec()
    }

    fn line(function_id: u64, line: i64, column: i64) -> pb::Line {
        pb::Line {
            function_id,
            line,
            column,
        }
    }

    #[test]
    fn reads_what_prost_reads() {
        let l = pb::Location {
            id: 7,
            mapping_id: 2,
            address: 0xdead_beef_0000,
            line: vec![line(3, 41, 5), line(4, -1, 0), line(u64::MAX, 1 << 40, 0)],
            is_folded: true,
        };
        let mut t = FileLocations::default();
        t.push(&encode(&l), 100).unwrap();
        t.push(&encode(&pb::Location::default()), 200).unwrap();
        let mut lines = Vec::new();
        let row = read_location(&encode(&l), &mut lines, 100).expect("read by hand");
        assert_eq!(row, t.rows[0]);
        assert_eq!(t.lines_of(&t.rows[0]), &l.line[..]);
        assert_eq!(t.lines_of(&t.rows[1]), &[]);
        assert_eq!((t.rows[1].id, t.rows[1].at), (0, 200));
    }

    #[test]
    fn anything_else_is_prost_s() {
        let l = pb::Location {
            id: 9,
            line: vec![line(1, 2, 3)],
            ..Default::default()
        };
        // An unknown field (6, varint 1) after the location: prost skips it.
        let mut unknown = encode(&l);
        unknown.extend_from_slice(&[6 << 3, 1]);
        let mut lines = Vec::new();
        assert_eq!(read_location(&unknown, &mut lines, 0), None);
        let mut t = FileLocations::default();
        t.push(&unknown, 0).unwrap();
        assert_eq!((t.rows[0].id, t.lines_of(&t.rows[0])), (9, &l.line[..]));
        // A truncated line: prost's error, and nothing kept.
        let mut cut = encode(&l);
        cut.truncate(cut.len() - 1);
        let e = t.push(&cut, 0).unwrap_err();
        let prost_s = pb::Location::decode(&cut[..]).unwrap_err();
        assert_eq!(e.to_string(), prost_s.to_string());
        assert_eq!((t.len(), t.lines.len()), (1, 1));
    }
}
