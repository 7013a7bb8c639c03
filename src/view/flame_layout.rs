//! Flame graph geometry and search on a 0..1 scale (no pixels: the painter
//! multiplies by its width), and what a box says about its node.
//!
//! # Layout
//! An icicle: the root is row 0, a node's row is its depth. A node's box is
//! as wide as its weight (sum of |value| through it) relative to the base
//! node. As in pprof's flame graph (`stacks.js` `renderGroup`), a node's self
//! part is the gap on the *left* of its box and its children follow it, in
//! the tree's order (decreasing weight).
//!
//! Zooming into node `z` lays out `z`'s subtree at full width; `z`'s
//! ancestors stay visible as full-width rows above it (the usual icicle zoom,
//! a breadcrumb drawn in place), so row numbers do not change with zoom.
//!
//! Only what can be seen is produced: boxes narrower than
//! [`LayoutOptions::min_width`] are skipped with their whole subtree (each
//! row counts the skipped boxes that start there and their width), and a
//! depth range lays out only those rows, so a scroll through a deep tree
//! costs the boxes on screen. The traversal follows the tree's preorder with
//! one cursor per row, never recursing, so 100,000-deep trees are fine.
//! Boxes are the scene's [`FlameBox`]es with their geometry set;
//! [`crate::view::flame_scene`] fills in what the page shows of them.
//!
//! # Search
//! A regex on the full function name (pprof's `UniqueName`); the share of the
//! total counts each matched subtree once, so a match under a matching
//! ancestor (recursion, or `a` calling `a.func1` for `^a`) is highlighted but
//! not added again.

use crate::pattern::Pattern;
use serde::{Deserialize, Serialize};

use crate::analysis::flame::{add_weight, FlameTree, NodeId, ROOT};
use crate::model::Profile;
use crate::view::color;
use crate::view::flame_labels::labels;
use crate::view::flame_scene::FlameBox;

/// What to lay out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayoutOptions {
    /// The node shown at full width ([`ROOT`] for no zoom).
    pub zoom: NodeId,
    /// Boxes narrower than this fraction of the full width are skipped,
    /// e.g. `1.0 / width_px` for "at least one pixel".
    pub min_width: f64,
    /// First depth (row) to produce.
    pub first_depth: u32,
    /// End of the depth range (exclusive); `None` for all rows.
    pub end_depth: Option<u32>,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            zoom: ROOT,
            min_width: 0.0,
            first_depth: 0,
            end_depth: None,
        }
    }
}

/// The boxes of one depth, left to right.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlameRow {
    pub depth: u32,
    pub boxes: Vec<FlameBox>,
    /// Boxes starting on this row that were too narrow to draw (their
    /// subtrees are not counted again on deeper rows).
    pub skipped: u32,
    /// Their total width (0..1).
    pub skipped_width: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlameLayout {
    pub zoom: NodeId,
    /// Rows of the whole zoomed view (deepest depth + 1), whether laid out or
    /// not: the canvas height in rows.
    pub row_count: u32,
    /// Depth of `rows[0]`.
    pub first_depth: u32,
    pub rows: Vec<FlameRow>,
}

impl FlameLayout {
    pub fn row(&self, depth: u32) -> Option<&FlameRow> {
        self.rows.get(depth.checked_sub(self.first_depth)? as usize)
    }

    pub fn box_count(&self) -> usize {
        self.rows.iter().map(|r| r.boxes.len()).sum()
    }
}

/// Lays out the tree (or the zoomed subtree) for the given rows.
/// `matches`, indexed by node (see [`search`]), marks boxes as matched.
pub fn layout(tree: &FlameTree, opts: &LayoutOptions, matches: Option<&[bool]>) -> FlameLayout {
    let z = if tree.is_node(opts.zoom) {
        opts.zoom
    } else {
        ROOT
    };
    if tree.is_empty() {
        return FlameLayout::default();
    }
    let zd = tree.depth(z);
    let row_count = tree.max_depth(z).saturating_add(1);
    let first = opts.first_depth.min(row_count);
    let end = opts
        .end_depth
        .map_or(row_count, |e| e.min(row_count))
        .max(first);
    let mut out = FlameLayout {
        zoom: z,
        row_count,
        first_depth: first,
        rows: (first..end)
            .map(|depth| FlameRow {
                depth,
                ..FlameRow::default()
            })
            .collect(),
    };
    if first == end {
        return out;
    }
    let matched = |n: NodeId| {
        matches
            .and_then(|m| m.get(n.index()))
            .copied()
            .unwrap_or(false)
    };

    // Ancestors of the zoomed node: full width above it.
    let mut up = tree.parent(z);
    while let Some(a) = up {
        let d = tree.depth(a);
        if d >= first && d < end {
            out.rows[(d - first) as usize].boxes.push(FlameBox {
                depth: d,
                node: a,
                x0: 0.0,
                x1: 1.0,
                matched: matched(a),
                ..FlameBox::default()
            });
        }
        up = tree.parent(a);
    }

    let base = tree.weight(z);
    let scale = if base > 0 { 1.0 / base as f64 } else { 0.0 };
    let min_width = opts.min_width.max(0.0);
    // cursor[r]: where the next box at depth zd + r starts.
    let mut cursor = vec![0.0f64; (end - zd) as usize + 1];
    let stop = tree.end(z);
    let mut i = z;
    while i < stop {
        let d = tree.depth(i);
        let r = (d - zd) as usize;
        let w = if i == z {
            1.0
        } else {
            tree.weight(i) as f64 * scale
        };
        let x0 = cursor[r];
        cursor[r] = x0 + w;
        if w <= 0.0 || w < min_width {
            if d >= first {
                let row = &mut out.rows[(d - first) as usize];
                row.skipped += 1;
                row.skipped_width += w;
            }
            i = tree.end(i);
            continue;
        }
        if d >= first {
            let x1 = (x0 + w).min(1.0);
            out.rows[(d - first) as usize].boxes.push(FlameBox {
                depth: d,
                node: i,
                x0,
                x1,
                matched: matched(i),
                ..FlameBox::default()
            });
        }
        if d + 1 >= end {
            i = tree.end(i);
            continue;
        }
        cursor[r + 1] = x0 + tree.self_weight(i) as f64 * scale;
        // Its first child, if any, is next in preorder.
        i = NodeId::new(i.get() + 1);
    }
    out
}

/// What a search found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchSummary {
    pub pattern: String,
    /// Matching nodes in the whole tree.
    pub matches: u32,
    /// Matching nodes with no matching ancestor.
    pub outermost: u32,
    /// Value covered, nested matches counted once.
    pub value: i64,
    /// Share of the whole tree's weight covered (0..1).
    pub share: f64,
    /// Share of the zoomed node's weight covered (1 when an ancestor of the
    /// zoomed node matches).
    pub share_of_zoom: f64,
}

/// Matches `re` against every node's full function name. Returns a mask
/// indexed by node (for [`layout`]) and the summary, with the share of the
/// total and of the subtree of `zoom`.
pub fn search(
    tree: &FlameTree,
    profile: &Profile,
    pattern: &Pattern,
    zoom: NodeId,
) -> (Vec<bool>, SearchSummary) {
    // Names repeat across call paths and frames: match each string once.
    let mut memo = vec![0u8; profile.strings.len()];
    let sel = tree.select_by_name(ROOT, |name| {
        let Some(m) = memo.get_mut(name.index()) else {
            return false;
        };
        if *m == 0 {
            let s = profile.str(name);
            *m = if pattern.is_match(s) { 2 } else { 1 };
        }
        *m == 2
    });
    let mut mask = vec![false; tree.len()];
    for &n in &sel.nodes {
        mask[n.index()] = true;
    }
    let root_w = if tree.is_empty() {
        0
    } else {
        tree.weight(ROOT)
    };
    let share = if root_w > 0 {
        sel.weight as f64 / root_w as f64
    } else {
        0.0
    };
    let z = if tree.is_node(zoom) { zoom } else { ROOT };
    let zw = tree.weight(z);
    let ancestor_matches = tree.path(z).iter().any(|a| mask[a.index()]);
    let share_of_zoom = if ancestor_matches {
        1.0
    } else if zw > 0 {
        let w = sel
            .outermost
            .iter()
            .filter(|&&n| tree.in_subtree(n, z))
            .fold(0, |w, &n| add_weight(w, tree.weight(n)));
        w as f64 / zw as f64
    } else {
        0.0
    };
    let summary = SearchSummary {
        pattern: pattern.as_str().to_string(),
        matches: sel.nodes.len() as u32,
        outermost: sel.outermost.len() as u32,
        value: sel.value,
        share,
        share_of_zoom,
    };
    (mask, summary)
}

/// The full display name of a node: the function name, `root`, or the
/// address of an unsymbolised frame.
pub fn node_name(tree: &FlameTree, profile: &Profile, node: NodeId) -> String {
    if node == ROOT || !tree.is_node(node) {
        return "root".to_string();
    }
    let name = profile.str(tree.name(node));
    if name.is_empty() {
        format!("{:#x}", tree.address(node))
    } else {
        name.to_string()
    }
}

/// Everything the tooltip and the painter need about one node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeDetails {
    pub node: NodeId,
    pub depth: u32,
    pub name: String,
    /// Label candidates, longest first.
    pub labels: Vec<String>,
    pub file: String,
    /// A representative line (of the first frame merged into the node); 0
    /// when unknown.
    pub line: i64,
    pub inlined: bool,
    pub self_value: i64,
    pub total: i64,
    /// `total` over the root's total.
    pub share: f64,
    pub package: String,
    /// 0xRRGGBB on a light and on a dark background.
    pub color: u32,
    pub color_dark: u32,
}

/// Details of `node`, or `None` if there is no such node.
pub fn describe(tree: &FlameTree, profile: &Profile, node: NodeId) -> Option<NodeDetails> {
    if !tree.is_node(node) {
        return None;
    }
    let name = node_name(tree, profile, node);
    let symbolised = node != ROOT && !profile.str(tree.name(node)).is_empty();
    let package = if symbolised {
        color::package_name(&name).to_string()
    } else {
        String::new()
    };
    let root_total = tree.root_total();
    Some(NodeDetails {
        node,
        depth: tree.depth(node),
        labels: if symbolised {
            labels(&name)
        } else {
            vec![name.clone()]
        },
        name,
        file: profile.str(tree.file(node)).to_string(),
        line: tree.line(node),
        inlined: tree.inlined(node),
        self_value: tree.self_value(node),
        total: tree.total(node),
        share: if root_total != 0 {
            tree.total(node) as f64 / root_total as f64
        } else {
            0.0
        },
        color: color::package_color(&package, false),
        color_dark: color::package_color(&package, true),
        package,
    })
}
