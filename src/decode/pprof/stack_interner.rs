//! Interning pprof samples' stacks into the model's prefix [`StackTable`],
//! fast enough for millions of distinct call paths.

use super::invalid;
use crate::decode::Result;
use crate::model::{LocId, PathStacks, StackId, StackTable};

/// FxHash-style mixing of one 32-bit word into a running hash: the sample
/// reader hashes a stack's locations as it reads them, and
/// [`StackInterner::intern`] takes that hash for its cache of whole stacks.
#[inline(always)]
pub(super) fn mix(hash: u64, word: u32) -> u64 {
    (hash.rotate_left(5) ^ word as u64).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// The error past [`PathStacks`]'s 4 billion nodes.
fn too_many_nodes() -> crate::decode::DecodeError {
    invalid("more than 4 billion distinct call-stack nodes".into())
}

/// Builds the model's prefix [`StackTable`] for pprof samples.
///
/// Why not [`crate::model::StackBuilder`]? It is right for small inputs, but
/// on a million samples with millions of distinct call paths (issue 6) each
/// frame's `(parent, location)` lookup is a cache miss in a table far larger
/// than the CPU cache, and each lookup needs the previous one's result, so
/// the misses cannot overlap. Here, on a [`PathStacks`] table:
/// * all of a sample's slots are touched up front by their path hashes, so
///   their cache misses overlap;
/// * once a frame creates a node, every deeper frame of that sample is new
///   too (its parent did not exist), so it is appended without comparing;
/// * a small direct-mapped cache of whole stacks (confirmed by walking the
///   table) serves the repeated stacks of CPU and goroutine profiles.
pub(super) struct StackInterner {
    stacks: PathStacks,
    /// About how many nodes the file holds, for the first sample to size
    /// the slots by (see [`PathStacks::presize`]): sized any earlier, they
    /// would sit through a file's other tables unused.
    expected: usize,
    /// Path hash of each frame of the current sample, root first.
    paths: Vec<u32>,
    whole: Vec<(u64, u32)>,
    /// Folds the up-front slot reads so the compiler keeps them.
    touched: u32,
    /// The table's length when a sample last rebuilt the slots after a
    /// [`Self::pause`].
    rebuilt_at: Option<usize>,
    /// Nodes re-placed by those rebuilds, all told.
    replaced: usize,
}

impl StackInterner {
    const EMPTY: u32 = u32::MAX;
    const WHOLE_BITS: u32 = 16;

    pub fn new() -> Self {
        StackInterner {
            stacks: PathStacks::new(),
            expected: 0,
            paths: Vec::new(),
            whole: vec![(0, Self::EMPTY); 1 << Self::WHOLE_BITS],
            touched: 0,
            rebuilt_at: None,
            replaced: 0,
        }
    }

    /// Sizes the node lookup for about `nodes` nodes when the first
    /// sample comes.
    pub fn expect_nodes(&mut self, nodes: usize) {
        self.expected = nodes;
    }

    /// The node for `loc` under `parent1` (see [`PathStacks::node`]).
    #[inline(always)]
    fn node(&mut self, path: u32, parent1: u32, loc: u32, fresh: &mut bool) -> Result<u32> {
        self.stacks
            .node(path, parent1, loc, fresh)
            .ok_or_else(too_many_nodes)
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
        if self.expected > 0 {
            self.stacks.presize(std::mem::take(&mut self.expected));
        }
        if self.stacks.restore_slots() {
            let len = self.stacks.len();
            self.rebuilt_at = Some(len);
            self.replaced += len;
        }
        // Path hashes, root first, touching each frame's slot so that the
        // cache misses of a deep stack overlap instead of queueing.
        self.paths.clear();
        let mut path = PathStacks::PATH_SEED;
        let mut touched = self.touched;
        for loc in locs.iter().rev() {
            path = PathStacks::path_step(path, loc.0);
            self.paths.push(path);
            touched ^= self.stacks.touch(path);
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
        let t = &self.stacks;
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

    /// Frees the node lookup's slots, the largest block while samples are
    /// read, until the next sample (see [`PathStacks::release_slots`]); the
    /// decoder calls it at each string of the string table.
    ///
    /// Both the runtime's writer and google/pprof's write the strings
    /// after every sample (the runtime puts each new location and function
    /// between the samples, so a pause at those would be undone by the
    /// next sample). A file may still put samples between strings, where a
    /// sample would rebuild the slots after nearly every pause: a pause
    /// after a rebuild frees them only once the table has doubled since,
    /// which keeps every rebuild together within twice the table's final
    /// size, as a growing vector's copies are.
    pub fn pause(&mut self) {
        let len = self.stacks.len();
        if len == 0 || self.rebuilt_at.is_some_and(|at| len < 2 * at) {
            return;
        }
        self.stacks.release_slots();
    }

    /// The finished table, without growth slack.
    pub fn finish(self) -> StackTable {
        self.stacks.finish()
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

    /// `n` three-frame stacks (leaf first) under `n` distinct roots whose
    /// middle frames repeat, and their leaves as `s` interns them.
    fn many_stacks(s: &mut StackInterner, n: u32) -> (Vec<Vec<LocId>>, Vec<StackId>) {
        let stacks: Vec<Vec<LocId>> = (0..n)
            .map(|i| vec![LocId(i % 7 + 100), LocId(i / 7 % 50), LocId(i)])
            .collect();
        let leaves = stacks
            .iter()
            .map(|l| s.intern(l, hash_of(l)).unwrap().unwrap())
            .collect();
        (stacks, leaves)
    }

    /// Growing re-places every node from the table; each must still be
    /// found by its slot, not only by the cache of whole stacks.
    #[test]
    fn growth_keeps_every_node_findable() {
        let mut s = StackInterner::new();
        let (stacks, leaves) = many_stacks(&mut s, 20_000);
        let nodes = s.stacks.len();
        assert!(nodes > 4096, "the table grew past its first 4096 slots");
        for (locs, &leaf) in stacks.iter().zip(&leaves) {
            // A hash that misses the whole-stack cache.
            let again = s.intern(locs, !hash_of(locs)).unwrap().unwrap();
            assert_eq!(again, leaf);
        }
        assert_eq!(s.stacks.len(), nodes, "no node was added twice");
        let t = s.finish();
        for (locs, &leaf) in stacks.iter().zip(&leaves) {
            assert!(t.frames(leaf).eq(locs.iter().copied()));
        }
    }

    /// A sample after a pause (a file that puts samples between its
    /// strings) finds every node made before it through rebuilt slots, and
    /// adds new ones after them.
    #[test]
    fn a_pause_keeps_every_node_findable() {
        let mut s = StackInterner::new();
        s.pause(); // before any sample: nothing to free
        let (stacks, leaves) = many_stacks(&mut s, 10_000);
        let nodes = s.stacks.len();
        s.pause();
        s.pause();
        for (locs, &leaf) in stacks.iter().zip(&leaves) {
            let again = s.intern(locs, !hash_of(locs)).unwrap().unwrap();
            assert_eq!(again, leaf);
            s.pause();
        }
        assert_eq!(s.stacks.len(), nodes, "no node was added twice");
        assert_eq!(s.replaced, nodes, "one rebuild: no pause since");
        let new = intern(&mut s, &[1_000_000, 0, 5]); // 5, then 5 / 7 % 50
        assert_eq!(new.index(), nodes, "one new leaf under existing callers");
        let t = s.finish();
        assert!(t.frames(new).map(|l| l.0).eq([1_000_000, 0, 5]));
    }

    /// Strings between the samples, so a pause comes after nearly every
    /// sample. The rebuilds re-place at most twice the final table, not
    /// the table once per sample.
    #[test]
    fn pauses_between_every_sample_rebuild_little() {
        let mut s = StackInterner::new();
        let mut leaves = Vec::new();
        for i in 0..20_000u32 {
            s.pause(); // a string before the sample
            let locs = [LocId(i % 7 + 100), LocId(i / 7 % 50), LocId(i)];
            leaves.push(s.intern(&locs, hash_of(&locs)).unwrap().unwrap());
        }
        let nodes = s.stacks.len();
        assert_eq!(nodes, 60_000);
        assert!(s.replaced <= 2 * nodes, "{} nodes re-placed", s.replaced);
        s.pause();
        let t = s.finish();
        for (i, &leaf) in (0..20_000u32).zip(&leaves) {
            assert!(t.frames(leaf).map(|l| l.0).eq([i % 7 + 100, i / 7 % 50, i]));
        }
    }

    #[test]
    fn node_ids_stop_where_node_plus_one_leaves_a_u32() {
        assert_eq!(PathStacks::next_node(0), Some(0));
        assert_eq!(
            PathStacks::next_node(u32::MAX as usize - 1),
            Some(u32::MAX - 1)
        );
        assert_eq!(PathStacks::next_node(u32::MAX as usize), None);
        assert!(too_many_nodes()
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
