//! pprof's node graph: flat and cum per function (or file, line, address).
//!
//! Semantics follow `internal/graph.newGraph` exactly:
//! * a frame is one line of a location, innermost (inlined) first; each
//!   distinct [`NodeInfo`] (what is left of a frame at the chosen
//!   granularity) is one node;
//! * flat goes to the innermost frame of the leaf location only;
//! * cum is added once per sample to every node on its stack, so recursion
//!   does not count twice;
//! * samples whose value is 0 are skipped; the total is the sum of |value|
//!   over *all* samples, before any filter (`report.computeTotal`).
//!
//! Why it is shaped this way: a profile can hold a million samples with 48
//! frames each. Samples are first summed per distinct stack (a sort over
//! [`StackId`]s), then each distinct stack is walked once, leaf to root,
//! through the flat arrays of the [`StackTable`](crate::model::StackTable).
//! Frames map to nodes through a per-location table built once, and "already
//! counted in this sample" is a generation stamp per node rather than a set
//! per sample. Nothing recurses, so a 100,000-frame stack is fine.
//!
//! Call edges only matter for one thing in a `-top` report: whether a node
//! is printed `(inline)` / `(partial-inline)`. That depends on which nodes
//! survive trimming, so it is a second walk ([`Graph::inline_labels`]) run
//! with the final node set.

mod edges;
mod paths;

pub use edges::{Edge, Neighbours};

use paths::trim_path;
pub use paths::{go_base, go_clean};

use hashbrown::HashMap;

use crate::analysis::filter::{self, AppliedFilters, FocusMark};
use crate::analysis::options::{FilterError, Granularity, ReportOptions};
use crate::model::{LocId, Profile, StackId, StrId};

/// What identifies a node: the fields of a frame that the granularity keeps
/// (pprof's `graph.NodeInfo`). `file` and `objfile` index [`Graph::texts`];
/// 0 is the empty string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeInfo {
    pub address: u64,
    pub name: StrId,
    pub orig_name: StrId,
    pub file: u32,
    pub line: i64,
    pub objfile: u32,
}

/// How a node was reached from its callers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum InlineLabel {
    /// Called normally (or a root).
    #[default]
    None,
    /// Every call into it was inlined.
    Inline,
    /// Some calls were inlined, some were not.
    PartialInline,
}

impl InlineLabel {
    /// The suffix pprof prints after the name (without the leading space).
    pub fn as_str(self) -> &'static str {
        match self {
            InlineLabel::None => "",
            InlineLabel::Inline => "(inline)",
            InlineLabel::PartialInline => "(partial-inline)",
        }
    }
}

/// One distinct stack after filters, with the sum of its samples' values.
#[derive(Clone, Copy, Debug)]
struct WeightedStack {
    leaf: StackId,
    weight: i64,
    /// Frames to walk from the leaf (`show_from` cuts the rest).
    keep: u32,
}

const OCCURS_INLINED: u8 = 1;
const OCCURS_OUTER: u8 = 2;

const INLINE_BIT: u32 = 1 << 31;

/// Flat and cum of every node for one sample type and set of filters.
pub struct Graph {
    pub sample_index: usize,
    /// Sum of |value| over all samples, before filters (the 100% of every
    /// percentage).
    pub total: i64,
    pub granularity: Granularity,
    pub infos: Vec<NodeInfo>,
    /// Cleaned file names and object file basenames used by `infos`.
    pub texts: Vec<String>,
    pub flat: Vec<i64>,
    pub cum: Vec<i64>,
    /// Node ids per location, innermost frame first:
    /// `loc_nodes[loc_node_start[l]..loc_node_start[l + 1]]`.
    loc_node_start: Vec<u32>,
    loc_nodes: Vec<u32>,
    /// `OCCURS_*` bits per node: seen as an inlined frame, as the outer one.
    occurs: Vec<u8>,
    stacks: Vec<WeightedStack>,
}

struct Texts {
    list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Texts {
    fn new() -> Self {
        let mut index = HashMap::new();
        index.insert(String::new(), 0);
        Texts {
            list: vec![String::new()],
            index,
        }
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

impl Graph {
    /// Builds the graph for `opts.sample_index` with every filter of `opts`
    /// applied (trimming by `nodefraction`/`nodecount` is the top table's
    /// job).
    pub fn build(profile: &Profile, opts: &ReportOptions) -> Result<Graph, FilterError> {
        let nt = profile.num_sample_types();
        let sample_index = opts
            .sample_index
            .unwrap_or_else(|| profile.default_sample_index());
        if sample_index >= nt {
            return Err(FilterError {
                option: "sample_index",
                message: format!(
                    "sample_index {sample_index} out of range: the profile has {nt} sample types"
                ),
            });
        }
        let filters = filter::apply(profile, opts)?;
        let n_samples = profile.samples.len();
        let value = |i: usize| {
            profile
                .samples
                .values
                .get(i * nt + sample_index)
                .copied()
                .unwrap_or(0)
        };

        let mut total: i64 = 0;
        for i in 0..n_samples {
            total = total.wrapping_add(value(i).wrapping_abs());
        }
        // `-diff_base`: 100% is the size of the base, not of the difference.
        if let Some(base) = super::compare::diff_base_total(profile, sample_index) {
            total = base;
        }

        let mut g = Graph {
            sample_index,
            total,
            granularity: opts.granularity,
            infos: Vec::new(),
            texts: Vec::new(),
            flat: Vec::new(),
            cum: Vec::new(),
            loc_node_start: Vec::with_capacity(profile.locations.len() + 1),
            loc_nodes: Vec::new(),
            occurs: Vec::new(),
            stacks: Vec::new(),
        };
        g.create_nodes(profile, &filters);

        // Sum samples per distinct stack. pprof skips zero-valued samples;
        // a stack is walked when any of its samples is non-zero.
        let mut pairs: Vec<(u32, i64)> = Vec::with_capacity(n_samples);
        for i in 0..n_samples {
            let Some(leaf) = profile.samples.stack[i] else {
                continue;
            };
            let v = value(i);
            if v == 0 {
                continue;
            }
            if let Some(labels) = profile.samples.labels.get(i) {
                if !filters.labels_pass(*labels) {
                    continue;
                }
            }
            pairs.push((leaf.index() as u32, v));
        }
        pairs.sort_unstable_by_key(|p| p.0);
        let by_stack = filters.by_name || filters.show_from.is_some();
        let mut i = 0;
        while i < pairs.len() {
            let leaf = pairs[i].0;
            let mut weight: i64 = 0;
            while i < pairs.len() && pairs[i].0 == leaf {
                weight = weight.wrapping_add(pairs[i].1);
                i += 1;
            }
            let leaf = StackId::new(leaf);
            if leaf.index() >= profile.stacks.len() {
                continue;
            }
            let keep = if by_stack {
                stack_filter(profile, &filters, leaf)
            } else {
                Some(u32::MAX)
            };
            if let Some(keep) = keep {
                g.stacks.push(WeightedStack { leaf, weight, keep });
            }
        }
        drop(pairs);

        g.flat = vec![0; g.infos.len()];
        g.cum = vec![0; g.infos.len()];
        g.count(profile);
        Ok(g)
    }

    /// The node of every frame of every location (pprof's `CreateNodes`).
    fn create_nodes(&mut self, profile: &Profile, filters: &AppliedFilters) {
        let mut texts = Texts::new();
        let mut index: HashMap<NodeInfo, u32> = HashMap::new();
        let mut func_file: Vec<u32> = vec![u32::MAX; profile.functions.len()];
        let mut map_obj: Vec<u32> = vec![u32::MAX; profile.mappings.len()];
        let gran = self.granularity;
        let keep_file = matches!(
            gran,
            Granularity::FileFunctions
                | Granularity::Files
                | Granularity::Lines
                | Granularity::Addresses
        );
        let keep_name = !matches!(gran, Granularity::Files);
        let keep_line = matches!(gran, Granularity::Lines | Granularity::Addresses);
        let keep_addr = matches!(gran, Granularity::Addresses);

        for (li, loc) in profile.locations.iter().enumerate() {
            self.loc_node_start.push(self.loc_nodes.len() as u32);
            if filters.hidden[li] {
                continue;
            }
            let address = if keep_addr { loc.address } else { 0 };
            let lines = filters.location_lines(LocId(li as u32));
            let mut push = |info: NodeInfo, occ: u8, this: &mut Graph| {
                let id = *index.entry(info).or_insert_with(|| {
                    this.infos.push(info);
                    this.occurs.push(0);
                    this.infos.len() as u32 - 1
                });
                this.occurs[id as usize] |= occ;
                this.loc_nodes.push(id);
            };
            if lines.is_empty() {
                let objfile = match loc.mapping {
                    Some(m) if m.index() < profile.mappings.len() => {
                        let slot = &mut map_obj[m.index()];
                        if *slot == u32::MAX {
                            let file = profile.str(profile.mappings[m.index()].file);
                            *slot = if file.is_empty() {
                                0
                            } else {
                                texts.intern(go_base(file))
                            };
                        }
                        *slot
                    }
                    _ => 0,
                };
                let info = NodeInfo {
                    address,
                    name: StrId(0),
                    orig_name: StrId(0),
                    file: 0,
                    line: 0,
                    objfile,
                };
                push(info, OCCURS_OUTER, self);
                continue;
            }
            let last = lines.len() - 1;
            for (k, &l) in lines.iter().enumerate() {
                let line = &profile.lines[l as usize];
                let f = line.func.index();
                let (name, orig_name, file) = match profile.functions.get(f) {
                    Some(func) => {
                        let file = if keep_file {
                            if func_file[f] == u32::MAX {
                                let raw = profile.str(func.file);
                                func_file[f] = if raw.is_empty() {
                                    0
                                } else {
                                    texts.intern(&go_clean(trim_path(raw)))
                                };
                            }
                            func_file[f]
                        } else {
                            0
                        };
                        if keep_name {
                            (func.name, func.system_name, file)
                        } else {
                            (StrId(0), StrId(0), file)
                        }
                    }
                    None => (StrId(0), StrId(0), 0),
                };
                let info = NodeInfo {
                    address,
                    name,
                    orig_name,
                    file,
                    line: if keep_line { line.line } else { 0 },
                    objfile: 0,
                };
                push(
                    info,
                    if k == last {
                        OCCURS_OUTER
                    } else {
                        OCCURS_INLINED
                    },
                    self,
                );
            }
        }
        self.loc_node_start.push(self.loc_nodes.len() as u32);
        self.texts = texts.list;
    }

    #[inline]
    fn nodes_of(&self, loc: LocId) -> &[u32] {
        let i = loc.index();
        match (self.loc_node_start.get(i), self.loc_node_start.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.loc_nodes[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Flat and cum of every node: one walk per distinct stack.
    fn count(&mut self, profile: &Profile) {
        let parent = profile.stacks.parents();
        let locs = profile.stacks.locs();
        let mut stamp: Vec<u32> = vec![0; self.infos.len()];
        let mut gen: u32 = 0;
        let mut flat = std::mem::take(&mut self.flat);
        let mut cum = std::mem::take(&mut self.cum);
        for ws in &self.stacks {
            if gen == u32::MAX {
                stamp.iter_mut().for_each(|s| *s = 0);
                gen = 0;
            }
            gen += 1;
            let w = ws.weight;
            let mut leaf_done = false;
            let mut cur = Some(ws.leaf);
            let mut keep = ws.keep;
            while let Some(s) = cur {
                if keep == 0 {
                    break;
                }
                keep -= 1;
                let si = s.index();
                cur = parent[si];
                let nodes = self.nodes_of(locs[si]);
                if !leaf_done {
                    if let Some(&first) = nodes.first() {
                        flat[first as usize] = flat[first as usize].wrapping_add(w);
                        leaf_done = true;
                    }
                }
                for &n in nodes {
                    let n = n as usize;
                    if stamp[n] != gen {
                        stamp[n] = gen;
                        cum[n] = cum[n].wrapping_add(w);
                    }
                }
            }
        }
        self.flat = flat;
        self.cum = cum;
    }

    pub fn len(&self) -> usize {
        self.infos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.infos.is_empty()
    }

    /// Whether pprof would keep the node in its graph (some value reached it).
    pub fn is_present(&self, n: usize) -> bool {
        self.flat[n] != 0 || self.cum[n] != 0
    }

    pub fn text(&self, i: u32) -> &str {
        self.texts.get(i as usize).map_or("", |s| s.as_str())
    }

    /// The node's name as pprof prints it (`NodeInfo.PrintableName`):
    /// `[address] [function] [file[:line] | [objfile] | <unknown>]`.
    pub fn printable_name(&self, profile: &Profile, n: usize) -> String {
        let info = &self.infos[n];
        let mut parts: Vec<String> = Vec::with_capacity(3);
        if info.address != 0 {
            parts.push(format!("{:016x}", info.address));
        }
        let name = profile.str(info.name);
        if !name.is_empty() {
            parts.push(name.to_string());
        }
        let file = self.text(info.file);
        let objfile = self.text(info.objfile);
        if info.line != 0 {
            parts.push(format!("{file}:{}", info.line));
        } else if !file.is_empty() {
            parts.push(file.to_string());
        } else if !name.is_empty() {
        } else if !objfile.is_empty() {
            parts.push(format!("[{objfile}]"));
        } else {
            parts.push("<unknown>".to_string());
        }
        parts.join(" ")
    }

    /// `fmt.Sprint(NodeInfo)` as Go 1.19's pprof writes it; the last
    /// tie-breaker of its sort orders.
    pub fn info_sprint(&self, profile: &Profile, n: usize) -> String {
        let i = &self.infos[n];
        format!(
            "{{{} {} {} {} 0 {} {}}}",
            profile.str(i.name),
            profile.str(i.orig_name),
            i.address,
            self.text(i.file),
            i.line,
            self.text(i.objfile)
        )
    }

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
        let mut nodes = vec![PathNode::ROOT; t];
        for ws in &self.stacks {
            let leaf = &mut nodes[ws.leaf.index()];
            leaf.weight = ws.weight;
            leaf.reached = true;
        }
        for s in (0..t).rev() {
            if let (true, Some(p)) = (nodes[s].reached, parent[s]) {
                let w = nodes[s].weight;
                let up = &mut nodes[p.index()];
                up.weight = up.weight.wrapping_add(w);
                up.reached = true;
            }
        }
        // Whether a stack through `above` crossed `from -> to` on its way
        // there: the ancestors' frames read again, rarely (see `callees`).
        let crossed_above = |nodes: &[PathNode], mut above: Option<StackId>, from: u32, to: u32| {
            while let Some(a) = above {
                above = parent[a.index()];
                let mut prev = above.map_or(u32::MAX, |p| nodes[p.index()].last);
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
        let bit = |node: u32| 1u64 << (node.wrapping_mul(0x9E37_79B9) >> 26);
        let mut crossings: Vec<u32> = Vec::new();
        for s in 0..t {
            if !nodes[s].reached {
                continue;
            }
            let above = parent[s].map_or(PathNode::ROOT, |p| nodes[p.index()]);
            let mut prev = above.last;
            crossings.clear();
            self.enter(kept, tracked, &mut prev, locs[s], map, &mut crossings);
            let mut callees = above.callees;
            for (k, &c) in crossings.iter().enumerate() {
                let e = (c >> 1) as usize;
                let (from, to) = (map.from[e], map.to[e]);
                let repeat = crossings[..k].iter().any(|&d| d >> 1 == c >> 1)
                    || (above.callees & bit(to) != 0 && crossed_above(&nodes, parent[s], from, to));
                if !repeat {
                    map.cross(e, nodes[s].weight, c & 1 != 0);
                }
                callees |= bit(to);
            }
            let node = &mut nodes[s];
            node.last = prev;
            node.callees = callees;
        }
    }
}

/// What [`Graph::call_edges`] keeps per stack node, together: a node's
/// callees read it, and a parent is anywhere in the table, so each read is
/// a cache miss.
#[derive(Clone, Copy)]
struct PathNode {
    /// Sum of the weights of the stacks through the node.
    weight: i64,
    /// One bit per callee of an edge crossed on the node's path, so that a
    /// callee met for the first time needs no search of the path.
    callees: u64,
    /// The last kept graph node on the path.
    last: u32,
    /// Some stack goes through the node.
    reached: bool,
}

impl PathNode {
    /// Also what a root's missing caller reads as.
    const ROOT: PathNode = PathNode {
        weight: 0,
        callees: 0,
        last: u32::MAX,
        reached: false,
    };
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

/// `focus`/`ignore` and `show_from` for one stack: `None` drops it, else the
/// number of frames (from the leaf) to keep.
pub(crate) fn stack_filter(
    profile: &Profile,
    filters: &AppliedFilters,
    leaf: StackId,
) -> Option<u32> {
    let mut focused = !filters.by_name;
    let mut keep: Option<u32> = None;
    let mut depth: u32 = 0;
    for loc in profile.stacks.frames(leaf) {
        depth += 1;
        let i = loc.index();
        if filters.by_name {
            match filters.focus.get(i) {
                Some(FocusMark::Ignored) => return None,
                Some(FocusMark::Focused) => focused = true,
                _ => {}
            }
        }
        if let Some(marks) = &filters.show_from {
            if marks.get(i).copied().unwrap_or(false)
                && !filters.hidden.get(i).copied().unwrap_or(true)
            {
                keep = Some(depth);
            }
        }
    }
    if !focused {
        return None;
    }
    match filters.show_from {
        Some(_) => keep,
        None => Some(u32::MAX),
    }
}

#[cfg(test)]
mod tests;
