//! pprof label sets as Go prints them in text dumps.
//!
//! Three spellings of one thing, a `{...}` set of key/value pairs:
//!
//! * debug=1 records: `# labels: {"pool":"export", "tenant":"acme"}`, every
//!   key and value `%q`-quoted (runtime/pprof `printCountProfile`);
//! * Go 1.26 tracebacks under `GODEBUG=tracebacklabels=1`, inside the state
//!   bracket: `[running labels:{"foobar": "baz"}]`, quoted as well;
//! * Go 1.27 tracebacks (on by default), after the bracket:
//!   `{pool: export, tenant: "acme-eu"}`, a key or value bare when it has only
//!   `[A-Za-z0-9._/]`, otherwise quoted with `\n \r \t \\ \" \xNN \uNNNN
//!   \UNNNNNNNN` (runtime `printquoted`).
//!
//! One reader takes all three: each element is either a Go-quoted string or
//! a bare word. A quoted string may hold `]`, `{`, `}`, `:` or `, `, so finding
//! where a set ends ([`set_end`]) skips over quoted text. Both functions are a
//! single forward pass.

/// Key/value pairs in printed order.
pub type Pairs = Vec<(String, String)>;

/// Parses a label set at the start of `s` (which must begin with `{`) and
/// returns its pairs and the text after the closing `}`. `None` if the set
/// is not well formed.
pub fn parse_set(s: &[u8]) -> Option<(Pairs, &[u8])> {
    let mut s = s.strip_prefix(b"{")?;
    let mut out = Vec::new();
    loop {
        s = skip_blanks(s);
        // Separators between pairs; also tolerated before the first one.
        while let [b',', tail @ ..] = s {
            s = skip_blanks(tail);
        }
        if let [b'}', rest @ ..] = s {
            return Some((out, rest));
        }
        let (key, tail) = element(s, b":")?;
        let tail = skip_blanks(tail).strip_prefix(b":")?;
        let (value, tail) = element(skip_blanks(tail), b",}")?;
        out.push((key, value));
        s = tail;
    }
}

/// The index just past the `}` that closes the set starting at `s[0] == b'{'`,
/// skipping quoted strings; `None` if the set never closes.
pub fn set_end(s: &[u8]) -> Option<usize> {
    if s.first() != Some(&b'{') {
        return None;
    }
    let mut i = 1;
    while i < s.len() {
        match s[i] {
            b'"' => i = quoted_end(s, i)?,
            b'}' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The index just past the closing quote of the string opening at `s[at]`.
pub fn quoted_end(s: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    while i < s.len() {
        match s[i] {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    None
}

fn skip_blanks(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    s
}

/// A quoted string, or a bare word that ends at a blank or at one of `stops`.
fn element<'a>(s: &'a [u8], stops: &[u8]) -> Option<(String, &'a [u8])> {
    if s.first() == Some(&b'"') {
        return unquote(s);
    }
    let n = s
        .iter()
        .position(|b| stops.contains(b) || matches!(b, b' ' | b'\t' | b'"' | b'{' | b'}'))
        .unwrap_or(s.len());
    if n == 0 {
        return None;
    }
    Some((String::from_utf8_lossy(&s[..n]).into_owned(), &s[n..]))
}

/// Reads one Go-quoted string at the start of `s`; returns it and the rest.
/// Accepts every escape `strconv.Quote` and the runtime's `printquoted`
/// write; `\x` escapes of invalid UTF-8 become U+FFFD.
pub fn unquote(s: &[u8]) -> Option<(String, &[u8])> {
    if s.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    let mut out: Vec<u8> = Vec::new();
    while i < s.len() {
        match s[i] {
            b'"' => return Some((String::from_utf8_lossy(&out).into_owned(), &s[i + 1..])),
            b'\\' => {
                let c = *s.get(i + 1)?;
                i += 2;
                match c {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'v' => out.push(11),
                    b'x' | b'u' | b'U' => {
                        let n = match c {
                            b'x' => 2,
                            b'u' => 4,
                            _ => 8,
                        };
                        let hex = s.get(i..i + n)?;
                        let v = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                        i += n;
                        if c == b'x' {
                            out.push(v as u8);
                        } else {
                            let ch = char::from_u32(v).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                    }
                    b'0'..=b'7' => {
                        let oct = s.get(i - 1..i + 2)?;
                        let v = u32::from_str_radix(std::str::from_utf8(oct).ok()?, 8).ok()?;
                        i += 2;
                        out.push(v as u8);
                    }
                    other => out.push(other),
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(v: &[(&str, &str)]) -> Pairs {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn the_three_spellings() {
        let (got, rest) = parse_set(br#"{"pool":"export", "tenant":"acme"}"#).unwrap();
        assert_eq!(
            (got, rest),
            (kv(&[("pool", "export"), ("tenant", "acme")]), &b""[..])
        );
        let (got, rest) = parse_set(br#"{"foobar": "baz"}]:"#).unwrap();
        assert_eq!((got, rest), (kv(&[("foobar", "baz")]), &b"]:"[..]));
        let (got, rest) = parse_set(br#"{pool: export, tenant: "acme-eu"}:"#).unwrap();
        assert_eq!(
            (got, rest),
            (kv(&[("pool", "export"), ("tenant", "acme-eu")]), &b":"[..])
        );
        let (got, _) =
            parse_set(br#"{"a b": "x\ty", k: "v]{}: , \"q\" \x41\u00e9\U0001F600"}"#).unwrap();
        assert_eq!(
            got,
            kv(&[("a b", "x\ty"), ("k", "v]{}: , \"q\" A\u{e9}\u{1F600}")])
        );
        assert_eq!(parse_set(b"{}").unwrap().0, vec![]);
    }

    #[test]
    fn broken_sets() {
        for bad in [
            &br#"{"k":"unterminated}"#[..],
            b"{k v}",
            b"{k:}",
            b"{:v}",
            b"{k: v",
            b"nope",
            b"{\"k\": \"\\",
        ] {
            assert_eq!(parse_set(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn set_end_skips_quotes() {
        assert_eq!(set_end(br#"{a: "}"}:"#), Some(8));
        assert_eq!(set_end(br#"{a: "\"}"}x"#), Some(10));
        assert_eq!(set_end(br#"{a: "}"#), None);
        assert_eq!(set_end(b"x"), None);
    }
}
