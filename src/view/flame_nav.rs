//! Keyboard moves through a flame graph: which box the focus box goes to
//! for an arrow key, and which search match `n` and `N` step to.
//!
//! Moves are over the scene the page holds (the boxes of the current zoom
//! at least a pixel wide), not the tree in the worker: what the keys reach
//! is what the eye sees, and a move needs no round trip. Geometry decides
//! kinship: a box's parent is the box on the row above over its middle, its
//! children the boxes on the row below inside it (the first, on the left,
//! is the heaviest, as the tree orders children), its neighbours the boxes
//! before and after it on its row, whatever their parents.

use crate::analysis::flame::NodeId;
use crate::view::flame_scene::{hit_test, FlameBox, FlameScene};

/// An arrow key's move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Up: the caller.
    Parent,
    /// Down: the first (heaviest) callee.
    Child,
    /// Left: the box before on the same row.
    Prev,
    /// Right: the box after on the same row.
    Next,
}

/// The index in `scene.boxes` of `node`'s box, if it is shown.
pub fn box_of(scene: &FlameScene, node: NodeId) -> Option<usize> {
    scene.boxes.iter().position(|b| b.node == node)
}

/// Where the focus starts: the zoomed node's box (the root's unzoomed).
pub fn home(scene: &FlameScene) -> Option<NodeId> {
    scene
        .breadcrumb
        .last()
        .and_then(|&(n, _)| box_of(scene, n))
        .or((!scene.boxes.is_empty()).then_some(0))
        .map(|i| scene.boxes[i].node)
}

/// The box `m` moves to from `from`'s box; `None` at an edge (no caller
/// above the root, no callee under a leaf, nothing past a row's end) or
/// when `from` is not shown.
pub fn step(scene: &FlameScene, from: NodeId, m: Move) -> Option<NodeId> {
    let i = box_of(scene, from)?;
    let b = &scene.boxes[i];
    let same_row = |j: usize| scene.boxes.get(j).filter(|o| o.depth == b.depth);
    let to = match m {
        Move::Parent => hit_test(scene, mid(b), b.depth.checked_sub(1)?),
        Move::Child => {
            let row = b.depth + 1;
            let boxes = &scene.boxes;
            let j = boxes.partition_point(|o| o.depth < row || (o.depth == row && mid(o) < b.x0));
            boxes.get(j).filter(|o| o.depth == row && mid(o) < b.x1)
        }
        Move::Prev => same_row(i.checked_sub(1)?),
        Move::Next => same_row(i + 1),
    };
    to.map(|o| o.node)
}

fn mid(b: &FlameBox) -> f64 {
    (b.x0 + b.x1) / 2.0
}

/// The search match after (`forward`) or before `from`, in the order a
/// reader meets them: left to right, a caller before its callees (the
/// tree's preorder); wrapping around at the ends. From no box, or a box
/// that is no match, the first match past its place. `None` when no shown
/// box matches.
pub fn step_match(scene: &FlameScene, from: Option<NodeId>, forward: bool) -> Option<NodeId> {
    let key = |b: &FlameBox| (b.x0, b.depth);
    let mut matches: Vec<&FlameBox> = scene.boxes.iter().filter(|b| b.matched).collect();
    crate::sort::sort_by(&mut matches, &mut |a, b| {
        key(a)
            .partial_cmp(&key(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let here = from
        .and_then(|n| box_of(scene, n))
        .map(|i| key(&scene.boxes[i]));
    let pick = match (here, forward) {
        (None, true) => matches.first(),
        (None, false) => matches.last(),
        (Some(k), true) => matches.iter().find(|b| key(b) > k).or(matches.first()),
        (Some(k), false) => matches.iter().rev().find(|b| key(b) < k).or(matches.last()),
    };
    pick.map(|b| b.node)
}

/// What a screen reader hears for a box: its name, total and self with
/// their shares of the total, and the unit's words.
pub fn announce(scene: &FlameScene, b: &FlameBox) -> String {
    use crate::measurement::{label, percentage};
    let pct = |v: i64| percentage(v, scene.total).trim().to_string();
    format!(
        "{}: total {} ({}), self {} ({})",
        b.name,
        label(b.total, &scene.unit),
        pct(b.total),
        label(b.self_value, &scene.unit),
        pct(b.self_value)
    )
}
