//! Legacy thread profiles (`--- threadz 1 ---`, Google's C++ servers): one
//! block per thread, its stack as bare addresses, then a memory map.
//! Hand-written after google/pprof `profile/legacy_profile.go`
//! (`parseThread`, `parseThreadSample`); no crate reads this format.
//!
//! ```text
//! --- threadz 1 ---
//! --- Thread 7f794ab90940 (name: main/14748) stack: ---
//!   PC:  0x00bc8f1c: helper(arg *)
//!   0x0040be31: main
//!       creator: 0xa45b96 0xa460b4
//! --- Thread 7f7948978700 (name: thread3/14759) stack: ---
//!   [same as previous thread]
//! --- Memory map: ---
//! ```
//!
//! As in pprof, every `0x` hex number of a block's lines is an address of
//! the stack, leaf first (the creator's frames included); all but the leaf
//! are return addresses and move back by one. Each thread counts 1; a block
//! that says `same as previous thread` (or has no address) adds 1 to the
//! thread before it. Symbol names in the block are not kept: pprof ignores
//! them, and names come from the memory map instead.
//!
//! pprof refuses a file whose threads run to the end of the file with no
//! memory map after them; here that file is read.

use super::{trim, Lines, Sink, Ticker};
use crate::decode::{memory_map, DecodeError, Progress, Result};
use crate::model::{LocId, Profile, SourceFormat};

/// `--- threadz N ---` (pprof looks for it anywhere in the line).
pub fn is_threadz_header(line: &[u8]) -> bool {
    let Some(at) = line.windows(12).position(|w| w == b"--- threadz ") else {
        return false;
    };
    let rest = &line[at + 12..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && rest[digits..].starts_with(b" ---")
}

/// `--- Thread HEX (name: NAME/N) stack: ---`, anywhere in the line.
pub fn is_thread_start(line: &[u8]) -> bool {
    let Some(at) = line.windows(11).position(|w| w == b"--- Thread ") else {
        return false;
    };
    let rest = &line[at + 11..];
    let hex = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let Some(rest) = rest[hex..].strip_prefix(b" (name: ") else {
        return false;
    };
    // `(.*)/(\d+)\) stack: ---`: some `/digits) stack: ---` after the name.
    let tail = b") stack: ---";
    hex > 0
        && rest.windows(tail.len()).enumerate().any(|(i, w)| {
            w == tail && {
                let digits = rest[..i]
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                digits > 0 && i > digits && rest[i - digits - 1] == b'/'
            }
        })
}

/// Appends every `0x[0-9a-f]+` of `line` (pprof's `hexNumberRE`) to `out`;
/// `false` if one is too large for 64 bits (it is left out).
pub fn hex_numbers(line: &[u8], out: &mut Vec<u64>) -> bool {
    let mut ok = true;
    let mut i = 0;
    while i + 2 < line.len() {
        if line[i] != b'0' || line[i + 1] != b'x' {
            i += 1;
            continue;
        }
        let digits = line[i + 2..]
            .iter()
            .take_while(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            .count();
        if digits == 0 {
            i += 1;
            continue;
        }
        let mut v: Option<u64> = Some(0);
        for &b in &line[i + 2..i + 2 + digits] {
            let d = u64::from((b as char).to_digit(16).unwrap_or(0));
            v = v
                .and_then(|v| v.checked_mul(16))
                .and_then(|v| v.checked_add(d));
        }
        match v {
            Some(v) => out.push(v),
            None => ok = false,
        }
        i += 2 + digits;
    }
    ok
}

/// Decodes a thread profile; the caller has found its first line.
pub fn decode(bytes: &[u8], progress: &mut dyn Progress) -> Result<Profile> {
    let mut lines = Lines::new(bytes).peekable();
    let is_start = |l: &[u8]| is_threadz_header(l) || is_thread_start(l);
    while lines.next_if(|(_, _, l)| !is_start(l)).is_some() {}
    let Some(&(hn, _, header)) = lines.peek() else {
        return Err(DecodeError::Unrecognized {
            detail: "no `--- threadz N ---` line".into(),
        });
    };
    if is_threadz_header(header) {
        lines.next();
        // Comments up to the first line that starts with `-`.
        while lines
            .next_if(|(_, _, l)| !memory_map::is_trigger(l) && l.first() != Some(&b'-'))
            .is_some()
        {}
    }

    let mut sink = Sink::new(SourceFormat::LegacyThreads);
    let vt = sink.value_type("thread", "count");
    sink.p.sample_types.push(vt);
    sink.p.period_type = Some(vt);
    sink.p.period = 1;

    let mut ticker = Ticker::new(bytes.len());
    let mut addrs: Vec<u64> = Vec::new();
    let mut locs: Vec<LocId> = Vec::new();
    let mut end = bytes.len();
    // The thread block being read: its header line and whether it said
    // `same as previous thread`.
    let mut block: Option<(u32, bool)> = None;
    let mut finish = |sink: &mut Sink, addrs: &mut Vec<u64>, block: Option<(u32, bool)>| {
        let Some((_, same)) = block else { return };
        if same || addrs.is_empty() {
            if let Some(last) = sink.p.samples.values.last_mut() {
                *last += 1;
            }
        } else {
            locs.clear();
            for (i, &a) in addrs.iter().enumerate() {
                locs.push(sink.addr_loc(if i > 0 { a.wrapping_sub(1) } else { a }, &[]));
            }
            let stack = sink.stacks.push_leaf_first(&locs);
            sink.push_sample(stack, &[1], &[]);
        }
        addrs.clear();
    };
    for (n, offset, line) in lines {
        ticker.tick(offset, progress)?;
        let t = trim(line);
        if t.starts_with(b"---") {
            finish(&mut sink, &mut addrs, block.take());
            if memory_map::is_trigger(line) || line.starts_with(b"---- no stack trace for") {
                end = offset;
                break;
            }
            if is_thread_start(line) {
                block = Some((n, false));
            } else {
                sink.p.warn(
                    Some(n),
                    None,
                    "not a `--- Thread ... stack: ---` line; skipped",
                );
            }
            continue;
        }
        if t.is_empty() {
            continue;
        }
        let Some((_, same)) = block.as_mut() else {
            sink.p
                .warn(Some(n), None, "a line outside any thread block; skipped");
            continue;
        };
        if contains(t, b"same as previous thread") {
            *same = true;
        } else if !hex_numbers(t, &mut addrs) {
            sink.p.warn(
                Some(n),
                None,
                "an address here does not fit in 64 bits; it was left out",
            );
        }
    }
    finish(&mut sink, &mut addrs, block.take());
    if sink.p.samples.is_empty() {
        sink.p.warn(Some(hn), None, "no thread has a stack");
    }
    let mut profile = sink.finish();
    memory_map::attach_section(&mut profile, bytes, end);
    Ok(profile)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert!(is_threadz_header(b"--- threadz 1 ---"));
        assert!(!is_threadz_header(b"--- threadz x ---"));
        assert!(is_thread_start(
            b"--- Thread 7f794ab90940 (name: main/14748) stack: ---"
        ));
        assert!(is_thread_start(b"--- Thread 1 (name: a/b/12) stack: ---"));
        assert!(!is_thread_start(b"--- Thread 1 (name: main) stack: ---"));
        assert!(!is_thread_start(b"--- Thread zz (name: a/1) stack: ---"));
    }

    #[test]
    fn hex_numbers_like_pprof() {
        let mut v = Vec::new();
        assert!(hex_numbers(
            b"PC:  0x00bc8f1c: helper(0xA) 0x0x5 10x7f",
            &mut v
        ));
        assert_eq!(v, vec![0xbc8f1c, 0x0, 0x7f]);
        v.clear();
        assert!(!hex_numbers(b"0x11111111111111111 0x2", &mut v));
        assert_eq!(v, vec![2]);
    }
}
