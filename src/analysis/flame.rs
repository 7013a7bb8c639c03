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
//! `n..end[n]`, so zooming, searching and skipping a too-narrow subtree during
//! layout are range operations, and nothing here recurses: a 100,000-frame
//! stack costs a loop, not a call stack. The tree is plain data
//! (serde-serialisable), kept next to the model in the worker.
//!
//! # Building
//! Values are first summed per distinct stack (the model's prefix tree
//! [`crate::model::StackTable`]); then each stack node that leads to a used
//! leaf is mapped to a flame node once, top-down, reusing its parent's
//! mapping, so the work grows with the number of distinct stack nodes, not
//! with samples times depth.
//!
//! # Filters
//! [`FlameFilter`] lets the report filters (focus/ignore/hide/show/show_from,
//! tag filters) be applied without this module knowing them: it says which
//! samples are kept, which lines of a location survive, and where `show_from`
//! cuts.

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use crate::model::{LocId, Profile, StrId, Strings};

/// "No node": the parent of the root.
pub const NO_NODE: u32 = u32::MAX;

/// The root node id.
pub const ROOT: u32 = 0;

/// What the report filters decide, as seen by the flame tree. Every method
/// has a "keep everything" default, so `&()` is the empty filter.
pub trait FlameFilter {
    /// Whether sample `sample` (an index into [`Profile::samples`]) is kept.
    fn keep_sample(&self, _sample: usize) -> bool {
        true
    }
    /// The lines of `loc` that survive `hide` / `show`, as indices into
    /// [`Profile::lines`], innermost first; `None` keeps them all.
    fn location_lines(&self, _loc: LocId) -> Option<&[u32]> {
        None
    }
    /// Whether `loc` disappears from every sample (all its lines hidden).
    fn is_hidden(&self, _loc: LocId) -> bool {
        false
    }
    /// Whether `show_from` is set; then [`Self::shows_from`] is asked.
    fn has_show_from(&self) -> bool {
        false
    }
    /// Whether `loc` matches `show_from`. Frames rootward of the root-most
    /// matching location are dropped, and samples without a match are
    /// dropped.
    fn shows_from(&self, _loc: LocId) -> bool {
        false
    }
}

/// No filter.
impl FlameFilter for () {}

/// A mask of kept samples, indexed like [`Profile::samples`]; samples past
/// its end are dropped.
impl FlameFilter for [bool] {
    fn keep_sample(&self, sample: usize) -> bool {
        self.get(sample).copied().unwrap_or(false)
    }
}

/// Keeps the samples for which the closure returns true.
pub struct KeepSamples<F: Fn(usize) -> bool>(pub F);

impl<F: Fn(usize) -> bool> FlameFilter for KeepSamples<F> {
    fn keep_sample(&self, sample: usize) -> bool {
        (self.0)(sample)
    }
}

/// Options for [`FlameTree::build`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlameOptions {
    /// Which sample type to count (pprof's `-sample_index`), an index into
    /// [`Profile::sample_types`]. Out of range gives a tree with only a root.
    pub sample_index: usize,
}

/// The merged call tree; node `i` is described by element `i` of each array.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlameTree {
    pub sample_index: usize,
    /// Parent node, [`NO_NODE`] for the root.
    pub parent: Vec<u32>,
    /// End of the node's subtree in preorder (exclusive): the subtree of `n`
    /// is `n..end[n]`, its first child (if any) is `n + 1` and the next
    /// sibling of a child `c` is `end[c]`.
    pub end: Vec<u32>,
    /// Root 0, its children 1, ...
    pub depth: Vec<u32>,
    /// Deepest depth found in the node's subtree (for the number of rows to
    /// lay out without scanning it).
    pub max_depth: Vec<u32>,
    /// Function name; empty for the root and for unsymbolised frames.
    pub name: Vec<StrId>,
    pub file: Vec<StrId>,
    /// A representative line: that of the first frame merged into the node.
    pub line: Vec<i64>,
    /// The location address for unsymbolised frames, else 0.
    pub address: Vec<u64>,
    /// The frame was inlined into its caller (pprof's `StackSource.Inlined`).
    pub inlined: Vec<bool>,
    /// Sum of values where the node is the leaf.
    pub self_value: Vec<i64>,
    /// Sum of values of the samples through the node.
    pub total: Vec<i64>,
    /// Sum of |value| through the node: the box width. Equals `total` unless
    /// the profile has negative values (a diff), where pprof too sizes boxes
    /// by the sum of magnitudes (`sumpos + sumneg`).
    pub weight: Vec<u64>,
    /// Sum of |value| where the node is the leaf.
    pub self_weight: Vec<u64>,
}

/// Key of a child under its parent: (parent, name, file, inlined, address).
type ChildKey = (u32, StrId, StrId, bool, u64);

struct Raw {
    parent: Vec<u32>,
    name: Vec<StrId>,
    file: Vec<StrId>,
    line: Vec<i64>,
    address: Vec<u64>,
    inlined: Vec<bool>,
    index: HashMap<ChildKey, u32>,
}

impl Raw {
    fn child(&mut self, parent: u32, name: StrId, file: StrId, line: i64, inlined: bool, address: u64) -> u32 {
        let key = (parent, name, file, inlined, address);
        if let Some(&n) = self.index.get(&key) {
            return n;
        }
        let n = self.parent.len() as u32;
        self.parent.push(parent);
        self.name.push(name);
        self.file.push(file);
        self.line.push(line);
        self.address.push(address);
        self.inlined.push(inlined);
        self.index.insert(key, n);
        n
    }
}

impl FlameTree {
    /// Builds the tree of the whole profile for `opts.sample_index`.
    pub fn build(profile: &Profile, opts: &FlameOptions) -> FlameTree {
        Self::build_filtered(profile, opts, &())
    }

    /// Builds the tree of the samples and frames `filter` keeps.
    #[allow(clippy::needless_range_loop)] // stack ids index several parallel arrays
    pub fn build_filtered<F: FlameFilter + ?Sized>(profile: &Profile, opts: &FlameOptions, filter: &F) -> FlameTree {
        let nt = profile.sample_types.len();
        let ns = profile.stacks.len();
        let si = opts.sample_index;

        // 1. Sum values per leaf stack node.
        let mut leaf_val = vec![0i64; ns];
        let mut leaf_w = vec![0u64; ns];
        let mut used = vec![false; ns];
        let mut root_self = 0i64;
        let mut root_self_w = 0u64;
        if si < nt {
            for i in 0..profile.samples.len() {
                let Some(&v) = profile.samples.values.get(i * nt + si) else { break };
                if v == 0 || !filter.keep_sample(i) {
                    continue;
                }
                match profile.samples.stack[i] {
                    Some(s) if s.index() < ns => {
                        let s = s.index();
                        leaf_val[s] = leaf_val[s].saturating_add(v);
                        leaf_w[s] = leaf_w[s].saturating_add(v.unsigned_abs());
                        used[s] = true;
                    }
                    _ => {
                        root_self = root_self.saturating_add(v);
                        root_self_w = root_self_w.saturating_add(v.unsigned_abs());
                    }
                }
            }
        }

        // 2. Map stack nodes to flame nodes, top-down, each once.
        let mut raw = Raw {
            parent: vec![NO_NODE],
            name: vec![Strings::EMPTY],
            file: vec![Strings::EMPTY],
            line: vec![0],
            address: vec![0],
            inlined: vec![false],
            index: HashMap::new(),
        };
        let with_show_from = filter.has_show_from();
        let mut map = vec![NO_NODE; ns];
        // With show_from: whether a matching location was met on the path.
        let mut started = vec![!with_show_from; ns];
        let mut path: Vec<usize> = Vec::new();
        let stacks = &profile.stacks;
        for s in 0..ns {
            if !used[s] {
                continue;
            }
            path.clear();
            let mut cur = Some(s);
            while let Some(c) = cur {
                if map[c] != NO_NODE || path.len() > ns {
                    break;
                }
                path.push(c);
                cur = stacks.parent.get(c).copied().flatten().map(|p| p.index()).filter(|&p| p < ns);
            }
            let (mut node, mut on) = match cur {
                Some(c) if map[c] != NO_NODE => (map[c], started[c]),
                _ => (ROOT, !with_show_from),
            };
            for &c in path.iter().rev() {
                let loc = stacks.loc[c];
                if !on && filter.shows_from(loc) {
                    on = true;
                    node = ROOT;
                }
                if on {
                    node = push_location(&mut raw, profile, filter, node, loc);
                }
                map[c] = node;
                started[c] = on;
            }
        }
        drop(path);

        // 3. Self values.
        let n = raw.parent.len();
        let mut self_value = vec![0i64; n];
        let mut self_weight = vec![0u64; n];
        self_value[0] = root_self;
        self_weight[0] = root_self_w;
        for s in 0..ns {
            if used[s] && started[s] && map[s] != NO_NODE {
                let f = map[s] as usize;
                self_value[f] = self_value[f].saturating_add(leaf_val[s]);
                self_weight[f] = self_weight[f].saturating_add(leaf_w[s]);
            }
        }
        drop((leaf_val, leaf_w, used, map, started));

        // 4. Totals: nodes were created after their parents, so one reverse pass.
        let mut total = self_value.clone();
        let mut weight = self_weight.clone();
        for i in (1..n).rev() {
            let p = raw.parent[i] as usize;
            total[p] = total[p].saturating_add(total[i]);
            weight[p] = weight[p].saturating_add(weight[i]);
        }

        // 5. Children lists (CSR), sorted for display.
        let mut child_start = vec![0u32; n + 1];
        for i in 1..n {
            child_start[raw.parent[i] as usize + 1] += 1;
        }
        for i in 0..n {
            child_start[i + 1] += child_start[i];
        }
        let mut fill = child_start.clone();
        let mut children = vec![0u32; n.saturating_sub(1)];
        for i in 1..n {
            let p = raw.parent[i] as usize;
            children[fill[p] as usize] = i as u32;
            fill[p] += 1;
        }
        drop(fill);
        let strings = &profile.strings;
        for p in 0..n {
            let list = &mut children[child_start[p] as usize..child_start[p + 1] as usize];
            if list.len() > 1 {
                list.sort_by(|&a, &b| {
                    let (a, b) = (a as usize, b as usize);
                    weight[b]
                        .cmp(&weight[a])
                        .then_with(|| strings.get(raw.name[a]).cmp(strings.get(raw.name[b])))
                        .then_with(|| strings.get(raw.file[a]).cmp(strings.get(raw.file[b])))
                        .then_with(|| raw.inlined[a].cmp(&raw.inlined[b]))
                        .then_with(|| raw.address[a].cmp(&raw.address[b]))
                });
            }
        }

        // 6. Renumber in preorder with an explicit stack.
        let mut new_id = vec![0u32; n];
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let mut todo: Vec<u32> = vec![ROOT];
        while let Some(old) = todo.pop() {
            new_id[old as usize] = order.len() as u32;
            order.push(old);
            let list = &children[child_start[old as usize] as usize..child_start[old as usize + 1] as usize];
            todo.extend(list.iter().rev());
        }
        drop(children);
        drop(child_start);

        let mut t = FlameTree {
            sample_index: si,
            parent: Vec::with_capacity(n),
            end: vec![0; n],
            depth: Vec::with_capacity(n),
            max_depth: vec![0; n],
            name: Vec::with_capacity(n),
            file: Vec::with_capacity(n),
            line: Vec::with_capacity(n),
            address: Vec::with_capacity(n),
            inlined: Vec::with_capacity(n),
            self_value: Vec::with_capacity(n),
            total: Vec::with_capacity(n),
            weight: Vec::with_capacity(n),
            self_weight: Vec::with_capacity(n),
        };
        for &old in &order {
            let o = old as usize;
            let parent = if o == 0 { NO_NODE } else { new_id[raw.parent[o] as usize] };
            t.depth.push(if o == 0 { 0 } else { t.depth[parent as usize] + 1 });
            t.parent.push(parent);
            t.name.push(raw.name[o]);
            t.file.push(raw.file[o]);
            t.line.push(raw.line[o]);
            t.address.push(raw.address[o]);
            t.inlined.push(raw.inlined[o]);
            t.self_value.push(self_value[o]);
            t.total.push(total[o]);
            t.weight.push(weight[o]);
            t.self_weight.push(self_weight[o]);
        }
        // Subtree ends and deepest depths, children before parents.
        for i in (0..n).rev() {
            if t.end[i] == 0 {
                t.end[i] = i as u32 + 1;
            }
            t.max_depth[i] = t.max_depth[i].max(t.depth[i]);
            let p = t.parent[i];
            if p != NO_NODE {
                let p = p as usize;
                t.end[p] = t.end[p].max(t.end[i]);
                t.max_depth[p] = t.max_depth[p].max(t.max_depth[i]);
            }
        }
        t
    }

    /// Number of nodes, the root included.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// A tree always has its root, so this is never true for a built tree.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The value of all kept samples (the root's total).
    pub fn root_total(&self) -> i64 {
        self.total.first().copied().unwrap_or(0)
    }

    /// Deepest depth in the tree (root 0).
    pub fn height(&self) -> u32 {
        self.max_depth.first().copied().unwrap_or(0)
    }

    pub fn is_node(&self, n: u32) -> bool {
        (n as usize) < self.len()
    }

    /// The children of `n`, in display order.
    pub fn children(&self, n: u32) -> Children<'_> {
        let end = self.end.get(n as usize).copied().unwrap_or(0);
        Children { end: &self.end, next: n.saturating_add(1), stop: end }
    }

    /// The subtree of `n` (itself included) as a range of node ids.
    pub fn subtree(&self, n: u32) -> std::ops::Range<u32> {
        match self.end.get(n as usize) {
            Some(&e) => n..e,
            None => 0..0,
        }
    }

    /// `n` and its ancestors, root first: the breadcrumb of a zoom.
    pub fn path(&self, n: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut cur = n;
        while (cur as usize) < self.len() {
            out.push(cur);
            cur = self.parent[cur as usize];
        }
        out.reverse();
        out
    }

    /// The nodes satisfying `pred` within the subtree of `within`, and the
    /// value they cover counted once: a node under a selected ancestor is
    /// selected but not added again (so a recursive function is not counted
    /// twice).
    pub fn select(&self, within: u32, mut pred: impl FnMut(u32) -> bool) -> Selection {
        let mut sel = Selection::default();
        let range = self.subtree(within);
        let mut covered_until = 0u32;
        for n in range {
            if pred(n) {
                sel.nodes.push(n);
                if n >= covered_until {
                    sel.outermost.push(n);
                    sel.value = sel.value.saturating_add(self.total[n as usize]);
                    sel.weight = sel.weight.saturating_add(self.weight[n as usize]);
                    covered_until = self.end[n as usize];
                }
            }
        }
        sel
    }

    /// Every node of the function named `name` (all call paths, inlined or
    /// not): what a click on a top-table row shows in the flame graph.
    pub fn nodes_of_function(&self, name: StrId) -> Selection {
        self.select(ROOT, |n| n != ROOT && self.name[n as usize] == name)
    }

    /// As [`Self::nodes_of_function`], by the name's text.
    pub fn nodes_of_function_named(&self, profile: &Profile, name: &str) -> Selection {
        match profile.strings.find(name) {
            Some(id) if !name.is_empty() => self.nodes_of_function(id),
            _ => Selection::default(),
        }
    }
}

/// Pushes the frames of `loc` (outermost first) under `node`; returns the
/// innermost frame's node.
fn push_location<F: FlameFilter + ?Sized>(raw: &mut Raw, profile: &Profile, filter: &F, mut node: u32, loc: LocId) -> u32 {
    let Some(location) = profile.locations.get(loc.index()) else { return node };
    if filter.is_hidden(loc) {
        return node;
    }
    let nl = profile.lines.len();
    let own = location.line_range();
    let own = own.start.min(nl)..own.end.min(nl);
    if own.is_empty() {
        return raw.child(node, Strings::EMPTY, Strings::EMPTY, 0, false, location.address);
    }
    let frame = |raw: &mut Raw, node: u32, line: usize, inlined: bool| -> u32 {
        let l = profile.lines[line];
        let (name, file) = match profile.functions.get(l.func.index()) {
            Some(f) => (f.name, f.file),
            None => (Strings::EMPTY, Strings::EMPTY),
        };
        let addr = if name == Strings::EMPTY { location.address } else { 0 };
        raw.child(node, name, file, l.line, inlined, addr)
    };
    match filter.location_lines(loc) {
        Some(kept) => {
            // The outermost line of the location is the non-inlined one;
            // frames that survive keep their inlined flag.
            let outer = own.end - 1;
            for &l in kept.iter().rev() {
                let l = l as usize;
                if l < nl {
                    node = frame(raw, node, l, l != outer);
                }
            }
        }
        None => {
            let outer = own.end - 1;
            for l in own.rev() {
                node = frame(raw, node, l, l != outer);
            }
        }
    }
    node
}

/// Iterator over a node's children.
pub struct Children<'a> {
    end: &'a [u32],
    next: u32,
    stop: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next >= self.stop {
            return None;
        }
        let c = self.next;
        // `end[c] > c` always holds, so this advances.
        self.next = self.end.get(c as usize).copied().unwrap_or(self.stop).max(c + 1);
        Some(c)
    }
}

/// A set of nodes and the value it covers without double counting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// All selected nodes, in preorder.
    pub nodes: Vec<u32>,
    /// The selected nodes with no selected ancestor, in preorder.
    pub outermost: Vec<u32>,
    /// Sum of the outermost nodes' totals.
    pub value: i64,
    /// Sum of the outermost nodes' weights.
    pub weight: u64,
}

/// The top table's filters (focus, ignore, hide, show, show_from, tagfocus,
/// tagignore) as the flame tree sees them, so both views show the same data.
pub struct ReportFilter<'a> {
    profile: &'a Profile,
    filters: crate::analysis::filter::AppliedFilters,
}

impl<'a> ReportFilter<'a> {
    pub fn new(
        profile: &'a Profile,
        opts: &crate::analysis::filter::Options,
    ) -> Result<Self, crate::analysis::filter::FilterError> {
        Ok(ReportFilter { profile, filters: crate::analysis::filter::apply(profile, opts)? })
    }
}

impl FlameFilter for ReportFilter<'_> {
    fn keep_sample(&self, sample: usize) -> bool {
        let samples = &self.profile.samples;
        if !self.filters.labels_pass(samples.labels[sample]) {
            return false;
        }
        // Focus and ignore look at whole stacks, as the top table does
        // (a stack without a show_from match is dropped by both too).
        samples.stack[sample]
            .is_none_or(|leaf| crate::analysis::graph::stack_filter(self.profile, &self.filters, leaf).is_some())
    }
    fn location_lines(&self, loc: LocId) -> Option<&[u32]> {
        Some(self.filters.location_lines(loc))
    }
    fn is_hidden(&self, loc: LocId) -> bool {
        self.filters.hidden.get(loc.index()).copied().unwrap_or(false)
    }
    fn has_show_from(&self) -> bool {
        self.filters.show_from.is_some()
    }
    fn shows_from(&self, loc: LocId) -> bool {
        self.filters.show_from.as_ref().is_some_and(|m| m.get(loc.index()).copied().unwrap_or(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;

    fn names(t: &FlameTree, p: &Profile) -> Vec<String> {
        (0..t.len()).map(|i| format!("{}:{}", "  ".repeat(t.depth[i] as usize), p.str(t.name[i]))).collect()
    }

    #[test]
    fn merges_by_function_and_orders_by_weight() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a@x.go:1;b 1", "main;a@x.go:2;c 3", "main;d 2", "- 4"])
            .build();
        let t = FlameTree::build(&p, &FlameOptions::default());
        assert_eq!(names(&t, &p), vec![":", "  :main", "    :a", "      :c", "      :b", "    :d"]);
        assert_eq!(t.total, vec![10, 6, 4, 3, 1, 2]);
        assert_eq!(t.self_value, vec![4, 0, 0, 3, 1, 2]);
        assert_eq!(t.children(1).collect::<Vec<_>>(), vec![2, 5]);
        assert_eq!(t.end, vec![6, 6, 5, 4, 5, 6]);
        assert_eq!(t.height(), 3);
    }

    #[test]
    fn mask_filter_and_zero_values() {
        let p = ProfileBuilder::new(&[("samples", "count")]).samples(&["main;a 1", "main;b 0", "main;c 5"]).build();
        let t = FlameTree::build_filtered(&p, &FlameOptions::default(), &[true, true, false][..]);
        assert_eq!(t.len(), 3, "b has value 0, c is filtered out");
        assert_eq!(t.root_total(), 1);
        let t = FlameTree::build(&p, &FlameOptions { sample_index: 7 });
        assert_eq!((t.len(), t.root_total()), (1, 0));
    }
}
