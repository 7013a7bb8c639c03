//! Interned strings.
//!
//! Profiles repeat the same few thousand names across millions of frames, so
//! every string lives once in one contiguous buffer and everything else holds a
//! 4-byte [`StrId`]. One buffer (instead of a `Vec<String>`) keeps memory close
//! to the text's own size and lets the whole table move to another thread or
//! across the worker boundary as two flat arrays.

use hashbrown::HashTable;
use std::hash::BuildHasher;

use super::StrId;

#[derive(Clone)]
pub struct Strings {
    buf: String,
    /// `ends[i]` is the end offset in `buf` of string `i`; string 0 is "".
    ends: Vec<u32>,
    /// `(id, hash)`: the hash kept so that growing the index re-places
    /// each id without reading its string back (at a merge's millions of
    /// strings, a cache miss each), and a lookup reads only strings whose
    /// whole hash matches.
    index: HashTable<(u32, u32)>,
    hasher: hashbrown::DefaultHashBuilder,
}

/// The 64-bit hash the index wants, spread from a stored 32-bit one so
/// both its bucket bits (low) and its tag bits (top 7) vary.
#[inline]
fn spread(h: u32) -> u64 {
    u64::from(h).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl Default for Strings {
    fn default() -> Self {
        let mut s = Strings {
            buf: String::new(),
            ends: Vec::new(),
            index: HashTable::new(),
            hasher: hashbrown::DefaultHashBuilder::default(),
        };
        s.intern("");
        s
    }
}

impl std::fmt::Debug for Strings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Strings")
            .field("len", &self.len())
            .field("bytes", &self.buf.len())
            .finish()
    }
}

impl Strings {
    /// The id of the empty string, present in every table.
    pub const EMPTY: StrId = StrId(0);

    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Total bytes of string data held.
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    #[inline]
    pub fn get(&self, id: StrId) -> &str {
        let i = id.0 as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.buf[start..self.ends[i] as usize]
    }

    /// The text and the ends of its strings, for a snapshot.
    pub(super) fn parts(&self) -> (&str, &[u32]) {
        (&self.buf, &self.ends)
    }

    /// The table whose text is `buf`, cut at `ends` ([`Strings::parts`]);
    /// the index is built again.
    pub(super) fn from_parts(buf: String, ends: Vec<u32>) -> Result<Strings, &'static str> {
        if ends.first() != Some(&0) {
            return Err("a string table must start with the empty string");
        }
        let cuts_text = ends.windows(2).any(|w| w[0] > w[1])
            || ends.iter().any(|&e| !buf.is_char_boundary(e as usize))
            || ends.last().map(|&e| e as usize) != Some(buf.len());
        if cuts_text {
            return Err("a string table's ends do not cut its text");
        }
        let mut s = Strings {
            buf,
            ends,
            index: HashTable::new(),
            hasher: hashbrown::DefaultHashBuilder::default(),
        };
        s.index.reserve(s.ends.len(), |&(_, h)| spread(h));
        for i in 0..s.ends.len() as u32 {
            let h = (s.hasher.hash_one(s.get(StrId(i))) >> 32) as u32;
            s.index
                .insert_unique(spread(h), (i, h), |&(_, ih)| spread(ih));
        }
        Ok(s)
    }

    /// Returns the id of `s`, adding it if it is new.
    ///
    /// # Panics
    /// If the table would exceed 4 GiB of text; decoders enforce far smaller
    /// input limits before that.
    pub fn intern(&mut self, s: &str) -> StrId {
        let h = (self.hasher.hash_one(s) >> 32) as u32;
        let Strings {
            buf, ends, index, ..
        } = self;
        let lookup = |&(i, ih): &(u32, u32)| {
            let i = i as usize;
            let start = if i == 0 { 0 } else { ends[i - 1] as usize };
            ih == h && &buf[start..ends[i] as usize] == s
        };
        if let Some(&(id, _)) = index.find(spread(h), lookup) {
            return StrId(id);
        }
        let id = ends.len() as u32;
        buf.push_str(s);
        let end = u32::try_from(buf.len()).expect("string table over 4 GiB");
        ends.push(end);
        index.insert_unique(spread(h), (id, h), |&(_, ih)| spread(ih));
        StrId(id)
    }

    /// The id of `s` if it is in the table.
    pub fn find(&self, s: &str) -> Option<StrId> {
        let h = (self.hasher.hash_one(s) >> 32) as u32;
        self.index
            .find(spread(h), |&(i, ih)| ih == h && self.get(StrId(i)) == s)
            .map(|&(i, _)| StrId(i))
    }

    pub fn iter(&self) -> impl Iterator<Item = (StrId, &str)> + '_ {
        (0..self.ends.len()).map(move |i| (StrId(i as u32), self.get(StrId(i as u32))))
    }

    /// Approximate heap bytes used by the table.
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity() + self.ends.capacity() * 4 + self.index.capacity() * 9
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_once_and_round_trips() {
        let mut s = Strings::new();
        assert_eq!(s.get(Strings::EMPTY), "");
        let a = s.intern("main.main");
        let b = s.intern("runtime.goexit");
        assert_eq!(s.intern("main.main"), a);
        assert_ne!(a, b);
        assert_eq!(s.get(a), "main.main");
        assert_eq!(s.get(b), "runtime.goexit");
        assert_eq!(s.find("runtime.goexit"), Some(b));
        assert_eq!(s.find("nope"), None);
        assert_eq!(s.intern(""), Strings::EMPTY);
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn many_strings_survive_rehashing() {
        let mut s = Strings::new();
        let ids: Vec<_> = (0..20_000)
            .map(|i| s.intern(&format!("pkg.f{i}")))
            .collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(s.get(*id), format!("pkg.f{i}"));
            assert_eq!(s.find(&format!("pkg.f{i}")), Some(*id));
        }
    }
}
