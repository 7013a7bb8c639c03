//! The memory map that legacy profiles carry after their samples, and how
//! pprof ties addresses to it (google/pprof `profile/legacy_profile.go`:
//! `parseAdditionalSections`, `ParseProcMaps`, `parseMappingEntry`,
//! `remapMappingIDs`; `profile.go`: `massageMappings`).
//!
//! Hand-written because no crate reads these sections, and because the
//! mapping of each address decides how an unsymbolised frame is named
//! (`[libc-2.15.so]`), so the rules must be pprof's to the letter:
//!
//! * the text sections end at a line containing `--- Memory map: ---` or
//!   `MAPPED_LIBRARIES:` (the binary CPU format has the map right after its
//!   end-of-data marker, with no such line);
//! * an entry is a `/proc/self/maps` line (only executable ones count) or
//!   the brief `start-limit: file [...@offset]`; a `name=value` line
//!   defines `$name` for the lines after it; anything else is ignored;
//! * adjacent pieces of one file are merged and the first entry that looks
//!   like the main binary (not a `.so`, not `[vdso]`) moves to the front: it
//!   names the profile (`File:`);
//! * each address takes the first entry that holds it, in the order the
//!   samples first reach the locations (that order matters for pprof's
//!   repair of a binary whose first piece was not written). An address no
//!   entry holds gets no mapping; pprof gives it a fake mapping with no
//!   file, which names it the same way (`<unknown>`).

use super::text::Lines;
use crate::model::{Mapping, MappingId, Profile};

/// An entry of the memory map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapEntry {
    pub start: u64,
    pub limit: u64,
    pub offset: u64,
    pub file: String,
}

/// Whether `line` starts the memory map section (pprof's `sectionTrigger`;
/// it looks anywhere in the line).
pub fn is_trigger(line: &[u8]) -> bool {
    contains(line, b"--- Memory map: ---") || contains(line, b"MAPPED_LIBRARIES:")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The byte offset just after the first trigger line at or after `from`,
/// if any: where the entries start.
pub fn find_section(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let (_, offset, _) = Lines::new(rest).find(|(_, _, line)| is_trigger(line))?;
    let end = rest[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(rest.len(), |i| offset + i + 1);
    Some(from + end)
}

/// Longest line that `$name` substitution may produce; a chain of
/// definitions that each use the previous one twice grows exponentially.
const MAX_SUBSTITUTED: usize = 64 << 10;
/// Most `name=value` definitions honoured: each one costs a scan of every
/// later line.
const MAX_ATTRS: usize = 64;

/// Reads memory map entries from `text` (pprof's `ParseProcMaps`). Lines
/// that are neither entries nor definitions are skipped, as pprof does.
/// `warn` hears about definitions that were not applied.
pub fn parse(text: &[u8], mut warn: impl FnMut(u32, &str)) -> Vec<MapEntry> {
    let mut out = Vec::new();
    // (`$name`, value), in definition order: the first that matches wins.
    let mut attrs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut buf = Vec::new();
    for (n, _, raw) in Lines::new(text) {
        let mut line = trim_all(raw);
        if line.is_empty() {
            continue;
        }
        if !attrs.is_empty() {
            if substitute(line, &attrs, &mut buf) {
                line = trim_all(&buf);
            } else {
                warn(
                    n,
                    "`$name` substitution makes this line too long; it was read as it is",
                );
            }
        }
        match parse_entry(line) {
            Entry::Map(m) => out.push(m),
            Entry::Skip => {}
            Entry::Unrecognized => {
                if let Some(eq) = line.iter().position(|&b| b == b'=') {
                    if attrs.len() == MAX_ATTRS {
                        warn(n, "too many `name=value` definitions; this one was ignored");
                        continue;
                    }
                    let mut key = b"$".to_vec();
                    key.extend_from_slice(trim_all(&line[..eq]));
                    attrs.push((key, trim_all(&line[eq + 1..]).to_vec()));
                }
            }
        }
    }
    out
}

/// Go's `strings.TrimSpace` for ASCII white space.
fn trim_all(s: &[u8]) -> &[u8] {
    let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c');
    let start = s.iter().position(|b| !is_ws(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !is_ws(b)).map_or(start, |e| e + 1);
    &s[start..end]
}

/// Go's `strings.Replacer` over `attrs`: left to right, no overlaps, and at
/// each position the first pair (in definition order) that matches. `false`
/// if the result would exceed [`MAX_SUBSTITUTED`].
fn substitute(line: &[u8], attrs: &[(Vec<u8>, Vec<u8>)], out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut i = 0;
    while i < line.len() {
        let hit = if line[i] == b'$' {
            attrs.iter().find(|(k, _)| line[i..].starts_with(k))
        } else {
            None
        };
        match hit {
            Some((k, v)) => {
                out.extend_from_slice(v);
                i += k.len();
            }
            None => {
                out.push(line[i]);
                i += 1;
            }
        }
        if out.len() > MAX_SUBSTITUTED {
            return false;
        }
    }
    true
}

enum Entry {
    Map(MapEntry),
    /// A `/proc/self/maps` line of a region that is not executable.
    Skip,
    Unrecognized,
}

/// pprof's `parseMappingEntry`: the `/proc/self/maps` form, then the brief
/// form. Both of its regexps are unanchored, so the entry is the leftmost
/// `hex-hex` that the rest of the pattern follows.
fn parse_entry(line: &[u8]) -> Entry {
    if let Some(e) = each_range(line, proc_entry) {
        return e;
    }
    each_range(line, brief_entry).unwrap_or(Entry::Unrecognized)
}

/// Tries `f` at every `-` with hex digits on both sides, left to right,
/// passing the start digits and the text after the `-`. Each digit is looked
/// at a bounded number of times, so this is linear in the line.
fn each_range(line: &[u8], f: impl Fn(&[u8], &[u8]) -> Option<Entry>) -> Option<Entry> {
    let mut run_start = 0;
    for (i, &b) in line.iter().enumerate() {
        if b.is_ascii_hexdigit() {
            continue;
        }
        if b == b'-' && run_start < i {
            if let Some(e) = f(&line[run_start..i], &line[i + 1..]) {
                return Some(e);
            }
        }
        run_start = i + 1;
    }
    None
}

/// The leading run of bytes for which `pred` holds, and the rest.
fn span(s: &[u8], pred: impl Fn(u8) -> bool) -> (&[u8], &[u8]) {
    let n = s.iter().position(|&b| !pred(b)).unwrap_or(s.len());
    s.split_at(n)
}

/// Go regexp's `\s`.
fn is_re_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r')
}

/// Hex without prefix, as `strconv.ParseUint(s, 16, 64)`: `None` on
/// overflow.
fn hex(s: &[u8]) -> Option<u64> {
    let mut v: u64 = 0;
    for &b in s {
        let d = (b as char).to_digit(16)?;
        v = v.checked_mul(16)?.checked_add(u64::from(d))?;
    }
    (!s.is_empty()).then_some(v)
}

/// `start-limit perms offset dev:dev inode [file]`, with `start` already
/// taken and `rest` after the `-`.
fn proc_entry(start: &[u8], rest: &[u8]) -> Option<Entry> {
    let (limit, rest) = span(rest, |b| b.is_ascii_hexdigit());
    let (sp, rest) = span(rest, is_re_space);
    let (perms, rest) = span(rest, |b| matches!(b, b'-' | b'r' | b'w' | b'x' | b'p'));
    let (sp2, rest) = span(rest, is_re_space);
    let (offset, rest) = span(rest, |b| b.is_ascii_hexdigit());
    let (sp3, rest) = span(rest, is_re_space);
    let (major, rest) = span(rest, |b| b.is_ascii_hexdigit());
    let rest = rest.strip_prefix(b":")?;
    let (minor, rest) = span(rest, |b| b.is_ascii_hexdigit());
    let (sp4, rest) = span(rest, is_re_space);
    let (inode, rest) = span(rest, |b| b.is_ascii_digit());
    if [limit, sp, perms, sp2, offset, sp3, major, minor, sp4, inode]
        .iter()
        .any(|p| p.is_empty())
    {
        return None;
    }
    if !perms.contains(&b'x') {
        return Some(Entry::Skip);
    }
    let (_, rest) = span(rest, is_re_space);
    let (file, _) = span(rest, |b| !is_re_space(b));
    Some(match (hex(start), hex(limit), hex(offset)) {
        (Some(start), Some(limit), Some(offset)) => Entry::Map(MapEntry {
            start,
            limit,
            offset,
            file: String::from_utf8_lossy(file).into_owned(),
        }),
        _ => Entry::Unrecognized,
    })
}

/// `start-limit: file`, optionally followed by ` ...@offset`.
fn brief_entry(start: &[u8], rest: &[u8]) -> Option<Entry> {
    let (limit, rest) = span(rest, |b| b.is_ascii_hexdigit());
    let rest = rest.strip_prefix(b":")?;
    let (_, rest) = span(rest, is_re_space);
    let (file, rest) = span(rest, |b| !is_re_space(b));
    if limit.is_empty() || file.is_empty() {
        return None;
    }
    // `(\s.*@)?([[:xdigit:]]+)?`: the hex digits after the last `@`.
    let offset = match rest.iter().rposition(|&b| b == b'@') {
        Some(at) if rest.first().is_some_and(|&b| is_re_space(b)) => {
            span(&rest[at + 1..], |b| b.is_ascii_hexdigit()).0
        }
        _ => &b""[..],
    };
    let offset = if offset.is_empty() {
        Some(0)
    } else {
        hex(offset)
    };
    Some(match (hex(start), hex(limit), offset) {
        (Some(start), Some(limit), Some(offset)) => Entry::Map(MapEntry {
            start,
            limit,
            offset,
            file: String::from_utf8_lossy(file).into_owned(),
        }),
        _ => Entry::Unrecognized,
    })
}

/// Whether a file name is a shared library (pprof's
/// `([.]so$|[.]so[._][0-9]+)`).
fn is_shared_library(file: &str) -> bool {
    let b = file.as_bytes();
    b.ends_with(b".so")
        || b.windows(5)
            .any(|w| &w[..3] == b".so" && matches!(w[3], b'.' | b'_') && w[4].is_ascii_digit())
}

/// pprof's `massageMappings` for entries without build ids: merges adjacent
/// pieces of one file and moves the main binary to the front.
fn massage(entries: &mut Vec<MapEntry>) {
    let mut merged: Vec<MapEntry> = Vec::with_capacity(entries.len());
    for m in entries.drain(..) {
        if let Some(lm) = merged.last_mut() {
            let same_file = lm.file.is_empty() || m.file.is_empty() || lm.file == m.file;
            let offsets_agree = lm.offset == 0
                || m.offset == 0
                || lm.offset.wrapping_add(lm.limit.wrapping_sub(lm.start)) == m.offset;
            if same_file && lm.limit == m.start && offsets_agree {
                lm.limit = m.limit;
                if !m.file.is_empty() {
                    lm.file = m.file;
                }
                continue;
            }
        }
        merged.push(m);
    }
    *entries = merged;
    let main = entries.iter().position(|m| {
        let file = m.file.replace("(deleted)", "");
        let file = file.trim();
        !file.is_empty() && !is_shared_library(file) && !file.starts_with('[')
    });
    if let Some(i) = main {
        entries.swap(0, i);
    }
}

/// Adds `entries` to `profile` as its mappings and gives each location
/// with an address the mapping that holds it (see the module docs).
pub fn attach(profile: &mut Profile, mut entries: Vec<MapEntry>) {
    if entries.is_empty() {
        return;
    }
    massage(&mut entries);
    // pprof's `remapMappingIDs`.
    if entries.len() > 1
        && entries[0].file.starts_with("/anon_hugepage")
        && entries[0].limit == entries[1].start
    {
        entries.remove(0);
    }
    const EXPECTED_START: u64 = 0x40_0000;
    if entries[0].start.wrapping_sub(entries[0].offset) == EXPECTED_START {
        entries[0].start = EXPECTED_START;
        entries[0].offset = 0;
    }
    let base = profile.mappings.len();
    for loc in locations_in_sample_order(profile) {
        let l = &mut profile.locations[loc];
        let a = l.address;
        if l.mapping.is_some() || a == 0 {
            continue;
        }
        let found = entries
            .iter()
            .position(|m| m.start <= a && a < m.limit)
            .or_else(|| {
                // A binary whose first piece was not written: stretch the piece
                // back to where its offset says the file starts.
                let i = entries.iter().position(|m| {
                    m.offset != 0 && m.start.wrapping_sub(m.offset) <= a && a < m.start
                })?;
                entries[i].start = entries[i].start.wrapping_sub(entries[i].offset);
                entries[i].offset = 0;
                Some(i)
            });
        l.mapping = found.map(|i| MappingId((base + i) as u32));
    }
    for (i, m) in entries.into_iter().enumerate() {
        let file = profile.strings.intern(&m.file);
        profile.mappings.push(Mapping {
            source_id: (base + i + 1) as u64,
            memory_start: m.start,
            memory_limit: m.limit,
            file_offset: m.offset,
            file,
            ..Mapping::default()
        });
    }
}

/// Location indices in the order the samples first reach them, each sample
/// leaf first (pprof's `remapLocationIDs`). A stack node already walked has
/// had its callers walked too, so each node is visited once.
fn locations_in_sample_order(profile: &Profile) -> Vec<usize> {
    let mut node_seen = vec![false; profile.stacks.len()];
    let mut loc_seen = vec![false; profile.locations.len()];
    let mut order = Vec::new();
    for leaf in profile.samples.stack.iter().flatten() {
        let mut next = Some(*leaf);
        while let Some(id) = next {
            if std::mem::replace(&mut node_seen[id.index()], true) {
                break;
            }
            let loc = profile.stacks.loc(id).index();
            if !std::mem::replace(&mut loc_seen[loc], true) {
                order.push(loc);
            }
            next = profile.stacks.parent(id);
        }
    }
    order
}

/// Reads the memory map section that follows `from` in a text profile, if
/// there is one, and attaches it (line numbers in warnings count from the
/// start of `bytes`).
pub fn attach_section(profile: &mut Profile, bytes: &[u8], from: usize) {
    let Some(start) = find_section(bytes, from) else {
        return;
    };
    let first_line = bytes[..start].iter().filter(|&&b| b == b'\n').count() as u32;
    let mut warnings = Vec::new();
    let entries = parse(&bytes[start..], |n, msg| {
        warnings.push((first_line + n, msg.to_string()))
    });
    for (n, msg) in warnings {
        profile.warn(Some(n), None, msg);
    }
    attach(profile, entries);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<MapEntry> {
        let mut v = parse(line.as_bytes(), |_, _| {});
        assert!(v.len() <= 1);
        v.pop()
    }

    fn entry(start: u64, limit: u64, offset: u64, file: &str) -> MapEntry {
        MapEntry {
            start,
            limit,
            offset,
            file: file.into(),
        }
    }

    #[test]
    fn proc_maps_lines() {
        assert_eq!(
            one("7f5e54560000-7f5e54569000 r-xp 00001000 00:00 1466        /lib/libcrypt-2.15.so"),
            Some(entry(
                0x7f5e54560000,
                0x7f5e54569000,
                0x1000,
                "/lib/libcrypt-2.15.so"
            ))
        );
        assert_eq!(
            one("7f5e5455f000-7f5e54560000 rw-p 00003000 00:00 1531 /lib/libdl-2.15.so"),
            None
        );
        assert_eq!(
            one("00400000-00401000 r-xp 0 fc:01 7"),
            Some(entry(0x400000, 0x401000, 0, ""))
        );
        // `s` is not in pprof's permission class, and the brief form needs a colon.
        assert_eq!(one("00400000-00401000 r-xs 0 fc:01 7 /x"), None);
        assert_eq!(
            one("garbage 00400000-00401000 r-xp 0 fc:01 7 /x (deleted)"),
            Some(entry(0x400000, 0x401000, 0, "/x"))
        );
    }

    #[test]
    fn brief_lines_and_definitions() {
        assert_eq!(
            one("  00400000-00fcb000: cppbench_server_main"),
            Some(entry(0x400000, 0xfcb000, 0, "cppbench_server_main"))
        );
        assert_eq!(
            one("10-20: /lib/a.so (@8f0)"),
            Some(entry(0x10, 0x20, 0x8f0, "/lib/a.so"))
        );
        assert_eq!(
            one("10-20: /lib/a.so@8f0"),
            Some(entry(0x10, 0x20, 0, "/lib/a.so@8f0"))
        );
        assert_eq!(
            one("10-11111111111111111: x"),
            None,
            "overflow is not an entry"
        );
        let v = parse(
            b"source=/home\nx=$source$source\n10-20: $x/bin\n$nope: y\n",
            |_, _| {},
        );
        assert_eq!(v, vec![entry(0x10, 0x20, 0, "/home/home/bin")]);
        // First definition wins at a position, as Go's Replacer does.
        let v = parse(b"a=1\nab=2\n10-20: $ab\n", |_, _| {});
        assert_eq!(v, vec![entry(0x10, 0x20, 0, "1b")]);
    }

    #[test]
    fn substitution_growth_is_bounded() {
        // `k1_` is not a prefix of `k12_`, so each line doubles the last.
        let mut text = b"k0_=xxxxxxxxxxxxxxxx\n".to_vec();
        for i in 1..40 {
            text.extend_from_slice(format!("k{i}_=$k{p}_$k{p}_\n", p = i - 1).as_bytes());
        }
        text.extend_from_slice(b"10-20: $k39_\n");
        let mut warned = 0;
        let v = parse(&text, |_, _| warned += 1);
        assert!(warned > 0);
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn massage_merges_and_picks_main() {
        let mut v = vec![
            entry(0x1000, 0x2000, 0, "/lib/libc.so.6"),
            entry(0x400000, 0x500000, 0, "/bin/main"),
            entry(0x500000, 0x600000, 0x100000, "/bin/main"),
            entry(0x700000, 0x800000, 0, "[vdso]"),
        ];
        massage(&mut v);
        assert_eq!(v[0], entry(0x400000, 0x600000, 0, "/bin/main"));
        assert_eq!(v[1].file, "/lib/libc.so.6");
        assert_eq!(v.len(), 3);
        assert!(is_shared_library("/lib/libpthread-2.15.so"));
        assert!(is_shared_library("libfoo.so.1"));
        assert!(!is_shared_library("/usr/bin/solver"));
    }

    #[test]
    fn triggers() {
        assert_eq!(find_section(b"a\n--- Memory map: ---\nb\n", 0), Some(22));
        assert_eq!(find_section(b"a\nMAPPED_LIBRARIES:", 0), Some(19));
        assert_eq!(find_section(b"a\nb\n", 0), None);
    }
}
