//! The merged call tree behind the flame graph.
//!
//! Counted as pprof's flame graph counts (`report.StackSet` and
//! `driver/html/stacks.js`):
//!
//! * every location is expanded into its lines, outermost first, so an
//!   inlined function is a node of its own (flagged [`FlameTree::inlined`]),
//!   the way `makeInitialStacks` turns each `Line` into a `StackSource`;
//! * a node stands for one call path: siblings are merged when they have the
//!   same function name, file and inlined flag (pprof's source key at
//!   function granularity), so two addresses in one function are one box;
//! * `total` is the sum of the values of the samples passing through a node,
//!   `self` the part where it is the leaf. Recursion needs no special care:
//!   a recursive call is a deeper node on the same path, so every sample is
//!   counted once per node;
//! * children are ordered by decreasing weight, like `partitionPlaces`
//!   ("order by decreasing cost"); ties, which pprof leaves in first-seen
//!   order, are broken by name, file, inlined flag and address so the order
//!   does not depend on sample order;
//! * samples with no locations count in the root (its `self`), as they count
//!   in pprof's total; samples whose value is 0 for the chosen sample type
//!   are skipped, so a heap profile's `inuse_space` tree is not cluttered by
//!   allocations that were all freed;
//! * an unsymbolised location (no lines) becomes one frame with an empty name
//!   and its address, where pprof would drop it; the view prints the address.
//!
//! # Shape
//! Nodes are numbered in preorder (root 0, children in display order), and
//! stored as parallel arrays. Preorder makes a subtree the contiguous range
//! `n..end(n)`, so zooming, searching and skipping a too-narrow subtree during
//! layout are range operations, and nothing here recurses: a 100,000-frame
//! stack costs a loop, not a call stack. A node takes 24 bytes; what else
//! the views ask is shared or derived (see [`FlameTree`]). The tree is plain
//! data (serde-serialisable), kept next to the model in the worker.
//!
//! # Building
//! `build.rs`. Each node of the model's prefix tree
//! ([`crate::model::StackTable`]) that leads to a used leaf is mapped to a
//! flame node once, top-down, reusing its parent's mapping, so the work
//! grows with the number of distinct stack nodes, not with samples times
//! depth; each value then goes into its leaf's flame node, and totals are
//! summed up the tree in one reverse pass. The mapping is one lookup of
//! (parent node, frame) per stack node, millions of them, and bound by
//! cache misses: most are answered by the parent node's own entry, the rest
//! by a small index (`child_index.rs`), and stack nodes are visited in an
//! order in which a new call path finds its parent's entry just written.
//! Preorder numbers then come from subtree sizes in one pass, with no
//! traversal, and each array moves to its place in turn, the wide ones in
//! place (`permute.rs`): the build's working arrays come to about the size
//! of the tree it returns, which stays in the worker.
//!
//! # Filters
//! [`FlameFilter`] (`filter.rs`) lets the report filters
//! (focus/ignore/hide/show/show_from, tag filters) be applied without the
//! build knowing them: it says which samples are kept, which lines of a
//! location survive, and where `show_from` cuts. [`ReportFilter`] is the
//! top table's filters seen that way.

mod build;
mod child_index;
pub mod diff;
mod filter;
mod permute;

use serde::{Deserialize, Serialize};

use crate::model::{Profile, StrId};

pub use filter::{FlameFilter, KeepSamples, ReportFilter};

/// A node of a [`FlameTree`]: its number in preorder. It crosses to the
/// page (a box's node, the breadcrumb) and comes back in a zoom, so it is
/// plain serde data; transparent, so it is written as the bare number.
/// Any number can be made (a page may send a stale one): the tree's
/// [`FlameTree::is_node`] says whether it names a node.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct NodeId(u32);

impl NodeId {
    pub const fn new(preorder: u32) -> NodeId {
        NodeId(preorder)
    }

    /// The preorder number.
    pub const fn get(self) -> u32 {
        self.0
    }

    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// The root node: every tree has one, first in preorder.
pub const ROOT: NodeId = NodeId(0);

/// In [`FlameTree::parent`]'s array: the root's parent.
const NO_PARENT: u32 = u32::MAX;

/// Adds sample values as pprof does: Go's `int64` `+=`, which wraps on
/// overflow (two's complement). The top table (`graph.rs`) sums the same
/// way, so a flame total is the `-top` figure for any input. Wrapping
/// addition is associative and commutative, so a sum does not depend on
/// the order of its terms (the build may add in any order) and a node's
/// self value is exactly its total minus its children's
/// ([`FlameTree::self_value`]).
#[inline]
pub(crate) fn add_value(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// As [`add_value`], for weights (sums of |value|): they wrap at `u64`,
/// which as bits is the same sum as `add_value`'s when no value is
/// negative, so a weight is then read from the total.
#[inline]
pub(crate) fn add_weight(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

/// ReportOptions for [`FlameTree::build`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlameOptions {
    /// Which sample type to count (pprof's `-sample_index`), an index into
    /// [`Profile::sample_types`]. Out of range gives a tree with only a root.
    pub sample_index: usize,
}

/// The merged call tree; node `n` is described by element `n` of each array.
///
/// Shaped for memory: a profile with millions of distinct call paths gives
/// millions of nodes, and the tree lives as long as the worker shows it. A
/// node costs 24 bytes: parent, subtree end, depth and point (4 bytes each)
/// and its total (8). Everything else is shared or derived:
///
/// * frame (name, file, inlined flag, address) and line are one `point`
///   index into a table of the location lines the build met, each naming
///   one of the distinct frames (a few per function, not one per node);
/// * a node's self value is its total minus its children's totals, exact
///   because sums wrap (see [`add_value`]): wrapping addition is undone by
///   wrapping subtraction whatever the order of the terms;
/// * the box width (`weight`, the sum of |value|) equals `total` unless some
///   value is negative (a diff profile); only then is it stored;
/// * the deepest depth under a node is a scan of its preorder range, so only
///   the whole tree's height is kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlameTree {
    sample_index: usize,
    /// Parent node, [`NO_PARENT`] for the root.
    parent: Vec<u32>,
    /// End of the node's subtree in preorder (exclusive): the subtree of `n`
    /// is `n..end[n]`, its first child (if any) is `n + 1` and the next
    /// sibling of a child `c` is `end[c]`.
    end: Vec<u32>,
    /// Root 0, its children 1, ...
    depth: Vec<u32>,
    /// Index into `points`: the node's frame and a representative line,
    /// that of the first frame merged into the node.
    point: Vec<u32>,
    /// Sum of values of the samples through the node.
    total: Vec<i64>,
    /// Sum of |value| through the node when some value is negative (it
    /// then differs from `total`); else empty.
    weight: Vec<u64>,
    /// The (frame, line) pairs nodes point to: one per location line the
    /// build met (a few per function); point 0 is the root's.
    points: Points,
    /// The distinct frames; frame 0 is the root's.
    frames: Vec<Frame>,
    /// Deepest depth in the tree.
    height: u32,
}

/// What siblings are merged by: pprof's source key at function granularity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Frame {
    /// Function name; empty for the root and for unsymbolised frames.
    name: StrId,
    file: StrId,
    /// The location address for unsymbolised frames, else 0.
    address: u64,
    /// The frame was inlined into its caller (pprof's `StackSource.Inlined`).
    inlined: bool,
}

/// The points: lines of locations as flame nodes show them, each a frame
/// (what siblings merge by) and a line number (0 when unknown). A node holds
/// one point id rather than a frame id and a line, and most points are
/// shared by many nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Points {
    /// Per point, its index into the frames: the table the build reads for
    /// every merge, kept apart from the lines so it stays in cache.
    frame: Vec<u32>,
    line: Vec<i64>,
}

impl FlameTree {
    /// Number of nodes, the root included.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// A tree always has its root, so this is never true for a built tree.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The sample type counted (an index into [`Profile::sample_types`]).
    pub fn sample_index(&self) -> usize {
        self.sample_index
    }

    /// The value of all kept samples (the root's total).
    pub fn root_total(&self) -> i64 {
        self.total.first().copied().unwrap_or(0)
    }

    /// Deepest depth in the tree (root 0).
    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn is_node(&self, n: NodeId) -> bool {
        n.index() < self.len()
    }

    /// Every node, in preorder.
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = NodeId> + ExactSizeIterator {
        (0..self.len() as u32).map(NodeId)
    }

    // Per-node accessors. `n` must be a node ([`Self::is_node`]), as for
    // indexing a slice.

    /// Parent of `n`; `None` for the root.
    #[inline]
    pub fn parent(&self, n: NodeId) -> Option<NodeId> {
        match self.parent[n.index()] {
            NO_PARENT => None,
            p => Some(NodeId(p)),
        }
    }

    /// Depth of `n`: root 0, its children 1, ...
    #[inline]
    pub fn depth(&self, n: NodeId) -> u32 {
        self.depth[n.index()]
    }

    /// The first node after the subtree of `n` in preorder (one past the
    /// last node at the end of the tree): the subtree is `n..end(n)`, the
    /// first child (if any) `n + 1`, and the next sibling of a child `c` is
    /// `end(c)`.
    #[inline]
    pub fn end(&self, n: NodeId) -> NodeId {
        NodeId(self.end[n.index()])
    }

    /// Deepest depth in the subtree of `n`: the number of rows to lay out.
    /// Kept for the root only; a scan of the subtree's depths otherwise.
    pub fn max_depth(&self, n: NodeId) -> u32 {
        if n == ROOT {
            return self.height;
        }
        match self.end.get(n.index()) {
            Some(&e) => self.depth[n.index()..e as usize]
                .iter()
                .max()
                .copied()
                .unwrap_or(0),
            None => 0,
        }
    }

    /// The node's index into `frames`.
    #[inline]
    fn frame_id(&self, n: NodeId) -> usize {
        self.points.frame[self.point[n.index()] as usize] as usize
    }

    #[inline]
    fn frame_of(&self, n: NodeId) -> &Frame {
        &self.frames[self.frame_id(n)]
    }

    /// Function name; empty for the root and for unsymbolised frames.
    #[inline]
    pub fn name(&self, n: NodeId) -> StrId {
        self.frame_of(n).name
    }

    #[inline]
    pub fn file(&self, n: NodeId) -> StrId {
        self.frame_of(n).file
    }

    /// The location address for unsymbolised frames, else 0.
    #[inline]
    pub fn address(&self, n: NodeId) -> u64 {
        self.frame_of(n).address
    }

    /// The frame was inlined into its caller (pprof's `StackSource.Inlined`).
    #[inline]
    pub fn inlined(&self, n: NodeId) -> bool {
        self.frame_of(n).inlined
    }

    /// A representative line: that of the first frame merged into the node;
    /// 0 when unknown.
    pub fn line(&self, n: NodeId) -> i64 {
        self.points.line[self.point[n.index()] as usize]
    }

    /// Sum of values of the samples through `n`.
    #[inline]
    pub fn total(&self, n: NodeId) -> i64 {
        self.total[n.index()]
    }

    /// Sum of values where `n` is the leaf: the total less the children's,
    /// exact as sums wrap (see [`add_value`]).
    pub fn self_value(&self, n: NodeId) -> i64 {
        self.children(n)
            .fold(self.total(n), |acc, c| acc.wrapping_sub(self.total(c)))
    }

    /// Sum of |value| through `n`: the box width. Equals `total` unless the
    /// profile has negative values (a diff), where pprof too sizes boxes by
    /// the sum of magnitudes (`sumpos + sumneg`).
    #[inline]
    pub fn weight(&self, n: NodeId) -> u64 {
        match self.weight.get(n.index()) {
            Some(&w) => w,
            None => self.total[n.index()] as u64,
        }
    }

    /// Sum of |value| where `n` is the leaf (as [`Self::self_value`]).
    pub fn self_weight(&self, n: NodeId) -> u64 {
        self.children(n)
            .fold(self.weight(n), |acc, c| acc.wrapping_sub(self.weight(c)))
    }

    /// Bytes held on the heap (capacities, not lengths).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.parent.capacity() * 4
            + self.end.capacity() * 4
            + self.depth.capacity() * 4
            + self.point.capacity() * 4
            + self.points.frame.capacity() * 4
            + self.points.line.capacity() * 8
            + self.total.capacity() * 8
            + self.weight.capacity() * 8
            + self.frames.capacity() * size_of::<Frame>()
    }

    /// The children of `n`, in display order.
    pub fn children(&self, n: NodeId) -> Children<'_> {
        let end = self.end.get(n.index()).copied().unwrap_or(0);
        Children {
            end: &self.end,
            next: n.0.saturating_add(1),
            stop: end,
        }
    }

    /// The subtree of `n` (itself first), in preorder; empty if `n` is not
    /// a node.
    pub fn subtree(
        &self,
        n: NodeId,
    ) -> impl DoubleEndedIterator<Item = NodeId> + ExactSizeIterator + Clone {
        let end = self.end.get(n.index()).map_or(n.0, |&e| e);
        (n.0..end).map(NodeId)
    }

    /// Whether `n` is in the subtree of `of` (`of` itself included).
    pub fn in_subtree(&self, n: NodeId, of: NodeId) -> bool {
        self.is_node(of) && of <= n && n < self.end(of)
    }

    /// `n` and its ancestors, root first: the breadcrumb of a zoom.
    pub fn path(&self, n: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut cur = self.is_node(n).then_some(n);
        while let Some(c) = cur {
            out.push(c);
            cur = self.parent(c);
        }
        out.reverse();
        out
    }

    /// The child index at each level from the root down to `n` (empty for
    /// the root, or for a number that is no node): a zoom written into the
    /// page's URL without naming a function, found again by
    /// [`FlameTree::node_at`] in the same tree built again, as the build
    /// orders children the same way each time.
    pub fn child_path(&self, n: NodeId) -> Vec<u32> {
        let path = self.path(n);
        let index = |w: &[NodeId]| self.children(w[0]).position(|c| c == w[1]);
        path.windows(2)
            .map(|w| index(w).map_or(0, |i| i as u32))
            .collect()
    }

    /// The node [`FlameTree::child_path`] gave `path` for, or `None` when
    /// the path leads past this tree.
    pub fn node_at(&self, path: &[u32]) -> Option<NodeId> {
        let mut n = Some(ROOT).filter(|&r| self.is_node(r))?;
        for &i in path {
            n = self.children(n).nth(i as usize)?;
        }
        Some(n)
    }

    /// The nodes satisfying `pred` within the subtree of `within`, and the
    /// value they cover counted once: a node under a selected ancestor is
    /// selected but not added again (so a recursive function is not counted
    /// twice).
    pub fn select(&self, within: NodeId, mut pred: impl FnMut(NodeId) -> bool) -> Selection {
        let mut sel = Selection::default();
        let mut covered_until = ROOT;
        for n in self.subtree(within) {
            if pred(n) {
                sel.nodes.push(n);
                if n >= covered_until {
                    sel.outermost.push(n);
                    sel.value = add_value(sel.value, self.total(n));
                    sel.weight = add_weight(sel.weight, self.weight(n));
                    covered_until = self.end(n);
                }
            }
        }
        sel
    }

    /// As [`Self::select`] with a predicate on the function name, asked once
    /// per distinct frame rather than per node; the root is never selected.
    pub fn select_by_name(&self, within: NodeId, mut pred: impl FnMut(StrId) -> bool) -> Selection {
        // 0 not asked yet, 1 no, 2 yes.
        let mut memo = vec![0u8; self.frames.len()];
        self.select(within, |n| {
            let f = self.frame_id(n);
            if memo[f] == 0 {
                memo[f] = 1 + u8::from(pred(self.frames[f].name));
            }
            n != ROOT && memo[f] == 2
        })
    }

    /// Every node of the function named `name` (all call paths, inlined or
    /// not): what a click on a top-table row shows in the flame graph.
    pub fn nodes_of_function(&self, name: StrId) -> Selection {
        self.select_by_name(ROOT, |n| n == name)
    }

    /// As [`Self::nodes_of_function`], by the name's text.
    pub fn nodes_of_function_named(&self, profile: &Profile, name: &str) -> Selection {
        match profile.strings.find(name) {
            Some(id) if !name.is_empty() => self.nodes_of_function(id),
            _ => Selection::default(),
        }
    }
}

/// Iterator over a node's children.
pub struct Children<'a> {
    end: &'a [u32],
    next: u32,
    stop: u32,
}

impl Iterator for Children<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        if self.next >= self.stop {
            return None;
        }
        let c = self.next;
        // `end[c] > c` always holds, so this advances.
        self.next = self
            .end
            .get(c as usize)
            .copied()
            .unwrap_or(self.stop)
            .max(c + 1);
        Some(NodeId(c))
    }
}

/// A set of nodes and the value it covers without double counting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// All selected nodes, in preorder.
    pub nodes: Vec<NodeId>,
    /// The selected nodes with no selected ancestor, in preorder.
    pub outermost: Vec<NodeId>,
    /// Sum of the outermost nodes' totals.
    pub value: i64,
    /// Sum of the outermost nodes' weights.
    pub weight: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;

    fn names(t: &FlameTree, p: &Profile) -> Vec<String> {
        t.nodes()
            .map(|i| format!("{}:{}", "  ".repeat(t.depth(i) as usize), p.str(t.name(i))))
            .collect()
    }

    #[test]
    fn merges_by_function_and_orders_by_weight() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a@x.go:1;b 1", "main;a@x.go:2;c 3", "main;d 2", "- 4"])
            .build();
        let t = FlameTree::build(&p, &FlameOptions::default());
        assert_eq!(
            names(&t, &p),
            vec![":", "  :main", "    :a", "      :c", "      :b", "    :d"]
        );
        let each = |f: &dyn Fn(NodeId) -> i64| t.nodes().map(f).collect::<Vec<_>>();
        assert_eq!(each(&|n| t.total(n)), vec![10, 6, 4, 3, 1, 2]);
        assert_eq!(each(&|n| t.self_value(n)), vec![4, 0, 0, 3, 1, 2]);
        let main = NodeId::new(1);
        assert_eq!(
            t.children(main).collect::<Vec<_>>(),
            vec![NodeId::new(2), NodeId::new(5)]
        );
        assert_eq!(each(&|n| i64::from(t.end(n).get())), vec![6, 6, 5, 4, 5, 6]);
        assert_eq!(
            t.nodes().map(|n| t.parent(n)).collect::<Vec<_>>(),
            [None, Some(0), Some(1), Some(2), Some(2), Some(1)].map(|p| p.map(NodeId::new))
        );
        assert_eq!(t.path(NodeId::new(4)).len(), 4);
        assert!(t.in_subtree(NodeId::new(4), main) && !t.in_subtree(main, NodeId::new(2)));
        assert_eq!(t.subtree(NodeId::new(2)).len(), 3);
        assert_eq!(t.height(), 3);
    }

    #[test]
    fn mask_filter_and_zero_values() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a 1", "main;b 0", "main;c 5"])
            .build();
        let t = FlameTree::build_filtered(&p, &FlameOptions::default(), &[true, true, false][..]);
        assert_eq!(t.len(), 3, "b has value 0, c is filtered out");
        assert_eq!(t.root_total(), 1);
        let t = FlameTree::build(&p, &FlameOptions { sample_index: 7 });
        assert_eq!((t.len(), t.root_total()), (1, 0));
    }

    #[test]
    fn node_ids_are_written_as_bare_numbers() {
        let bytes = postcard::to_allocvec(&NodeId::new(300)).unwrap();
        assert_eq!(bytes, postcard::to_allocvec(&300u32).unwrap());
        assert_eq!(
            postcard::from_bytes::<NodeId>(&bytes).unwrap(),
            NodeId::new(300)
        );
    }
}
