//! [`Painter`] on an HTML canvas, crisp at any devicePixelRatio.

use std::collections::HashMap;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::{Painter, FONT};

/// Advance widths of characters in [`FONT`], each measured once.
///
/// With kerning and ligatures off (see [`CanvasPainter::new`]) a string's
/// width is the sum of its characters', so a label is sized without a
/// measureText call: those cost tens of microseconds each, and every zoom
/// shows labels, and cuts of labels, never measured before.
#[derive(Default)]
pub struct CharWidths {
    /// By code point below 128; 0 until measured.
    ascii: Vec<f64>,
    other: HashMap<char, f64>,
}

impl CharWidths {
    fn get(&mut self, ctx: &CanvasRenderingContext2d, c: char) -> f64 {
        let i = c as usize;
        if let Some(&w) = self.ascii.get(i).filter(|&&w| w > 0.0) {
            return w;
        }
        if let Some(&w) = self.other.get(&c) {
            return w;
        }
        let mut buf = [0u8; 4];
        let w = ctx
            .measure_text(c.encode_utf8(&mut buf))
            .map(|m| m.width())
            .unwrap_or(7.0);
        if i < 128 {
            if self.ascii.is_empty() {
                self.ascii = vec![0.0; 128];
            }
            // A zero-width ASCII character (a control) is measured again, harmlessly.
            self.ascii[i] = w;
        } else {
            self.other.insert(c, w);
        }
        w
    }
}

pub struct CanvasPainter {
    ctx: CanvasRenderingContext2d,
    widths: CharWidths,
    /// The fill style last set: setting one parses it, so an unchanged one
    /// is not set again.
    fill: String,
}

impl CanvasPainter {
    /// Sizes the canvas backing store for `width` x `height` CSS pixels at
    /// the screen's pixel ratio and returns a painter working in CSS pixels.
    pub fn new(
        canvas: &HtmlCanvasElement,
        width: f64,
        height: f64,
        widths: CharWidths,
    ) -> Option<Self> {
        let dpr = web_sys::window()
            .map_or(1.0, |w| w.device_pixel_ratio())
            .max(1.0);
        let (bw, bh) = ((width * dpr).round() as u32, (height * dpr).round() as u32);
        if canvas.width() != bw {
            canvas.set_width(bw);
        }
        if canvas.height() != bh {
            canvas.set_height(bh);
        }
        // A canvas kept in memory rather than accelerated, on every engine
        // (`willReadFrequently` is a hint they all take): WebKitGTK 2.50's
        // accelerated canvas now and then shows a paint's labels without
        // its boxes, every fill style set and kept and the rectangles lost.
        // Rectangles and text are cheap to raster on the CPU, and the
        // end-to-end tests read the pixels back.
        let opts = js_sys::Object::new();
        js_sys::Reflect::set(&opts, &"willReadFrequently".into(), &true.into()).ok()?;
        let ctx: CanvasRenderingContext2d = canvas
            .get_context_with_context_options("2d", &opts)
            .ok()??
            .dyn_into()
            .ok()?;
        ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok()?;
        ctx.set_font(FONT);
        ctx.set_text_baseline("alphabetic");
        // What makes a string's width the sum of its characters' (see
        // CharWidths); both are plain properties of the 2D context.
        for (key, value) in [("fontKerning", "none"), ("textRendering", "optimizeSpeed")] {
            let _ = js_sys::Reflect::set(&ctx, &key.into(), &value.into());
        }
        Some(CanvasPainter {
            ctx,
            widths,
            fill: String::new(),
        })
    }

    /// Gives the width cache back so the next frame can reuse it.
    pub fn into_widths(self) -> CharWidths {
        self.widths
    }

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
        text.chars().map(|c| self.widths.get(&self.ctx, c)).sum()
    }

    fn fill_text(&mut self, text: &str, x: f64, y: f64, color: &str) {
        self.set_fill(color);
        let _ = self.ctx.fill_text(text, x, y);
    }
}
