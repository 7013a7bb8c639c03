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

/// Go's `filepath.Base` (Unix).
pub fn go_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Go's `filepath.Clean` (Unix): lexical `.`/`..`/`//` removal.
pub fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// pprof's `trimPath` without `-trim_path`/`-source_path`: only the
/// `/proc/self/cwd/` prefixes go.
fn trim_path(path: &str) -> &str {
    for prefix in ["/proc/self/cwd/./", "/proc/self/cwd/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            return rest;
        }
    }
    path
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
        let n = self.infos.len();
        let mut labels = vec![InlineLabel::None; n];
        let is_kept = |i: usize| kept.get(i).copied().unwrap_or(false);
        if !(0..n).any(|i| is_kept(i) && self.occurs[i] & OCCURS_INLINED != 0) {
            return labels;
        }
        struct Edge {
            dest: u32,
            weight: i64,
            inline: bool,
            stamp: u32,
        }
        let mut index: HashMap<(u32, u32), u32> = HashMap::new();
        let mut edges: Vec<Edge> = Vec::new();
        let mut gen: u32 = 0;
        let mut buf: Vec<u32> = Vec::new();
        let parent = profile.stacks.parents();
        let locs = profile.stacks.locs();
        for ws in &self.stacks {
            if gen == u32::MAX {
                edges.iter_mut().for_each(|e| e.stamp = 0);
                gen = 0;
            }
            gen += 1;
            buf.clear();
            let mut cur = Some(ws.leaf);
            let mut keep = ws.keep;
            while let Some(s) = cur {
                if keep == 0 {
                    break;
                }
                keep -= 1;
                cur = parent[s.index()];
                let nodes = self.nodes_of(locs[s.index()]);
                let last = nodes.len().saturating_sub(1);
                for (k, &node) in nodes.iter().enumerate() {
                    // Dropped nodes are skipped: the edge joins the kept
                    // nodes around them (pprof's residual edge).
                    if is_kept(node as usize) {
                        buf.push(if k == last { node } else { node | INLINE_BIT });
                    }
                }
            }
            // Root to leaf, as pprof walks.
            let mut prev: u32 = u32::MAX;
            for &e in buf.iter().rev() {
                let node = e & !INLINE_BIT;
                if prev != u32::MAX
                    && prev != node
                    && self.occurs[node as usize] & OCCURS_INLINED != 0
                {
                    let inline = e & INLINE_BIT != 0;
                    let next = edges.len() as u32;
                    let id = *index.entry((prev, node)).or_insert(next) as usize;
                    if id == edges.len() {
                        edges.push(Edge {
                            dest: node,
                            weight: ws.weight,
                            inline,
                            stamp: gen,
                        });
                    } else {
                        let edge = &mut edges[id];
                        if edge.stamp != gen {
                            edge.stamp = gen;
                            edge.weight = edge.weight.wrapping_add(ws.weight);
                            edge.inline &= inline;
                        }
                    }
                }
                prev = node;
            }
        }
        let mut has_inline = vec![false; n];
        let mut has_outer = vec![false; n];
        for e in &edges {
            if e.weight.wrapping_abs() < edge_cutoff {
                continue;
            }
            if e.inline {
                has_inline[e.dest as usize] = true;
            } else {
                has_outer[e.dest as usize] = true;
            }
        }
        for i in 0..n {
            labels[i] = match (has_inline[i], has_outer[i]) {
                (true, true) => InlineLabel::PartialInline,
                (true, false) => InlineLabel::Inline,
                _ => InlineLabel::None,
            };
        }
        labels
    }
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
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;

    fn node(g: &Graph, p: &Profile, name: &str) -> Option<usize> {
        (0..g.len()).find(|&i| g.printable_name(p, i) == name && g.is_present(i))
    }

    fn flat_cum(g: &Graph, p: &Profile, name: &str) -> (i64, i64) {
        let n = node(g, p, name).unwrap_or_else(|| panic!("no node {name}"));
        (g.flat[n], g.cum[n])
    }

    #[test]
    fn flat_to_leaf_cum_once_per_sample() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a;b;a;b 10", "main;a 5", "main 1", "- 7", "main;c 0"])
            .build();
        let g = Graph::build(&p, &ReportOptions::default()).unwrap();
        assert_eq!(g.total, 23, "the empty stack counts in the total");
        assert_eq!(flat_cum(&g, &p, "b"), (10, 10), "recursion counted once");
        assert_eq!(flat_cum(&g, &p, "a"), (5, 15));
        assert_eq!(flat_cum(&g, &p, "main"), (1, 16));
        assert!(
            node(&g, &p, "c").is_none(),
            "zero-valued samples make no node"
        );
    }

    #[test]
    fn negative_values_and_abs_total() {
        let p = ProfileBuilder::new(&[("space", "bytes")])
            .samples(&["main;a 10", "main;a -4"])
            .build();
        let g = Graph::build(&p, &ReportOptions::default()).unwrap();
        assert_eq!(g.total, 14);
        assert_eq!(flat_cum(&g, &p, "a"), (6, 6));
    }

    #[test]
    fn inlined_frames_are_nodes_and_noinlines_folds_them() {
        // `b` inlined into `a`.
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a+b 3", "main;a 2"])
            .build();
        let g = Graph::build(&p, &ReportOptions::default()).unwrap();
        assert_eq!(flat_cum(&g, &p, "b"), (3, 3));
        assert_eq!(flat_cum(&g, &p, "a"), (2, 5));
        let g = Graph::build(
            &p,
            &ReportOptions {
                noinlines: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(node(&g, &p, "b").is_none());
        assert_eq!(flat_cum(&g, &p, "a"), (5, 5));
    }

    #[test]
    fn granularities() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main@m.go:3;a@./x/a.go:10 3", "main@m.go:4;a@./x/a.go:12 2"])
            .build();
        let names = |gran| {
            let g = Graph::build(
                &p,
                &ReportOptions {
                    granularity: gran,
                    ..Default::default()
                },
            )
            .unwrap();
            let mut v: Vec<String> = (0..g.len())
                .filter(|&i| g.is_present(i))
                .map(|i| g.printable_name(&p, i))
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(Granularity::Functions), ["a", "main"]);
        assert_eq!(names(Granularity::FileFunctions), ["a x/a.go", "main m.go"]);
        assert_eq!(names(Granularity::Files), ["m.go", "x/a.go"]);
        assert_eq!(
            names(Granularity::Lines),
            ["a x/a.go:10", "a x/a.go:12", "main m.go:3", "main m.go:4"]
        );
        let addrs = names(Granularity::Addresses);
        assert_eq!(addrs.len(), 4);
        assert!(
            addrs[0].starts_with("0000000000001") && addrs[0].ends_with(" x/a.go:10"),
            "{addrs:?}"
        );
    }

    #[test]
    fn focus_ignore_hide_show_show_from() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&[
                "main;net.read;syscall 4",
                "main;work;calc 6",
                "main;work;net.read;syscall 1",
            ])
            .build();
        let opts = |f: fn(&mut ReportOptions)| {
            let mut o = ReportOptions::default();
            f(&mut o);
            Graph::build(&p, &o).unwrap()
        };
        let g = opts(|o| o.focus = "net".into());
        assert_eq!(flat_cum(&g, &p, "main"), (0, 5));
        assert_eq!(g.total, 11, "total is before filters");
        let g = opts(|o| {
            o.focus = "net".into();
            o.ignore = "work".into();
        });
        assert_eq!(flat_cum(&g, &p, "main"), (0, 4), "ignore wins");
        let g = opts(|o| o.hide = "syscall".into());
        assert_eq!(
            flat_cum(&g, &p, "net.read"),
            (5, 5),
            "hidden leaf moves flat to its caller"
        );
        let g = opts(|o| o.show = "work|calc".into());
        assert!(node(&g, &p, "main").is_none());
        assert_eq!(flat_cum(&g, &p, "work"), (1, 7));
        let g = opts(|o| o.show_from = "work".into());
        assert!(node(&g, &p, "main").is_none());
        assert_eq!(flat_cum(&g, &p, "work"), (0, 7));
        assert!(node(&g, &p, "syscall").is_some_and(|n| g.cum[n] == 1));
    }

    #[test]
    fn show_from_cuts_inside_an_inlined_location() {
        // `mid` inlined into `outer`, `inner` inlined into `mid`.
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;outer+mid+inner 2"])
            .build();
        let g = Graph::build(
            &p,
            &ReportOptions {
                show_from: "^mid$".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(node(&g, &p, "outer").is_none() && node(&g, &p, "main").is_none());
        assert_eq!(flat_cum(&g, &p, "mid"), (0, 2));
        assert_eq!(flat_cum(&g, &p, "inner"), (2, 2));
    }

    #[test]
    fn tag_filters() {
        let p = ProfileBuilder::new(&[("space", "bytes")])
            .samples(&[
                "main;a 10 worker=1 bytes=#2048",
                "main;b 20 worker=2 bytes=#64",
                "main;c 40 phase=json",
            ])
            .build();
        let cum_main = |tf: &str, ti: &str| {
            let o = ReportOptions {
                tagfocus: tf.into(),
                tagignore: ti.into(),
                ..Default::default()
            };
            let g = Graph::build(&p, &o).unwrap();
            node(&g, &p, "main").map_or(0, |n| g.cum[n])
        };
        assert_eq!(
            cum_main("worker=2", ""),
            0,
            "a number is a numeric range, as in pprof"
        );
        assert_eq!(
            cum_main("worker=^2$", ""),
            20,
            "not a plain range: a regex on the value"
        );
        assert_eq!(cum_main("worker:1", ""), 10);
        assert_eq!(cum_main("worker:", ""), 30);
        assert_eq!(cum_main("", "worker:"), 40);
        assert_eq!(cum_main("phase=js", ""), 40);
        assert_eq!(cum_main("1kb:", ""), 10);
        assert_eq!(cum_main("bytes=:1kb", ""), 20);
        assert_eq!(cum_main("worker:,phase:", ""), 0, "all regexes must match");
        assert_eq!(cum_main("worker:1,worker:", ""), 10);
    }

    #[test]
    fn deep_stack_does_not_recurse() {
        let frames: Vec<String> = (0..100_000).map(|i| format!("f{}", i % 1000)).collect();
        let text = format!("{} 1", frames.join(";"));
        let p = ProfileBuilder::new(&[("samples", "count")])
            .sample(&text)
            .build();
        let g = Graph::build(&p, &ReportOptions::default()).unwrap();
        assert_eq!(flat_cum(&g, &p, "f0"), (0, 1));
        assert_eq!(flat_cum(&g, &p, "f999"), (1, 1));
        let kept = vec![true; g.len()];
        assert!(g
            .inline_labels(&p, &kept, 0)
            .iter()
            .all(|l| *l == InlineLabel::None));
    }

    #[test]
    fn inline_labels_follow_incoming_edges() {
        // `h` is inlined into `a` and called normally from `b`; `i` is only
        // ever inlined.
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a+h 3", "main;b;h 2", "main;c+i 1"])
            .build();
        let g = Graph::build(&p, &ReportOptions::default()).unwrap();
        let kept: Vec<bool> = (0..g.len()).map(|i| g.is_present(i)).collect();
        let labels = g.inline_labels(&p, &kept, 0);
        let label = |name| labels[node(&g, &p, name).unwrap()];
        assert_eq!(label("h"), InlineLabel::PartialInline);
        assert_eq!(label("i"), InlineLabel::Inline);
        assert_eq!(label("a"), InlineLabel::None);
        // With `a` and `b` trimmed, both calls become the one (residual)
        // edge `main -> h`, which is inline only if every crossing was: not
        // here, so pprof prints no label.
        let mut kept2 = kept.clone();
        kept2[node(&g, &p, "a").unwrap()] = false;
        kept2[node(&g, &p, "b").unwrap()] = false;
        assert_eq!(
            g.inline_labels(&p, &kept2, 0)[node(&g, &p, "h").unwrap()],
            InlineLabel::None
        );
        // A root-most kept inline node has no incoming edge: no label.
        let only_i: Vec<bool> = (0..g.len()).map(|n| Some(n) == node(&g, &p, "i")).collect();
        assert_eq!(
            g.inline_labels(&p, &only_i, 0)[node(&g, &p, "i").unwrap()],
            InlineLabel::None
        );
        // Edges lighter than the cutoff are trimmed first: `b -> h` (2) goes,
        // `a -> h` (3) stays, so `h` is inline only.
        assert_eq!(
            g.inline_labels(&p, &kept, 3)[node(&g, &p, "h").unwrap()],
            InlineLabel::Inline
        );
    }

    #[test]
    fn go_path_helpers() {
        assert_eq!(go_base("/usr/bin/prog"), "prog");
        assert_eq!(go_base("prog/"), "prog");
        assert_eq!(go_base(""), ".");
        assert_eq!(go_base("///"), "/");
        assert_eq!(go_clean("./a//b/../c/"), "a/c");
        assert_eq!(go_clean("/../a"), "/a");
        assert_eq!(go_clean("../../a"), "../../a");
        assert_eq!(go_clean("a/.."), ".");
        assert_eq!(trim_path("/proc/self/cwd/./x.go"), "x.go");
    }
}
