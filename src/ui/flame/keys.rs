//! The flame graph's keys, on its focused canvas: arrows move the focus
//! box, Enter zooms to it, Backspace goes up one zoom level, `n` / `N`
//! step through search matches, `s` opens the focused function's sandwich.
//! Where each key goes is [`crate::view::flame_nav`]'s; this only wires it.

use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::{NodeId, Scene};
use crate::view::flame_nav::{self, Move};

/// What the keys act on.
pub struct Keys {
    pub scene: Option<Scene>,
    /// The focus box as shown (already fallen back to the home box).
    pub focus: Option<NodeId>,
    pub set_focus: Callback<NodeId>,
    pub on_zoom: Callback<Option<NodeId>>,
    /// A search step found no match in view while zoomed: zoom out, then
    /// take the step (forward or not) on the next scene.
    pub on_step_later: Callback<bool>,
    pub on_sandwich: Option<Callback<String>>,
}

impl Keys {
    /// Handles `e`; returns whether it was the graph's (and so consumed).
    pub fn handle(&self, e: &KeyboardEvent) -> bool {
        if e.ctrl_key() || e.meta_key() || e.alt_key() {
            return false;
        }
        let Some(scene) = self.scene.as_ref() else {
            return false;
        };
        let arrow = match e.key().as_str() {
            "ArrowUp" => Some(Move::Parent),
            "ArrowDown" => Some(Move::Child),
            "ArrowLeft" => Some(Move::Prev),
            "ArrowRight" => Some(Move::Next),
            _ => None,
        };
        if let Some(m) = arrow {
            if let Some(n) = self.focus.and_then(|f| flame_nav::step(scene, f, m)) {
                self.set_focus.emit(n);
            }
            return true;
        }
        match e.key().as_str() {
            "Enter" => {
                if let Some(f) = self.focus {
                    self.on_zoom.emit(zoom_target(scene, f));
                }
            }
            "Backspace" => self.on_zoom.emit(zoom_up(scene)),
            k @ ("n" | "N") => {
                let forward = k == "n";
                match flame_nav::step_match(scene, self.focus, forward) {
                    Some(n) => self.set_focus.emit(n),
                    None if scene.breadcrumb.len() > 1
                        && scene.search.as_ref().is_some_and(|s| s.matches > 0) =>
                    {
                        self.on_step_later.emit(forward)
                    }
                    None => {}
                }
            }
            "s" => match (&self.on_sandwich, self.focused_name()) {
                (Some(cb), Some(name)) => cb.emit(name),
                _ => return false,
            },
            _ => return false,
        }
        true
    }

    /// The focused box's function, unless it is the root (no function).
    pub fn focused_name(&self) -> Option<String> {
        let scene = self.scene.as_ref()?;
        let b = &scene.boxes[flame_nav::box_of(scene, self.focus?)?];
        (b.depth > 0).then(|| b.name.clone())
    }
}

/// The zoom that shows `node` at full width (`None`: the root's).
fn zoom_target(scene: &Scene, node: NodeId) -> Option<NodeId> {
    let root = scene.breadcrumb.first().map(|&(n, _)| n);
    (Some(node) != root).then_some(node)
}

/// One zoom level up from the scene's: the zoomed node's parent.
pub fn zoom_up(scene: &Scene) -> Option<NodeId> {
    let b = &scene.breadcrumb;
    if b.len() > 2 {
        Some(b[b.len() - 2].0)
    } else {
        None
    }
}
