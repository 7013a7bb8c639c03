//! The top table of `-diff_base=BASE NEW` read from the two sides' graphs,
//! without making the difference profile first.
//!
//! Why: the difference is a merge of both profiles, and for two profiles of
//! a million samples making it took longer than decoding one of them; each
//! side's graph is needed anyway for the table's base and new columns.
//!
//! Why it is exact: every figure of the table is a sum over samples (flat,
//! cum, the weight of a call edge), so the difference's figure is the new
//! profile's minus the base's; a node is in pprof's graph when its flat or
//! cum is not 0 (`selectNodesForGraph`), which the joined figures decide
//! alike; and under `-diff_base` the base's samples carry `pprof::base`, so
//! no sample of one side adds up with one of the other, and an edge is
//! inline in the difference when it is inline on every side that has it.
//! What the sides cannot give is what pprof's merge changes in a node's key:
//! addresses moved to another mapping's start (the `addresses`
//! granularity), and the object file name of a frame without lines when two
//! mappings with one build id name different files. Those, `-base` (samples
//! add up, and may cancel) and `-normalize` (values are scaled and rounded
//! per merged sample) are read from the difference profile ([`applies`]).

use hashbrown::HashMap;

use crate::analysis::compare::base_label_sets;
use crate::analysis::graph::{labels_from_edges, CallEdge, Graph, InlineLabel};
use crate::analysis::options::{FilterError, Granularity, ReportOptions};
use crate::analysis::top::{flat_by_name_of, table_of, TopNodes, TopTable};
use crate::model::Profile;

/// Flat per top-table row name.
pub type FlatByName = HashMap<String, i64>;

/// A compared top table and each side's flat per row name.
pub struct ComparedTop {
    pub table: TopTable,
    pub base: FlatByName,
    pub new: FlatByName,
}

/// Whether the sides give exactly the table of `-diff_base=base new`
/// (not normalized) for `opts`.
pub fn applies(new: &Profile, base: &Profile, opts: &ReportOptions) -> bool {
    opts.granularity != Granularity::Addresses
        && base_label_sets(new).is_none()
        && base_label_sets(base).is_none()
        && mapping_files_agree(&[new, base])
}

/// Whether every mapping that pprof's merge would join with another (same
/// size rounded to 4 KiB, offset, and build id) names the same file.
fn mapping_files_agree(profiles: &[&Profile]) -> bool {
    let mut files: HashMap<(u64, u64, &str), &str> = HashMap::new();
    for p in profiles {
        for m in &p.mappings {
            let build_id = p.str(m.build_id);
            if build_id.is_empty() {
                continue;
            }
            let size = m
                .memory_limit
                .wrapping_sub(m.memory_start)
                .wrapping_add(0xfff);
            let key = (size - size % 0x1000, m.file_offset, build_id);
            let file = p.str(m.file);
            if *files.entry(key).or_insert(file) != file {
                return false;
            }
        }
    }
    true
}

/// The table of `-diff_base=base new` for `opts`, from the two sides.
/// Callers check [`applies`] first.
pub fn diff_base_top(
    new: &Profile,
    base: &Profile,
    opts: &ReportOptions,
) -> Result<ComparedTop, FilterError> {
    let opts = opts.with_sample_index_of(new);
    let gn = Graph::build(new, &opts)?;
    let gb = Graph::build(base, &opts)?;
    let pair = Pair::join(new, &gn, base, &gb);
    Ok(ComparedTop {
        table: table_of(&pair, &opts),
        base: flat_by_name_of(base, &gb),
        new: flat_by_name_of(new, &gn),
    })
}

/// The two sides' nodes joined by content: the new graph's nodes keep
/// their ids, the base's own nodes follow.
struct Pair<'a> {
    new: (&'a Profile, &'a Graph),
    base: (&'a Profile, &'a Graph),
    /// Per base node, its joined id.
    base_to: Vec<u32>,
    /// Per joined id past the new graph's nodes, its base node.
    base_only: Vec<u32>,
    flat: Vec<i64>,
    cum: Vec<i64>,
    total: i64,
}

/// A node's content, as the difference profile's graph would key it.
type NodeKey<'a> = (&'a str, u64, &'a str, u32, i64, &'a str);

fn node_key<'a>(p: &'a Profile, g: &'a Graph, n: usize) -> NodeKey<'a> {
    let i = &g.infos[n];
    (
        p.str(i.name),
        i.address,
        g.text(i.file),
        i.start_line,
        i.line,
        g.text(i.objfile),
    )
}

impl<'a> Pair<'a> {
    fn join(new: &'a Profile, gn: &'a Graph, base: &'a Profile, gb: &'a Graph) -> Pair<'a> {
        let index: HashMap<NodeKey<'a>, u32> = (0..gn.len())
            .map(|n| (node_key(new, gn, n), n as u32))
            .collect();
        let mut flat = gn.flat.clone();
        let mut cum = gn.cum.clone();
        let mut base_only = Vec::new();
        let base_to: Vec<u32> = (0..gb.len())
            .map(|b| {
                let j = index
                    .get(&node_key(base, gb, b))
                    .copied()
                    .unwrap_or_else(|| {
                        base_only.push(b as u32);
                        flat.push(0);
                        cum.push(0);
                        flat.len() as u32 - 1
                    });
                flat[j as usize] = flat[j as usize].wrapping_sub(gb.flat[b]);
                cum[j as usize] = cum[j as usize].wrapping_sub(gb.cum[b]);
                j
            })
            .collect();
        // pprof's 100% under -diff_base is the base's size, unless it is 0.
        let total = if gb.total > 0 { gb.total } else { gn.total };
        Pair {
            new: (new, gn),
            base: (base, gb),
            base_to,
            base_only,
            flat,
            cum,
            total,
        }
    }

    /// The side that has joined node `n`, and its id there.
    fn side(&self, n: usize) -> (&'a Profile, &'a Graph, usize) {
        let (p, g) = self.new;
        if n < g.len() {
            return (p, g, n);
        }
        let (p, g) = self.base;
        (p, g, self.base_only[n - self.new.1.len()] as usize)
    }
}

impl TopNodes for Pair<'_> {
    fn len(&self) -> usize {
        self.flat.len()
    }
    fn flat(&self, n: usize) -> i64 {
        self.flat[n]
    }
    fn cum(&self, n: usize) -> i64 {
        self.cum[n]
    }
    fn total(&self) -> i64 {
        self.total
    }
    fn sample_index(&self) -> usize {
        self.new.1.sample_index
    }
    fn printable_name(&self, n: usize) -> String {
        let (p, g, n) = self.side(n);
        g.printable_name(p, n)
    }
    fn info_sprint(&self, n: usize) -> String {
        let (p, g, n) = self.side(n);
        g.info_sprint(p, n)
    }
    fn fields(&self, n: usize) -> (String, String, i64, u64) {
        let (p, g, n) = self.side(n);
        let info = &g.infos[n];
        (
            p.str(info.name).to_string(),
            g.text(info.file).to_string(),
            info.line,
            info.address,
        )
    }

    /// Each side's call edges among the kept nodes, joined: weights
    /// subtract, and an edge is inline when it is on every side.
    fn inline_labels(&self, kept: &[bool], edge_cutoff: i64) -> Vec<InlineLabel> {
        let ((pn, gn), (pb, gb)) = (self.new, self.base);
        let n = self.len();
        let mut tracked: Vec<bool> = (0..gn.len()).map(|i| gn.ever_inlined(i)).collect();
        tracked.resize(n, false);
        for (b, &j) in self.base_to.iter().enumerate() {
            tracked[j as usize] |= gb.ever_inlined(b);
        }
        let on_base =
            |of: &[bool]| -> Vec<bool> { self.base_to.iter().map(|&j| of[j as usize]).collect() };
        let new_edges = gn.call_edges(pn, &kept[..gn.len()], &tracked[..gn.len()]);
        let base_edges = gb.call_edges(pb, &on_base(kept), &on_base(&tracked));
        let mut joined: HashMap<(u32, u32), CallEdge> = HashMap::new();
        for e in new_edges {
            joined.insert((e.from, e.to), e);
        }
        for e in base_edges {
            let (from, to) = (self.base_to[e.from as usize], self.base_to[e.to as usize]);
            joined
                .entry((from, to))
                .and_modify(|j| {
                    j.weight = j.weight.wrapping_sub(e.weight);
                    j.inline &= e.inline;
                })
                .or_insert(CallEdge {
                    from,
                    to,
                    weight: e.weight.wrapping_neg(),
                    inline: e.inline,
                });
        }
        let edges: Vec<CallEdge> = joined.into_values().collect();
        labels_from_edges(n, &edges, edge_cutoff)
    }
}
