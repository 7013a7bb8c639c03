//! The layering, checked on the sources: data flows one way (decode ->
//! model -> analysis -> view -> render / ui), leaves import nothing of ours,
//! and the native core never names the browser.
//!
//! A rule is a folder or file and the names it must not use. Names are
//! looked up as paths (`crate::view`, `view::`, `web_sys::`), in code only:
//! comments and string literals are blanked first, so a doc link or an
//! error message may still mention a layer.

use std::fs;
use std::path::{Path, PathBuf};

/// (sources, forbidden module paths, why).
const RULES: &[(&str, &[&str], &str)] = &[
    (
        "src/model",
        &[
            "view", "protocol", "render", "ui", "session", "analysis", "decode", "web_sys", "prost",
        ],
        "the model is the format-neutral core",
    ),
    (
        "src/analysis",
        &[
            "view", "protocol", "render", "ui", "session", "decode", "web_sys", "prost",
        ],
        "analyses return raw numbers",
    ),
    (
        "src/decode",
        &[
            "analysis", "view", "protocol", "render", "ui", "session", "web_sys",
        ],
        "decoding only builds the model",
    ),
    (
        "src/view",
        &["render", "ui", "session", "decode", "web_sys", "prost"],
        "the view has no pixels and no browser",
    ),
    (
        "src/ui",
        &[
            "decode",
            "session",
            "analysis",
            "model",
            "measurement",
            "pattern",
        ],
        "the page sees only protocol, view and render",
    ),
    (
        "src/render",
        &["decode", "session", "analysis", "ui"],
        "painters draw scenes",
    ),
    (
        "src/measurement.rs",
        &["*"],
        "a leaf: units are shared by filters and reports",
    ),
    (
        "src/pattern.rs",
        &["*"],
        "a leaf: every user pattern compiles here",
    ),
    (
        "src/sort.rs",
        &["*"],
        "a leaf: one copy of a sort per element type",
    ),
];

const TOP_MODULES: &[&str] = &[
    "analysis",
    "decode",
    "measurement",
    "model",
    "pattern",
    "protocol",
    "render",
    "session",
    "sort",
    "ui",
    "view",
    "wire",
    "worker",
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        out.push(path.to_path_buf());
        return;
    }
    let mut entries: Vec<_> = fs::read_dir(path)
        .expect("readable source folder")
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() || p.extension().is_some_and(|e| e == "rs") {
            rust_files(&p, out);
        }
    }
}

/// The source with comments, string and char literals replaced by spaces
/// (line structure kept, so line numbers stay right).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, c: u8| out.push(if c == b'\n' { b'\n' } else { b' ' });
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
        } else if b[i] == b'r'
            && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
            && !prev_is_ident(b, i)
        {
            // Raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push(b[i]);
                i += 1;
                continue;
            }
            let mut end = vec![b'"'];
            end.extend(std::iter::repeat_n(b'#', hashes));
            j += 1;
            while j < b.len() && !b[j..].starts_with(&end) {
                j += 1;
            }
            let stop = (j + end.len()).min(b.len());
            for &c in &b[i..stop] {
                blank(&mut out, c);
            }
            i = stop;
        } else if b[i] == b'"' {
            blank(&mut out, b[i]);
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' && i + 1 < b.len() {
                    blank(&mut out, b[i]);
                    i += 1;
                }
                blank(&mut out, b[i]);
                i += 1;
            }
            if i < b.len() {
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if b[i] == b'\'' && is_char_literal(b, i) {
            let len = char_literal_len(b, i);
            for &c in &b[i..i + len] {
                blank(&mut out, c);
            }
            i += len;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn prev_is_ident(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

fn is_char_literal(b: &[u8], i: usize) -> bool {
    // 'x' or '\n' / '\u{..}'; a lifetime ('a) has no closing quote.
    match b.get(i + 1) {
        Some(b'\\') => true,
        Some(_) => {
            let s = std::str::from_utf8(&b[i + 1..(i + 6).min(b.len())]).unwrap_or("");
            s.chars().nth(1) == Some('\'')
        }
        None => false,
    }
}

fn char_literal_len(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if b.get(j) == Some(&b'\\') {
        j += 2;
    }
    while j < b.len() && b[j] != b'\'' {
        j += 1;
    }
    (j + 1 - i).min(b.len() - i)
}

/// The top-level module each `crate::x` / `super::..` path names. In a
/// file of module `here`, `super::` paths resolve against its parents.
fn named_modules(code: &str, file: &Path) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let rel = file.strip_prefix("src").unwrap_or(file);
    let top_of_file = rel.components().next().map(|c| {
        c.as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string()
    });
    for (n, line) in code.lines().enumerate() {
        for (pos, _) in line.match_indices("crate::") {
            if prev_is_ident(line.as_bytes(), pos) {
                continue;
            }
            let rest = &line[pos + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push((n + 1, name));
        }
        for ext in ["web_sys", "prost", "js_sys", "yew", "wasm_bindgen"] {
            for (pos, _) in line.match_indices(&format!("{ext}::")) {
                if !prev_is_ident(line.as_bytes(), pos) {
                    out.push((n + 1, ext.to_string()));
                }
            }
        }
        // `super::super::x` from a nested file may leave the layer.
        let depth = rel.components().count();
        for (pos, _) in line.match_indices("super::") {
            if prev_is_ident(line.as_bytes(), pos) || line[..pos].ends_with("super::") {
                continue;
            }
            let mut rest = &line[pos..];
            let mut ups = 0;
            while let Some(r) = rest.strip_prefix("super::") {
                ups += 1;
                rest = r;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // A file at src/a/b.rs is module a::b: one `super` is `a`, two are the crate.
            let is_mod_rs = file.file_name().is_some_and(|f| f == "mod.rs");
            let module_depth = depth - usize::from(is_mod_rs);
            if ups >= module_depth && TOP_MODULES.contains(&name.as_str()) {
                out.push((n + 1, name));
            } else if ups < module_depth {
                if let Some(top) = &top_of_file {
                    out.push((n + 1, top.clone()));
                }
            }
        }
    }
    out
}

#[test]
fn layers_import_only_downstream() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).expect("crate root");
    let mut violations = Vec::new();
    let mut checked = 0;
    for &(place, forbidden, why) in RULES {
        let mut files = Vec::new();
        rust_files(Path::new(place), &mut files);
        assert!(
            !files.is_empty(),
            "{place} has no sources: update the rules"
        );
        for file in files {
            let code = code_only(&fs::read_to_string(&file).expect("readable source"));
            let own = file.strip_prefix("src").unwrap_or(&file).with_extension("");
            let own_top = own
                .components()
                .next()
                .map(|c| c.as_os_str().to_string_lossy().to_string())
                .unwrap_or_default();
            for (line, name) in named_modules(&code, &file) {
                checked += 1;
                let bad = if forbidden == ["*"] {
                    TOP_MODULES.contains(&name.as_str()) && name != own_top
                } else {
                    forbidden.contains(&name.as_str())
                };
                if bad {
                    violations.push(format!("{}:{line} names `{name}` ({why})", file.display()));
                }
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} paths found: is the scanner reading the sources?"
    );
    assert!(
        violations.is_empty(),
        "layering broken:\n{}",
        violations.join("\n")
    );
}

#[test]
fn no_source_file_is_over_700_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = fs::read_to_string(f).ok()?.lines().count();
            (n > 700).then(|| {
                format!(
                    "{} ({n} lines)",
                    f.strip_prefix(root).unwrap_or(f).display()
                )
            })
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over 700 lines hold more than one idea; split them: {long:?}"
    );
}

/// The scanner itself: paths in comments and strings do not count, paths in
/// code do, and `super::` resolves against the file's module.
#[test]
fn the_scanner_reads_paths_in_code_only() {
    let src = "// crate::view in a comment\nlet s = \"crate::ui\";\nuse crate::model::Profile;\nlet c = '\"';\nuse web_sys::Element; /* crate::render */\nuse super::super::super::view::x;\n";
    let code = code_only(src);
    let names: Vec<String> = named_modules(&code, Path::new("src/analysis/flame/build.rs"))
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert_eq!(names, ["model", "web_sys", "view"]);
    let names: Vec<String> = named_modules(
        "use super::filter::X;\n",
        Path::new("src/analysis/graph.rs"),
    )
    .into_iter()
    .map(|(_, n)| n)
    .collect();
    assert_eq!(names, ["analysis"]);
}
