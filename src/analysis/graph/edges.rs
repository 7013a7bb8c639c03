//! The calls into and out of one node, as `go tool pprof -peek` prints
//! them (`report.printTree` over `graph.newGraph`'s edges).
//!
//! pprof walks each sample root to leaf, frames of a location outermost
//! first, and adds the sample's value to the edge (caller, callee) the first
//! time the sample crosses it; a call from a node to itself adds nothing.
//! So recursion counts a stack once per edge, as cum counts it once per
//! node. An edge is `(inline)` when every sample's first crossing entered
//! the callee as an inlined frame.
//!
//! Only edges that touch the asked node are kept, so one walk over the
//! distinct stacks answers a sandwich without building pprof's whole edge
//! map.

use super::{Graph, INLINE_BIT};
use crate::model::Profile;

/// One call edge seen from the asked node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The other end: the caller for a caller edge, the callee for a callee.
    pub node: u32,
    /// Sum of the values of the samples crossing the edge, once per sample.
    pub weight: i64,
    /// The part of `weight` from samples whose flat frame (the innermost
    /// frame of their leaf location) is the callee: the asked node for a
    /// caller edge, the other end for a callee edge.
    pub flat: i64,
    /// Every crossing entered the callee as an inlined frame.
    pub inline: bool,
}

/// The immediate callers and callees of a node, each in pprof's `-peek`
/// order: by |weight| descending, then by printable name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Neighbours {
    pub callers: Vec<Edge>,
    pub callees: Vec<Edge>,
}

/// Edges being summed for one side: per other node, its slot in `edges`
/// and the last stack that added to it.
struct Side {
    slot: Vec<u32>,
    stamp: Vec<u32>,
    edges: Vec<Edge>,
}

impl Side {
    fn new(n: usize) -> Side {
        Side {
            slot: vec![u32::MAX; n],
            stamp: vec![0; n],
            edges: Vec::new(),
        }
    }

    /// Adds a stack's crossing of the edge to `other`, once per stack.
    fn add(&mut self, other: u32, gen: u32, weight: i64, flat: i64, inline: bool) {
        let o = other as usize;
        if self.stamp[o] == gen {
            return;
        }
        self.stamp[o] = gen;
        if self.slot[o] == u32::MAX {
            self.slot[o] = self.edges.len() as u32;
            self.edges.push(Edge {
                node: other,
                weight,
                flat,
                inline,
            });
        } else {
            let e = &mut self.edges[self.slot[o] as usize];
            e.weight = e.weight.wrapping_add(weight);
            e.flat = e.flat.wrapping_add(flat);
            e.inline &= inline;
        }
    }

    fn sorted(mut self, graph: &Graph, profile: &Profile) -> Vec<Edge> {
        let names: Vec<String> = self
            .edges
            .iter()
            .map(|e| graph.printable_name(profile, e.node as usize))
            .collect();
        let mut order: Vec<usize> = (0..self.edges.len()).collect();
        crate::sort::sort_by(&mut order, &mut |&a, &b| {
            let (ea, eb) = (&self.edges[a], &self.edges[b]);
            if ea.weight != eb.weight {
                eb.weight.wrapping_abs().cmp(&ea.weight.wrapping_abs())
            } else {
                names[a].cmp(&names[b])
            }
        });
        let edges = std::mem::take(&mut self.edges);
        order.into_iter().map(|i| edges[i]).collect()
    }
}

impl Graph {
    /// The callers and callees of node `target`.
    pub fn neighbours(&self, profile: &Profile, target: u32) -> Neighbours {
        let n = self.infos.len();
        if target as usize >= n {
            return Neighbours::default();
        }
        let mut callers = Side::new(n);
        let mut callees = Side::new(n);
        let parent = profile.stacks.parents();
        let locs = profile.stacks.locs();
        let mut buf: Vec<u32> = Vec::new();
        let mut gen: u32 = 0;
        for ws in &self.stacks {
            buf.clear();
            let mut cur = Some(ws.leaf);
            let mut keep = ws.keep;
            let mut has_target = false;
            while let Some(s) = cur {
                if keep == 0 {
                    break;
                }
                keep -= 1;
                cur = parent[s.index()];
                let nodes = self.nodes_of(locs[s.index()]);
                let last = nodes.len().saturating_sub(1);
                for (k, &node) in nodes.iter().enumerate() {
                    has_target |= node == target;
                    buf.push(if k == last { node } else { node | INLINE_BIT });
                }
            }
            if !has_target {
                continue;
            }
            if gen == u32::MAX {
                callers.stamp.iter_mut().for_each(|s| *s = 0);
                callees.stamp.iter_mut().for_each(|s| *s = 0);
                gen = 0;
            }
            gen += 1;
            // The flat frame: the innermost frame of the leaf location.
            let flat_node = buf.first().map(|&e| e & !INLINE_BIT);
            let w = ws.weight;
            let mut prev: u32 = u32::MAX;
            // Root to leaf, as pprof walks.
            for &e in buf.iter().rev() {
                let node = e & !INLINE_BIT;
                let inline = e & INLINE_BIT != 0;
                if prev != u32::MAX && prev != node {
                    let flat = if flat_node == Some(node) { w } else { 0 };
                    if node == target {
                        callers.add(prev, gen, w, flat, inline);
                    } else if prev == target {
                        callees.add(node, gen, w, flat, inline);
                    }
                }
                prev = node;
            }
        }
        Neighbours {
            callers: callers.sorted(self, profile),
            callees: callees.sorted(self, profile),
        }
    }
}
