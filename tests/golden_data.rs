//! Readable goldens for the flame graph: for each fixture profile in
//! `tests/data/flame/` (a `.txt` in the builder's text form, or a real
//! `.pb.gz`), `results/` holds its flame tree as an indented dump and the
//! draw log of one scene. A change shows as a text diff of what moved.
//! Re-bless (only when a change of output is intended) with
//! `PPROF_LENS_BLESS=1 cargo test --test golden_data`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pprof_lens::analysis::flame::{FlameOptions, FlameTree};
use pprof_lens::model::builder::ProfileBuilder;
use pprof_lens::model::Profile;
use pprof_lens::render::{draw_flame, graph_height, RecordingPainter, Theme, Viewport};
use pprof_lens::view::flame_layout::node_name;
use pprof_lens::view::flame_scene::flame_scene;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/flame");

/// The scene's width in CSS pixels.
const WIDTH: u32 = 600;

/// A fixture in the builder's text form: `#` comments, a `types
/// kind/unit ...` line, then one sample a line.
fn text_profile(text: &str) -> Profile {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let types: Vec<(&str, &str)> = lines
        .next()
        .and_then(|l| l.strip_prefix("types "))
        .expect("a `types kind/unit ...` line first")
        .split_whitespace()
        .map(|t| t.split_once('/').expect("kind/unit"))
        .collect();
    let samples: Vec<&str> = lines.collect();
    ProfileBuilder::new(&types).samples(&samples).build()
}

fn fixtures() -> Vec<(String, Profile)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(DATA)
        .expect("tests/data/flame")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let profile = if let Some(stem) = name.strip_suffix(".pb.gz") {
            let bytes = std::fs::read(&path).unwrap();
            let p = pprof_lens::decode::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            (stem.to_string(), p)
        } else if let Some(stem) = name.strip_suffix(".txt") {
            let text = std::fs::read_to_string(&path).unwrap();
            (stem.to_string(), text_profile(&text))
        } else {
            continue;
        };
        out.push(profile);
    }
    assert!(out.len() >= 2, "fixtures missing in {DATA}");
    out
}

/// Each sample type's tree, one line a node in preorder: indented by
/// depth, the name (`[inline]` for an inlined frame), self and total, and
/// the weight (the box width) where it differs from the total.
fn tree_dump(p: &Profile) -> String {
    let mut out = String::new();
    for si in 0..p.num_sample_types() {
        let st = p.sample_types[si];
        let t = FlameTree::build(p, &FlameOptions { sample_index: si });
        writeln!(out, "# {}/{}", p.str(st.kind), p.str(st.unit)).unwrap();
        for n in t.nodes() {
            let indent = "  ".repeat(t.depth(n) as usize);
            let inline = if t.inlined(n) { " [inline]" } else { "" };
            let name = node_name(&t, p, n);
            write!(
                out,
                "{indent}{name}{inline}  self {} total {}",
                t.self_value(n),
                t.total(n)
            )
            .unwrap();
            if t.weight(n) != t.total(n) as u64 {
                write!(out, " weight {}", t.weight(n)).unwrap();
            }
            out.push('\n');
        }
    }
    out
}

/// What a [`RecordingPainter`] is asked to draw for the whole scene of the
/// default sample type at [`WIDTH`] pixels, light theme.
fn draw_log(p: &Profile) -> String {
    let si = p.default_sample_index();
    let t = FlameTree::build(p, &FlameOptions { sample_index: si });
    let scene = flame_scene(&t, p, None, WIDTH, None, false);
    let vp = Viewport {
        width: f64::from(WIDTH),
        height: graph_height(&scene),
        scroll_y: 0.0,
        inverted: None,
    };
    let mut painter = RecordingPainter::default();
    draw_flame(&mut painter, &scene, vp, &Theme::light());
    let kind = p.str(p.sample_types[si].kind);
    let mut out = format!("# {kind}, {WIDTH} px wide, light theme\n");
    for line in painter.log {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Compares `got` with the file, or rewrites it when blessing; the
/// differing lines otherwise.
fn check(path: &Path, got: &str) -> Option<String> {
    if std::env::var_os("PPROF_LENS_BLESS").is_some() {
        std::fs::write(path, got).unwrap();
        return None;
    }
    let want = std::fs::read_to_string(path).unwrap_or_default();
    if want == got {
        return None;
    }
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let mut diff = format!(
        "{} differs ({} lines expected, {} got):\n",
        path.display(),
        w.len(),
        g.len()
    );
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b {
            writeln!(diff, "  line {}:\n    want {a:?}\n    got  {b:?}", i + 1).unwrap();
        }
    }
    Some(diff)
}

#[test]
fn flame_trees_and_draw_logs_match_the_results() {
    let results = Path::new(DATA).join("results");
    let mut failures = Vec::new();
    for (name, p) in fixtures() {
        let tree = results.join(format!("{name}.tree.txt"));
        let draw = results.join(format!("{name}.draw.txt"));
        failures.extend(check(&tree, &tree_dump(&p)));
        failures.extend(check(&draw, &draw_log(&p)));
    }
    assert!(
        failures.is_empty(),
        "{}\n(re-bless with PPROF_LENS_BLESS=1 only if the change is intended)",
        failures.join("\n")
    );
}
