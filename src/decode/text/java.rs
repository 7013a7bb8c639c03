//! Java's legacy profiles, as Google's Java profiling agent wrote them:
//! `--- heapz 1 ---` and `--- contentionz 1 ---` text, and the location
//! text that follows the samples of those and of the Java binary CPU
//! profile ([`crate::decode::legacy_cpu`]). Hand-written after google/pprof
//! `profile/legacy_java_profile.go`; no crate reads these.
//!
//! ```text
//! --- contentionz 1 ---
//! format = java
//! resolution = microseconds
//! sampling period = 100
//! ms since reset = 6000000
//!   10 100 @ 0x01 0x02
//! 0x01 com.example.Foo.lock (Foo.java:12)
//! 0x02 com.example.Foo.run (Foo.java:30)
//! ```
//!
//! The attribute lines set the unit of space or delay (`resolution`;
//! contentions are a count, as in today's pprof, where go1.19's gave them
//! the resolution's unit too) and the period;
//! samples are `delay count @ ids` (the reverse of the C++ order); heap
//! samples are `bytes count @ ids`, un-sampled at 512 KiB, with a `bytes`
//! label. The ids are not addresses and are not adjusted; each names a
//! frame `function (file:line)`, `function (library path)`, a JIT stub or
//! a bare name. As pprof strips the ids after naming the frames, every
//! location has address 0.
//!
//! Numbers are read as Go's `strconv.ParseInt(s, 0, 64)` reads them, so a
//! leading `0` means octal, as in pprof.

use hashbrown::HashMap;

use super::{legacy::scale_heap_sample, threads::hex_numbers, trim, Lines, Sink, Ticker};
use crate::decode::{DecodeError, Progress, Result};
use crate::model::{FuncId, Line, LocId, Location, Profile, SourceFormat, StrId};

/// The Java heap header (pprof compares the whole trimmed first line).
pub fn is_heapz_header(line: &[u8]) -> bool {
    trim(line) == b"--- heapz 1 ---"
}

/// Whether a `--- contentionz 1 ---` file is Java's: one of its
/// attributes is not one of the four the C++ reader knows (Java's say
/// `format = java` and `resolution = ...`), so pprof hands it to the Java
/// reader.
pub fn is_java_contention(bytes: &[u8]) -> bool {
    let mut lines = Lines::new(bytes)
        .map(|(_, _, l)| trim(l))
        .skip_while(|l| *l != b"--- contentionz 1 ---");
    lines.next();
    lines
        .filter(|l| !l.is_empty())
        .take_while(|l| !l.starts_with(b"---"))
        .map_while(|l| l.iter().position(|&b| b == b'=').map(|eq| trim(&l[..eq])))
        .any(|key| {
            !matches!(
                key,
                b"cycles/second" | b"sampling period" | b"ms since reset" | b"discarded samples"
            )
        })
}

/// pprof's `([\w ]+)=([\w ]+)`: the first `=` with word characters or
/// spaces on both sides; the key and value trimmed.
fn attribute(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_' || *b == b' ';
    let mut run_start = 0;
    for (i, b) in line.iter().enumerate() {
        if *b == b'=' && run_start < i {
            let value = line[i + 1..].iter().take_while(|b| word(b)).count();
            if value > 0 {
                return Some((trim(&line[run_start..i]), trim(&line[i + 1..i + 1 + value])));
            }
        }
        if !word(b) {
            run_start = i + 1;
        }
    }
    None
}

/// Go's `strconv.ParseInt(s, 0, 64)` for the digits pprof's patterns let
/// through (no underscores).
pub(crate) fn parse_int_base0(s: &[u8]) -> Option<i64> {
    let (neg, s) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    let (radix, digits) = match s {
        [b'0', b'x' | b'X', rest @ ..] => (16, rest),
        [b'0', b'b' | b'B', rest @ ..] => (2, rest),
        [b'0', b'o' | b'O', rest @ ..] => (8, rest),
        [b'0', rest @ ..] if !rest.is_empty() => (8, rest),
        _ => (10, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in digits {
        let d = (b as char).to_digit(radix)?;
        v = v.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    if neg {
        0i64.checked_sub_unsigned(v)
    } else {
        i64::try_from(v).ok()
    }
}

/// pprof's ` *(\d+) +(\d+) +@ +([ x0-9a-f]*)` anywhere in the line: the two
/// numbers and the id text. A failed try at one run of digits fails at any
/// later start inside it, so only run starts are tried.
fn sample_line(line: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let spaces = |s: &[u8]| s.iter().take_while(|b| **b == b' ').count();
    let mut i = 0;
    while i < line.len() {
        let a = digits(&line[i..]);
        if a == 0 {
            i += 1;
            continue;
        }
        let try_at = |i: usize| {
            let mut j = i + a;
            let sp = spaces(&line[j..]);
            j += sp;
            let b = digits(&line[j..]);
            let (first, second) = (&line[i..i + a], &line[j..j + b]);
            j += b;
            let sp2 = spaces(&line[j..]);
            j += sp2;
            let rest = line[j..].strip_prefix(b"@")?;
            let sp3 = spaces(rest);
            let ids = &rest[sp3..];
            let n = ids
                .iter()
                .take_while(|c| matches!(c, b' ' | b'x' | b'0'..=b'9' | b'a'..=b'f'))
                .count();
            (sp > 0 && b > 0 && sp2 > 0 && sp3 > 0).then_some((first, second, &ids[..n]))
        };
        if let Some(found) = try_at(i) {
            return Some(found);
        }
        i += a;
    }
    None
}

/// What a location line names: function, file and line (0 if unknown).
fn frame(text: &[u8]) -> (&[u8], &[u8], i64) {
    let is_ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r');
    // `^(.*)\s+\((.+):(-?\d+)\)$`, the last `(` after white space that
    // leaves something before the last `:`.
    if let Some(inner) = text.strip_suffix(b")") {
        let colon = inner.iter().rposition(|&b| b == b':');
        let open = |limit: usize| {
            (1..limit)
                .rev()
                .find(|&i| inner[i] == b'(' && is_ws(inner[i - 1]))
        };
        if let Some(c) = colon {
            let num = &inner[c + 1..];
            let num_ok = !num.is_empty() && {
                let d = num.strip_prefix(b"-").unwrap_or(num);
                !d.is_empty() && d.iter().all(u8::is_ascii_digit)
            };
            if num_ok {
                if let Some(o) = open(c.saturating_sub(1)) {
                    let line = super::parse_i64(num).filter(|&n| n > 0).unwrap_or(0);
                    return (&inner[..o - 1], &inner[o + 1..c], line);
                }
            }
        }
        // `^(.*)\s+\((.*)\)$`: a library path; only its base name is kept.
        if let Some(o) = open(inner.len()) {
            return (&inner[..o - 1], go_base(&inner[o + 1..]), 0);
        }
    }
    if text.windows(18).any(|w| w == b"generated stub/JIT") {
        return (b"STUB", b"", 0);
    }
    (text, b"", 0)
}

/// Go's `filepath.Base` (Unix).
fn go_base(path: &[u8]) -> &[u8] {
    let trimmed = match path.iter().rposition(|&b| b != b'/') {
        Some(end) => &path[..=end],
        None if path.is_empty() => return b".",
        None => return b"/",
    };
    match trimmed.iter().rposition(|&b| b == b'/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Hex digits (either case) as `strconv.ParseUint(s, 16, 64)`.
fn parse_hex_digits(s: &[u8]) -> Option<u64> {
    s.iter().try_fold(0u64, |v, &b| {
        v.checked_mul(16)?
            .checked_add(u64::from((b as char).to_digit(16)?))
    })
}

/// Samples as read: values (two per sample), ids per sample (flat) and the
/// `bytes` label of heap samples.
#[derive(Default)]
pub(crate) struct JavaSamples {
    pub(crate) values: Vec<i64>,
    pub(crate) ends: Vec<usize>,
    pub(crate) ids: Vec<u64>,
    pub(crate) bytes: Vec<Option<i64>>,
}

impl JavaSamples {
    pub(crate) fn push(&mut self, values: [i64; 2], ids: &[u64], bytes: Option<i64>) {
        self.values.extend_from_slice(&values);
        self.ids.extend_from_slice(ids);
        self.ends.push(self.ids.len());
        self.bytes.push(bytes);
    }
}

/// Reads the location lines of `text` (`0xID frame`; others are skipped),
/// names the ids the samples use and adds the samples to `sink`. `err`
/// turns (line in `text`, message) into the caller's error.
pub(crate) fn finish(
    mut sink: Sink,
    samples: &JavaSamples,
    text: &[u8],
    err: &dyn Fn(u32, String) -> DecodeError,
) -> Result<Profile> {
    let used: hashbrown::HashSet<u64> = samples.ids.iter().copied().collect();
    let mut named: HashMap<u64, (FuncId, i64)> = HashMap::new();
    let mut funcs: HashMap<StrId, FuncId> = HashMap::new();
    for (n, _, raw) in Lines::new(text) {
        let line = trim(raw);
        let Some(rest) = line.strip_prefix(b"0x") else {
            continue;
        };
        let hex = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        let ws = rest[hex..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0c' | b'\r'))
            .count();
        if hex == 0 || ws == 0 {
            continue;
        }
        let Some(id) = parse_hex_digits(&rest[..hex]) else {
            return Err(err(n, "the frame id does not fit in 64 bits".into()));
        };
        if !used.contains(&id) {
            continue;
        }
        let (name, file, lineno) = frame(&rest[hex + ws..]);
        let key = sink.intern(name);
        let func = match funcs.get(&key) {
            Some(&f) => f,
            None => {
                let f = sink.func(name, file);
                funcs.insert(key, f);
                f
            }
        };
        named.insert(id, (func, lineno));
    }
    let mut locs_by_id: HashMap<u64, LocId> = HashMap::new();
    let mut stack: Vec<LocId> = Vec::new();
    let nvals = 2;
    for i in 0..samples.ends.len() {
        let start = if i == 0 { 0 } else { samples.ends[i - 1] };
        stack.clear();
        for &id in &samples.ids[start..samples.ends[i]] {
            let p = &mut sink.p;
            let loc = *locs_by_id.entry(id).or_insert_with(|| {
                let lines_start = p.lines.len() as u32;
                if let Some(&(func, line)) = named.get(&id) {
                    p.lines.push(Line {
                        func,
                        line,
                        column: 0,
                    });
                }
                p.locations.push(Location {
                    source_id: 0,
                    mapping: None,
                    address: 0,
                    lines_start,
                    lines_end: p.lines.len() as u32,
                    is_folded: false,
                });
                LocId(p.locations.len() as u32 - 1)
            });
            stack.push(loc);
        }
        let leaf = sink.stacks.push_leaf_first(&stack);
        let labels = match samples.bytes[i] {
            Some(b) => vec![sink.num_label("bytes", b, "")],
            None => Vec::new(),
        };
        sink.push_sample(leaf, &samples.values[i * nvals..(i + 1) * nvals], &labels);
    }
    Ok(sink.finish())
}

fn text_err(line: u32, message: String) -> DecodeError {
    DecodeError::Text { line, message }
}

/// Decodes a Java `--- heapz 1 ---` or `--- contentionz 1 ---` profile.
pub fn decode(bytes: &[u8], progress: &mut dyn Progress) -> Result<Profile> {
    let mut lines = Lines::new(bytes).peekable();
    let is_header = |l: &[u8]| is_heapz_header(l) || trim(l) == b"--- contentionz 1 ---";
    while lines.next_if(|(_, _, l)| !is_header(l)).is_some() {}
    let Some((hn, _, header)) = lines.next() else {
        return Err(DecodeError::Unrecognized {
            detail: "no `--- heapz 1 ---` line".into(),
        });
    };
    let heap = is_heapz_header(header);
    let mut sink = Sink::new(if heap {
        SourceFormat::LegacyHeap
    } else {
        SourceFormat::LegacyContention
    });
    let mut ticker = Ticker::new(bytes.len());
    let mut samples = JavaSamples::default();
    let mut in_attrs = true;
    let mut units: Option<String> = None;
    let mut text_start = bytes.len();
    let mut text_line = 0;
    for (n, offset, raw) in lines {
        ticker.tick(offset, progress)?;
        let line = trim(raw);
        if line.is_empty() {
            continue;
        }
        if in_attrs {
            if let Some((key, value)) = attribute(line) {
                let what = |k: &[u8]| String::from_utf8_lossy(k).into_owned();
                match (heap, key) {
                    (_, b"format") if value != b"java" => {
                        return Err(text_err(
                            n,
                            format!("format is {:?}; a Java profile says java", what(value)),
                        ))
                    }
                    (_, b"format") => {}
                    (_, b"resolution") => units = Some(what(value)),
                    (false, b"sampling period") => {
                        sink.p.period_type = Some(sink.value_type("contentions", "count"));
                        sink.p.period = parse_int_base0(value).ok_or_else(|| {
                            text_err(
                                n,
                                format!("sampling period {:?} is not a number", what(value)),
                            )
                        })?;
                    }
                    (false, b"ms since reset") => {
                        let ms = parse_int_base0(value).ok_or_else(|| {
                            text_err(
                                n,
                                format!("ms since reset {:?} is not a number", what(value)),
                            )
                        })?;
                        sink.p.duration_nanos = ms.wrapping_mul(1_000_000);
                    }
                    _ => {
                        return Err(text_err(
                            n,
                            format!("unknown attribute {:?} in a Java profile", what(key)),
                        ))
                    }
                }
                continue;
            }
            in_attrs = false;
        }
        let Some((first, second, ids_text)) = sample_line(line) else {
            text_start = offset;
            text_line = n - 1;
            break;
        };
        let mut ids = Vec::new();
        if !hex_numbers(ids_text, &mut ids) {
            return Err(text_err(n, "a frame id does not fit in 64 bits".into()));
        }
        let num = |s: &[u8]| {
            parse_int_base0(s).ok_or_else(|| {
                text_err(
                    n,
                    format!("{:?} is not a number", String::from_utf8_lossy(s)),
                )
            })
        };
        // `bytes count @ ids` or `delay count @ ids`: the count is the
        // first value.
        let (mut count, mut amount) = (num(second)?, num(first)?);
        let mut bytes_label = None;
        if heap {
            if count == 0 {
                return Err(text_err(n, "the object count (second number) is 0".into()));
            }
            bytes_label = Some(amount / count);
            (count, amount) = scale_heap_sample(count, amount, 524_288);
        } else if sink.p.period != 0 {
            count = count.wrapping_mul(sink.p.period);
            amount = amount.wrapping_mul(sink.p.period);
        }
        samples.push([count, amount], &ids, bytes_label);
    }
    let Some(unit) = units else {
        return Err(text_err(
            hn,
            "no `resolution = UNIT` line, so the values have no unit".into(),
        ));
    };
    let types: [(&str, &str); 2] = if heap {
        [("inuse_objects", "count"), ("inuse_space", &unit)]
    } else {
        [("contentions", "count"), ("delay", &unit)]
    };
    for (t, u) in types {
        let vt = sink.value_type(t, u);
        sink.p.sample_types.push(vt);
    }
    finish(sink, &samples, &bytes[text_start..], &|n, m| {
        text_err(text_line + n, m)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_like_pprof() {
        assert_eq!(
            attribute(b"format = java"),
            Some((&b"format"[..], &b"java"[..]))
        );
        assert_eq!(
            attribute(b"sampling period = 100"),
            Some((&b"sampling period"[..], &b"100"[..]))
        );
        assert_eq!(
            attribute(b"cycles/second = 3201000000"),
            Some((&b"second"[..], &b"3201000000"[..]))
        );
        assert_eq!(attribute(b"= x"), None);
        assert_eq!(attribute(b"a =/b"), None);
    }

    #[test]
    fn numbers_like_go_base0() {
        assert_eq!(parse_int_base0(b"100"), Some(100));
        assert_eq!(parse_int_base0(b"0100"), Some(64));
        assert_eq!(parse_int_base0(b"0"), Some(0));
        assert_eq!(parse_int_base0(b"0x1f"), Some(31));
        assert_eq!(parse_int_base0(b"09"), None);
        assert_eq!(parse_int_base0(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_int_base0(b"9223372036854775808"), None);
    }

    #[test]
    fn samples_and_frames() {
        assert_eq!(
            sample_line(b"10 100 @ 0x01 0x02"),
            Some((&b"10"[..], &b"100"[..], &b"0x01 0x02"[..]))
        );
        assert_eq!(
            sample_line(b"x 10 100 @ 0x01"),
            Some((&b"10"[..], &b"100"[..], &b"0x01"[..]))
        );
        assert_eq!(sample_line(b"10 100 0x01"), None);
        assert_eq!(
            frame(b"com.example.Foo.bar (Foo.java:12)"),
            (&b"com.example.Foo.bar"[..], &b"Foo.java"[..], 12)
        );
        assert_eq!(frame(b"f (a (b):x:-3)"), (&b"f (a"[..], &b"b):x"[..], 0));
        assert_eq!(frame(b"f  (x.java:7)"), (&b"f "[..], &b"x.java"[..], 7));
        assert_eq!(frame(b"f ()"), (&b"f"[..], &b"."[..], 0));
        assert_eq!(
            frame(b"read (/lib/libc.so.6)"),
            (&b"read"[..], &b"libc.so.6"[..], 0)
        );
        assert_eq!(frame(b"<generated stub/JIT>"), (&b"STUB"[..], &b""[..], 0));
        assert_eq!(frame(b"GC"), (&b"GC"[..], &b""[..], 0));
    }
}
