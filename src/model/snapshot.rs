//! A decoded profile as bytes, and back.
//!
//! Files opened together (a pair to compare, a series, a fleet to merge)
//! are decoded two at a time: the worker decodes the first while a helper
//! worker decodes the others and hands each model over as one buffer,
//! moved, not copied, between the two. Decoding is most of the time a pair
//! takes and half of a merge's, and two workers are two cores.
//!
//! The encoding is written here, not derived with serde: the derives and
//! their visitors for the model's twenty types put 110 KB into the worker's
//! wasm (the single file has a budget), where one trait over a few
//! primitives and a field-list macro per struct do the same work. Integers
//! are LEB128 varints (signed ones zigzagged), so the large arrays, which
//! hold small ids, take a byte or three per entry. The hash indexes are not
//! sent but built again, and what the analyses index without checks (the
//! string and label tables' ends, the stack table's parent links) is
//! checked on the way in: a garbled snapshot is an error, never a panic.

use super::{
    Coverage, FuncId, Function, Goroutine, GoroutineTable, Label, LabelSetId, LabelSets, Line,
    LocId, Location, Mapping, MappingId, PanicInfo, PanicKind, Profile, Samples, SourceFormat,
    StackId, StackTable, StrId, Strings, TextTop, TextTopRow, ValueType, Warning,
};

/// The profile's model as bytes, for [`from_bytes`].
pub fn to_bytes(profile: &Profile) -> Vec<u8> {
    let mut out = Vec::with_capacity(profile.heap_bytes() / 2);
    profile.put(&mut out);
    out
}

/// The profile [`to_bytes`] made.
pub fn from_bytes(bytes: &[u8]) -> Result<Profile, String> {
    let mut r = Reader::new(bytes);
    let p = Profile::take(&mut r);
    if r.pos != bytes.len() {
        r.fail("bytes are left over");
    }
    match r.error {
        None => Ok(p),
        Some((e, at)) => Err(format!(
            "the decoded profile could not be read back: {e} (at byte {at})"
        )),
    }
}

/// Bytes being read back. Reading never stops early: the first problem is
/// kept, with where it was met, and what follows reads as zeros and empty
/// tables. One check at the end then stands for a check after each field,
/// whose branches (and the clean-up of half-built structs on each) were
/// most of this module's code.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    error: Option<(&'static str, usize)>,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            pos: 0,
            error: None,
        }
    }

    fn fail(&mut self, e: &'static str) {
        if self.error.is_none() {
            self.error = Some((e, self.pos));
        }
    }

    fn byte(&mut self) -> u8 {
        match self.bytes.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => {
                self.fail("the bytes end early");
                0
            }
        }
    }

    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return v;
            }
        }
        self.fail("a number runs past 64 bits");
        0
    }

    fn slice(&mut self, n: usize) -> &'a [u8] {
        match self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()) {
            Some(end) => {
                let s = &self.bytes[self.pos..end];
                self.pos = end;
                s
            }
            None => {
                self.fail("the bytes end early");
                &[]
            }
        }
    }

    /// A length, at most the bytes left: each item takes one at least, so
    /// garbage cannot ask for a huge allocation.
    fn len(&mut self) -> usize {
        let n = self.varint();
        if n > (self.bytes.len() - self.pos) as u64 {
            self.fail("a length runs past the end");
            return 0;
        }
        n as usize
    }
}

// Out of line: inlined at each of the model's fields, it was a third of
// this module's code in the worker's wasm, for no speed that shows.
#[inline(never)]
fn put_varint(w: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        w.push(v as u8 | 0x80);
        v >>= 7;
    }
    w.push(v as u8);
}

/// What goes into a snapshot.
pub(super) trait Snap: Sized {
    fn put(&self, w: &mut Vec<u8>);
    fn take(r: &mut Reader) -> Self;
}

impl Snap for u64 {
    fn put(&self, w: &mut Vec<u8>) {
        put_varint(w, *self)
    }
    fn take(r: &mut Reader) -> Self {
        r.varint()
    }
}

impl Snap for u32 {
    fn put(&self, w: &mut Vec<u8>) {
        put_varint(w, u64::from(*self))
    }
    fn take(r: &mut Reader) -> Self {
        let v = r.varint();
        u32::try_from(v).unwrap_or_else(|_| {
            r.fail("a 32-bit number is too large");
            0
        })
    }
}

impl Snap for i64 {
    fn put(&self, w: &mut Vec<u8>) {
        put_varint(w, ((*self << 1) ^ (*self >> 63)) as u64)
    }
    fn take(r: &mut Reader) -> Self {
        let v = r.varint();
        (v >> 1) as i64 ^ -((v & 1) as i64)
    }
}

impl Snap for bool {
    fn put(&self, w: &mut Vec<u8>) {
        w.push(u8::from(*self))
    }
    fn take(r: &mut Reader) -> Self {
        let b = r.byte();
        if b > 1 {
            r.fail("a flag is neither 0 nor 1");
        }
        b == 1
    }
}

impl<T: Snap> Snap for Option<T> {
    fn put(&self, w: &mut Vec<u8>) {
        match self {
            None => w.push(0),
            Some(v) => {
                w.push(1);
                v.put(w)
            }
        }
    }
    fn take(r: &mut Reader) -> Self {
        bool::take(r).then(|| T::take(r))
    }
}

impl<T: Snap> Snap for Vec<T> {
    fn put(&self, w: &mut Vec<u8>) {
        put_varint(w, self.len() as u64);
        for v in self {
            v.put(w)
        }
    }
    fn take(r: &mut Reader) -> Self {
        let n = r.len();
        (0..n).map(|_| T::take(r)).collect()
    }
}

impl<T: Snap> Snap for Box<T> {
    fn put(&self, w: &mut Vec<u8>) {
        (**self).put(w)
    }
    fn take(r: &mut Reader) -> Self {
        Box::new(T::take(r))
    }
}

impl Snap for String {
    fn put(&self, w: &mut Vec<u8>) {
        put_varint(w, self.len() as u64);
        w.extend_from_slice(self.as_bytes())
    }
    fn take(r: &mut Reader) -> Self {
        let n = r.len();
        match std::str::from_utf8(r.slice(n)) {
            Ok(s) => s.to_string(),
            Err(_) => {
                r.fail("a string is not UTF-8");
                String::new()
            }
        }
    }
}

impl Snap for [String; 5] {
    fn put(&self, w: &mut Vec<u8>) {
        self.iter().for_each(|s| s.put(w))
    }
    fn take(r: &mut Reader) -> Self {
        std::array::from_fn(|_| String::take(r))
    }
}

/// The 4-byte ids, as their number.
macro_rules! snap_id {
    ($($t:ident),*) => {$(
        impl Snap for $t {
            fn put(&self, w: &mut Vec<u8>) {
                self.0.put(w)
            }
            fn take(r: &mut Reader) -> Self {
                $t(u32::take(r))
            }
        }
    )*};
}
snap_id!(StrId, FuncId, LocId, MappingId, LabelSetId);

impl Snap for StackId {
    fn put(&self, w: &mut Vec<u8>) {
        (self.index() as u32).put(w)
    }
    fn take(r: &mut Reader) -> Self {
        let i = u32::take(r);
        if i == u32::MAX {
            r.fail("a stack id is out of range");
            return StackId::new(0);
        }
        StackId::new(i)
    }
}

/// Structs, field by field in the order listed (every field, or the
/// struct literal does not compile).
macro_rules! snap_struct {
    ($t:ident { $($f:ident),* $(,)? }) => {
        impl Snap for $t {
            fn put(&self, w: &mut Vec<u8>) {
                $(self.$f.put(w);)*
            }
            fn take(r: &mut Reader) -> Self {
                $t { $($f: Snap::take(r),)* }
            }
        }
    };
}
snap_struct!(ValueType { kind, unit });
snap_struct!(Function {
    name,
    system_name,
    file,
    start_line
});
snap_struct!(Line { func, line, column });
snap_struct!(Location {
    source_id,
    mapping,
    address,
    lines_start,
    lines_end,
    is_folded
});
snap_struct!(Mapping {
    source_id,
    memory_start,
    memory_limit,
    file_offset,
    file,
    build_id,
    has_functions,
    has_filenames,
    has_line_numbers,
    has_inline_frames,
});
snap_struct!(Label {
    key,
    str,
    num,
    num_unit
});
snap_struct!(Warning {
    line,
    offset,
    message
});
snap_struct!(Samples {
    stack,
    values,
    labels
});
snap_struct!(Goroutine {
    id,
    state,
    wait_minutes,
    locked_to_thread,
    leaked,
    durable,
    scan,
    bubble,
    labels,
    extra,
    created_by,
    creator_goroutine,
    args_start,
    args_end,
    frames_elided,
    stack_unavailable,
    line,
});
snap_struct!(GoroutineTable {
    rows,
    args,
    coverage,
    leak_profile,
    header_total
});
snap_struct!(PanicInfo {
    kind,
    message,
    recovered,
    repanicked,
    goroutine,
    line
});
snap_struct!(TextTopRow {
    name,
    inline,
    flat,
    cum,
    printed
});
snap_struct!(TextTop {
    header,
    rows,
    total,
    fetch
});
snap_struct!(Profile {
    format,
    strings,
    sample_types,
    default_sample_type,
    period_type,
    period,
    time_nanos,
    duration_nanos,
    comments,
    drop_frames,
    keep_frames,
    doc_url,
    functions,
    lines,
    locations,
    mappings,
    stacks,
    samples,
    label_sets,
    goroutines,
    panics,
    warnings,
    warning_count,
    text_top,
});

/// The few small enums, as postcard writes them for the page already; a
/// garbled one reads as the value given.
macro_rules! snap_serde {
    ($($t:ident or $fallback:expr),*) => {$(
        impl Snap for $t {
            fn put(&self, w: &mut Vec<u8>) {
                w.extend(postcard::to_allocvec(self).expect("a small enum encodes"))
            }
            fn take(r: &mut Reader) -> Self {
                match postcard::take_from_bytes(&r.bytes[r.pos..]) {
                    Ok((v, rest)) => {
                        r.pos = r.bytes.len() - rest.len();
                        v
                    }
                    Err(_) => {
                        r.fail(concat!("a ", stringify!($t), " is garbled"));
                        $fallback
                    }
                }
            }
        }
    )*};
}
snap_serde!(
    SourceFormat or SourceFormat::GoroutineDump,
    Coverage or Coverage::All,
    PanicKind or PanicKind::Panic
);

impl Snap for Strings {
    fn put(&self, w: &mut Vec<u8>) {
        let (text, ends) = self.parts();
        put_varint(w, text.len() as u64);
        w.extend_from_slice(text.as_bytes());
        ends.to_vec().put(w)
    }
    fn take(r: &mut Reader) -> Self {
        let text = String::take(r);
        let ends = Vec::take(r);
        Strings::from_parts(text, ends).unwrap_or_else(|e| {
            r.fail(e);
            Strings::new()
        })
    }
}

impl Snap for LabelSets {
    fn put(&self, w: &mut Vec<u8>) {
        self.ends.put(w);
        self.labels.put(w)
    }
    fn take(r: &mut Reader) -> Self {
        let ends: Vec<u32> = Vec::take(r);
        let labels: Vec<Label> = Vec::take(r);
        let cuts = ends.first() == Some(&0)
            && ends.windows(2).all(|w| w[0] <= w[1])
            && ends.last().map(|&e| e as usize) == Some(labels.len());
        if !cuts {
            r.fail("a label table's ends do not cut its labels");
            return LabelSets::default();
        }
        let mut sets = LabelSets {
            ends,
            labels,
            index: hashbrown::HashMap::new(),
        };
        for i in 0..sets.ends.len() {
            let id = LabelSetId(i as u32);
            sets.index.insert(sets.get(id).into(), id);
        }
        sets
    }
}

impl Snap for StackTable {
    fn put(&self, w: &mut Vec<u8>) {
        // Parents as the distance back to them (0 for a root): most are a
        // node or a few back, one byte each, where ids take three.
        put_varint(w, self.len() as u64);
        for (i, p) in self.parents().iter().enumerate() {
            put_varint(w, p.map_or(0, |p| (i - p.index()) as u64));
        }
        for l in self.locs() {
            l.put(w)
        }
    }
    fn take(r: &mut Reader) -> Self {
        let n = r.len();
        let back: Vec<u64> = (0..n).map(|_| r.varint()).collect();
        let mut t = StackTable::default();
        t.reserve_exact(n);
        for (i, d) in back.into_iter().enumerate() {
            let parent = match d {
                0 => None,
                d if d <= i as u64 => Some(StackId::new((i - d as usize) as u32)),
                _ => {
                    r.fail("a stack node comes before its caller");
                    None
                }
            };
            t.push(parent, LocId::take(r));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn back<T: Snap>(v: &T) -> Vec<u8> {
        let mut w = Vec::new();
        v.put(&mut w);
        w
    }

    fn read<T: Snap>(bytes: &[u8]) -> Result<T, &'static str> {
        let mut r = Reader::new(bytes);
        let v = T::take(&mut r);
        r.error.map_or(Ok(v), |(e, _)| Err(e))
    }

    #[test]
    fn numbers_and_strings_come_back() {
        for v in [0i64, 1, -1, 63, -64, 64, i64::MAX, i64::MIN] {
            assert_eq!(read::<i64>(&back(&v)), Ok(v));
        }
        for v in [0u64, 127, 128, u64::MAX] {
            assert_eq!(read::<u64>(&back(&v)), Ok(v));
        }
        assert_eq!(
            read::<u32>(&back(&(u64::from(u32::MAX) + 1))),
            Err("a 32-bit number is too large")
        );
        let s = "héllo".to_string();
        assert_eq!(read::<String>(&back(&s)), Ok(s));
        assert!(read::<String>(&[2, 0xc3, 0x28]).is_err());
        assert!(read::<u64>(&[0xff; 11]).is_err());
        assert!(read::<Vec<u64>>(&[200, 1, 1]).is_err());
    }

    #[test]
    fn broken_links_are_refused() {
        let mut t = StackTable::default();
        let a = t.push(None, LocId(3));
        let b = t.push(Some(a), LocId(4));
        t.push(Some(b), LocId(5));
        t.push(Some(a), LocId(6));
        assert_eq!(read::<StackTable>(&back(&t)), Ok(t));
        // Node 0 says its caller is one back: before the table.
        assert!(read::<StackTable>(&[1, 1, 0]).is_err());

        let strings = |text: &str, ends: Vec<u32>| {
            let mut w = back(&text.to_string());
            ends.put(&mut w);
            read::<Strings>(&w).map(|s| s.len())
        };
        assert_eq!(strings("ab", vec![0, 1, 2]), Ok(3));
        assert!(strings("ab", vec![0, 2, 1]).is_err());
        assert!(strings("ab", vec![0, 1]).is_err());
        assert!(strings("ab", vec![1, 2]).is_err());
        assert!(strings("é", vec![0, 1, 2]).is_err());
    }

    #[test]
    fn a_garbled_snapshot_is_an_error() {
        assert!(from_bytes(&[]).is_err());
        assert!(from_bytes(&[0xff; 64]).is_err());
    }
}
