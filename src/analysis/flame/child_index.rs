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

/// The hash in two halves, so a slot is 12 bytes, not a `u64`'s padded 16.
#[derive(Clone, Copy, Default)]
struct Slot {
    hash_hi: u32,
    hash_lo: u32,
    /// 0 (the root, never a child) for an empty slot.
    node: u32,
}

impl Slot {
    #[inline]
    fn new(hash: u64, node: u32) -> Slot {
        Slot {
            hash_hi: (hash >> 32) as u32,
            hash_lo: hash as u32,
            node,
        }
    }

    #[inline]
    fn hash(&self) -> u64 {
        u64::from(self.hash_hi) << 32 | u64::from(self.hash_lo)
    }
}

/// A bijective mix of a (parent, frame) key (splitmix64's finaliser): equal
/// hashes mean equal keys, and [`key_of`] gives the key back.
#[inline]
pub(super) fn key_hash(parent: u32, frame: u32) -> u64 {
    let mut z = (u64::from(parent) << 32 | u64::from(frame)).wrapping_add(ADD);
    z = (z ^ (z >> 30)).wrapping_mul(MUL1);
    z = (z ^ (z >> 27)).wrapping_mul(MUL2);
    z ^ (z >> 31)
}

const ADD: u64 = 0x9e37_79b9_7f4a_7c15;
const MUL1: u64 = 0xbf58_476d_1ce4_e5b9;
const MUL2: u64 = 0x94d0_49bb_1331_11eb;
const INV_MUL1: u64 = inverse(MUL1);
const INV_MUL2: u64 = inverse(MUL2);

/// The (parent, frame) key that [`key_hash`] mixed into `hash`: each of
/// its steps undone in turn.
pub(super) fn key_of(hash: u64) -> (u32, u32) {
    let mut z = unshift(hash, 31);
    z = unshift(z.wrapping_mul(INV_MUL2), 27);
    z = unshift(z.wrapping_mul(INV_MUL1), 30).wrapping_sub(ADD);
    ((z >> 32) as u32, z as u32)
}

/// `x` from `x ^ (x >> s)`: each pass recovers `s` more high bits.
const fn unshift(y: u64, s: u32) -> u64 {
    let mut x = y;
    let mut known = s;
    while known < 64 {
        x = y ^ (x >> s);
        known += s;
    }
    x
}

/// The inverse of an odd `m` modulo 2^64 (Newton's iteration: each step
/// doubles the correct low bits, from 3 for `m` itself).
const fn inverse(m: u64) -> u64 {
    let mut x = m;
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(m.wrapping_mul(x)));
        i += 1;
    }
    x
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

    /// The node whose key hashes to `hash`, if any.
    #[inline]
    pub(super) fn find(&self, hash: u64) -> Option<u32> {
        let mut i = self.home(hash);
        loop {
            let slot = self.slots[i];
            if slot.node == 0 {
                return None;
            }
            if slot.hash() == hash {
                return Some(slot.node);
            }
            i = self.next(i);
        }
    }

    /// Adds `node` under a key whose `hash` is not in the table yet.
    #[inline]
    pub(super) fn insert_new(&mut self, hash: u64, node: u32) {
        self.insert_slot(Slot::new(hash, node));
    }

    #[inline]
    fn insert_slot(&mut self, slot: Slot) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let mut i = self.home(slot.hash());
        while self.slots[i].node != 0 {
            i = self.next(i);
        }
        self.slots[i] = slot;
        self.len += 1;
    }

    /// Each indexed node with its parent, in no order.
    pub(super) fn parents(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.slots
            .iter()
            .filter(|s| s.node != 0)
            .map(|s| (key_of(s.hash()).0, s.node))
    }

    /// Doubles the slots.
    #[cold]
    fn grow(&mut self) {
        let bigger = vec![Slot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        self.len = 0;
        for s in old {
            if s.node != 0 {
                self.insert_slot(s);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn keys_come_back_from_their_hashes() {
        for parent in [0, 1, 2, 1000, 0x8000_0000, u32::MAX - 1, u32::MAX] {
            for frame in [0, 1, 7, 1 << 20, 0xdead_beef, u32::MAX] {
                assert_eq!(key_of(key_hash(parent, frame)), (parent, frame));
            }
        }
        let mut index = ChildIndex::with_capacity(0);
        for n in 1..=300u32 {
            index.insert_new(key_hash(n / 3, n % 7), n);
        }
        let mut got: Vec<(u32, u32)> = index.parents().collect();
        got.sort_by_key(|&(_, n)| n);
        let want: Vec<(u32, u32)> = (1..=300u32).map(|n| (n / 3, n)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn finds_what_was_inserted_across_growth() {
        let mut index = ChildIndex::with_capacity(0);
        let start = index.slots.len();
        for n in 1..=5000u32 {
            index.insert_new(key_hash(n / 3, n % 7), n);
        }
        assert!(index.slots.len() > start, "grew");
        assert!(index.len * 4 <= index.slots.len() * 3, "at most 3/4 full");
        for n in 1..=5000u32 {
            assert_eq!(index.find(key_hash(n / 3, n % 7)), Some(n));
        }
        assert!(index.find(key_hash(1, 1000)).is_none());
    }

    #[test]
    fn a_slot_keeps_all_64_bits_of_its_hash() {
        // Two hashes equal in either half are told apart.
        let mut index = ChildIndex::with_capacity(4);
        let h = 0x1234_5678_9abc_def0u64;
        index.insert_new(h, 9);
        assert_eq!(index.find(h), Some(9));
        assert_eq!(index.find(h ^ 1), None);
        assert_eq!(index.find(h ^ 1 << 40), None);
        assert_eq!(std::mem::size_of::<Slot>(), 12);
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
            index.insert_new(key_hash(p, f), i as u32 + 1);
        }
        assert_ne!(index.slots[0].node, 0, "wrapped to the first slot");
        for (i, &(p, f)) in keys.iter().enumerate() {
            assert_eq!(index.find(key_hash(p, f)), Some(i as u32 + 1));
        }
    }
}
