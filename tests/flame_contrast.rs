//! The flame graph's labels against their boxes, in WCAG 2's contrast
//! ratio, over every colour the painter fills a box with: the package
//! palette around the whole hue circle, the root's grey, and a
//! comparison's scale from "shrank" to "grew", in both themes. Canvas text
//! is out of reach of the page's DOM contrast test, so it is checked here.

use pprof_lens::render::{dimmed_fill, label_rgb, Theme};
use pprof_lens::view::color::{self, contrast, Hsl};
use pprof_lens::view::flame_diff::change_color;

/// Every fill of a box on `dark` or light, named for the failure message.
fn fills(dark: bool) -> Vec<(String, u32)> {
    let (s, l) = if dark {
        (color::DARK_SATURATION, color::DARK_LIGHTNESS)
    } else {
        (color::LIGHT_SATURATION, color::LIGHT_LIGHTNESS)
    };
    let mut out: Vec<(String, u32)> = (0..360)
        .map(|h| (format!("hue {h}"), Hsl { h: h as f64, s, l }.to_rgb()))
        .collect();
    out.push(("root".into(), if dark { 0x57606a } else { 0xc9d1d9 }));
    for c in -20..=20 {
        let c = c as f64 / 20.0;
        out.push((format!("change {c}"), change_color(c, dark)));
    }
    out
}

#[test]
fn labels_meet_aa_on_every_box_colour_in_both_themes() {
    for theme in [Theme::light(), Theme::dark()] {
        let mut worst = (f64::MAX, String::new());
        for (what, fill) in fills(theme.dark) {
            let r = contrast(label_rgb(&theme, fill, false), fill);
            if r < worst.0 {
                worst = (r, what);
            }
        }
        eprintln!(
            "dark={}: worst label contrast {:.2} ({})",
            theme.dark, worst.0, worst.1
        );
        assert!(
            worst.0 >= 4.5,
            "dark={}: {:.2} on {}",
            theme.dark,
            worst.0,
            worst.1
        );
    }
}

#[test]
fn dimmed_labels_stay_readable_beside_the_matches() {
    // A search fades the boxes it does not match and their labels on
    // purpose; WCAG exempts such inactive text from AA, but they stay at
    // 3:1, its bar for large text and for interface parts.
    for theme in [Theme::light(), Theme::dark()] {
        let mut worst = (f64::MAX, String::new());
        for (what, fill) in fills(theme.dark) {
            let fill = dimmed_fill(fill, theme.dark);
            let r = contrast(label_rgb(&theme, fill, true), fill);
            if r < worst.0 {
                worst = (r, what);
            }
        }
        eprintln!(
            "dark={}: worst dimmed contrast {:.2} ({})",
            theme.dark, worst.0, worst.1
        );
        assert!(
            worst.0 >= 3.0,
            "dark={}: {:.2} on {}",
            theme.dark,
            worst.0,
            worst.1
        );
    }
}

#[test]
fn the_ratio_is_wcags() {
    assert!((contrast(0x000000, 0xffffff) - 21.0).abs() < 1e-9);
    assert!((contrast(0x777777, 0xffffff) - 4.48).abs() < 0.01);
    assert_eq!(contrast(0x123456, 0x123456), 1.0);
}
