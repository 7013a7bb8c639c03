//! Legacy text profiles: `heap profile: ...` (runtime/pprof heap, debug=1;
//! tcmalloc heapz and growthz) and `--- mutex:` / `--- contention:` (mutex
//! and block, debug=1; `--- contentionz 1 ---` from C++ servers).
//!
//! Values follow google/pprof's `profile/legacy_profile.go` so the numbers
//! match what `go tool pprof` shows for the same file:
//!
//! * heap: `heap profile: A: B [C: D] @ heap/R` where `R` is twice the
//!   sampling rate; records are `inuse_n: inuse_bytes [alloc_n: alloc_bytes]
//!   @ addrs` and become values `[alloc_objects, alloc_space, inuse_objects,
//!   inuse_space]` (alloc first), each (count, size) pair un-sampled by
//!   `1 / (1 - exp(-avg_size / rate))` (`scaleHeapSample`); numeric label
//!   `bytes` is the block size. The `# runtime.MemStats` block ends the
//!   records. `@ growthz` and `@ fragmentationz` (no rate) are not scaled
//!   and have `[objects, space]` only.
//! * contention: `cycles/second=`, `sampling period=` then `cycles count @
//!   addrs` records, which become `[contentions, delay]` with
//!   `contentions = count * period` and `delay = cycles * period / GHz`.
//!
//! Stacks come from the `#` lines as in [`super::grouped`], or from the
//! addresses when there are none. A memory map after the records
//! (`--- Memory map: ---`, `MAPPED_LIBRARIES:`) names unsymbolised
//! addresses by their binary ([`crate::decode::memory_map`]).

use super::grouped::Record;
use super::{parse_i64, trim, trim_start, Lines, Sink, Ticker};
use crate::decode::{memory_map, DecodeError, Progress, Result};
use crate::model::{Profile, SourceFormat};

/// `--- mutex:`, or `--- contention` followed by anything (pprof's test:
/// `--- contention:` from Go, `--- contentionz 1 ---` from C++).
pub fn is_contention_header(line: &[u8]) -> bool {
    let t = trim(line);
    t.starts_with(b"--- mutex:") || t.starts_with(b"--- contention")
}

/// Parsed `heap profile:` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeapHeader {
    pub totals: [i64; 4],
    /// Sampling rate in bytes (pprof's period); <= 1 means no scaling.
    pub rate: i64,
    /// Whether un-sampling applies (`heap`, `heap_v2`, `heapz_v2`; not
    /// `heapprofile`, `growthz`, `fragmentationz`).
    pub scaled: bool,
    pub has_alloc: bool,
}

/// A tiny cursor for `N: M [N: M] @ ...` syntax.
struct Cur<'a>(&'a [u8]);

impl<'a> Cur<'a> {
    fn ws(&mut self) {
        self.0 = trim_start(self.0);
    }
    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        self.0 = self.0.strip_prefix(&[c])?;
        Some(())
    }
    fn int(&mut self) -> Option<i64> {
        self.ws();
        let neg = usize::from(self.0.first() == Some(&b'-'));
        let n = neg
            + self.0[neg..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
        let v = parse_i64(&self.0[..n])?;
        self.0 = &self.0[n..];
        Some(v)
    }
    /// `A: B [C: D]`
    fn four(&mut self) -> Option<[i64; 4]> {
        let a = self.int()?;
        self.eat(b':')?;
        let b = self.int()?;
        self.eat(b'[')?;
        let c = self.int()?;
        self.eat(b':')?;
        let d = self.int()?;
        self.eat(b']')?;
        Some([a, b, c, d])
    }
}

/// Parses `heap profile: A: B [C: D] @ heap/R` (or `@ growthz`, `@
/// fragmentationz`).
pub fn parse_heap_header(line: &[u8]) -> Option<HeapHeader> {
    let mut c = Cur(line.strip_prefix(b"heap profile:")?);
    let totals = c.four()?;
    c.eat(b'@')?;
    c.ws();
    let rest = trim(c.0);
    if rest.starts_with(b"growthz") || rest.starts_with(b"fragmentationz") {
        return Some(HeapHeader {
            totals,
            rate: 1,
            scaled: false,
            has_alloc: false,
        });
    }
    let (kind, rate) = match rest.iter().position(|&b| b == b'/') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b""[..]),
    };
    let rate = if rate.is_empty() { 0 } else { parse_i64(rate)? };
    let (scaled, rate) = match kind {
        b"heapz_v2" | b"heap_v2" => (true, rate),
        b"heap" => (true, rate / 2),
        b"heapprofile" => (false, 1),
        _ => return None,
    };
    let [a, b, cc, d] = totals;
    let has_alloc = (cc != a && cc != 0) || (d != b && d != 0);
    Some(HeapHeader {
        totals,
        rate,
        scaled,
        has_alloc,
    })
}

/// pprof's `scaleHeapSample`.
pub fn scale_heap_sample(count: i64, size: i64, rate: i64) -> (i64, i64) {
    if count == 0 || size == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (count, size);
    }
    let avg = size as f64 / count as f64;
    let scale = 1.0 / (1.0 - (-avg / rate as f64).exp());
    ((count as f64 * scale) as i64, (size as f64 * scale) as i64)
}

/// Parses `records @ addrs` with four numbers (heap) into (numbers, addrs).
fn parse_heap_record(line: &[u8]) -> Option<([i64; 4], &[u8])> {
    let mut c = Cur(line);
    let v = c.four()?;
    c.eat(b'@')?;
    Some((v, c.0))
}

/// Parses `cycles count @ addrs`.
fn parse_contention_record(line: &[u8]) -> Option<(i64, i64, &[u8])> {
    let mut c = Cur(line);
    let cycles = c.int()?;
    let count = c.int()?;
    c.eat(b'@')?;
    Some((cycles, count, c.0))
}

fn header_line(bytes: &[u8], want: impl Fn(&[u8]) -> bool) -> Option<(u32, &[u8], usize)> {
    Lines::new(bytes)
        .find(|(_, _, l)| want(l))
        .map(|(n, off, l)| (n, l, off))
}

/// Decodes a legacy heap profile.
pub fn decode_heap(bytes: &[u8], progress: &mut dyn Progress) -> Result<Profile> {
    let (hn, hline, hoff) =
        header_line(bytes, |l| l.starts_with(b"heap profile:")).ok_or_else(|| {
            DecodeError::Unrecognized {
                detail: "no `heap profile:` line".into(),
            }
        })?;
    let h = parse_heap_header(trim(hline)).ok_or_else(|| DecodeError::Text {
        line: hn,
        message: format!(
            "unreadable heap profile header {:?}; expected `heap profile: A: B [C: D] @ heap/RATE`",
            String::from_utf8_lossy(&hline[..hline.len().min(120)])
        ),
    })?;
    let mut sink = Sink::new(SourceFormat::LegacyHeap);
    let types: &[(&str, &str)] = if h.has_alloc {
        &[
            ("alloc_objects", "count"),
            ("alloc_space", "bytes"),
            ("inuse_objects", "count"),
            ("inuse_space", "bytes"),
        ]
    } else {
        &[("objects", "count"), ("space", "bytes")]
    };
    for (t, u) in types {
        let vt = sink.value_type(t, u);
        sink.p.sample_types.push(vt);
    }
    sink.p.period_type = Some(sink.value_type("space", "bytes"));
    sink.p.period = h.rate;

    let mut rec = Record::default();
    let mut values = [0i64; 4];
    let mut blocksize = 0i64;
    let nvals = types.len();
    let mut ticker = Ticker::new(bytes.len());
    let body = &bytes[hoff..];
    let mut lines = Lines::new(body);
    lines.next(); // the header
    let flush = |sink: &mut Sink, rec: &mut Record<'_>, values: &[i64], blocksize: i64| {
        if !rec.active {
            return;
        }
        rec.active = false;
        let stack = rec.build_stack(sink);
        let label = sink.num_label("bytes", blocksize, "bytes");
        sink.push_sample(stack, values, &[label]);
    };
    let mut end = bytes.len();
    for (n, offset, line) in lines {
        let n = n + hn - 1;
        ticker.tick(hoff + offset, progress)?;
        let t = trim(line);
        if t.is_empty() {
            continue;
        }
        if t[0] == b'#' {
            if t.starts_with(b"# runtime.MemStats") {
                end = hoff + offset;
                break;
            }
            if rec.active {
                rec.hash_line(&mut sink, n, t);
            }
            continue;
        }
        if t.starts_with(b"---") || memory_map::is_trigger(t) {
            end = hoff + offset;
            break;
        }
        let Some((v, addrs)) = parse_heap_record(t) else {
            flush(&mut sink, &mut rec, &values[..nvals], blocksize);
            sink.p.warn(
                Some(n),
                None,
                "not a `N: bytes [N: bytes] @ 0x...` record; skipped",
            );
            continue;
        };
        flush(&mut sink, &mut rec, &values[..nvals], blocksize);
        let [inuse_n, inuse_b, alloc_n, alloc_b] = v;
        let mut out = Vec::with_capacity(4);
        let mut pair = |count: i64, size: i64, what: &str, sink: &mut Sink| {
            if count == 0 && size != 0 {
                sink.p.warn(
                    Some(n),
                    None,
                    format!("{what} count is 0 but {what} bytes is {size}"),
                );
            }
            let (mut c, mut s) = (count, size);
            if count != 0 {
                blocksize = size / count;
                if h.scaled {
                    (c, s) = scale_heap_sample(count, size, h.rate);
                }
            }
            out.push(c);
            out.push(s);
        };
        if h.has_alloc {
            pair(alloc_n, alloc_b, "allocation", &mut sink);
        }
        pair(inuse_n, inuse_b, "inuse", &mut sink);
        values[..out.len()].copy_from_slice(&out);
        if !rec.start(n, addrs) {
            sink.p.warn(
                Some(n),
                None,
                "an address in this record is not hex; it was left out",
            );
        }
    }
    flush(&mut sink, &mut rec, &values[..nvals], blocksize);
    let mut profile = sink.finish();
    memory_map::attach_section(&mut profile, bytes, end);
    Ok(profile)
}

/// Decodes a legacy mutex or block (contention) profile.
pub fn decode_contention(bytes: &[u8], progress: &mut dyn Progress) -> Result<Profile> {
    let (hn, _, hoff) =
        header_line(bytes, is_contention_header).ok_or_else(|| DecodeError::Unrecognized {
            detail: "no `--- mutex:` / `--- contention:` line".into(),
        })?;
    let mut sink = Sink::new(SourceFormat::LegacyContention);
    let c = sink.value_type("contentions", "count");
    let d = sink.value_type("delay", "nanoseconds");
    sink.p.sample_types.extend([c, d]);
    sink.p.period_type = Some(c);
    sink.p.period = 1;

    let mut cpu_hz: i64 = 0;
    let mut in_attrs = true;
    let mut end = bytes.len();
    let mut rec = Record::default();
    let mut values = [0i64; 2];
    let mut ticker = Ticker::new(bytes.len());
    let body = &bytes[hoff..];
    let mut lines = Lines::new(body);
    lines.next();
    let flush = |sink: &mut Sink, rec: &mut Record<'_>, values: &[i64; 2]| {
        if rec.active {
            rec.active = false;
            let stack = rec.build_stack(sink);
            sink.push_sample(stack, values, &[]);
        }
    };
    for (n, offset, line) in lines {
        let n = n + hn - 1;
        ticker.tick(hoff + offset, progress)?;
        let t = trim(line);
        if t.is_empty() {
            continue;
        }
        if in_attrs {
            if let Some(eq) = t.iter().position(|&b| b == b'=') {
                let key = trim(&t[..eq]);
                let val = trim(&t[eq + 1..]);
                let num = parse_i64(val);
                match (key, num) {
                    (b"cycles/second", Some(v)) => cpu_hz = v,
                    (b"sampling period", Some(v)) => sink.p.period = v,
                    (b"ms since reset", Some(v)) => {
                        sink.p.duration_nanos = v.saturating_mul(1_000_000)
                    }
                    (b"cycles/second" | b"sampling period" | b"ms since reset", None) => {
                        return Err(DecodeError::Text {
                            line: n,
                            message: format!("`{}` is not a number", String::from_utf8_lossy(key)),
                        })
                    }
                    _ => {}
                }
                continue;
            }
            in_attrs = false;
        }
        if t[0] == b'#' {
            if rec.active {
                rec.hash_line(&mut sink, n, t);
            }
            continue;
        }
        if t.starts_with(b"---") {
            end = hoff + offset;
            break;
        }
        flush(&mut sink, &mut rec, &values);
        let Some((cycles, count, addrs)) = parse_contention_record(t) else {
            sink.p.warn(
                Some(n),
                None,
                "not a `cycles count @ 0x...` record; skipped",
            );
            continue;
        };
        let period = sink.p.period;
        let (mut delay, mut contentions) = (cycles, count);
        if period > 0 {
            if cpu_hz > 0 {
                let ghz = cpu_hz as f64 / 1e9;
                delay = (cycles as f64 * period as f64 / ghz) as i64;
            }
            contentions = count.saturating_mul(period);
        }
        values = [contentions, delay];
        if !rec.start(n, addrs) {
            sink.p.warn(
                Some(n),
                None,
                "an address in this record is not hex; it was left out",
            );
        }
    }
    flush(&mut sink, &mut rec, &values);
    if cpu_hz <= 0 {
        sink.p.warn(
            Some(hn),
            None,
            "no `cycles/second=` line; delays are in cycles, not nanoseconds",
        );
    }
    let mut profile = sink.finish();
    memory_map::attach_section(&mut profile, bytes, end);
    Ok(profile)
}
