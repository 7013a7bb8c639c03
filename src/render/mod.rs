//! Painting the flame graph.
//!
//! [`draw_flame`] turns a [`FlameScene`] (boxes on a 0..1 scale, as the
//! worker lays them out) into drawing calls on a [`Painter`]. The canvas
//! implementation lives in `canvas.rs` (wasm only); [`RecordingPainter`]
//! records the calls so tests can check what would be drawn, natively.
//! [`draw_focus`] outlines the box the keyboard is on.
//! Hit testing is the view's ([`crate::view::flame_scene::hit_test`]), on
//! the 0..1 scale; [`Viewport::locate`] turns pixels into that. [`svg`]
//! writes the same boxes and labels as an SVG document.
//!
//! A graph drawn [`Viewport::inverted`] (a sandwich's callers) has its row
//! 0 at the bottom, growing upward; the scene is the same, only the rows'
//! y changes, so hover and zoom go through the same hit test.

#[cfg(target_arch = "wasm32")]
pub mod canvas;
pub mod svg;

use crate::protocol::{FlameBox, FlameScene, NodeId};
use crate::view::color;

/// Height of one flame row in CSS pixels.
pub const ROW_HEIGHT: f64 = 18.0;
/// Boxes narrower than this (CSS pixels) are not drawn at all.
pub const MIN_BOX_PX: f64 = 0.5;
/// Boxes narrower than this get no label.
const MIN_LABEL_PX: f64 = 24.0;
const TEXT_PAD: f64 = 4.0;
/// The labels' font, on the canvas and in an SVG export.
pub const FONT: &str = "12px system-ui, -apple-system, Roboto, sans-serif";

/// What a flame graph needs from a 2D canvas.
pub trait Painter {
    fn clear(&mut self, width: f64, height: f64, color: &str);
    fn fill_rect(&mut self, x: f64, y: f64, w: f64, h: f64, color: &str);
    /// Width of `text` in CSS pixels with the current font.
    fn text_width(&mut self, text: &str) -> f64;
    fn fill_text(&mut self, text: &str, x: f64, y: f64, color: &str);
}

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub background: &'static str,
    /// Labels on the theme's package colours.
    pub text: &'static str,
    /// Labels on boxes where `text` reads worse (a comparison's far ends).
    pub alt_text: &'static str,
    pub dim_text: &'static str,
    pub highlight: &'static str,
    /// The keyboard's focus box outline.
    pub focus: &'static str,
    pub dark: bool,
}

impl Theme {
    pub fn light() -> Theme {
        Theme {
            background: "#ffffff",
            text: "#1f2328",
            alt_text: "#ffffff",
            dim_text: "#656d76",
            highlight: "#d6336c",
            focus: "#1f2328",
            dark: false,
        }
    }

    pub fn dark() -> Theme {
        Theme {
            background: "#0d1117",
            text: "#e6edf3",
            alt_text: "#0d1117",
            dim_text: "#8b949e",
            highlight: "#f783ac",
            focus: "#ffffff",
            dark: true,
        }
    }
}

/// The visible part of the graph, in CSS pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Viewport {
    pub width: f64,
    pub height: f64,
    /// Vertical scroll: first visible y in graph coordinates.
    pub scroll_y: f64,
    /// For a graph that grows upward, its deepest row (the scene's
    /// `depth`): row 0 is drawn last, at the bottom, and a graph shorter
    /// than the viewport sits on its bottom edge.
    pub inverted: Option<u32>,
}

impl Viewport {
    /// The empty band above an inverted graph shorter than the viewport.
    fn pad(&self, deepest: u32) -> f64 {
        (self.height - (f64::from(deepest) + 1.0) * ROW_HEIGHT).max(0.0)
    }

    /// The y of the top of row `depth` on the canvas (CSS pixels).
    pub fn row_top(&self, depth: u32) -> f64 {
        match self.inverted {
            None => f64::from(depth) * ROW_HEIGHT - self.scroll_y,
            Some(deep) => {
                self.pad(deep) + f64::from(deep.saturating_sub(depth)) * ROW_HEIGHT - self.scroll_y
            }
        }
    }

    /// Where a point of the canvas (CSS pixels) is in the scene: x on the
    /// 0..1 scale and the row, for [`crate::view::flame_scene::hit_test`];
    /// `None` left or right of the canvas or outside the graph's rows.
    pub fn locate(&self, x: f64, y: f64) -> Option<(f64, u32)> {
        if x < 0.0 || x >= self.width || y < 0.0 {
            return None;
        }
        let row = match self.inverted {
            None => ((y + self.scroll_y) / ROW_HEIGHT).floor() as u32,
            Some(deep) => {
                let from_top = y + self.scroll_y - self.pad(deep);
                if from_top < 0.0 {
                    return None;
                }
                deep.checked_sub((from_top / ROW_HEIGHT).floor() as u32)?
            }
        };
        Some((x / self.width, row))
    }
}

/// A box as drawn: its index in the scene, fill and place in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Placed {
    fill: u32,
    i: usize,
    x: f64,
    y: f64,
    w: f64,
}

/// The boxes of `scene` that intersect `vp`, in scene order.
fn place(scene: &FlameScene, vp: Viewport, theme: &Theme) -> Vec<Placed> {
    let first_row = (vp.scroll_y / ROW_HEIGHT).floor().max(0.0) as u32;
    let last_row = ((vp.scroll_y + vp.height) / ROW_HEIGHT).ceil() as u32;
    let in_view = |depth: u32| match vp.inverted {
        None => depth >= first_row && depth <= last_row,
        Some(_) => {
            let y = vp.row_top(depth);
            y + ROW_HEIGHT > 0.0 && y < vp.height
        }
    };
    let searching = scene.search.is_some();
    let mut shown = Vec::new();
    for (i, b) in scene.boxes.iter().enumerate() {
        if !in_view(b.depth) {
            continue;
        }
        let x = b.x0 * vp.width;
        let w = (b.x1 - b.x0) * vp.width;
        if w < MIN_BOX_PX {
            continue;
        }
        let fill = if searching && !b.matched {
            dim(b.color, theme.dark)
        } else {
            b.color & 0xff_ffff
        };
        shown.push(Placed {
            fill,
            i,
            x,
            y: vp.row_top(b.depth),
            w,
        });
    }
    shown
}

/// A box's drawn width: a 1px gap between boxes keeps neighbours apart.
fn rect_width(w: f64) -> f64 {
    (w - if w > 3.0 { 1.0 } else { 0.0 }).max(0.5)
}

/// Draws the boxes that intersect the viewport. Returns how many were drawn.
///
/// Boxes never overlap, so they are drawn by colour, then the underlines,
/// then the labels by text colour: a canvas parses the fill style on every
/// change, and box by box (box colour, text colour, next box's colour)
/// those parses would take most of a frame's time.
pub fn draw_flame(p: &mut dyn Painter, scene: &FlameScene, vp: Viewport, theme: &Theme) -> usize {
    p.clear(vp.width, vp.height, theme.background);
    let searching = scene.search.is_some();
    let mut shown = place(scene, vp, theme);
    // By colour, then in scene order: the same calls for the same scene.
    shown.sort_unstable_by_key(|b| (b.fill, b.i));
    let mut style = (u32::MAX, String::new());
    for b in &shown {
        if style.0 != b.fill {
            style = (b.fill, rgb(b.fill));
        }
        p.fill_rect(b.x, b.y, rect_width(b.w), ROW_HEIGHT - 1.0, &style.1);
    }
    if searching {
        for b in &shown {
            if scene.boxes[b.i].matched {
                p.fill_rect(
                    b.x,
                    b.y + ROW_HEIGHT - 3.0,
                    b.w.max(1.0),
                    2.0,
                    theme.highlight,
                );
            }
        }
    }
    // Labels grouped by colour, as the boxes are: the theme's text, its
    // alternative or black or white where they read better (see
    // `color::text_on`), and the dimmed text.
    for (k, color) in label_colors(theme).iter().enumerate() {
        for s in &shown {
            let b = &scene.boxes[s.i];
            if s.w < MIN_LABEL_PX || label_color(theme, s.fill, searching && !b.matched) != k {
                continue;
            }
            if let Some(label) = fit_label(p, b, s.w - 2.0 * TEXT_PAD) {
                p.fill_text(&label, s.x + TEXT_PAD, s.y + ROW_HEIGHT - 5.0, color);
            }
        }
    }
    shown.len()
}

/// The label colours, by [`label_color`]'s index: a canvas parses each
/// fill style it is given, so labels are drawn grouped by these.
fn label_colors(theme: &Theme) -> [&'static str; 5] {
    [
        theme.text,
        theme.alt_text,
        "#000000",
        "#ffffff",
        theme.dim_text,
    ]
}

/// Which of [`label_colors`] a box filled with `fill` gets.
fn label_color(theme: &Theme, fill: u32, dimmed: bool) -> usize {
    if dimmed {
        return 4;
    }
    let c = color::text_on(fill, hex(theme.text), hex(theme.alt_text));
    label_colors(theme)
        .iter()
        .position(|&l| hex(l) == c)
        .unwrap_or(0)
}

/// The label colour a box filled with `fill` gets, as 0xRRGGBB (what the
/// contrast test checks against the fill).
pub fn label_rgb(theme: &Theme, fill: u32, dimmed: bool) -> u32 {
    hex(label_colors(theme)[label_color(theme, fill, dimmed)])
}

/// The faded fill of a box a search does not match.
pub fn dimmed_fill(fill: u32, dark: bool) -> u32 {
    dim(fill, dark)
}

fn hex(css: &str) -> u32 {
    u32::from_str_radix(css.trim_start_matches('#'), 16).unwrap_or(0)
}

/// Outlines `node`'s box, the keyboard's focus, when it is in view: a
/// 2px frame inside the box, in four bars as the painter has no stroke.
pub fn draw_focus(
    p: &mut dyn Painter,
    scene: &FlameScene,
    vp: Viewport,
    node: NodeId,
    theme: &Theme,
) {
    let Some(b) = scene.boxes.iter().find(|b| b.node == node) else {
        return;
    };
    let (x, w) = (b.x0 * vp.width, ((b.x1 - b.x0) * vp.width).max(4.0));
    let (y, h) = (vp.row_top(b.depth), ROW_HEIGHT - 1.0);
    let t = 2.0;
    p.fill_rect(x, y, w, t, theme.focus);
    p.fill_rect(x, y + h - t, w, t, theme.focus);
    p.fill_rect(x, y, t, h, theme.focus);
    p.fill_rect(x + w - t, y, t, h, theme.focus);
}

/// The longest label candidate that fits `room` pixels, else the shortest one
/// cut with an ellipsis, else nothing.
fn fit_label(p: &mut dyn Painter, b: &FlameBox, room: f64) -> Option<String> {
    for cand in std::iter::once(&b.name).chain(&b.labels) {
        if p.text_width(cand) <= room {
            return Some(cand.clone());
        }
    }
    // The longest prefix of the shortest candidate that fits with an
    // ellipsis, by bisection: a few strings sized, not one per character
    // dropped.
    let short = b.labels.last().unwrap_or(&b.name);
    if short.is_empty() {
        return None;
    }
    let ends: Vec<usize> = short.char_indices().map(|(i, _)| i).skip(1).collect();
    let cut = |k: usize| format!("{}…", &short[..ends[k - 1]]);
    // Prefixes of 1..=ends.len() characters; find the longest that fits.
    let (mut lo, mut hi) = (0, ends.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if p.text_width(&cut(mid)) <= room {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    (lo > 0).then(|| cut(lo))
}

/// Height of the whole graph in CSS pixels.
pub fn graph_height(scene: &FlameScene) -> f64 {
    (scene.depth as f64 + 1.0) * ROW_HEIGHT
}

fn rgb(c: u32) -> String {
    format!("#{:06x}", c & 0xff_ffff)
}

/// A faded version of a colour (three parts background grey to one part
/// colour), for boxes that do not match a search.
fn dim(c: u32, dark: bool) -> u32 {
    let (r, g, b) = ((c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff);
    let base = if dark { 40u32 } else { 235u32 };
    let mix = |v: u32| (v + base * 3) / 4;
    mix(r) << 16 | mix(g) << 8 | mix(b)
}

/// Records drawing calls, with text 7 px per character.
#[derive(Default, Debug)]
pub struct RecordingPainter {
    pub log: Vec<String>,
}

impl Painter for RecordingPainter {
    fn clear(&mut self, width: f64, height: f64, color: &str) {
        self.log.push(format!("clear {width}x{height} {color}"));
    }
    fn fill_rect(&mut self, x: f64, y: f64, w: f64, h: f64, color: &str) {
        self.log
            .push(format!("rect {x:.1},{y:.1} {w:.1}x{h:.1} {color}"));
    }
    fn text_width(&mut self, text: &str) -> f64 {
        text.chars().count() as f64 * 7.0
    }
    fn fill_text(&mut self, text: &str, x: f64, y: f64, color: &str) {
        self.log
            .push(format!("text {text:?} {x:.1},{y:.1} {color}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fbox(depth: u32, x0: f64, x1: f64, node: u32, labels: &[&str]) -> FlameBox {
        FlameBox {
            depth,
            x0,
            x1,
            node: crate::protocol::NodeId::new(node),
            color: 0x336699,
            name: labels.first().map(|s| s.to_string()).unwrap_or_default(),
            labels: labels.iter().skip(1).map(|s| s.to_string()).collect(),
            file: String::new(),
            self_value: 0,
            total: 0,
            matched: false,
            base: None,
        }
    }

    fn scene() -> FlameScene {
        FlameScene {
            boxes: vec![
                fbox(0, 0.0, 1.0, 0, &["root"]),
                fbox(
                    1,
                    0.0,
                    0.75,
                    1,
                    &["net/http.(*conn).serve", "http.(*conn).serve", "serve"],
                ),
                fbox(1, 0.75, 0.7501, 2, &["tiny"]),
                fbox(2, 0.0, 0.1, 3, &["main.handler", "handler"]),
            ],
            depth: 2,
            ..FlameScene::default()
        }
    }

    #[test]
    fn draws_visible_boxes_with_fitting_labels() {
        let mut p = RecordingPainter::default();
        let n = draw_flame(
            &mut p,
            &scene(),
            Viewport {
                width: 200.0,
                height: 100.0,
                scroll_y: 0.0,
                inverted: None,
            },
            &Theme::light(),
        );
        assert_eq!(n, 3, "the 0.02px box is skipped");
        let texts: Vec<&String> = p.log.iter().filter(|l| l.starts_with("text")).collect();
        // 150px wide box: "http.(*conn).serve" (18 chars = 126px) fits in 142px, the long name does not.
        assert!(
            texts.iter().any(|t| t.contains("\"http.(*conn).serve\"")),
            "{texts:?}"
        );
        // The 20px box is too narrow for any label.
        assert!(!texts.iter().any(|t| t.contains("handler")), "{texts:?}");
        assert_eq!(p.log[0], "clear 200x100 #ffffff");
    }

    #[test]
    fn only_rows_in_view_are_drawn() {
        let mut p = RecordingPainter::default();
        let n = draw_flame(
            &mut p,
            &scene(),
            Viewport {
                width: 200.0,
                height: 10.0,
                scroll_y: 40.0,
                inverted: None,
            },
            &Theme::light(),
        );
        assert_eq!(n, 1, "only depth 2 is in view");
    }

    #[test]
    fn hit_testing_finds_the_box_under_the_pointer() {
        let s = scene();
        let vp = Viewport {
            width: 200.0,
            height: 100.0,
            scroll_y: 0.0,
            inverted: None,
        };
        let node = |x, y| {
            let (x, row) = vp.locate(x, y)?;
            crate::view::flame_scene::hit_test(&s, x, row).map(|b| b.node.get())
        };
        assert_eq!(node(10.0, 5.0), Some(0));
        assert_eq!(node(10.0, 20.0), Some(1));
        assert_eq!(node(190.0, 20.0), None);
        assert_eq!(node(10.0, 40.0), Some(3));
        assert_eq!(node(10.0, 80.0), None);
        assert_eq!(
            (node(-1.0, 5.0), node(200.0, 5.0), node(10.0, -1.0)),
            (None, None, None)
        );
        // Scrolled down a row: the same point is one row deeper.
        let scrolled = Viewport {
            scroll_y: ROW_HEIGHT,
            ..vp
        };
        assert_eq!(scrolled.locate(10.0, 5.0), Some((0.05, 1)));
    }

    #[test]
    fn labels_too_long_are_cut_with_an_ellipsis() {
        let label = |width: f64, name: &str| {
            let s = FlameScene {
                boxes: vec![fbox(0, 0.0, width / 1000.0, 0, &[name])],
                ..FlameScene::default()
            };
            let mut p = RecordingPainter::default();
            draw_flame(
                &mut p,
                &s,
                Viewport {
                    width: 1000.0,
                    height: 100.0,
                    ..Viewport::default()
                },
                &Theme::light(),
            );
            p.log
                .iter()
                .find(|l| l.starts_with("text"))
                .map(|l| l.split('"').nth(1).unwrap().to_string())
        };
        // Room 92 px at 7 px a character: 12 characters and the ellipsis.
        assert_eq!(
            label(100.0, "abcdefghijklmnopqrstuvwxyz").as_deref(),
            Some("abcdefghijkl…")
        );
        assert_eq!(
            label(100.0, "éééééééééééééééééééé").as_deref(),
            Some("éééééééééééé…")
        );
        assert_eq!(label(100.0, "short").as_deref(), Some("short"));
        // Room 16 px: one character and the ellipsis is 14 px.
        assert_eq!(label(24.0, "abcdef").as_deref(), Some("a…"));
    }

    #[test]
    fn boxes_are_drawn_by_colour_then_labels() {
        // Ten boxes in one row whose colours alternate.
        let boxes = (0..10)
            .map(|i| FlameBox {
                color: if i % 2 == 0 { 0x112233 } else { 0x445566 },
                ..fbox(0, i as f64 / 10.0, (i + 1) as f64 / 10.0, i, &["f"])
            })
            .collect();
        let s = FlameScene {
            boxes,
            ..FlameScene::default()
        };
        let mut p = RecordingPainter::default();
        let n = draw_flame(
            &mut p,
            &s,
            Viewport {
                width: 1000.0,
                height: 100.0,
                scroll_y: 0.0,
                inverted: None,
            },
            &Theme::light(),
        );
        assert_eq!(n, 10);
        let colours: Vec<&str> = p
            .log
            .iter()
            .filter(|l| l.starts_with("rect"))
            .map(|l| l.rsplit(' ').next().unwrap())
            .collect();
        assert_eq!(colours.len(), 10);
        let changes = colours.windows(2).filter(|w| w[0] != w[1]).count();
        assert_eq!(
            changes, 1,
            "one style change between the two colours: {colours:?}"
        );
        let first_text = p.log.iter().position(|l| l.starts_with("text")).unwrap();
        let last_rect = p.log.iter().rposition(|l| l.starts_with("rect")).unwrap();
        assert!(last_rect < first_text, "labels go over every box");
        assert_eq!(p.log.iter().filter(|l| l.starts_with("text")).count(), 10);
    }

    #[test]
    fn search_dims_non_matches_and_underlines_matches() {
        let mut s = scene();
        s.search = Some(crate::protocol::SearchResult {
            pattern: "serve".into(),
            share: 0.75,
            matches: 1,
        });
        s.boxes[1].matched = true;
        let mut p = RecordingPainter::default();
        draw_flame(
            &mut p,
            &s,
            Viewport {
                width: 200.0,
                height: 100.0,
                scroll_y: 0.0,
                inverted: None,
            },
            &Theme::light(),
        );
        assert!(
            p.log.iter().any(|l| l.contains("#d6336c")),
            "match underlined"
        );
        assert!(
            p.log
                .iter()
                .any(|l| l.starts_with("rect 0.0,0.0") && !l.contains("#336699")),
            "root dimmed"
        );
    }
}
