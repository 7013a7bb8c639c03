//! Stable colours per Go package.
//!
//! pprof's flame graph hashes the package name to a colour index
//! (`report.pickColor`: sha256, modulo 2^20) and turns the index into a hue
//! by stepping around the circle by the golden ratio (`stacks.js` `makeColor`:
//! `hsl((index+1) * phi * 2pi rad, 50%, 80%)`). We do the same with FNV-1a
//! instead of sha256 (no crypto dependency; only stability matters), so a
//! package keeps its colour across reloads, filters and zooms, and nearby
//! indices still land far apart on the wheel.

use serde::{Deserialize, Serialize};

/// Number of colour indices, as in pprof.
pub const NUM_COLORS: u32 = 1 << 20;

/// pprof's saturation and lightness on a light background (subdued, dark
/// text readable on top).
pub const LIGHT_SATURATION: f64 = 0.50;
pub const LIGHT_LIGHTNESS: f64 = 0.80;
/// On a dark background: darker boxes for light text.
pub const DARK_SATURATION: f64 = 0.45;
pub const DARK_LIGHTNESS: f64 = 0.30;

/// A colour in HSL: hue in degrees (0..360), saturation and lightness 0..1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hsl {
    pub h: f64,
    pub s: f64,
    pub l: f64,
}

impl Hsl {
    /// As 0xRRGGBB.
    pub fn to_rgb(self) -> u32 {
        let (h, s, l) = (
            self.h.rem_euclid(360.0) / 60.0,
            self.s.clamp(0.0, 1.0),
            self.l.clamp(0.0, 1.0),
        );
        let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
        let x = c * (1.0 - (h % 2.0 - 1.0).abs());
        let (r, g, b) = match h as u32 {
            0 => (c, x, 0.0),
            1 => (x, c, 0.0),
            2 => (0.0, c, x),
            3 => (0.0, x, c),
            4 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        let m = l - c / 2.0;
        let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u32;
        (byte(r) << 16) | (byte(g) << 8) | byte(b)
    }

    /// CSS `hsl(...)` text.
    pub fn css(self) -> String {
        format!(
            "hsl({:.1} {:.0}% {:.0}%)",
            self.h,
            self.s * 100.0,
            self.l * 100.0
        )
    }
}

/// The Go package of a function name: everything before the first `.` after
/// the last `/` of the import path (`net/http.(*Server).Serve` ->
/// `net/http`, `main.main` -> `main`, `gopkg.in/yaml.v3.Unmarshal` ->
/// `gopkg.in/yaml`). Slashes inside brackets or parentheses (generic type
/// arguments) do not count. A name without a dot is its own package.
pub fn package_name(name: &str) -> &str {
    let b = name.as_bytes();
    let mut path_end = 0;
    let mut nest = 0i32;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'(' | b'[' | b'{' => nest += 1,
            b')' | b']' | b'}' => nest -= 1,
            b'/' if nest == 0 => path_end = i + 1,
            _ => {}
        }
        if nest > 0 && path_end == 0 && c == b'(' {
            // `(*T).m` with no package: stop looking for a path.
            break;
        }
    }
    match name[path_end..].find('.') {
        Some(d) => &name[..path_end + d],
        None => name,
    }
}

/// FNV-1a, 32 bits.
fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in s.as_bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// pprof's colour index for a key.
pub fn color_index(key: &str) -> u32 {
    fnv1a(key) % NUM_COLORS
}

/// The hue (degrees) of a colour index: golden-ratio steps around the wheel.
pub fn index_hue(index: u32) -> f64 {
    const PHI: f64 = 1.618_033_988;
    let turns = (index as f64 + 1.0) * PHI;
    (turns - turns.floor()) * 360.0
}

/// The colour of a package on a light (`dark == false`) or dark background.
pub fn package_hsl(package: &str, dark: bool) -> Hsl {
    let h = index_hue(color_index(package));
    if dark {
        Hsl {
            h,
            s: DARK_SATURATION,
            l: DARK_LIGHTNESS,
        }
    } else {
        Hsl {
            h,
            s: LIGHT_SATURATION,
            l: LIGHT_LIGHTNESS,
        }
    }
}

/// As [`package_hsl`], as 0xRRGGBB.
pub fn package_color(package: &str, dark: bool) -> u32 {
    package_hsl(package, dark).to_rgb()
}

/// The colour of a function name's package.
pub fn function_color(function: &str, dark: bool) -> u32 {
    package_color(package_name(function), dark)
}

/// WCAG 2's relative luminance of 0xRRGGBB (0 black .. 1 white).
pub fn luminance(rgb: u32) -> f64 {
    let ch = |shift: u32| {
        let c = ((rgb >> shift) & 0xff) as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * ch(16) + 0.7152 * ch(8) + 0.0722 * ch(0)
}

/// WCAG 2's contrast ratio of two colours (1 .. 21); AA asks 4.5 of text.
pub fn contrast(a: u32, b: u32) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The text colour for `fill`: whichever of `text` and `alt` reads better,
/// or, where neither reaches AA's 4.5 (the middle of a comparison's scale,
/// between its dark blue and its orange), black or white, one of which
/// always does (at worst 4.58, where they tie).
pub fn text_on(fill: u32, text: u32, alt: u32) -> u32 {
    let best = if contrast(fill, alt) > contrast(fill, text) {
        alt
    } else {
        text
    };
    if contrast(fill, best) >= 4.5 {
        best
    } else if contrast(fill, 0x000000) >= contrast(fill, 0xffffff) {
        0x000000
    } else {
        0xffffff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        for (f, p) in [
            ("net/http.(*Server).Serve", "net/http"),
            ("main.main", "main"),
            ("main.(*Pool[...]).serve", "main"),
            ("gopkg.in/yaml.v3.Unmarshal", "gopkg.in/yaml"),
            ("github.com/x/y/v2.F", "github.com/x/y/v2"),
            ("runtime.goexit", "runtime"),
            ("main.F[go.shape.*uint8/x]", "main"),
            ("noDot", "noDot"),
            ("", ""),
        ] {
            assert_eq!(package_name(f), p, "{f}");
        }
    }

    #[test]
    fn colours_are_stable_and_distinct() {
        assert_eq!(
            package_color("net/http", false),
            package_color("net/http", false)
        );
        assert_ne!(
            package_color("net/http", false),
            package_color("runtime", false)
        );
        assert_ne!(
            package_color("net/http", false),
            package_color("net/http", true)
        );
        assert_eq!(
            Hsl {
                h: 0.0,
                s: 1.0,
                l: 0.5
            }
            .to_rgb(),
            0xff0000
        );
        assert_eq!(
            Hsl {
                h: 120.0,
                s: 1.0,
                l: 0.5
            }
            .to_rgb(),
            0x00ff00
        );
        assert_eq!(
            Hsl {
                h: 240.0,
                s: 1.0,
                l: 0.5
            }
            .to_rgb(),
            0x0000ff
        );
        assert_eq!(
            Hsl {
                h: 0.0,
                s: 0.0,
                l: 1.0
            }
            .to_rgb(),
            0xffffff
        );
        let l = package_hsl("main", false);
        assert!((0.0..360.0).contains(&l.h));
        assert_eq!(
            function_color("main.main", true),
            package_color("main", true)
        );
    }
}
