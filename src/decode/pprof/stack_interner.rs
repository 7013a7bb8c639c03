//! Interning pprof samples' stacks into the model's prefix [`StackTable`],
//! fast enough for millions of distinct call paths.

use super::invalid;
use crate::decode::Result;
use crate::model::{LocId, StackId, StackTable};

/// FxHash-style mixing of one 32-bit word into a running hash: the sample
/// reader hashes a stack's locations as it reads them, and
/// [`StackInterner::intern`] takes that hash for its cache of whole stacks.
#[inline(always)]
pub(super) fn mix(hash: u64, word: u32) -> u64 {
    (hash.rotate_left(5) ^ word as u64).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// Builds the model's prefix [`StackTable`] for pprof samples.
///
/// Why not [`crate::model::StackBuilder`]? It is right for small inputs, but
/// on a million samples with millions of distinct call paths (issue 6) each
/// frame's `(parent, location)` lookup is a cache miss in a table far larger
/// than the CPU cache, and each lookup needs the previous one's result, so
/// the misses cannot overlap. Here:
/// * a node's slot is chosen by a hash of its whole root-side *path* (the
///   location ids from the root down to it), which is known for every frame
///   before any lookup, so all of a sample's slots are touched up front and
///   their cache misses overlap; the slot still stores `(parent, location)`,
///   and equality on those is what decides (the hash only picks the slot);
/// * key and node live inline in one 12-byte slot (one miss per lookup); the
///   path hash is not stored: it is a 32-bit running hash, so growing the
///   table recomputes it for every node in one parents-first pass;
/// * once a frame creates a node, every deeper frame of that sample is new
///   too (its parent did not exist), so it is appended without comparing;
/// * a small direct-mapped cache of whole stacks (confirmed by walking the
///   table) serves the repeated stacks of CPU and goroutine profiles.
pub(super) struct StackInterner {
    table: StackTable,
    /// `[parent + 1 (0 for a root), location, node]`; node `EMPTY` marks a
    /// free slot.
    slots: Vec<[u32; 3]>,
    /// log2(slots.len()).
    bits: u32,
    /// Path hash of each frame of the current sample, root first.
    paths: Vec<u32>,
    whole: Vec<(u64, u32)>,
    /// Folds the up-front slot reads so the compiler keeps them.
    touched: u32,
}

impl StackInterner {
    const EMPTY: u32 = u32::MAX;
    const WHOLE_BITS: u32 = 16;

    pub fn new() -> Self {
        let bits = 12;
        StackInterner {
            table: StackTable::default(),
            slots: vec![[0, 0, Self::EMPTY]; 1 << bits],
            bits,
            paths: Vec::new(),
            whole: vec![(0, Self::EMPTY); 1 << Self::WHOLE_BITS],
            touched: 0,
        }
    }

    /// The path hash before the root frame.
    const PATH_SEED: u32 = 0x2545_f491;

    /// The path hash of a frame at `loc` below a frame whose path hash is
    /// `parent` (murmur3's finaliser over both).
    #[inline(always)]
    fn path_step(parent: u32, loc: u32) -> u32 {
        let mut h = parent.rotate_left(7) ^ loc.wrapping_mul(0x9e37_79b1);
        h ^= h >> 16;
        h = h.wrapping_mul(0x85eb_ca6b);
        h ^= h >> 13;
        h = h.wrapping_mul(0xc2b2_ae35);
        h ^ (h >> 16)
    }

    #[inline(always)]
    fn slot_of(&self, path: u32) -> usize {
        (path >> (32 - self.bits)) as usize
    }

    /// The node for `loc` under `parent1` (parent + 1, 0 for a root) whose
    /// path hashes to `path`; `fresh` says the parent was created by this
    /// sample, so the node cannot exist yet.
    #[inline(always)]
    fn node(&mut self, path: u32, parent1: u32, loc: u32, fresh: &mut bool) -> Result<u32> {
        let mask = self.slots.len() - 1;
        let mut i = self.slot_of(path);
        loop {
            let slot = self.slots[i];
            if slot[2] == Self::EMPTY {
                break;
            }
            if !*fresh && slot[0] == parent1 && slot[1] == loc {
                return Ok(slot[2]);
            }
            i = (i + 1) & mask;
        }
        let node = Self::next_node(self.table.len())?;
        self.slots[i] = [parent1, loc, node];
        let t = &mut self.table;
        if t.len() == t.capacity() {
            // Grow by half, not double: less slack in the largest arrays.
            t.reserve_exact(t.len() / 2 + 1024);
        }
        t.push(parent1.checked_sub(1).map(StackId::new), LocId(loc));
        *fresh = true;
        // Keep the load factor under 3/4.
        if self.table.len() * 4 > self.slots.len() * 3 {
            self.grow();
        }
        Ok(node)
    }

    /// The id of a new node in a table of `len` nodes: every id but
    /// [`Self::EMPTY`], which marks a free slot.
    #[inline(always)]
    fn next_node(len: usize) -> Result<u32> {
        u32::try_from(len)
            .ok()
            .filter(|&n| n < Self::EMPTY)
            .ok_or_else(|| invalid("more than 4 billion distinct call-stack nodes".into()))
    }

    fn grow(&mut self) {
        self.bits += 1;
        // The old slots are not needed: every node is re-placed from the
        // table, parents first, recomputing path hashes as it goes.
        self.slots = Vec::new();
        self.slots = vec![[0, 0, Self::EMPTY]; 1 << self.bits];
        let mask = self.slots.len() - 1;
        let t = &self.table;
        let mut paths: Vec<u32> = Vec::with_capacity(t.len());
        for (n, (&parent, &loc)) in t.parents().iter().zip(t.locs()).enumerate() {
            let path = Self::path_step(parent.map_or(Self::PATH_SEED, |p| paths[p.index()]), loc.0);
            paths.push(path);
            let mut i = self.slot_of(path);
            while self.slots[i][2] != Self::EMPTY {
                i = (i + 1) & mask;
            }
            let parent1 = parent.map_or(0, |p| p.index() as u32 + 1);
            self.slots[i] = [parent1, loc.0, n as u32];
        }
    }

    /// The leaf node of a stack given leaf first, as resolved locations and
    /// their running `hash`; `None` for an empty stack.
    #[inline]
    pub fn intern(&mut self, locs: &[LocId], hash: u64) -> Result<Option<StackId>> {
        if locs.is_empty() {
            return Ok(None);
        }
        if u32::try_from(locs.len()).is_err() {
            return Err(invalid("a stack deeper than 4 billion frames".into()));
        }
        let hash = mix(hash, locs.len() as u32);
        let w = (hash >> (64 - Self::WHOLE_BITS)) as usize;
        let (h, cached) = self.whole[w];
        if h == hash && cached != Self::EMPTY && self.is_stack(cached, locs) {
            return Ok(Some(StackId::new(cached)));
        }
        // Path hashes, root first, touching each frame's slot so that the
        // cache misses of a deep stack overlap instead of queueing.
        self.paths.clear();
        let mut path = Self::PATH_SEED;
        let mut touched = self.touched;
        for loc in locs.iter().rev() {
            path = Self::path_step(path, loc.0);
            self.paths.push(path);
            touched ^= self.slots[self.slot_of(path)][2];
        }
        self.touched = touched;
        let mut parent1 = 0u32;
        let mut fresh = false;
        for d in 0..locs.len() {
            let loc = locs[locs.len() - 1 - d].0;
            let node = self.node(self.paths[d], parent1, loc, &mut fresh)?;
            parent1 = node + 1;
        }
        let leaf = parent1 - 1;
        self.whole[w] = (hash, leaf);
        Ok(Some(StackId::new(leaf)))
    }

    /// Whether node `leaf` is exactly the stack `locs` (leaf first).
    fn is_stack(&self, leaf: u32, locs: &[LocId]) -> bool {
        let t = &self.table;
        let mut node = Some(StackId::new(leaf));
        for &loc in locs {
            let Some(n) = node else { return false };
            if t.loc(n) != loc {
                return false;
            }
            node = t.parent(n);
        }
        node.is_none()
    }

    /// The finished table, without growth slack.
    pub fn finish(mut self) -> StackTable {
        self.table.shrink_to_fit();
        self.table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash the sample reader passes along with a stack.
    fn hash_of(locs: &[LocId]) -> u64 {
        locs.iter().fold(0, |h, l| mix(h, l.0))
    }

    fn intern(s: &mut StackInterner, locs: &[u32]) -> StackId {
        let locs: Vec<LocId> = locs.iter().map(|&l| LocId(l)).collect();
        s.intern(&locs, hash_of(&locs)).unwrap().unwrap()
    }

    #[test]
    fn equal_stacks_are_one_node() {
        let mut s = StackInterner::new();
        let a = intern(&mut s, &[3, 2, 1]);
        let b = intern(&mut s, &[3, 2, 1]);
        assert_eq!(a, b);
        assert_eq!(s.intern(&[], 0).unwrap(), None, "an empty stack");
        let t = s.finish();
        assert_eq!(t.len(), 3);
        assert_eq!(t.frames(a).map(|l| l.0).collect::<Vec<_>>(), [3, 2, 1]);
    }

    #[test]
    fn stacks_share_their_root_side_prefix() {
        let mut s = StackInterner::new();
        let a = intern(&mut s, &[3, 2, 1]);
        let b = intern(&mut s, &[4, 2, 1]);
        let c = intern(&mut s, &[2, 1]);
        let d = intern(&mut s, &[2, 5]);
        assert_ne!(a, b);
        let t = s.finish();
        assert_eq!(t.len(), 6, "1, 2 under 1, 3 and 4 under 2; 5, 2 under 5");
        assert_eq!(t.parent(a), Some(c));
        assert_eq!(t.parent(b), Some(c));
        assert_ne!(c, d, "the same location under another caller");
    }

    /// Growing re-places every node from the table; each must still be
    /// found by its slot, not only by the cache of whole stacks.
    #[test]
    fn growth_keeps_every_node_findable() {
        let mut s = StackInterner::new();
        let stacks: Vec<Vec<LocId>> = (0..20_000u32)
            .map(|i| vec![LocId(i % 7 + 100), LocId(i / 7 % 50), LocId(i)])
            .collect();
        let leaves: Vec<StackId> = stacks
            .iter()
            .map(|l| s.intern(l, hash_of(l)).unwrap().unwrap())
            .collect();
        assert!(s.bits > 12, "the table grew");
        let nodes = s.table.len();
        for (locs, &leaf) in stacks.iter().zip(&leaves) {
            // A hash that misses the whole-stack cache.
            let again = s.intern(locs, !hash_of(locs)).unwrap().unwrap();
            assert_eq!(again, leaf);
        }
        assert_eq!(s.table.len(), nodes, "no node was added twice");
        let t = s.finish();
        for (locs, &leaf) in stacks.iter().zip(&leaves) {
            assert!(t.frames(leaf).eq(locs.iter().copied()));
        }
    }

    #[test]
    fn node_ids_stop_below_the_free_slot_mark() {
        assert_eq!(StackInterner::next_node(0).unwrap(), 0);
        assert_eq!(
            StackInterner::next_node(u32::MAX as usize - 1).unwrap(),
            u32::MAX - 1
        );
        let err = StackInterner::next_node(u32::MAX as usize).unwrap_err();
        assert!(err
            .to_string()
            .contains("more than 4 billion distinct call-stack nodes"));
    }

    #[test]
    fn is_stack_matches_the_whole_stack_only() {
        let mut s = StackInterner::new();
        let leaf = intern(&mut s, &[3, 2, 1]);
        let middle = intern(&mut s, &[2, 1]);
        let locs = |l: &[u32]| l.iter().map(|&l| LocId(l)).collect::<Vec<_>>();
        assert!(s.is_stack(leaf.index() as u32, &locs(&[3, 2, 1])));
        assert!(
            !s.is_stack(leaf.index() as u32, &locs(&[3, 2])),
            "the node's stack is longer"
        );
        assert!(
            !s.is_stack(middle.index() as u32, &locs(&[3, 2, 1])),
            "the node's stack is shorter"
        );
        assert!(
            !s.is_stack(leaf.index() as u32, &locs(&[3, 9, 1])),
            "differs"
        );
    }
}
