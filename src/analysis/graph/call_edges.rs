//! Call edges, for one thing a `-top` report prints: whether a node is
//! `(inline)` or `(partial-inline)`, read from its incoming edges once the
//! final node set is known ([`Graph::inline_labels`]).
//!
//! pprof adds a sample's value to an edge the first time the sample
//! crosses it, root to leaf, and an edge is inline when every first
//! crossing entered the callee as an inlined frame. Walked per stack, that
//! is a hash lookup per frame into an inlined node: a 1M-sample profile's
//! 10.5M frames. A stack-table node is one path from the root, the same for
//! every stack through it, so its crossings are found once, in table order
//! (parents first), weighted by the node's subtree weight.

use hashbrown::HashMap;

use super::{Graph, InlineLabel, OCCURS_INLINED};
use crate::model::{LocId, Profile, StackId};

impl Graph {
    /// `(inline)` / `(partial-inline)` for every node of the graph made of
    /// the `kept` nodes only (pprof rebuilds its graph with the surviving
    /// nodes, and a call into a node is "inline" when the node was an
    /// inlined frame at that call).
    ///
    /// pprof labels a node by its incoming edges that survive trimming
    /// (|weight| >= `edge_cutoff`); an edge is inline when every sample's
    /// first crossing of it (root to leaf) was an inlined frame, and its
    /// weight is the sum of the values of the samples crossing it. Only edges
    /// into nodes that ever appear as an inlined frame are tracked: the
    /// others can never be labelled.
    pub fn inline_labels(
        &self,
        profile: &Profile,
        kept: &[bool],
        edge_cutoff: i64,
    ) -> Vec<InlineLabel> {
        let tracked: Vec<bool> = (0..self.len()).map(|i| self.ever_inlined(i)).collect();
        let edges = self.call_edges(profile, kept, &tracked);
        labels_from_edges(self.infos.len(), &edges, edge_cutoff)
    }

    /// Whether node `n` appears as an inlined frame somewhere.
    pub(crate) fn ever_inlined(&self, n: usize) -> bool {
        self.occurs[n] & OCCURS_INLINED != 0
    }

    /// The call edges [`Graph::inline_labels`] reads, in the graph of the
    /// `kept` nodes only: into the `tracked` nodes (the others can never be
    /// labelled).
    ///
    /// pprof adds a sample's value to an edge the first time the sample
    /// crosses it, root to leaf. A stack-table node is one path from the
    /// root, the same for every stack through it, so its crossings are found
    /// once, in table order (parents first), and a first crossing adds the
    /// node's subtree weight: the sum over the stacks through it. That reads
    /// the edge map once per node, not once per stack and frame. Under
    /// `show_from` stacks are cut at different depths, so paths are not
    /// shared, and each stack's kept frames are walked instead.
    pub(crate) fn call_edges(
        &self,
        profile: &Profile,
        kept: &[bool],
        tracked: &[bool],
    ) -> Vec<CallEdge> {
        let n = self.infos.len();
        let is_kept = |i: usize| kept.get(i).copied().unwrap_or(false);
        let is_tracked = |i: usize| tracked.get(i).copied().unwrap_or(false);
        if !(0..n).any(|i| is_kept(i) && is_tracked(i)) {
            return Vec::new();
        }
        let mut map = EdgeMap::default();
        if self.stacks.iter().all(|ws| ws.keep == u32::MAX) {
            self.shared_call_edges(profile, kept, tracked, &mut map);
        } else {
            let mut path: Vec<u32> = Vec::new();
            let mut frames: Vec<LocId> = Vec::new();
            let mut seen: Vec<u32> = Vec::new();
            for (gen, ws) in (1u32..).zip(&self.stacks) {
                frames.clear();
                frames.extend(profile.stacks.frames(ws.leaf).take(ws.keep as usize));
                path.clear();
                let mut prev = u32::MAX;
                for &loc in frames.iter().rev() {
                    self.enter(kept, tracked, &mut prev, loc, &mut map, &mut path);
                }
                seen.resize(map.to.len(), 0);
                for &c in &path {
                    let e = (c >> 1) as usize;
                    if seen[e] != gen {
                        seen[e] = gen;
                        map.cross(e, ws.weight, c & 1 != 0);
                    }
                }
            }
        }
        map.into_edges()
    }

    /// Entering location `loc`'s frames, outermost first, from the last
    /// kept node `prev` (moved on): the edges crossed into `tracked` nodes,
    /// as `id << 1 | inline`, onto `out`.
    #[inline]
    fn enter(
        &self,
        kept: &[bool],
        tracked: &[bool],
        prev: &mut u32,
        loc: LocId,
        map: &mut EdgeMap,
        out: &mut Vec<u32>,
    ) {
        let nodes = self.nodes_of(loc);
        let last = nodes.len().saturating_sub(1);
        for (k, &node) in nodes.iter().enumerate().rev() {
            // Dropped nodes are skipped: the edge joins the kept nodes
            // around them (pprof's residual edge).
            if !kept.get(node as usize).copied().unwrap_or(false) {
                continue;
            }
            if *prev != u32::MAX
                && *prev != node
                && tracked.get(node as usize).copied().unwrap_or(false)
            {
                out.push(map.id(*prev, node) << 1 | u32::from(k != last));
            }
            *prev = node;
        }
    }

    /// [`Graph::call_edges`] over the stack table, every stack whole.
    fn shared_call_edges(
        &self,
        profile: &Profile,
        kept: &[bool],
        tracked: &[bool],
        map: &mut EdgeMap,
    ) {
        let parent = profile.stacks.parents();
        let locs = profile.stacks.locs();
        let t = profile.stacks.len();
        // Per stack node, 8 bytes that serve twice: its subtree weight from
        // the reverse pass until the forward pass reaches it, then its
        // `PathNode`. The table's parents come first, so a node's weight is
        // read before its slot is overwritten and its parent's `PathNode`
        // is already there. At millions of nodes this is the Top query's
        // largest block, and wasm memory never shrinks after a peak.
        let mut reached = vec![false; t];
        let mut cell = vec![0u64; t];
        for ws in &self.stacks {
            reached[ws.leaf.index()] = true;
            cell[ws.leaf.index()] = ws.weight as u64;
        }
        for s in (0..t).rev() {
            if let (true, Some(p)) = (reached[s], parent[s]) {
                let p = p.index();
                cell[p] = (cell[p] as i64).wrapping_add(cell[s] as i64) as u64;
                reached[p] = true;
            }
        }
        let path_node = |cell: &[u64], n: Option<StackId>| {
            n.map_or(PathNode::ROOT, |p| PathNode::unpack(cell[p.index()]))
        };
        // Whether a stack through `above` crossed `from -> to` on its way
        // there: the ancestors' frames read again, rarely (see `callees`).
        let crossed_above = |cell: &[u64], mut above: Option<StackId>, from: u32, to: u32| {
            while let Some(a) = above {
                above = parent[a.index()];
                let mut prev = path_node(cell, above).last;
                for &node in self.nodes_of(locs[a.index()]).iter().rev() {
                    if !kept.get(node as usize).copied().unwrap_or(false) {
                        continue;
                    }
                    if (prev, node) == (from, to) {
                        return true;
                    }
                    prev = node;
                }
            }
            false
        };
        let bit = |node: u32| 1u32 << (node.wrapping_mul(0x9E37_79B9) >> 27);
        let mut crossings: Vec<u32> = Vec::new();
        for s in 0..t {
            if !reached[s] {
                continue;
            }
            let weight = cell[s] as i64;
            let above = path_node(&cell, parent[s]);
            let mut prev = above.last;
            crossings.clear();
            self.enter(kept, tracked, &mut prev, locs[s], map, &mut crossings);
            let mut callees = above.callees;
            for (k, &c) in crossings.iter().enumerate() {
                let e = (c >> 1) as usize;
                let (from, to) = (map.from[e], map.to[e]);
                let repeat = crossings[..k].iter().any(|&d| d >> 1 == c >> 1)
                    || (above.callees & bit(to) != 0 && crossed_above(&cell, parent[s], from, to));
                if !repeat {
                    map.cross(e, weight, c & 1 != 0);
                }
                callees |= bit(to);
            }
            cell[s] = PathNode {
                callees,
                last: prev,
            }
            .pack();
        }
    }
}

/// What [`Graph::call_edges`] keeps per stack node for its callees, in 8
/// bytes: a parent is anywhere in the table, so each read is a cache miss.
#[derive(Clone, Copy)]
struct PathNode {
    /// One bit per callee of an edge crossed on the node's path, so that a
    /// callee met for the first time needs no search of the path.
    callees: u32,
    /// The last kept graph node on the path (`u32::MAX`: none yet).
    last: u32,
}

impl PathNode {
    /// Also what a root's missing caller reads as.
    const ROOT: PathNode = PathNode {
        callees: 0,
        last: u32::MAX,
    };

    #[inline]
    fn pack(self) -> u64 {
        u64::from(self.callees) << 32 | u64::from(self.last)
    }

    #[inline]
    fn unpack(v: u64) -> PathNode {
        PathNode {
            callees: (v >> 32) as u32,
            last: v as u32,
        }
    }
}

/// Call edges by (caller, callee), numbered as first met, each field in
/// its own array: the walks read one field of a random edge at a time.
#[derive(Default)]
struct EdgeMap {
    index: HashMap<(u32, u32), u32>,
    from: Vec<u32>,
    to: Vec<u32>,
    weight: Vec<i64>,
    inline: Vec<bool>,
}

impl EdgeMap {
    /// A stack's first crossing of edge `e`, root to leaf.
    fn cross(&mut self, e: usize, weight: i64, inline: bool) {
        self.weight[e] = self.weight[e].wrapping_add(weight);
        self.inline[e] &= inline;
    }

    fn id(&mut self, from: u32, to: u32) -> u32 {
        let next = self.to.len() as u32;
        let id = *self.index.entry((from, to)).or_insert(next);
        if id == next {
            self.from.push(from);
            self.to.push(to);
            self.weight.push(0);
            self.inline.push(true);
        }
        id
    }

    fn into_edges(self) -> Vec<CallEdge> {
        (0..self.to.len())
            .map(|e| CallEdge {
                from: self.from[e],
                to: self.to[e],
                weight: self.weight[e],
                inline: self.inline[e],
            })
            .collect()
    }
}

/// A call from one node to another: the sum of the values of the samples
/// crossing it, and whether every first crossing was an inlined frame.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallEdge {
    pub from: u32,
    pub to: u32,
    pub weight: i64,
    pub inline: bool,
}

/// The labels of `n` nodes from their incoming `edges` with |weight| at
/// least `edge_cutoff`.
pub(crate) fn labels_from_edges(
    n: usize,
    edges: &[CallEdge],
    edge_cutoff: i64,
) -> Vec<InlineLabel> {
    let mut has_inline = vec![false; n];
    let mut has_outer = vec![false; n];
    for e in edges {
        if e.weight.wrapping_abs() < edge_cutoff {
            continue;
        }
        if e.inline {
            has_inline[e.to as usize] = true;
        } else {
            has_outer[e.to as usize] = true;
        }
    }
    (0..n)
        .map(|i| match (has_inline[i], has_outer[i]) {
            (true, true) => InlineLabel::PartialInline,
            (true, false) => InlineLabel::Inline,
            _ => InlineLabel::None,
        })
        .collect()
}
