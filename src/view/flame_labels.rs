//! Flame box labels: candidates from long to short, so the painter can
//! pick the longest that fits (pprof's `StackSource.Display`), and pprof's
//! Go function name shortening they start from.

/// pprof's `graph.ShortenFunctionName` for Go: drops a `/vN` major-version
/// element and the import path before the package
/// (`github.com/a/b/v2.(*T).M` -> `b.(*T).M`).
///
/// pprof does this with two regexps, `^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$`
/// (replaced by `$1$2`) and `^(?:[\w\-\.]+/)+([^.]+\..+)` (its group 1).
/// They are spelled out here because a flame scene shortens every box's
/// name on each zoom, which a backtracking regex engine makes a large part
/// of the zoom's time; a test checks the two agree on generated names.
pub fn shorten_function_name(name: &str) -> String {
    let name = drop_major_version(name);
    match after_import_path(&name) {
        Some(short) => short.to_string(),
        None => name.into_owned(),
    }
}

/// `^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$` -> `$1$2`: the first `/vN`
/// (N >= 2, no leading zero) followed by `.` or `/` goes.
fn drop_major_version(name: &str) -> std::borrow::Cow<'_, str> {
    // `.` does not match a newline and the pattern is anchored at both ends.
    if name.contains('\n') {
        return name.into();
    }
    let b = name.as_bytes();
    let mut from = 0;
    while let Some(k) = name[from..].find("/v") {
        let v = from + k + 2;
        let digits = b[v..].iter().take_while(|c| c.is_ascii_digit()).count();
        let major = match &b[v..v + digits] {
            [d] => *d >= b'2',
            [d, ..] => *d != b'0',
            [] => false,
        };
        if major && matches!(b.get(v + digits), Some(b'.' | b'/')) {
            return format!("{}{}", &name[..from + k], &name[v + digits..]).into();
        }
        from += k + 1;
    }
    name.into()
}

/// Group 1 of `^(?:[\w\-\.]+/)+([^.]+\..+)`: what follows the last `/` of
/// a leading import path (ASCII word characters, `-` and `.`) when it holds
/// a `.` after at least one other character.
fn after_import_path(name: &str) -> Option<&str> {
    let b = name.as_bytes();
    let mut slashes = Vec::new();
    let mut segment = 0;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'/' if segment > 0 => {
                slashes.push(i);
                segment = 0;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.' => segment += 1,
            _ => break,
        }
    }
    // The repetition is greedy: the last slash that leaves a match wins.
    slashes.into_iter().rev().find_map(|slash| {
        let rest = &name[slash + 1..];
        let dot = rest.find('.').filter(|&d| d > 0)?;
        let after = &rest[dot + 1..];
        let end = after.find('\n').unwrap_or(after.len());
        (end > 0).then(|| &rest[..dot + 1 + end])
    })
}

/// Label candidates from long to short, as pprof's `StackSource.Display`:
/// the full name, then the name without its import path, then the suffixes
/// after each `.` (`net/http.(*Server).Serve`, `http.(*Server).Serve`,
/// `(*Server).Serve`, `Serve`). Unlike pprof, dots inside brackets or
/// parentheses (`main.(*Pool[go.shape.int]).serve`) do not split, so no
/// label starts in the middle of a type argument. And each candidate with
/// type arguments is offered again with them elided as Go's tracebacks print
/// them (`(*Pool[...]).serve`): a shape-instantiated name such as
/// `Fold[go.shape.struct { main.n int; ... }]` would otherwise fit no box.
pub fn labels(name: &str) -> Vec<String> {
    let mut out = suffixes(name);
    let elided: Vec<String> = out.iter().filter_map(|l| elide_type_args(l)).collect();
    if !elided.is_empty() {
        out.extend(elided);
        // Longest first, as the painter expects; equal lengths keep order.
        crate::sort::sort_by_key(&mut out, &mut |l| std::cmp::Reverse(l.len()));
        out.dedup();
    }
    out
}

/// `name` with the contents of each outermost `[...]` that follows an
/// identifier or `)` replaced by `...`; `None` when nothing changes. A
/// bracket that opens a name (`[binary]`, a mapping's) is not a type
/// argument list and stays.
fn elide_type_args(name: &str) -> Option<String> {
    let b = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    let mut open = 0usize;
    let mut copied = 0usize;
    let mut changed = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'[' if depth > 0 => depth += 1,
            b'[' if i > 0
                && (b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'_' | b')')) =>
            {
                depth = 1;
                open = i;
            }
            b']' if depth > 0 => {
                depth -= 1;
                if depth == 0 && &name[open + 1..i] != "..." {
                    out.push_str(&name[copied..=open]);
                    out.push_str("...");
                    copied = i;
                    changed = true;
                }
            }
            _ => {}
        }
    }
    if !changed {
        return None;
    }
    out.push_str(&name[copied..]);
    Some(out)
}

/// The full name, the name without its import path, and the suffixes after
/// each `.` or `::` outside brackets and parentheses.
fn suffixes(name: &str) -> Vec<String> {
    let mut out = vec![name.to_string()];
    let short = shorten_function_name(name);
    if short != name {
        out.push(short.clone());
    }
    let mut nest = 0i32;
    let b = short.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'(' | b'[' | b'{' => nest += 1,
            b')' | b']' | b'}' => nest -= 1,
            b'.' if nest == 0 && i + 1 < b.len() => {
                let s = &short[i + 1..];
                if out.last().is_none_or(|l| l != s) {
                    out.push(s.to_string());
                }
            }
            b':' if nest == 0 && i + 2 < b.len() && b[i + 1] == b':' => {
                out.push(short[i + 2..].to_string());
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_lists() {
        assert_eq!(
            labels("net/http.(*Server).Serve"),
            vec![
                "net/http.(*Server).Serve",
                "http.(*Server).Serve",
                "(*Server).Serve",
                "Serve"
            ]
        );
        assert_eq!(labels("main.main"), vec!["main.main", "main"]);
        assert_eq!(
            labels("main.(*Pool[...]).serve"),
            vec!["main.(*Pool[...]).serve", "(*Pool[...]).serve", "serve"]
        );
        assert_eq!(
            labels("github.com/a/b/v2.F.func1"),
            vec!["github.com/a/b/v2.F.func1", "b.F.func1", "F.func1", "func1"]
        );
        assert_eq!(labels("x"), vec!["x"]);
        assert_eq!(labels("a."), vec!["a."]);
        assert_eq!(labels("[binary]"), vec!["[binary]"]);
    }

    #[test]
    fn generic_names_offer_their_type_arguments_elided() {
        let name = "main.(*SortedMap[go.shape.string,go.shape.*uint8]).Fold[go.shape.struct { main.n int; main.sum float64 }]";
        let got = labels(name);
        assert_eq!(got.first().map(String::as_str), Some(name));
        assert_eq!(got.last().map(String::as_str), Some("Fold[...]"));
        for want in [
            "main.(*SortedMap[...]).Fold[...]",
            "(*SortedMap[...]).Fold[...]",
        ] {
            assert!(got.iter().any(|l| l == want), "{want} in {got:?}");
        }
        assert!(got.windows(2).all(|w| w[0].len() >= w[1].len()), "{got:?}");
        let closure = labels("main.Seq[go.shape.*uint8].SortBy[go.shape.float64].func1");
        assert!(
            closure.contains(&"main.Seq[...].SortBy[...].func1".to_string()),
            "{closure:?}"
        );
        assert_eq!(closure.last().map(String::as_str), Some("func1"));
        // Already elided, as a traceback prints it: nothing to add.
        assert_eq!(
            labels("main.(*Cache[...]).Refresh[...].func1"),
            vec![
                "main.(*Cache[...]).Refresh[...].func1",
                "(*Cache[...]).Refresh[...].func1",
                "Refresh[...].func1",
                "func1"
            ]
        );
        assert_eq!(
            elide_type_args("a[b[c]d].e[f]"),
            Some("a[...].e[...]".into())
        );
    }

    /// pprof's two regexps, as `shorten_function_name` spells them out.
    fn shorten_with_regexps(name: &str) -> String {
        use regex_lite::Regex;
        use std::sync::OnceLock;
        static RES: OnceLock<(Regex, Regex)> = OnceLock::new();
        let (ver, go) = RES.get_or_init(|| {
            let ver = Regex::new(r"^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$").unwrap();
            (ver, Regex::new(r"^(?:[\w\-\.]+/)+([^.]+\..+)").unwrap())
        });
        let name = ver.replace(name, "${1}${2}");
        match go.captures(&name) {
            Some(c) => c
                .get(1)
                .map_or(name.to_string(), |m| m.as_str().to_string()),
            None => name.into_owned(),
        }
    }

    #[test]
    fn shortens_like_pprofs_regexps() {
        for (name, short) in [
            ("github.com/a/b/v2.(*T).M", "b.(*T).M"),
            ("github.com/a/b/v12/c.F", "c.F"),
            ("github.com/a/b/v1.F", "v1.F"),
            ("github.com/a/b/v02.F", "v02.F"),
            (
                "gopkg.in/yaml.v3.(*decoder).unmarshal",
                "yaml.v3.(*decoder).unmarshal",
            ),
            (
                "k8s.io/client-go/tools/cache.(*Reflector).ListAndWatch.func1",
                "cache.(*Reflector).ListAndWatch.func1",
            ),
            ("net/http.(*conn).serve", "http.(*conn).serve"),
            (
                "main.(*Pool[go.shape.int]).serve",
                "main.(*Pool[go.shape.int]).serve",
            ),
            ("a/b.(*T[c/d.E]).M", "b.(*T[c/d.E]).M"),
            ("/usr/lib/x.go", "/usr/lib/x.go"),
            ("runtime.mallocgc", "runtime.mallocgc"),
            ("a.b/c", "a.b/c"),
            ("é/x.F", "é/x.F"),
        ] {
            assert_eq!(shorten_function_name(name), short, "{name}");
            assert_eq!(shorten_with_regexps(name), short, "{name}");
        }
        // Every string of up to 6 characters over an alphabet that exercises
        // both patterns (about 600,000), then longer random ones.
        const ALPHABET: [&str; 9] = ["/", "v", "2", "1", "0", ".", "a", "(", "\n"];
        let mut names: Vec<String> = vec![String::new()];
        let mut start = 0;
        for _ in 0..6 {
            let end = names.len();
            for i in start..end {
                for c in ALPHABET {
                    names.push(format!("{}{c}", names[i]));
                }
            }
            start = end;
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let wide = [
            "/", "v", "2", "1", "0", ".", "a", "Z", "_", "-", "(", "*", ")", "[", "]", "\n", "é",
            " ",
        ];
        for _ in 0..100_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> 59) as usize + 8;
            let name: String = (0..len)
                .map(|i| wide[((seed >> (i * 2 % 56)) as usize + i * 7) % wide.len()])
                .collect();
            names.push(name);
        }
        for name in &names {
            assert_eq!(
                shorten_function_name(name),
                shorten_with_regexps(name),
                "{name:?}"
            );
        }
    }
}
