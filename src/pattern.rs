//! User patterns: Go regexps (RE2 syntax), compiled once, each with a
//! literal prefilter. Every pattern a user types (focus, ignore, hide, show,
//! show_from, tag filters, the top table's filter, the flame search) compiles
//! here, so they all match the same way and fail with the same message.
//!
//! Patterns are compiled with regex-lite: like Go's regexp, its `\w`, `\d`,
//! `\s` and `\b` are ASCII only (the `regex` crate's are Unicode). Unlike
//! Go's, it has no `\pL`-style classes (a pattern using one is an error, not
//! a silent miss) and `(?i)` folds ASCII letters only; Go symbol names are
//! ASCII, so neither changes what a filter matches in practice. The tests
//! below pin both the agreement and the differences.
//!
//! This module is a leaf: it imports nothing else of ours.

use regex_lite::Regex;

/// A pattern that does not compile; the message names the option, like
/// pprof's `parsing focus regexp: ...`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PatternError {
    pub option: &'static str,
    pub message: String,
}

/// A compiled user pattern: the regex and the literals every match holds.
#[derive(Clone, Debug)]
pub struct Pattern {
    re: Regex,
    pre: Prefilter,
}

impl Pattern {
    /// Compiles `text` for `option` (the name the error message gives).
    pub fn new(option: &'static str, text: &str) -> Result<Pattern, PatternError> {
        let re = Regex::new(text).map_err(|e| PatternError {
            option,
            message: format!("parsing {option} regexp: {e}"),
        })?;
        Ok(Pattern {
            pre: Prefilter::new(text),
            re,
        })
    }

    /// As [`Pattern::new`], with the empty string meaning "not set".
    pub fn optional(option: &'static str, text: &str) -> Result<Option<Pattern>, PatternError> {
        if text.is_empty() {
            Ok(None)
        } else {
            Pattern::new(option, text).map(Some)
        }
    }

    #[inline]
    pub fn is_match(&self, haystack: &str) -> bool {
        self.pre.may_match(haystack) && self.re.is_match(haystack)
    }

    /// The pattern as the user typed it.
    pub fn as_str(&self) -> &str {
        self.re.as_str()
    }
}

/// Literals of which every match of a pattern contains one, found by
/// reading the pattern. regex-lite has no literal optimisations: it runs its
/// automaton from every position of every name, about a microsecond a name,
/// while most filters are a name or a few (`main`, `^runtime\.`,
/// `alloc|malloc`, `(?i)http`), and a substring search rejects the many
/// names without them far faster.
///
/// Conservative by construction: a pattern it cannot read (inline flags
/// other than a leading `(?i)`, escapes other than punctuation and
/// `\d\w\s\b`-style classes) gets no prefilter, and a branch's literal is
/// only a run of plain characters outside groups and classes, without the
/// last one when a quantifier follows it. A test checks on generated
/// patterns that it never rejects a name the regex matches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prefilter {
    /// One literal per top-level alternative; `None`: every name may match.
    needles: Option<Vec<String>>,
    /// ASCII case-insensitive (a leading `(?i)`: regex-lite folds ASCII only).
    fold: bool,
}

impl Prefilter {
    pub fn new(pattern: &str) -> Prefilter {
        let (fold, body) = match pattern.strip_prefix("(?i)") {
            Some(rest) => (true, rest),
            None => (false, pattern),
        };
        let needles = top_level_branches(body).and_then(|branches| {
            branches
                .into_iter()
                .map(required_literal)
                .collect::<Option<Vec<String>>>()
        });
        let needles = needles.map(|n| {
            if fold {
                n.iter().map(|s| s.to_ascii_lowercase()).collect()
            } else {
                n
            }
        });
        Prefilter { needles, fold }
    }

    /// False only when `haystack` cannot match the pattern.
    pub fn may_match(&self, haystack: &str) -> bool {
        let Some(needles) = &self.needles else {
            return true;
        };
        needles.iter().any(|n| {
            if self.fold {
                haystack
                    .as_bytes()
                    .windows(n.len())
                    .any(|w| w.eq_ignore_ascii_case(n.as_bytes()))
            } else {
                haystack.contains(n.as_str())
            }
        })
    }
}

/// Splits a pattern at its top-level `|`s; `None` if it holds inline flags.
fn top_level_branches(pattern: &str) -> Option<Vec<&str>> {
    let b = pattern.as_bytes();
    let (mut out, mut start, mut depth, mut i) = (Vec::new(), 0, 0usize, 0);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => i = class_end(b, i)?,
            b'(' => {
                if b.get(i + 1) == Some(&b'?') {
                    // `(?flags)` changes what follows; `(?flags:...)`, `(?:...)`
                    // and named groups are groups.
                    let close = b[i + 2..]
                        .iter()
                        .position(|&c| c == b':' || c == b')' || c == b'<')?;
                    if b[i + 2 + close] == b')' {
                        return None;
                    }
                }
                depth += 1;
            }
            b')' => depth = depth.checked_sub(1)?,
            b'|' if depth == 0 => {
                out.push(&pattern[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&pattern[start..]);
    Some(out)
}

/// Index of the `]` closing the class that opens at `b[open]`.
fn class_end(b: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    if b.get(i) == Some(&b'^') {
        i += 1;
    }
    if b.get(i) == Some(&b']') {
        i += 1; // a leading `]` is literal
    }
    let mut depth = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The longest run of plain characters that every match of `branch` holds;
/// `None` when there is none or the branch uses syntax not read here.
fn required_literal(branch: &str) -> Option<String> {
    let b = branch.as_bytes();
    let (mut best, mut run) = (String::new(), String::new());
    let mut i = 0;
    let end_run = |run: &mut String, best: &mut String| {
        if run.len() > best.len() {
            *best = std::mem::take(run);
        }
        run.clear();
    };
    while i < b.len() {
        match b[i] {
            b'\\' => {
                let c = *b.get(i + 1)?;
                if c.is_ascii_punctuation() && c != b'<' && c != b'>' {
                    run.push(c as char);
                } else if matches!(
                    c,
                    b'd' | b'D' | b'w' | b'W' | b's' | b'S' | b'b' | b'B' | b'A' | b'z'
                ) && b.get(i + 2) != Some(&b'{')
                {
                    end_run(&mut run, &mut best);
                } else {
                    return None;
                }
                i += 2;
                continue;
            }
            b'*' | b'+' | b'?' | b'{' => {
                // The quantified atom may be absent (or repeated): it is not
                // part of a run.
                run.pop();
                end_run(&mut run, &mut best);
                if b[i] == b'{' {
                    i += b[i..].iter().position(|&c| c == b'}')?;
                }
            }
            b'[' => {
                end_run(&mut run, &mut best);
                i = class_end(b, i)?;
            }
            b'(' => {
                end_run(&mut run, &mut best);
                i = group_end(b, i)?;
            }
            b'.' | b'^' | b'$' => end_run(&mut run, &mut best),
            b')' | b'|' => return None,
            _ => {
                let c = branch[i..].chars().next()?;
                run.push(c);
                i += c.len_utf8();
                continue;
            }
        }
        i += 1;
    }
    end_run(&mut run, &mut best);
    (!best.is_empty()).then_some(best)
}

/// Index of the `)` closing the group that opens at `b[open]`.
fn group_end(b: &[u8], open: usize) -> Option<usize> {
    let (mut depth, mut i) = (0, open);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => i = class_end(b, i)?,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile_regex(option: &'static str, value: &str) -> Result<Option<Pattern>, PatternError> {
        Pattern::optional(option, value)
    }

    /// Each row was checked with Go 1.19's `regexp.MatchString` (`None`:
    /// Go rejects the pattern).
    const GO_REGEXP: &[(&str, &str, Option<bool>)] = &[
        (r"^runtime\.", "runtime.mallocgc", Some(true)),
        (
            r"^runtime\.",
            "internal/runtime/maps.(*Map).Get",
            Some(false),
        ),
        (r"^runtime\.", "runtimes.F", Some(false)),
        (r"runtime\.", "internal/runtime.F", Some(true)),
        ("net/http", "net/http.(*conn).serve", Some(true)),
        ("net/http", "/usr/lib/go/src/net/http/server.go", Some(true)),
        (
            r"github\.com/acme/svc/v2\.",
            "github.com/acme/svc/v2.(*Server).Handle",
            Some(true),
        ),
        ("github.com/acme", "githubXcom/acme.F", Some(true)),
        ("alloc|malloc", "runtime.mallocgc", Some(true)),
        ("alloc|malloc", "runtime.newobject", Some(false)),
        (r"^(sync|runtime)\.", "sync.(*Mutex).Lock", Some(true)),
        (
            r"^(sync|runtime)\.",
            "internal/sync.(*Mutex).Lock",
            Some(false),
        ),
        ("(?i)HTTP", "net/http.Get", Some(true)),
        (r"(?i)^main\.handler$", "main.Handler", Some(true)),
        (r"\bsync\b", "sync.(*Mutex).Lock", Some(true)),
        (r"\bsync\b", "internal/syncx.F", Some(false)),
        (r"\bsync\b", "async.F", Some(false)),
        (r"\bé", "éa", Some(false)),
        (r"\.func\d+$", "main.main.func1", Some(true)),
        (r"\.func\d+$", "main.main.func1.2", Some(false)),
        (r"\d", "\u{663}", Some(false)),
        (r"\w", "é", Some(false)),
        (r"\s", "\u{a0}", Some(false)),
        ("^.$", "é", Some(true)),
        (r"main\.\(\*T\)\.M", "main.(*T).M", Some(true)),
        (r"main\.\(\*T\)\.M", "main.T.M", Some(false)),
        (
            r"\(\*Pool\[.*\]\)",
            "main.(*Pool[go.shape.int]).serve",
            Some(true),
        ),
        (r"[[:alpha:]]+\.[[:upper:]]", "main.Run", Some(true)),
        (r"^[^.]+\.[a-z]", "main.Run", Some(false)),
        ("foo$", "foo\n", Some(false)),
        ("(?m)foo$", "foo\nbar", Some(true)),
        ("a.b", "a\nb", Some(false)),
        ("(?s)a.b", "a\nb", Some(true)),
        (r"(?P<pkg>\w+)\.", "main.F", Some(true)),
        ("(?U)a+", "aaa", Some(true)),
        ("(", "", None),
        ("[", "", None),
        ("a{2,1}", "", None),
        (r"\Z", "", None),
        (r"[a-\d]", "", None),
        (r"\C", "a", None),
    ];

    #[test]
    fn patterns_match_like_go_regexp() {
        for &(pattern, name, want) in GO_REGEXP {
            let got = compile_regex("focus", pattern)
                .map(|re| re.expect("non-empty").is_match(name))
                .ok();
            assert_eq!(got, want, "{pattern:?} on {name:?}");
        }
    }

    /// Where regex-lite and Go's regexp part; none concerns a Go symbol name.
    #[test]
    fn known_differences_from_go_regexp() {
        let is_match = |p: &str, s: &str| {
            compile_regex("focus", p).map(|re| re.expect("non-empty").is_match(s))
        };
        // Go folds Unicode: `(?i)k` matches the Kelvin sign, `(?i)é` matches `É`.
        assert_eq!(is_match("(?i)k", "\u{212a}"), Ok(false));
        assert_eq!(is_match("(?i)é", "É"), Ok(false));
        // Go's `\s` leaves out `\v`.
        assert_eq!(is_match(r"\s", "\u{b}"), Ok(true));
        // Unicode classes are rejected with a message rather than matching.
        let err = is_match(r"\pL", "é").expect_err("no Unicode classes");
        assert!(
            err.message.starts_with("parsing focus regexp: "),
            "{}",
            err.message
        );
        // Go rejects these; regex-lite accepts them.
        assert_eq!(is_match("a**", "a"), Ok(true));
        assert_eq!(is_match(r"(?<pkg>\w+)\.", "main.F"), Ok(true));
        assert_eq!(is_match("x{1001}", "x"), Ok(false));
    }

    #[test]
    fn prefilters_read_the_literals_of_common_patterns() {
        let needles = |p: &str| Prefilter::new(p).needles;
        let v = |xs: &[&str]| Some(xs.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(needles("main"), v(&["main"]));
        assert_eq!(needles(r"^runtime\.mallocgc$"), v(&["runtime.mallocgc"]));
        assert_eq!(
            needles(r"github\.com/acme/svc/v2\.\(\*Server\)"),
            v(&["github.com/acme/svc/v2.(*Server)"])
        );
        assert_eq!(needles("alloc|malloc|^gc"), v(&["alloc", "malloc", "gc"]));
        assert_eq!(needles("(?i)HTTP|Serve"), v(&["http", "serve"]));
        assert_eq!(needles(r"net/http.*\.serve"), v(&["net/http"]));
        assert_eq!(needles(r"^(sync|runtime)\.Lock"), v(&[".Lock"]));
        assert_eq!(needles(r"\bsync\b"), v(&["sync"]));
        assert_eq!(
            needles("abcd?e"),
            v(&["abc"]),
            "a quantified character is not required"
        );
        assert_eq!(needles("x{2,3}yz"), v(&["yz"]));
        assert_eq!(needles("[[:alpha:]]+ab[]x]cd"), v(&["ab"]));
        for unread in [
            "",
            ".*",
            "a|",
            r"\w+",
            "(main)",
            "a(?i)b",
            "(?s)a.b",
            r"\x41",
            r"\b{start}x",
            "(?m)^x",
        ] {
            assert_eq!(needles(unread), None, "{unread:?}");
        }
        let p = Prefilter::new("(?i)http");
        assert!(p.may_match("net/HTTP.Get") && !p.may_match("net/htt.Get"));
    }

    /// A prefilter never turns down a name its regex matches: random patterns
    /// over the syntax it reads, against random names.
    #[test]
    fn prefilters_never_reject_a_match() {
        let mut rng = crate::test_rng::XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = move |n: usize| (rng.next_u64() % n as u64) as usize;
        const ATOMS: &[&str] = &[
            "a",
            "b",
            "A",
            "é",
            ".",
            "/",
            r"\.",
            r"\(",
            r"\*",
            r"\\",
            r"\d",
            r"\w",
            r"\b",
            r"\B",
            "^",
            "$",
            "[ab]",
            "[^a]",
            "[[:alpha:]]",
            "[]a]",
            "(a|b)",
            "(?:ab)",
            "(?i:a)",
            "(?P<n>b)",
            "*",
            "+",
            "?",
            "{1,2}",
            "*?",
            "|",
            " ",
        ];
        const CHARS: &[&str] = &[
            "a", "b", "A", "B", "é", "É", ".", "/", "(", "*", "\\", "1", " ", "_",
        ];
        let mut checked = 0;
        for _ in 0..20_000 {
            let mut pattern = String::from(if next(4) == 0 { "(?i)" } else { "" });
            for _ in 0..1 + next(6) {
                pattern.push_str(ATOMS[next(ATOMS.len())]);
            }
            let Ok(re) = Regex::new(&pattern) else {
                continue;
            };
            let pre = Prefilter::new(&pattern);
            for _ in 0..30 {
                let name: String = (0..next(8)).map(|_| CHARS[next(CHARS.len())]).collect();
                if re.is_match(&name) {
                    assert!(
                        pre.may_match(&name),
                        "{pattern:?} matches {name:?} but its prefilter {pre:?} says no"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "only {checked} matches checked");
    }
}
