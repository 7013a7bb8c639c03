//! An index of table rows by content that stores only each row's id and a
//! 32-bit hash of its key: 8 bytes a slot.
//!
//! Why not a `HashMap<Key, Id>`: the merge of a fleet and the stack builder
//! keep millions of keys that their tables already hold (a location's
//! lines, a stack node's parent and location), and a map would hold each
//! a second time, in slots of 12 to 44 bytes plus a heap box for a
//! location's lines. Here the caller compares a candidate against its own
//! table; the stored hash lets the index grow without reading the rows
//! back, which at millions of rows would be a cache miss each.

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;

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

#[derive(Default)]
pub struct IdIndex {
    slots: HashTable<(u32, u32)>,
}

/// The 64-bit hash the table wants, spread from a stored 32-bit one so
/// both its bucket bits (low) and its tag bits (top 7) vary.
#[inline]
fn spread(h: u32) -> u64 {
    u64::from(h).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl IdIndex {
    /// The id of the row of `rows` whose key hashes to `hash` and for which
    /// `same` holds; else `add`'s new row, which is then indexed under
    /// `hash`. (`rows` is passed through so both can borrow it.)
    #[inline]
    pub fn find_or_add<R: ?Sized>(
        &mut self,
        hash: u64,
        rows: &mut R,
        same: impl Fn(&R, u32) -> bool,
        add: impl FnOnce(&mut R) -> u32,
    ) -> u32 {
        let h = (hash >> 32) as u32;
        let entry = self.slots.entry(
            spread(h),
            |&(sh, id)| sh == h && same(rows, id),
            |&(sh, _)| spread(sh),
        );
        match entry {
            Entry::Occupied(e) => e.get().1,
            Entry::Vacant(e) => {
                let id = add(rows);
                e.insert((h, id));
                id
            }
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
