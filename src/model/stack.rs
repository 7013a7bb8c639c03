//! The prefix stack table.
//!
//! A stack is stored as its leaf node; each node holds one location and a link
//! to its caller's node. Call paths that share a root-side prefix share nodes,
//! so the table grows with the number of distinct call paths, not with samples
//! times depth, and a sample needs only one `StackId`. Walking from a node to
//! the root yields frames leaf first, the order pprof's `Sample.location_id`
//! uses, without allocating.

use hashbrown::HashMap;

use super::{LocId, StackId};

#[derive(Clone, Debug, Default)]
pub struct StackTable {
    /// Caller node of each node; `None` for a root frame.
    pub parent: Vec<Option<StackId>>,
    pub loc: Vec<LocId>,
}

impl StackTable {
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
        StackFrames { table: self, next: Some(leaf) }
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
#[derive(Default)]
pub struct StackBuilder {
    pub table: StackTable,
    index: HashMap<(u32, u32), StackId>,
}

impl StackBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The node for `loc` called from `parent`.
    #[inline]
    pub fn push(&mut self, parent: Option<StackId>, loc: LocId) -> StackId {
        let key = (parent.map_or(u32::MAX, |p| p.index() as u32), loc.0);
        let table = &mut self.table;
        *self.index.entry(key).or_insert_with(|| {
            let id = StackId::new(table.loc.len() as u32);
            table.parent.push(parent);
            table.loc.push(loc);
            id
        })
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
        assert_eq!(t.frames(s1).collect::<Vec<_>>(), vec![LocId(3), LocId(2), LocId(1)]);
        assert_eq!(t.depth(s2), 3);
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
