//! The prefix stack table.
//!
//! A stack is stored as its leaf node; each node holds one location and a link
//! to its caller's node. Call paths that share a root-side prefix share nodes,
//! so the table grows with the number of distinct call paths, not with samples
//! times depth, and a sample needs only one `StackId`. Walking from a node to
//! the root yields frames leaf first, the order pprof's `Sample.location_id`
//! uses, without allocating.
//!
//! **Parents come before children.** A node can only be added by
//! [`StackTable::push`] or [`PathStacks::node`], each with a parent that is
//! already in the table (both assert it), so every table, whoever built
//! it, is numbered root side first. Analyses rely on it
//! (one forward pass sees a node's caller before the node) and need no
//! fallback for any other order.

use std::hash::BuildHasher;

use hashbrown::DefaultHashBuilder;

use super::chunked::{half_again, Chunked};
use super::{IdIndex, LocId, StackId};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackTable {
    /// Caller node of each node; `None` for a root frame. Always a smaller
    /// id than the node's own.
    parent: Vec<Option<StackId>>,
    loc: Vec<LocId>,
}

impl StackTable {
    /// Appends a node for `loc` called from `parent`, which must already be
    /// in the table: this is what keeps parents before children.
    #[inline]
    pub fn push(&mut self, parent: Option<StackId>, loc: LocId) -> StackId {
        let id = self.loc.len();
        assert!(
            parent.is_none_or(|p| p.index() < id),
            "a stack node's parent must come before it"
        );
        self.parent.push(parent);
        self.loc.push(loc);
        StackId::new(id as u32)
    }

    /// Nodes the table holds room for.
    pub fn capacity(&self) -> usize {
        self.loc.capacity()
    }

    /// Room for exactly `additional` more nodes: builders choose how their
    /// largest arrays grow.
    pub fn reserve_exact(&mut self, additional: usize) {
        self.parent.reserve_exact(additional);
        self.loc.reserve_exact(additional);
    }

    /// The caller's node; `None` at a root frame.
    #[inline]
    pub fn parent(&self, id: StackId) -> Option<StackId> {
        self.parent[id.index()]
    }

    #[inline]
    pub fn loc(&self, id: StackId) -> LocId {
        self.loc[id.index()]
    }

    /// Every node's parent, indexed by node (parents first).
    #[inline]
    pub fn parents(&self) -> &[Option<StackId>] {
        &self.parent
    }

    /// Every node's location, indexed by node.
    #[inline]
    pub fn locs(&self) -> &[LocId] {
        &self.loc
    }

    /// The locations, to renumber them (a decoder reads the file's ids
    /// first); the shape of the table cannot change through this.
    pub fn locs_mut(&mut self) -> &mut [LocId] {
        &mut self.loc
    }

    pub fn len(&self) -> usize {
        self.loc.len()
    }

    pub fn is_empty(&self) -> bool {
        self.loc.is_empty()
    }

    /// Number of frames from the root to `id`, root = 1. Walks the links
    /// (not stored: it would cost 4 bytes per node for a rare question).
    pub fn depth(&self, id: StackId) -> u32 {
        self.frames(id).count() as u32
    }

    /// Locations of a stack, leaf first.
    pub fn frames(&self, leaf: StackId) -> StackFrames<'_> {
        StackFrames {
            table: self,
            next: Some(leaf),
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.parent.capacity() * std::mem::size_of::<Option<StackId>>() + self.loc.capacity() * 4
    }

    /// Drops growth slack: a finished table lives as long as the profile.
    pub fn shrink_to_fit(&mut self) {
        self.parent.shrink_to_fit();
        self.loc.shrink_to_fit();
    }
}

pub struct StackFrames<'a> {
    table: &'a StackTable,
    next: Option<StackId>,
}

impl Iterator for StackFrames<'_> {
    type Item = LocId;
    #[inline]
    fn next(&mut self) -> Option<LocId> {
        let id = self.next?;
        self.next = self.table.parent[id.index()];
        Some(self.table.loc[id.index()])
    }
}

/// Builds a [`StackTable`], deduplicating nodes by (parent, location).
/// Its index finds a node's key in the table itself ([`IdIndex`]): a merge
/// of a fleet builds millions of nodes, and a map keeping each key a second
/// time would be the largest thing it holds.
#[derive(Default)]
pub struct StackBuilder {
    pub table: StackTable,
    index: IdIndex,
    hasher: DefaultHashBuilder,
}

/// A node's dedup key, parent and location in one word.
#[inline]
fn node_key(parent: Option<StackId>, loc: LocId) -> u64 {
    (u64::from(parent.map_or(u32::MAX, |p| p.index() as u32)) << 32) | u64::from(loc.0)
}

impl StackBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The node for `loc` called from `parent`.
    #[inline]
    pub fn push(&mut self, parent: Option<StackId>, loc: LocId) -> StackId {
        let key = node_key(parent, loc);
        let hasher = &self.hasher;
        let id = self.index.find_or_add(
            hasher.hash_one(key),
            &mut self.table,
            |t, id| node_key(t.parent[id as usize], t.loc[id as usize]) == key,
            |t| {
                if t.len() == t.capacity() {
                    t.reserve_exact(half_again(t.len()));
                }
                t.push(parent, loc).index() as u32
            },
            |t, id| hasher.hash_one(node_key(t.parent[id as usize], t.loc[id as usize])),
        );
        StackId::new(id)
    }

    /// The node for a whole stack given leaf first (pprof order); `None` for
    /// an empty stack.
    pub fn push_leaf_first(&mut self, locs: &[LocId]) -> Option<StackId> {
        let mut node = None;
        for &loc in locs.iter().rev() {
            node = Some(self.push(node, loc));
        }
        node
    }

    /// The finished table, without growth slack.
    pub fn finish(mut self) -> StackTable {
        self.table.shrink_to_fit();
        self.table
    }
}

/// A stack table whose nodes are found by a hash of their whole root-side
/// *path* (the locations from the root down to the node) rather than of
/// `(parent, location)`.
///
/// Why: at millions of nodes each lookup is a cache miss in a table far
/// larger than the CPU cache, and a `(parent, location)` hash needs the
/// parent's lookup first, so the misses of one call path queue. A path
/// hash is known for every frame before any lookup, so a caller can touch
/// (`touch`) a batch of slots up front and their misses overlap.
///
/// A slot is 4 bytes: the node + 1 in its low `bits` bits (the table holds
/// fewer nodes than slots, so it fits) and the low `32 - bits` bits of the
/// path hash above it, as a tag; 0 marks a free slot. The slots are the
/// largest block while a file's samples are read or a fleet is merged
/// (2^22 of them at 3 million nodes, grown from the fewest), so each byte
/// in them counts:
/// their count is any number, not only a power of two (a path starts
/// probing at its hash scaled to the count), so a table sized ahead takes
/// half again the nodes foreseen rather than the next power of two. A slot
/// whose tag matches is confirmed by the node's parent and location, which
/// is exact. Those reads go to the table, but the next frame's lookup does
/// not wait for them (its address comes from the path hash), so they
/// overlap too. Growing recomputes every path hash in one parents-first
/// pass over the table, without the old slots.
///
/// The pprof decoder interns a file's samples with it, and a merge maps
/// each input's nodes into it.
pub struct PathStacks {
    /// Each node's `[parent + 1, location]` (parent + 1 is 0 at a root),
    /// side by side so that confirming a slot reads one place, and in
    /// chunks so that growing never copies the table (see [`Chunked`]);
    /// [`Self::finish`] turns them into a [`StackTable`].
    nodes: Chunked<u32>,
    /// `tag | node + 1` (see above); 0 marks a free slot.
    slots: Vec<u32>,
    /// The slot count the next build of the slots takes.
    size: usize,
    /// The bits a node + 1 takes in a slot: log2 of the slot count,
    /// rounded up.
    bits: u32,
    /// The bits of a slot that hold the node + 1.
    node_mask: u32,
}

impl Default for PathStacks {
    fn default() -> Self {
        Self::new()
    }
}

impl PathStacks {
    const FREE: u32 = 0;

    /// The path hash before the root frame.
    pub const PATH_SEED: u32 = 0x2545_f491;

    /// The fewest slots, and the most a table is sized to ahead.
    const MIN_SLOTS: usize = 1 << 12;
    const MAX_PRESIZE: usize = 1 << 22;

    pub fn new() -> Self {
        let mut ps = PathStacks {
            nodes: Chunked::new(2),
            slots: Vec::new(),
            size: 0,
            bits: 0,
            node_mask: 0,
        };
        ps.build_slots(Self::MIN_SLOTS);
        ps
    }

    /// The fewest slots (at least [`Self::MIN_SLOTS`]) that hold `nodes`
    /// nodes under the load factor.
    fn slots_for(nodes: usize) -> usize {
        (nodes.saturating_mul(8) / 7 + 1).max(Self::MIN_SLOTS)
    }

    /// Frees the slots and takes `size` fresh ones, all free.
    fn build_slots(&mut self, size: usize) {
        self.slots = Vec::new();
        self.slots = vec![Self::FREE; size];
        self.size = size;
        self.bits = size.next_power_of_two().trailing_zeros();
        self.node_mask = ((1u64 << self.bits) - 1) as u32;
    }

    /// Sizes the slots of a table still empty for about `nodes` nodes (half
    /// as many again, a load of 2/3 if the guess holds), up to 2^22 slots
    /// (16.8 MB), so that they need not grow on the way.
    /// Each growth places every node again: a million-sample profile grew
    /// ten times from 2^12, re-placing 3.6 million nodes, about a tenth of
    /// its decode.
    pub fn presize(&mut self, nodes: usize) {
        if !self.nodes.is_empty() {
            return;
        }
        let slots = (nodes.saturating_mul(3) / 2).max(Self::slots_for(0));
        self.build_slots(slots.min(Self::MAX_PRESIZE));
    }

    /// The path hash of a frame at `loc` below a frame whose path hash is
    /// `parent` (murmur3's finaliser over both).
    #[inline(always)]
    pub fn path_step(parent: u32, loc: u32) -> u32 {
        let mut h = parent.rotate_left(7) ^ loc.wrapping_mul(0x9e37_79b1);
        h ^= h >> 16;
        h = h.wrapping_mul(0x85eb_ca6b);
        h ^= h >> 13;
        h = h.wrapping_mul(0xc2b2_ae35);
        h ^ (h >> 16)
    }

    /// The slot a path starts probing at: its hash scaled to the slot
    /// count, which its top bits decide.
    #[inline(always)]
    fn slot_of(&self, path: u32) -> usize {
        ((u64::from(path) * self.slots.len() as u64) >> 32) as usize
    }

    /// The path hash's other bits, where a slot keeps them.
    #[inline(always)]
    fn tag_of(&self, path: u32) -> u32 {
        (u64::from(path) << self.bits) as u32
    }

    /// Reads the slot of `path` so that its cache miss starts now; fold
    /// the result into something kept, or the read is dropped.
    #[inline(always)]
    pub fn touch(&self, path: u32) -> u32 {
        debug_assert!(!self.slots.is_empty(), "slots released");
        self.slots[self.slot_of(path)]
    }

    /// The nodes so far.
    #[inline]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Node `id`'s caller; `None` at a root frame.
    #[inline]
    pub fn parent(&self, id: StackId) -> Option<StackId> {
        self.nodes.row(id.index())[0]
            .checked_sub(1)
            .map(StackId::new)
    }

    #[inline]
    pub fn loc(&self, id: StackId) -> LocId {
        LocId(self.nodes.row(id.index())[1])
    }

    /// The node for `loc` under `parent1` (parent + 1, 0 for a root) whose
    /// path hashes to `path`, which must be [`Self::path_step`] of the
    /// parent's path hash and `loc`, or the node is not found where it
    /// was placed. `fresh` says the parent was created since the caller
    /// last found an existing node, so this one cannot exist yet; it is
    /// set when the node is created. `None` past 4 billion nodes.
    #[inline(always)]
    pub fn node(&mut self, path: u32, parent1: u32, loc: u32, fresh: &mut bool) -> Option<u32> {
        let len = self.slots.len();
        let tag = self.tag_of(path);
        let mut i = self.slot_of(path);
        loop {
            let slot = self.slots[i];
            if slot == Self::FREE {
                break;
            }
            if !*fresh && slot & !self.node_mask == tag {
                let node = (slot & self.node_mask) - 1;
                let row = self.nodes.row(node as usize);
                if row[0] == parent1 && row[1] == loc {
                    return Some(node);
                }
            }
            i += 1;
            if i == len {
                i = 0;
            }
        }
        let node = Self::next_node(self.nodes.len())?;
        assert!(parent1 <= node, "a stack node's parent must come before it");
        self.slots[i] = tag | (node + 1);
        self.nodes.push(&[parent1, loc]);
        *fresh = true;
        // Keep the load factor under 7/8, not 3/4: tables double, so at 3/4
        // a merge of 3.4M nodes took 8M slots that 4M hold at 7/8; linear
        // probes over adjacent slots stay short at that load. It also keeps
        // every node + 1 below the slot count, in the slot's low bits.
        if self.nodes.len() * 8 > self.slots.len() * 7 {
            self.grow();
        }
        Some(node)
    }

    /// The id of a new node in a table of `len` nodes: every id whose
    /// node + 1 fits a `u32` (the load factor keeps it within a slot's
    /// node bits).
    #[inline(always)]
    pub(crate) fn next_node(len: usize) -> Option<u32> {
        u32::try_from(len).ok().filter(|&n| n < u32::MAX)
    }

    /// Frees the slots, the largest block, while no node is looked up (a
    /// decoder past a file's samples reads its other tables); the next
    /// [`Self::restore_slots`] rebuilds them from the table.
    pub fn release_slots(&mut self) {
        self.slots = Vec::new();
        // Rebuilt, they hold twice the table, not what [`Self::presize`]
        // foresaw: a file that puts samples between strings rebuilds them
        // while the table is still small.
        self.size = self.size.min(Self::slots_for(self.nodes.len() * 2));
    }

    /// Rebuilds the slots if [`Self::release_slots`] freed them, and says
    /// whether it did; call it before [`Self::touch`] or [`Self::node`].
    #[inline]
    pub fn restore_slots(&mut self) -> bool {
        let released = self.slots.is_empty();
        if released {
            self.place_all();
        }
        released
    }

    /// Doubles the slots. Growing by half held a 2.1M-node merge in 10.8 MB
    /// of slots rather than 16.8 MB, but its extra passes over the nodes
    /// made the merge 8% slower.
    fn grow(&mut self) {
        self.size = (self.slots.len() * 2).max(Self::slots_for(self.nodes.len()));
        self.place_all();
    }

    /// Places every node of the table in `size` fresh slots.
    fn place_all(&mut self) {
        // The old slots are not needed: every node is re-placed from the
        // table, parents first, recomputing path hashes as it goes.
        self.build_slots(self.size);
        let len = self.slots.len();
        let mut paths: Vec<u32> = Vec::with_capacity(self.nodes.len());
        for chunk in self.nodes.chunks() {
            for node in chunk.chunks_exact(2) {
                let (parent1, loc) = (node[0], node[1]);
                let above = match parent1 {
                    0 => Self::PATH_SEED,
                    p => paths[p as usize - 1],
                };
                let path = Self::path_step(above, loc);
                let n = paths.len() as u32;
                paths.push(path);
                let mut i = self.slot_of(path);
                while self.slots[i] != Self::FREE {
                    i += 1;
                    if i == len {
                        i = 0;
                    }
                }
                self.slots[i] = self.tag_of(path) | (n + 1);
            }
        }
    }

    /// The finished table, of exactly its size. The slots go first: at
    /// millions of nodes they are the largest block, and the table's
    /// columns are copied out of the chunks.
    pub fn finish(self) -> StackTable {
        let PathStacks { nodes, slots, .. } = self;
        drop(slots);
        let mut parent = Vec::with_capacity(nodes.len());
        let mut loc = Vec::with_capacity(nodes.len());
        for chunk in nodes.into_chunks() {
            for node in chunk.chunks_exact(2) {
                parent.push(node[0].checked_sub(1).map(StackId::new));
                loc.push(LocId(node[1]));
            }
        }
        StackTable { parent, loc }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_prefixes_and_walks_leaf_first() {
        let mut b = StackBuilder::new();
        let s1 = b.push_leaf_first(&[LocId(3), LocId(2), LocId(1)]).unwrap();
        let s2 = b.push_leaf_first(&[LocId(4), LocId(2), LocId(1)]).unwrap();
        let s3 = b.push_leaf_first(&[LocId(3), LocId(2), LocId(1)]).unwrap();
        assert_eq!(s1, s3);
        assert_ne!(s1, s2);
        assert_eq!(b.push_leaf_first(&[]), None);
        let t = b.finish();
        assert_eq!(t.len(), 4, "root and middle shared");
        assert_eq!(
            t.frames(s1).collect::<Vec<_>>(),
            vec![LocId(3), LocId(2), LocId(1)]
        );
        assert_eq!(t.depth(s2), 3);
    }

    /// Half a million random call paths hold a few dozen pairs of nodes
    /// with equal 32-bit path hashes (under different parents); each must
    /// stay its own node, found again by `(parent, location)`.
    #[test]
    fn path_stacks_tell_nodes_apart_when_path_hashes_collide() {
        let mut ps = PathStacks::new();
        let mut by_key = std::collections::HashMap::new();
        let mut paths = vec![PathStacks::PATH_SEED];
        let mut rng = crate::test_rng::XorShift::new(0x9e37_79b9_7f4a_7c15);
        let mut next = || rng.next_u64();
        for _ in 0..500_000 {
            let r = next();
            // parent1 0 is a root; the deep end of the table is favoured
            // so that call paths grow long as well as wide.
            let len = paths.len() as u64;
            let parent1 = (len - 1 - (r % len).min(r >> 40 & 63)) as u32;
            let loc = (r >> 16) as u32 % 1000;
            let path = PathStacks::path_step(paths[parent1 as usize], loc);
            let mut fresh = false;
            let node = ps.node(path, parent1, loc, &mut fresh).unwrap();
            let want = *by_key.entry((parent1, loc)).or_insert(node);
            assert_eq!(node, want, "parent1 {parent1} loc {loc}");
            if fresh {
                paths.push(path);
            }
        }
        let mut sorted = paths[1..].to_vec();
        sorted.sort_unstable();
        let equal = sorted.windows(2).filter(|w| w[0] == w[1]).count();
        assert_eq!(ps.len(), by_key.len(), "keys given one node");
        assert!(
            equal > 0,
            "no two nodes share a path hash: the test proves nothing"
        );
        for (&(parent1, loc), &node) in &by_key {
            let node = StackId::new(node);
            assert_eq!(ps.loc(node).0, loc);
            assert_eq!(ps.parent(node).map_or(0, |p| p.index() as u32 + 1), parent1);
        }
    }

    #[test]
    fn path_stacks_sized_ahead_find_what_they_hold() {
        let sized = |nodes| {
            let mut ps = PathStacks::new();
            ps.presize(nodes);
            ps
        };
        assert_eq!(sized(0).slots.len(), 1 << 12);
        // Half as many slots again as nodes, within the cap.
        assert_eq!(sized(2_000_000).slots.len(), 3_000_000);
        assert_eq!(sized(2_000_000).bits, 22);
        assert_eq!(sized(3_000_000).slots.len(), 1 << 22);
        assert_eq!(sized(usize::MAX).slots.len(), 1 << 22);
        let mut ps = sized(100_000);
        let slots = ps.slots.len();
        assert_eq!(slots, 150_000);
        let path = |loc| PathStacks::path_step(PathStacks::PATH_SEED, loc);
        for loc in 0..100_000 {
            assert_eq!(ps.node(path(loc), 0, loc, &mut false), Some(loc));
        }
        assert_eq!(
            ps.slots.len(),
            slots,
            "the estimate held them without growing"
        );
        for loc in (0..100_000).step_by(97) {
            assert_eq!(ps.node(path(loc), 0, loc, &mut false), Some(loc));
        }
        ps.presize(10);
        assert_eq!(
            ps.slots.len(),
            slots,
            "a table that holds nodes keeps its slots"
        );
        // Released and rebuilt, the slots hold twice the table, not what
        // was foreseen.
        let mut ps = sized(1_000_000);
        for loc in 0..3_000 {
            ps.node(path(loc), 0, loc, &mut false);
        }
        ps.release_slots();
        assert!(ps.restore_slots());
        assert_eq!(ps.slots.len(), 6_858);
        assert_eq!(ps.node(path(7), 0, 7, &mut false), Some(7));
    }

    /// A table whose slot count is not a power of two grows, twice, and
    /// still finds every node.
    #[test]
    fn path_stacks_of_any_slot_count_grow_and_find_what_they_hold() {
        let mut ps = PathStacks::new();
        ps.presize(5_000);
        assert_eq!(ps.slots.len(), 7_500);
        let path = |loc| PathStacks::path_step(PathStacks::PATH_SEED, loc);
        for loc in 0..20_000 {
            assert_eq!(ps.node(path(loc), 0, loc, &mut false), Some(loc));
        }
        assert_eq!(ps.slots.len(), 30_000, "grew twice, by doubling");
        for loc in 0..20_000 {
            assert_eq!(ps.node(path(loc), 0, loc, &mut false), Some(loc));
        }
        assert_eq!(ps.len(), 20_000);
    }

    /// A slot keeps only part of the path hash, so two children of one
    /// parent can share a tag in one probe run; the location tells them
    /// apart. A million roots make thousands of such meetings.
    #[test]
    fn path_stacks_tell_siblings_apart_when_tags_collide() {
        let mut ps = PathStacks::new();
        let n = 1_000_000u32;
        let path = |loc| PathStacks::path_step(PathStacks::PATH_SEED, loc);
        for loc in 0..n {
            let node = ps.node(path(loc), 0, loc, &mut false).unwrap();
            assert_eq!(node, loc, "root {loc} found another root's node");
        }
        for loc in (0..n).step_by(997) {
            let mut fresh = false;
            assert_eq!(ps.node(path(loc), 0, loc, &mut fresh), Some(loc));
            assert!(!fresh);
        }
    }

    #[test]
    #[should_panic(expected = "parent must come before it")]
    fn a_child_cannot_come_before_its_parent() {
        let mut t = StackTable::default();
        t.push(Some(StackId::new(0)), LocId(1));
    }

    #[test]
    fn deep_stack_does_not_recurse() {
        let locs: Vec<LocId> = (0..100_000).map(LocId).collect();
        let mut b = StackBuilder::new();
        let leaf = b.push_leaf_first(&locs).unwrap();
        let t = b.finish();
        assert_eq!(t.frames(leaf).count(), 100_000);
        assert_eq!(t.depth(leaf), 100_000);
    }
}
