//! Go's path functions as pprof uses them on file names: `filepath.Base`,
//! `filepath.Clean` and its `/proc/self/cwd/` trimming.

/// Go's `filepath.Base` (Unix).
pub fn go_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Go's `filepath.Clean` (Unix): lexical `.`/`..`/`//` removal.
pub fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// pprof's `trimPath` without `-trim_path`/`-source_path`: only the
/// `/proc/self/cwd/` prefixes go.
pub(super) fn trim_path(path: &str) -> &str {
    for prefix in ["/proc/self/cwd/./", "/proc/self/cwd/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            return rest;
        }
    }
    path
}
