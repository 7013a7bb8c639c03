//! A compared flame graph: boxes keep the new profile's sizes (or, on
//! request, the base's) and are coloured by how much each call path
//! changed against the base, on a
//! blue–orange diverging scale (ColorBrewer's PuOr family, readable with
//! the common colour-vision deficiencies, unlike red–green): orange grew,
//! blue shrank, grey stayed. The page draws the same scale as the legend.

use super::flame_scene::FlameScene;
use crate::analysis::flame::ROOT;

/// Grew the most: orange.
pub const GREW: u32 = 0xe66101;
/// Shrank the most: blue.
pub const SHRANK: u32 = 0x2166ac;
/// Unchanged, on a light and on a dark page.
pub const SAME_LIGHT: u32 = 0xd9d9d9;
pub const SAME_DARK: u32 = 0x4a4f57;

/// The change from `base` to `new` on -1..1: the delta over the larger of
/// the two, so a path that is new is 1 and one that is gone is -1.
pub fn change(base: i64, new: i64) -> f64 {
    let scale = base.unsigned_abs().max(new.unsigned_abs());
    if scale == 0 {
        return 0.0;
    }
    ((new as f64 - base as f64) / scale as f64).clamp(-1.0, 1.0)
}

/// The colour of a change on -1..1.
pub fn change_color(change: f64, dark: bool) -> u32 {
    let same = if dark { SAME_DARK } else { SAME_LIGHT };
    let end = if change >= 0.0 { GREW } else { SHRANK };
    // Small changes already show a tint: the square root lifts them.
    mix(same, end, change.abs().sqrt())
}

fn mix(a: u32, b: u32, t: f64) -> u32 {
    let ch = |c: u32, shift: u32| ((c >> shift) & 0xff) as f64;
    [16, 8, 0].iter().fold(0u32, |acc, &shift| {
        let v = ch(a, shift) + (ch(b, shift) - ch(a, shift)) * t;
        acc | ((v.round().clamp(0.0, 255.0) as u32) << shift)
    })
}

/// Marks `scene` (drawn from the new profile) with the base's totals per
/// node (`base_totals`, by node index, from
/// `analysis::flame::diff::base_totals`) and colours its boxes by change.
pub fn mark_changes(scene: &mut FlameScene, base_totals: &[i64], dark: bool) {
    scene.base_total = Some(base_totals.get(ROOT.index()).copied().unwrap_or(0));
    for b in &mut scene.boxes {
        let base = base_totals.get(b.node.index()).copied().unwrap_or(0);
        b.base = Some(base);
        b.color = change_color(change(base, b.total), dark);
    }
}

/// Marks `scene`, drawn from the base profile's tree (boxes sized by the
/// base), with the new profile's totals per node of that tree
/// (`new_totals`, from `base_totals` with the sides swapped): each box's
/// `base` becomes its drawn total and `total` the new one, so the tooltip
/// reads as in the mode sized by the new profile.
pub fn mark_changes_by_base(scene: &mut FlameScene, new_totals: &[i64], dark: bool) {
    scene.base_total = Some(scene.total);
    scene.total = new_totals.get(ROOT.index()).copied().unwrap_or(0);
    scene.sized_by_base = true;
    for b in &mut scene.boxes {
        let new = new_totals.get(b.node.index()).copied().unwrap_or(0);
        let base = std::mem::replace(&mut b.total, new);
        b.base = Some(base);
        b.color = change_color(change(base, new), dark);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_map_onto_the_diverging_scale() {
        assert_eq!(change(10, 10), 0.0);
        assert_eq!(change(0, 5), 1.0);
        assert_eq!(change(5, 0), -1.0);
        assert_eq!(change(10, 15), 5.0 / 15.0);
        assert_eq!(change(0, 0), 0.0);
        assert_eq!(change_color(0.0, false), SAME_LIGHT);
        assert_eq!(change_color(0.0, true), SAME_DARK);
        assert_eq!(change_color(1.0, false), GREW);
        assert_eq!(change_color(-1.0, true), SHRANK);
        let half = change_color(0.25, false);
        assert!(half != SAME_LIGHT && half != GREW, "{half:06x}");
    }
}
