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

mod call_edges;
mod edges;
mod paths;

pub(crate) use call_edges::{labels_from_edges, CallEdge};
pub use edges::{Edge, Neighbours};

use paths::trim_path;
pub use paths::{go_base, go_clean};

use hashbrown::HashMap;

use crate::analysis::filter::{self, AppliedFilters, FocusMark};
use crate::analysis::options::{FilterError, Granularity, ReportOptions};
use crate::model::{LocId, Location, Profile, StackId, StrId};

/// What identifies a node: the fields of a frame that the granularity keeps
/// (pprof's `graph.NodeInfo`). `file` and `objfile` index
/// [`Graph::texts`]; 0 is the empty string. A frame with no function name
/// (every frame at file granularity) also keeps its binary and its
/// function's start line, as pprof keys it: a file's functions stay apart
/// where Go wrote their start lines (Go 1.20 on). pprof's `OrigName` stays
/// empty in every report made here, so the system name is not part of the
/// key. 32 bytes: a merged fleet's graph holds a node per function,
/// millions of them, so the start line is kept in 32 bits (a line past 4
/// billion, which no compiler writes, would wrap).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeInfo {
    pub address: u64,
    pub line: i64,
    pub name: StrId,
    pub file: u32,
    pub start_line: u32,
    pub objfile: u32,
}

const _: () = assert!(std::mem::size_of::<NodeInfo>() == 32);

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
        // a stack is walked when any of its samples is non-zero. The sums
        // are made in place in the one buffer the graph keeps: at a million
        // samples a second buffer, and its growth, were this step's peak.
        let mut stacks: Vec<WeightedStack> = Vec::with_capacity(n_samples);
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
            stacks.push(WeightedStack {
                leaf,
                weight: v,
                keep: u32::MAX,
            });
        }
        stacks.sort_unstable_by_key(|ws| ws.leaf);
        let by_stack = filters.by_name || filters.show_from.is_some();
        let (mut read, mut write) = (0, 0);
        while read < stacks.len() {
            let leaf = stacks[read].leaf;
            let mut weight: i64 = 0;
            while read < stacks.len() && stacks[read].leaf == leaf {
                weight = weight.wrapping_add(stacks[read].weight);
                read += 1;
            }
            if leaf.index() >= profile.stacks.len() {
                continue;
            }
            let keep = if by_stack {
                stack_filter(profile, &filters, leaf)
            } else {
                Some(u32::MAX)
            };
            if let Some(keep) = keep {
                stacks[write] = WeightedStack { leaf, weight, keep };
                write += 1;
            }
        }
        stacks.truncate(write);
        stacks.shrink_to_fit();
        g.stacks = stacks;

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
        // The binary's base name, as pprof prints a frame with no name.
        let objfile = |loc: &Location, texts: &mut Texts, map_obj: &mut [u32]| match loc.mapping {
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
                let info = NodeInfo {
                    address,
                    line: 0,
                    name: StrId(0),
                    file: 0,
                    start_line: 0,
                    objfile: objfile(loc, &mut texts, &mut map_obj),
                };
                push(info, OCCURS_OUTER, self);
                continue;
            }
            let last = lines.len() - 1;
            for (k, &l) in lines.iter().enumerate() {
                let line = &profile.lines[l as usize];
                let f = line.func.index();
                let mut start_line = 0;
                let (name, file) = match profile.functions.get(f) {
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
                        if !keep_name || func.name == StrId(0) {
                            start_line = func.start_line as u32;
                        }
                        (if keep_name { func.name } else { StrId(0) }, file)
                    }
                    None => (StrId(0), 0),
                };
                let nameless = name == StrId(0);
                let info = NodeInfo {
                    address,
                    line: if keep_line { line.line } else { 0 },
                    name,
                    file,
                    start_line,
                    objfile: if nameless {
                        objfile(loc, &mut texts, &mut map_obj)
                    } else {
                        0
                    },
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

    /// `fmt.Sprint(NodeInfo)` as Go 1.19's pprof writes it (its `OrigName`
    /// empty); the last tie-breaker of its sort orders.
    pub fn info_sprint(&self, profile: &Profile, n: usize) -> String {
        let i = &self.infos[n];
        format!(
            "{{{}  {} {} {} {} {}}}",
            profile.str(i.name),
            i.address,
            self.text(i.file),
            i.start_line,
            i.line,
            self.text(i.objfile)
        )
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
mod tests;
