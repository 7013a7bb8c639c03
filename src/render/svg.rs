//! The flame graph as a self-contained SVG document: the boxes the canvas
//! draws for the same scene, with the same colours, the same labels as
//! real `<text>` (so a browser's find and a text editor see the names), and
//! a `<title>` per box (its tooltip in a browser) with its name and values.
//!
//! Written by hand rather than with an SVG crate: the document is three
//! element kinds and XML escaping, and the page's wasm pays for every crate.
//! The whole graph is written, every row at the canvas's width, not only
//! the rows scrolled into view.

use std::fmt::Write;

use super::{fit_label, graph_height, label_color, label_colors, place, rect_width, rgb};
use super::{Painter, Theme, Viewport};
use super::{FONT, MIN_LABEL_PX, ROW_HEIGHT, TEXT_PAD};
use crate::measurement;
use crate::protocol::FlameScene;

/// The SVG of `scene` at `width` CSS pixels, every row, in `theme`'s
/// colours; upside down (row 0 at the bottom) when `inverted`. `measure`
/// sizes label text as the canvas does (only its `text_width` is called),
/// so the labels are the canvas's.
pub fn flame_svg(
    scene: &FlameScene,
    width: f64,
    theme: &Theme,
    inverted: bool,
    measure: &mut dyn Painter,
) -> String {
    let height = graph_height(scene);
    let vp = Viewport {
        width,
        height,
        scroll_y: 0.0,
        inverted: inverted.then_some(scene.depth),
    };
    let searching = scene.search.is_some();
    let (size, family) = FONT.split_once(' ').unwrap_or(("12px", FONT));
    let mut out = String::with_capacity(scene.boxes.len() * 160 + 512);
    let _ = write!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{family}" font-size="{size}">
<rect width="{w}" height="{h}" fill="{bg}"/>
"#,
        w = num(width),
        h = num(height),
        family = escape(family),
        bg = theme.background,
    );
    for s in place(scene, vp, theme) {
        let b = &scene.boxes[s.i];
        out.push_str("<g><title>");
        out.push_str(&escape(&b.name));
        let value = |v: i64| {
            format!(
                "{} ({})",
                measurement::label(v, &scene.unit),
                measurement::percentage(v, scene.total).trim()
            )
        };
        let _ = write!(
            out,
            "\ntotal {}\nself {}",
            escape(&value(b.total)),
            escape(&value(b.self_value))
        );
        if !b.file.is_empty() {
            let _ = write!(out, "\n{}", escape(&b.file));
        }
        let _ = write!(
            out,
            r#"</title><rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
            num(s.x),
            num(s.y),
            num(rect_width(s.w)),
            num(ROW_HEIGHT - 1.0),
            rgb(s.fill),
        );
        if searching && b.matched {
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="2" fill="{}"/>"#,
                num(s.x),
                num(s.y + ROW_HEIGHT - 3.0),
                num(s.w.max(1.0)),
                theme.highlight,
            );
        }
        if s.w >= MIN_LABEL_PX {
            if let Some(label) = fit_label(measure, b, s.w - 2.0 * TEXT_PAD) {
                let color =
                    label_colors(theme)[label_color(theme, s.fill, searching && !b.matched)];
                let _ = write!(
                    out,
                    r#"<text x="{}" y="{}" fill="{}">{}</text>"#,
                    num(s.x + TEXT_PAD),
                    num(s.y + ROW_HEIGHT - 5.0),
                    color,
                    escape(&label)
                );
            }
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

/// A coordinate with at most two decimals, and none when it is whole.
fn num(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// `s` as XML character data or an attribute value: the five special
/// characters as entities, and the characters XML 1.0 cannot hold at all
/// (most C0 controls) as U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_xml_cannot_hold() {
        assert_eq!(
            escape("a<b>&\"c'\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{fffd}"
        );
        assert_eq!(num(1.0), "1");
        assert_eq!(num(0.125), "0.13");
        assert_eq!(num(-3.5), "-3.5");
    }
}
