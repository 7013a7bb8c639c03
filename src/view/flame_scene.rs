//! What the page draws for one view of the flame graph: boxes on a 0..1
//! scale of the zoomed width, with their colours, label candidates and
//! tooltip facts, built from the flame tree by [`flame_scene`]; and which
//! box is at a point of it ([`hit_test`]).

use serde::{Deserialize, Serialize};

use crate::analysis::flame::{FlameTree, NodeId, ROOT};
use crate::model::Profile;
use crate::pattern::Pattern;
use crate::view::flame_layout::{self, LayoutOptions};

/// A flame graph box: geometry on a 0..1 scale of the (zoomed) width, set
/// by [`flame_layout::layout`], and what the page draws and the tooltip
/// shows, set by [`flame_scene`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlameBox {
    pub depth: u32,
    pub x0: f64,
    pub x1: f64,
    /// Flame tree node id (for zoom).
    pub node: NodeId,
    /// 0xRRGGBB, stable per Go package.
    pub color: u32,
    /// The full function name: the first label candidate, and the tooltip's.
    pub name: String,
    /// Shorter label candidates, longest first; the painter picks the first
    /// of `name` and these that fits (the name is not repeated here, as it
    /// would be in every box of the message).
    pub labels: Vec<String>,
    /// `file:line` where known.
    pub file: String,
    pub self_value: i64,
    pub total: i64,
    pub matched: bool,
    /// When comparing: the same call path's total in the base profile
    /// (`total` is the new profile's); see [`crate::view::flame_diff`].
    pub base: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub pattern: String,
    /// Share of the total covered by matching boxes, nested matches counted once.
    pub share: f64,
    pub matches: u32,
}

/// What the flame graph shows for the current zoom.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlameScene {
    /// By row, then left to right (boxes of a row never overlap): what
    /// [`hit_test`] searches.
    pub boxes: Vec<FlameBox>,
    /// Deepest row present.
    pub depth: u32,
    /// The profile's total (100%) and its unit, for the tooltip.
    pub total: i64,
    pub unit: String,
    /// Path from the root to the zoomed node: (node id, name).
    pub breadcrumb: Vec<(NodeId, String)>,
    /// The zoomed node as child indices from the root
    /// ([`FlameTree::child_path`]): what the page's URL keeps of a zoom.
    pub zoom_path: Vec<u32>,
    pub search: Option<SearchResult>,
    /// When comparing: the base profile's total; boxes are then coloured by
    /// their change and the page shows the legend.
    pub base_total: Option<i64>,
    /// When comparing: the boxes are the base's tree, sized by the base
    /// (each box's `base` and `self_value` are the base's, `total` the
    /// new profile's), so the paths the new profile lost still show.
    pub sized_by_base: bool,
}

/// The scene for the tree under `zoom` (the root when it is not a node),
/// keeping boxes at least one pixel wide at `width_px`, with the matches of
/// `search` marked.
pub fn flame_scene(
    tree: &FlameTree,
    profile: &Profile,
    zoom: Option<NodeId>,
    width_px: u32,
    search: Option<&Pattern>,
    dark: bool,
) -> FlameScene {
    let zoom = zoom.filter(|&z| tree.is_node(z)).unwrap_or(ROOT);
    let (matches, search) = match search {
        None => (None, None),
        Some(pattern) => {
            let (m, s) = flame_layout::search(tree, profile, pattern, zoom);
            (
                Some(m),
                Some(SearchResult {
                    pattern: s.pattern,
                    share: s.share,
                    matches: s.matches,
                }),
            )
        }
    };
    let lo = LayoutOptions {
        zoom,
        min_width: 1.0 / f64::from(width_px.max(1)),
        ..LayoutOptions::default()
    };
    let layout = flame_layout::layout(tree, &lo, matches.as_deref());
    let row_count = layout.row_count;
    let mut boxes = Vec::with_capacity(layout.box_count());
    for b in layout.rows.into_iter().flat_map(|row| row.boxes) {
        let Some(d) = flame_layout::describe(tree, profile, b.node) else {
            continue;
        };
        boxes.push(FlameBox {
            color: if b.node == ROOT {
                if dark {
                    0x57606a
                } else {
                    0xc9d1d9
                }
            } else if dark {
                d.color_dark
            } else {
                d.color
            },
            // describe's first candidate is the name itself.
            labels: d.labels.into_iter().skip(1).collect(),
            name: d.name,
            file: match (d.file.is_empty(), d.line) {
                (true, _) => String::new(),
                (false, 0) => d.file,
                (false, l) => format!("{}:{l}", d.file),
            },
            self_value: d.self_value,
            total: d.total,
            ..b
        });
    }
    let breadcrumb = tree
        .path(zoom)
        .into_iter()
        .map(|n| (n, flame_layout::node_name(tree, profile, n)))
        .collect();
    let st = profile
        .sample_types
        .get(tree.sample_index())
        .copied()
        .unwrap_or_default();
    FlameScene {
        boxes,
        depth: row_count.saturating_sub(1),
        total: tree.root_total(),
        unit: profile.str(st.unit).to_string(),
        breadcrumb,
        zoom_path: tree.child_path(zoom),
        search,
        base_total: None,
        sized_by_base: false,
    }
}

/// The box at `x` (0..1 of the zoomed width) on row `row` (a depth), if
/// any. Pure geometry on the scene: the page turns its pixels into `x` and
/// a row first (`render::Viewport::locate`). A box spans `x0 <= x < x1`,
/// so a point is in at most one box, and the gap left for a node's self
/// value is in none.
pub fn hit_test(scene: &FlameScene, x: f64, row: u32) -> Option<&FlameBox> {
    let boxes = &scene.boxes;
    let i = boxes.partition_point(|b| b.depth < row || (b.depth == row && b.x1 <= x));
    let b = boxes.get(i)?;
    (b.depth == row && b.x0 <= x && x < b.x1).then_some(b)
}
