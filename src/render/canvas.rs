//! [`Painter`] on an HTML canvas, crisp at any devicePixelRatio.

use std::collections::HashMap;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::Painter;

pub const FONT: &str = "12px system-ui, -apple-system, Roboto, sans-serif";

pub struct CanvasPainter {
    ctx: CanvasRenderingContext2d,
    /// measureText is slow and labels repeat: widths are cached per string.
    widths: HashMap<String, f64>,
    /// The fill style last set: setting one parses it, so an unchanged one
    /// is not set again.
    fill: String,
}

impl CanvasPainter {
    /// Sizes the canvas backing store for `width` x `height` CSS pixels at
    /// the screen's pixel ratio and returns a painter working in CSS pixels.
    pub fn new(canvas: &HtmlCanvasElement, width: f64, height: f64, widths: HashMap<String, f64>) -> Option<Self> {
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
        let (bw, bh) = ((width * dpr).round() as u32, (height * dpr).round() as u32);
        if canvas.width() != bw {
            canvas.set_width(bw);
        }
        if canvas.height() != bh {
            canvas.set_height(bh);
        }
        let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok()?;
        ctx.set_font(FONT);
        ctx.set_text_baseline("alphabetic");
        Some(CanvasPainter { ctx, widths, fill: String::new() })
    }

    /// Gives the width cache back so the next frame can reuse it.
    pub fn into_widths(self) -> HashMap<String, f64> {
        self.widths
    }
}

impl CanvasPainter {
    fn set_fill(&mut self, color: &str) {
        if self.fill != color {
            self.ctx.set_fill_style_str(color);
            self.fill.clear();
            self.fill.push_str(color);
        }
    }
}

impl Painter for CanvasPainter {
    fn clear(&mut self, width: f64, height: f64, color: &str) {
        self.set_fill(color);
        self.ctx.fill_rect(0.0, 0.0, width, height);
    }

    fn fill_rect(&mut self, x: f64, y: f64, w: f64, h: f64, color: &str) {
        self.set_fill(color);
        self.ctx.fill_rect(x, y, w, h);
    }

    fn text_width(&mut self, text: &str) -> f64 {
        if let Some(&w) = self.widths.get(text) {
            return w;
        }
        let w = self.ctx.measure_text(text).map(|m| m.width()).unwrap_or(text.len() as f64 * 7.0);
        if self.widths.len() > 50_000 {
            self.widths.clear();
        }
        self.widths.insert(text.to_string(), w);
        w
    }

    fn fill_text(&mut self, text: &str, x: f64, y: f64, color: &str) {
        self.set_fill(color);
        let _ = self.ctx.fill_text(text, x, y);
    }
}
