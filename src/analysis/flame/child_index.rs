//! The index that finds a flame node's child by frame while building.

/// Node ids keyed by (parent, frame): open addressing with linear probing.
/// A slot holds the key's whole 64-bit hash, which is a bijection of the
/// key, so a match needs no look at the node arrays: a lookup costs one
/// cache line (a general map reads a control byte, then a bucket, then
/// compares keys).
pub(super) struct ChildIndex {
    slots: Vec<Slot>,
    len: usize,
}

#[derive(Clone, Copy, Default)]
pub(super) struct Slot {
    pub(super) hash: u64,
    /// 0 (the root, never a child) for an empty slot.
    pub(super) node: u32,
    /// The rank of the stack node that gave the node its line (see
    /// `build::map_stacks`); here rather than in a node array, so a lookup that
    /// finds a node touches nothing else.
    pub(super) rank: u32,
}

/// A bijective mix of a (parent, frame) key (splitmix64's finaliser): equal
/// hashes mean equal keys.
#[inline]
pub(super) fn key_hash(parent: u32, frame: u32) -> u64 {
    let mut z = (u64::from(parent) << 32 | u64::from(frame)).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl ChildIndex {
    /// Room for `n` keys without growing (at most 3/4 full). Any number of
    /// slots works (see [`Self::home`]), so the table is not rounded up to a
    /// power of two, which could double it.
    pub(super) fn with_capacity(n: usize) -> ChildIndex {
        let slots = (n.saturating_mul(4) / 3).max(16);
        ChildIndex {
            slots: vec![Slot::default(); slots],
            len: 0,
        }
    }

    /// The first slot to probe for `hash`: its high 32 bits scaled to the
    /// table size (Lemire's multiply-shift; in 64 bits, as wasm has no wider
    /// multiply, so up to 2^32 slots).
    #[inline]
    fn home(&self, hash: u64) -> usize {
        (((hash >> 32) * self.slots.len() as u64) >> 32) as usize
    }

    #[inline]
    fn next(&self, i: usize) -> usize {
        if i + 1 == self.slots.len() {
            0
        } else {
            i + 1
        }
    }

    /// The slot holding `hash`, if any.
    #[inline]
    pub(super) fn find(&mut self, hash: u64) -> Option<&mut Slot> {
        let mut i = self.home(hash);
        loop {
            let slot = self.slots[i];
            if slot.node == 0 {
                return None;
            }
            if slot.hash == hash {
                return Some(&mut self.slots[i]);
            }
            i = self.next(i);
        }
    }

    /// Adds a slot whose hash is not in the table yet.
    #[inline]
    pub(super) fn insert_new(&mut self, slot: Slot) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let mut i = self.home(slot.hash);
        while self.slots[i].node != 0 {
            i = self.next(i);
        }
        self.slots[i] = slot;
        self.len += 1;
    }

    /// Doubles the slots.
    #[cold]
    fn grow(&mut self) {
        let bigger = vec![Slot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        self.len = 0;
        for s in old {
            if s.node != 0 {
                self.insert_new(s);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(parent: u32, frame: u32, node: u32) -> Slot {
        Slot {
            hash: key_hash(parent, frame),
            node,
            rank: node * 10,
        }
    }

    #[test]
    fn equal_hashes_only_for_equal_keys() {
        let mut seen = std::collections::HashSet::new();
        for parent in [0, 1, 2, 1000, u32::MAX - 1, u32::MAX] {
            for frame in [0, 1, 2, 7, 1 << 20, u32::MAX] {
                assert!(seen.insert(key_hash(parent, frame)), "{parent}, {frame}");
            }
        }
        assert_ne!(key_hash(1, 2), key_hash(2, 1), "the key is ordered");
    }

    #[test]
    fn finds_what_was_inserted_across_growth() {
        let mut index = ChildIndex::with_capacity(0);
        let start = index.slots.len();
        for n in 1..=5000u32 {
            index.insert_new(slot(n / 3, n % 7, n));
        }
        assert!(index.slots.len() > start, "grew");
        assert!(index.len * 4 <= index.slots.len() * 3, "at most 3/4 full");
        for n in 1..=5000u32 {
            let s = index.find(key_hash(n / 3, n % 7)).expect("inserted");
            assert_eq!((s.node, s.rank), (n, n * 10));
        }
        assert!(index.find(key_hash(1, 1000)).is_none());
    }

    #[test]
    fn a_found_slot_can_be_updated() {
        let mut index = ChildIndex::with_capacity(4);
        index.insert_new(slot(3, 4, 9));
        index.find(key_hash(3, 4)).unwrap().rank = 1;
        assert_eq!(index.find(key_hash(3, 4)).map(|s| s.rank), Some(1));
    }

    #[test]
    fn probes_wrap_past_the_last_slot() {
        // Every key homed on the last slot: the probe goes on at slot 0.
        let mut index = ChildIndex::with_capacity(8);
        let last = index.slots.len() - 1;
        let keys: Vec<(u32, u32)> = (0..u32::MAX)
            .map(|f| (5, f))
            .filter(|&(p, f)| index.home(key_hash(p, f)) == last)
            .take(3)
            .collect();
        for (i, &(p, f)) in keys.iter().enumerate() {
            index.insert_new(slot(p, f, i as u32 + 1));
        }
        assert_ne!(index.slots[0].node, 0, "wrapped to the first slot");
        for (i, &(p, f)) in keys.iter().enumerate() {
            assert_eq!(
                index.find(key_hash(p, f)).map(|s| s.node),
                Some(i as u32 + 1)
            );
        }
    }
}
