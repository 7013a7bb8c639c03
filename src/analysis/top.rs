//! The `-top` table: nodes of the [`Graph`] trimmed and ordered as
//! `go tool pprof -top` does (`report.newTrimmedGraph` + `TextItems`).
//!
//! Trimming happens in two steps, each on the previous result:
//! 1. `nodefraction`: nodes whose |cum| is below `nodefraction` times the
//!    sum of all flat values are dropped (the header's
//!    `Dropped N nodes (cum <= X)` prints X from the *total* instead, so it
//!    is an approximation of the cutoff, as in pprof);
//! 2. `nodecount`: after sorting, the first N nodes stay
//!    (`Showing top N nodes out of M`).
//!
//! Call edges lighter than `edgefraction` of the flat sum are trimmed
//! before the `(inline)` / `(partial-inline)` labels are read from the
//! remaining incoming edges, so a node reached only through light inlined
//! calls prints no label, as in pprof.
//!
//! Order: flat sort is |flat| desc, then name, then |cum| desc; cum sort is
//! |cum| desc, then name, then |flat| desc; ties beyond that fall back to
//! pprof's comparison of the whole node info.

use std::cmp::Ordering;

use crate::analysis::graph::{Graph, InlineLabel};
use crate::analysis::options::{FilterError, ReportOptions, SortOrder};
use crate::model::Profile;

/// One row of the table.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TopRow {
    /// Node index in the graph the table was built from.
    pub node: u32,
    /// The name as pprof prints it (`NodeInfo.PrintableName`), without the
    /// inline label.
    pub name: String,
    pub inline: InlineLabel,
    pub flat: i64,
    pub cum: i64,
    /// Running sum of `flat` up to and including this row (pprof's `sum%`).
    pub flat_sum: i64,
    /// Function name alone (empty at `files` granularity).
    pub function: String,
    /// Source file, when the granularity keeps it.
    pub file: String,
    /// Source line, when the granularity keeps it (else 0).
    pub line: i64,
    /// Instruction address at `addresses` granularity (else 0).
    pub address: u64,
}

/// The table plus what pprof's header lines need.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TopTable {
    pub rows: Vec<TopRow>,
    /// Sum of |value| over all samples before filters: 100%.
    pub total: i64,
    /// Sum of `flat` over the shown rows (`Showing nodes accounting for`).
    pub shown_flat_sum: i64,
    /// Nodes dropped by `nodefraction`.
    pub dropped_nodes: usize,
    /// The `X` of `Dropped N nodes (cum <= X)`: |total * nodefraction|.
    pub dropped_cutoff: i64,
    /// The cutoff actually applied: |flat sum of all nodes * nodefraction|.
    pub node_cutoff: i64,
    /// Nodes left after `nodefraction`, before `nodecount`.
    pub orig_count: usize,
    pub sample_index: usize,
    pub sort: SortOrder,
}

impl TopTable {
    /// Whether `nodecount` cut the table (`Showing top N nodes out of M`).
    pub fn truncated(&self) -> bool {
        !self.rows.is_empty() && self.rows.len() < self.orig_count
    }
}

/// Builds the graph and the table in one go.
pub fn top_table(profile: &Profile, opts: &ReportOptions) -> Result<TopTable, FilterError> {
    let graph = Graph::build(profile, opts)?;
    Ok(top_from_graph(profile, &graph, opts))
}

/// Flat per row name, every row kept: what a compared table reads from
/// each side. It skips what a table adds to the graph (the sort and the
/// `(inline)` labels, which walk every stack again), a third of a side's
/// cost on a large profile.
pub fn flat_by_name(
    profile: &Profile,
    opts: &ReportOptions,
) -> Result<hashbrown::HashMap<String, i64>, FilterError> {
    let graph = Graph::build(profile, opts)?;
    Ok(flat_by_name_of(profile, &graph))
}

/// Flat per row name of an already built graph, every row kept.
pub(crate) fn flat_by_name_of(profile: &Profile, graph: &Graph) -> hashbrown::HashMap<String, i64> {
    let mut out = hashbrown::HashMap::with_capacity(graph.len());
    for n in (0..graph.len()).filter(|&n| graph.is_present(n)) {
        out.entry(graph.printable_name(profile, n))
            .or_insert(graph.flat[n]);
    }
    out
}

/// What the table reads of the nodes it orders and trims: one graph's, or
/// the two sides' of a comparison joined (see
/// [`top_compare`](crate::analysis::top_compare)).
pub(crate) trait TopNodes {
    fn len(&self) -> usize;
    fn flat(&self, n: usize) -> i64;
    fn cum(&self, n: usize) -> i64;
    /// Sum of |value| over all samples before filters: 100%.
    fn total(&self) -> i64;
    fn sample_index(&self) -> usize;
    /// The name as pprof prints it.
    fn printable_name(&self, n: usize) -> String;
    /// The last tie-breaker of the sort (`fmt.Sprint(NodeInfo)`).
    fn info_sprint(&self, n: usize) -> String;
    /// Function, file, line and address of the row.
    fn fields(&self, n: usize) -> (String, String, i64, u64);
    fn inline_labels(&self, kept: &[bool], edge_cutoff: i64) -> Vec<InlineLabel>;
}

/// One profile's graph as the table reads it.
struct GraphNodes<'a> {
    profile: &'a Profile,
    graph: &'a Graph,
}

impl TopNodes for GraphNodes<'_> {
    fn len(&self) -> usize {
        self.graph.len()
    }
    fn flat(&self, n: usize) -> i64 {
        self.graph.flat[n]
    }
    fn cum(&self, n: usize) -> i64 {
        self.graph.cum[n]
    }
    fn total(&self) -> i64 {
        self.graph.total
    }
    fn sample_index(&self) -> usize {
        self.graph.sample_index
    }
    fn printable_name(&self, n: usize) -> String {
        self.graph.printable_name(self.profile, n)
    }
    fn info_sprint(&self, n: usize) -> String {
        self.graph.info_sprint(self.profile, n)
    }
    fn fields(&self, n: usize) -> (String, String, i64, u64) {
        let info = &self.graph.infos[n];
        (
            self.profile.str(info.name).to_string(),
            self.graph.text(info.file).to_string(),
            info.line,
            info.address,
        )
    }
    fn inline_labels(&self, kept: &[bool], edge_cutoff: i64) -> Vec<InlineLabel> {
        self.graph.inline_labels(self.profile, kept, edge_cutoff)
    }
}

/// The table for an already built graph (the options must be the ones the
/// graph was built with; only `sort`, `nodecount`, `nodefraction` and
/// `edgefraction` are read here).
pub fn top_from_graph(profile: &Profile, graph: &Graph, opts: &ReportOptions) -> TopTable {
    table_of(&GraphNodes { profile, graph }, opts)
}

/// pprof's trimming and order over `nodes` (a node is present when its flat
/// or cum is not 0: pprof's `selectNodesForGraph`).
pub(crate) fn table_of(nodes_of: &dyn TopNodes, opts: &ReportOptions) -> TopTable {
    let len = nodes_of.len();
    let (flat, cum) = (|n| nodes_of.flat(n), |n| nodes_of.cum(n));
    let present: Vec<usize> = (0..len).filter(|&n| flat(n) != 0 || cum(n) != 0).collect();
    let total_value = present.iter().fold(0i64, |s, &n| s.wrapping_add(flat(n)));
    let fraction = if opts.nodefraction.is_finite() {
        opts.nodefraction
    } else {
        0.0
    };
    let node_cutoff = ((total_value as f64 * fraction) as i64).wrapping_abs();
    let edge_fraction = if opts.edgefraction.is_finite() {
        opts.edgefraction
    } else {
        0.0
    };
    let edge_cutoff = ((total_value as f64 * edge_fraction) as i64).wrapping_abs();

    let mut nodes = present;
    let mut dropped_nodes = 0;
    if node_cutoff > 0 {
        let before = nodes.len();
        nodes.retain(|&n| cum(n).wrapping_abs() >= node_cutoff);
        dropped_nodes = before - nodes.len();
    }
    let orig_count = nodes.len();

    let mut names: Vec<String> = {
        let mut names = vec![String::new(); len];
        for &n in &nodes {
            names[n] = nodes_of.printable_name(n);
        }
        names
    };
    let mut cmp = |&a: &usize, &b: &usize| -> Ordering {
        let (fa, fb) = (flat(a).wrapping_abs(), flat(b).wrapping_abs());
        let (ca, cb) = (cum(a).wrapping_abs(), cum(b).wrapping_abs());
        let (first, third) = match opts.sort {
            SortOrder::Flat => (fb.cmp(&fa), cb.cmp(&ca)),
            SortOrder::Cum => (cb.cmp(&ca), fb.cmp(&fa)),
        };
        first
            .then_with(|| names[a].cmp(&names[b]))
            .then(third)
            .then_with(|| nodes_of.info_sprint(a).cmp(&nodes_of.info_sprint(b)))
    };
    crate::sort::sort_unstable_by(&mut nodes, &mut cmp);
    if opts.nodecount > 0 && opts.nodecount < nodes.len() {
        nodes.truncate(opts.nodecount);
    }

    let mut kept = vec![false; len];
    for &n in &nodes {
        kept[n] = true;
    }
    let labels = nodes_of.inline_labels(&kept, edge_cutoff);

    let mut flat_sum: i64 = 0;
    let rows: Vec<TopRow> = nodes
        .iter()
        .map(|&n| {
            flat_sum = flat_sum.wrapping_add(flat(n));
            let (function, file, line, address) = nodes_of.fields(n);
            TopRow {
                node: n as u32,
                name: std::mem::take(&mut names[n]),
                inline: labels[n],
                flat: flat(n),
                cum: cum(n),
                flat_sum,
                function,
                file,
                line,
                address,
            }
        })
        .collect();
    let total = nodes_of.total();
    let dropped_cutoff = ((total as f64 * fraction) as i64).wrapping_abs();
    TopTable {
        rows,
        total,
        shown_flat_sum: flat_sum,
        dropped_nodes,
        dropped_cutoff,
        node_cutoff,
        orig_count,
        sample_index: nodes_of.sample_index(),
        sort: opts.sort,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;

    fn rows(t: &TopTable) -> Vec<(String, i64, i64)> {
        t.rows
            .iter()
            .map(|r| (r.name.clone(), r.flat, r.cum))
            .collect()
    }

    #[test]
    fn flat_by_name_is_the_full_tables_flat_per_row() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a;b 5", "main;a 2", "main;c 3", "main;a;b 1"])
            .build();
        let opts = ReportOptions {
            nodecount: 0,
            nodefraction: 0.0,
            ..ReportOptions::default()
        };
        let table = top_table(&p, &opts).unwrap();
        let mut want: Vec<(String, i64)> = table
            .rows
            .iter()
            .map(|r| (r.name.clone(), r.flat))
            .collect();
        let mut got: Vec<(String, i64)> = flat_by_name(&p, &opts).unwrap().into_iter().collect();
        want.sort();
        got.sort();
        assert_eq!(got, want);
        assert!(got.contains(&("b".to_string(), 6)));
    }

    fn r(name: &str, flat: i64, cum: i64) -> (String, i64, i64) {
        (name.to_string(), flat, cum)
    }

    #[test]
    fn flat_order_breaks_ties_by_name_before_cum() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;z 5", "main;y;b 5", "main;y;a 2", "main;x;a 1"])
            .build();
        let t = top_table(
            &p,
            &ReportOptions {
                nodefraction: 0.0,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            rows(&t),
            [
                r("b", 5, 5),
                r("z", 5, 5),
                r("a", 3, 3),
                r("main", 0, 13),
                r("x", 0, 1),
                r("y", 0, 7)
            ]
        );
        assert_eq!(t.rows.last().unwrap().flat_sum, 13);
        let t = top_table(
            &p,
            &ReportOptions {
                nodefraction: 0.0,
                sort: SortOrder::Cum,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            rows(&t),
            [
                r("main", 0, 13),
                r("y", 0, 7),
                r("b", 5, 5),
                r("z", 5, 5),
                r("a", 3, 3),
                r("x", 0, 1)
            ]
        );
    }

    #[test]
    fn nodefraction_then_nodecount() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a 100", "main;b 50", "main;c 1", "main;d 1"])
            .build();
        let t = top_table(
            &p,
            &ReportOptions {
                nodefraction: 0.05,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(t.dropped_nodes, 2);
        assert_eq!(t.node_cutoff, 7);
        assert_eq!(t.dropped_cutoff, 7);
        assert_eq!(t.orig_count, 3);
        assert_eq!(
            rows(&t),
            [r("a", 100, 100), r("b", 50, 50), r("main", 0, 152)]
        );
        assert_eq!(t.shown_flat_sum, 150);
        let t = top_table(
            &p,
            &ReportOptions {
                nodefraction: 0.05,
                nodecount: 2,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(t.truncated());
        assert_eq!(rows(&t), [r("a", 100, 100), r("b", 50, 50)]);
    }

    #[test]
    fn inline_marks_in_rows() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["main;a+h 3", "main;b;h 2", "main;c+i 1"])
            .build();
        let t = top_table(
            &p,
            &ReportOptions {
                nodefraction: 0.0,
                ..Default::default()
            },
        )
        .unwrap();
        let label = |name: &str| t.rows.iter().find(|r| r.name == name).unwrap().inline;
        assert_eq!(label("h"), InlineLabel::PartialInline);
        assert_eq!(label("i"), InlineLabel::Inline);
        assert_eq!(label("main"), InlineLabel::None);
    }

    #[test]
    fn empty_profile() {
        let p = ProfileBuilder::new(&[("samples", "count")])
            .samples(&["- 3"])
            .build();
        let t = top_table(&p, &ReportOptions::default()).unwrap();
        assert!(t.rows.is_empty());
        assert_eq!(t.total, 3);
        let none = ProfileBuilder::new(&[]).build();
        assert_eq!(
            top_table(&none, &ReportOptions::default())
                .unwrap_err()
                .option,
            "sample_index"
        );
    }
}
