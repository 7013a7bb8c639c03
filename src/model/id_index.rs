//! An index of table rows by content that stores only each row's id and
//! part of its key's hash: 4 bytes a slot.
//!
//! Why not a `HashMap<Key, Id>`: the merge of a fleet and the stack builder
//! keep millions of keys that their tables already hold (a location's
//! lines, a stack node's parent and location), and a map would hold each
//! a second time, in slots of 12 to 44 bytes plus a heap box for a
//! location's lines. Here the caller compares a candidate against its own
//! table, and growing hashes the rows again, reading them in order,
//! rather than keeping each row's hash: a fleet's merge held 57 MB of
//! hashbrown slots (9 bytes each) for its 2.1M locations and 1.4M
//! functions, where these take 25 MB, for about 3% more of its time.

/// A key of two 32-bit words hashed for a `HashTable` (the merge's sample
/// index, keyed by stack and label set): murmur3's 64-bit finaliser, so
/// both the table's bucket bits (low) and its tag bits (top 7) depend on
/// every bit of the key, at the cost of two multiplies.
#[inline]
pub(crate) fn pair_hash(a: u32, b: u32) -> u64 {
    let mut k = (u64::from(a) << 32) | u64::from(b);
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// Slots of 4 bytes: the row id + 1 in the low `bits` bits (the load
/// factor keeps every id below the slot count) and the hash's other bits
/// above it, as a tag; 0 marks a free slot. A slot whose tag matches is
/// confirmed against the row, about one probed slot in `2^(32 - bits)`
/// needlessly.
pub struct IdIndex {
    slots: Vec<u32>,
    /// log2 of the slot count.
    bits: u32,
    len: usize,
}

impl Default for IdIndex {
    fn default() -> Self {
        IdIndex {
            slots: vec![0; 1 << Self::MIN_BITS],
            bits: Self::MIN_BITS,
            len: 0,
        }
    }
}

impl IdIndex {
    const MIN_BITS: u32 = 4;

    /// The slot a 32-bit hash starts probing at: its top bits.
    #[inline(always)]
    fn slot_of(&self, h: u32) -> usize {
        (u64::from(h) >> (32 - self.bits)) as usize
    }

    /// The bits a slot keeps of a 32-bit hash: its low ones, shifted
    /// above the id.
    #[inline(always)]
    fn tag_of(&self, h: u32) -> u32 {
        (u64::from(h) << self.bits) as u32
    }

    /// The id of the row of `rows` whose key hashes to `hash` and for which
    /// `same` holds; else `add`'s new row, which is then indexed under
    /// `hash`. `add` must return the number of rows added before it, so
    /// the ids are 0, 1, 2, ... in order: growing re-places them in that
    /// order, hashing each row again with `hash_of` as it reads the rows
    /// front to back, and needs neither the old slots nor a stored hash.
    /// (`rows` is passed through so all three can borrow it.)
    #[inline]
    pub fn find_or_add<R: ?Sized>(
        &mut self,
        hash: u64,
        rows: &mut R,
        same: impl Fn(&R, u32) -> bool,
        add: impl FnOnce(&mut R) -> u32,
        hash_of: impl Fn(&R, u32) -> u64,
    ) -> u32 {
        let h = (hash >> 32) as u32;
        let mask = (1u32 << self.bits) - 1;
        let tag = self.tag_of(h);
        let last = self.slots.len() - 1;
        let mut i = self.slot_of(h);
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                break;
            }
            if slot & !mask == tag && same(rows, (slot & mask) - 1) {
                return (slot & mask) - 1;
            }
            i = (i + 1) & last;
        }
        let id = add(rows);
        assert_eq!(id as usize, self.len, "ids are given in order");
        self.slots[i] = tag | (id + 1);
        self.len += 1;
        // Under 7/8 full, as `PathStacks`: 4-byte slots pack 16 probes to
        // a cache line, so linear probes stay cheap at that load.
        if self.len * 8 > self.slots.len() * 7 {
            self.grow(rows, hash_of);
        }
        id
    }

    /// Doubles the slots and places every row again, front to back.
    #[cold]
    fn grow<R: ?Sized>(&mut self, rows: &R, hash_of: impl Fn(&R, u32) -> u64) {
        self.bits += 1;
        assert!(self.bits < 32, "an index of over 2 billion rows");
        self.slots = Vec::new();
        self.slots = vec![0; 1 << self.bits];
        let last = self.slots.len() - 1;
        for id in 0..self.len as u32 {
            let h = (hash_of(rows, id) >> 32) as u32;
            let mut i = self.slot_of(h);
            while self.slots[i] != 0 {
                i = (i + 1) & last;
            }
            self.slots[i] = self.tag_of(h) | (id + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rows_by_content_across_growth_and_collisions() {
        let mut rows: Vec<u64> = Vec::new();
        let mut index = IdIndex::default();
        // A hash that collides for every tenth key: equal hashes must still
        // be told apart by content.
        let hash = |k: u64| (k / 10).wrapping_mul(0x2545_f491_4f6c_dd1d);
        let add = |rows: &mut Vec<u64>, index: &mut IdIndex, k: u64| {
            index.find_or_add(
                hash(k),
                rows,
                |rows, id| rows[id as usize] == k,
                |rows| {
                    rows.push(k);
                    rows.len() as u32 - 1
                },
                |rows, id| hash(rows[id as usize]),
            )
        };
        let ids: Vec<u32> = (0..50_000).map(|k| add(&mut rows, &mut index, k)).collect();
        assert_eq!(rows.len(), 50_000);
        for k in 0..50_000u64 {
            assert_eq!(add(&mut rows, &mut index, k), ids[k as usize]);
        }
        assert_eq!(rows.len(), 50_000, "nothing was added twice");
    }
}
