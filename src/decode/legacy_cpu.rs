//! The legacy binary CPU profile: gperftools' `ProfilerStart` output, and
//! Go's `runtime/pprof` CPU profiles before Go 1.9. pprof still opens
//! these, so pprof-lens does too, with pprof's numbers (google/pprof
//! `profile/legacy_profile.go`: `parseCPU`, `cpuProfile`,
//! `parseCPUSamples`). Hand-written: no crate reads this format.
//!
//! The file is a sequence of machine words, 4 or 8 bytes, little or big
//! endian (the profiled machine's), told apart by the header:
//!
//! ```text
//! 0, 3, 0, period in microseconds, 0             header (1 instead of the
//!                                                 0 after 3: Java)
//! count, n, addr_1 (leaf), ..., addr_n           one record per stack
//! 0, 1, 0                                        end of data
//! ```
//!
//! then the text of `/proc/self/maps` ([`super::memory_map`]), or for
//! Java the names of the frame ids ([`super::text::java`]; Java's ids are
//! used as they are, with none of the clean-ups below). Each record
//! becomes values `[count, count * period ns]`. As in pprof, every address
//! but the leaf is a return address and is moved back by one onto the call;
//! a second frame that almost every record shares (the signal handler's, at
//! most one record in 32 differs) is dropped, twice at most; and a second
//! frame that repeats the leaf (taken once from the signal context, once by
//! unwinding) is dropped.
//!
//! Reading is one pass over the words; addresses are kept in one flat array
//! while the two clean-ups above look at all records.

use hashbrown::HashMap;

use super::memory_map;
use super::text::java::{self, JavaSamples};
use super::text::{Sink, Ticker};
use super::{DecodeError, Progress, Result};
use crate::model::{LocId, Profile, SourceFormat};

/// How the words of a file are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WordFormat {
    pub size: usize,
    pub big_endian: bool,
}

impl WordFormat {
    /// The four layouts, in the order pprof tries them.
    const ALL: [WordFormat; 4] = [
        WordFormat {
            size: 4,
            big_endian: false,
        },
        WordFormat {
            size: 4,
            big_endian: true,
        },
        WordFormat {
            size: 8,
            big_endian: false,
        },
        WordFormat {
            size: 8,
            big_endian: true,
        },
    ];

    /// The word at `pos`; the caller has checked the bounds.
    #[inline]
    fn word(self, b: &[u8], pos: usize) -> u64 {
        let w = &b[pos..pos + self.size];
        match (self.size, self.big_endian) {
            (4, false) => u64::from(u32::from_le_bytes([w[0], w[1], w[2], w[3]])),
            (4, true) => u64::from(u32::from_be_bytes([w[0], w[1], w[2], w[3]])),
            (_, false) => u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
            (_, true) => u64::from_be_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
        }
    }

    fn describe(self) -> String {
        format!(
            "{}-bit {} endian",
            self.size * 8,
            if self.big_endian { "big" } else { "little" }
        )
    }
}

/// The layout whose first two words are 0 and 3, if any: the start of a
/// legacy CPU profile. Only the first 16 bytes are looked at. No pprof
/// protobuf starts with a zero byte (field number 0 is invalid), and no
/// text does, so this cannot take another format's file.
pub fn detect(head: &[u8]) -> Option<WordFormat> {
    WordFormat::ALL
        .into_iter()
        .find(|f| head.len() >= 2 * f.size && f.word(head, 0) == 0 && f.word(head, f.size) == 3)
}

fn err(offset: usize, message: impl Into<String>) -> DecodeError {
    DecodeError::LegacyCpu {
        offset: offset as u64,
        message: message.into(),
    }
}

/// Records as read: counts, and each record's addresses (adjusted, leaf
/// first) as a range of one flat array.
#[derive(Default)]
struct Records {
    counts: Vec<u64>,
    ends: Vec<usize>,
    addrs: Vec<u64>,
}

impl Records {
    fn stack(&self, i: usize) -> &[u64] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.addrs[start..self.ends[i]]
    }

    /// Keeps every record's addresses except, where `drop(stack)` says so,
    /// its second one.
    fn drop_second(&mut self, drop: impl Fn(&[u64]) -> bool) {
        let mut addrs = Vec::with_capacity(self.addrs.len());
        let mut ends = Vec::with_capacity(self.ends.len());
        for i in 0..self.counts.len() {
            let s = self.stack(i);
            if drop(s) {
                addrs.push(s[0]);
                addrs.extend_from_slice(&s[2..]);
            } else {
                addrs.extend_from_slice(s);
            }
            ends.push(addrs.len());
        }
        self.addrs = addrs;
        self.ends = ends;
    }
}

/// Decodes a legacy CPU profile; `Unrecognized` unless [`detect`] finds
/// its header.
pub fn decode(bytes: &[u8], progress: &mut dyn Progress) -> Result<Profile> {
    let Some(f) = detect(bytes) else {
        return Err(DecodeError::Unrecognized {
            detail: "no legacy CPU profile header".into(),
        });
    };
    let w = f.size;
    if bytes.len() < 5 * w {
        return Err(err(
            bytes.len(),
            format!(
                "the file ends inside the header, which is 5 words of {w} bytes ({} bytes; {})",
                5 * w,
                f.describe()
            ),
        ));
    }
    let kind = f.word(bytes, 2 * w);
    let period = f.word(bytes, 3 * w);
    let padding = f.word(bytes, 4 * w);
    let java = match kind {
        0 => false,
        1 => true,
        k => {
            return Err(err(
                2 * w,
                format!("header word 3 is {k}; expected 0 (native code) or 1 (Java)"),
            ))
        }
    };
    if period == 0 {
        return Err(err(3 * w, "the sampling period (header word 4) is 0"));
    }
    if padding != 0 {
        return Err(err(
            4 * w,
            format!("header word 5 is {padding}; expected 0 (padding)"),
        ));
    }
    // pprof keeps the period in nanoseconds as a Go int64, wrapping.
    let period_ns = (period as i64).wrapping_mul(1000);

    let mut recs = Records::default();
    let mut pos = 5 * w;
    let mut ticker = Ticker::new(bytes.len());
    let mut ended = false;
    while pos < bytes.len() {
        ticker.tick(pos, progress)?;
        let start = pos;
        if bytes.len() - pos < 2 * w {
            return Err(err(
                pos,
                format!(
                    "the file ends inside a record ({} bytes left)",
                    bytes.len() - pos
                ),
            ));
        }
        let count = f.word(bytes, pos);
        let n = f.word(bytes, pos + w);
        pos += 2 * w;
        let left = (bytes.len() - pos) / w;
        if n > left as u64 {
            return Err(err(
                start,
                format!("the record lists {n} addresses but only {left} words follow"),
            ));
        }
        let n = n as usize;
        if count == 0 && n == 1 && f.word(bytes, pos) == 0 {
            pos += w;
            ended = true;
            break;
        }
        for i in 0..n {
            let a = f.word(bytes, pos + i * w);
            // Java's words are frame ids, not return addresses.
            recs.addrs
                .push(if i > 0 && !java { a.wrapping_sub(1) } else { a });
        }
        pos += n * w;
        recs.counts.push(count);
        recs.ends.push(recs.addrs.len());
    }

    let mut sink = Sink::new(SourceFormat::LegacyCpu);
    let samples = sink.value_type("samples", "count");
    let cpu = sink.value_type("cpu", "nanoseconds");
    sink.p.sample_types.extend([samples, cpu]);
    sink.p.period_type = Some(cpu);
    sink.p.period = period_ns;
    if java {
        let mut samples = JavaSamples::default();
        for i in 0..recs.counts.len() {
            let count = recs.counts[i] as i64;
            samples.push([count, count.wrapping_mul(period_ns)], recs.stack(i), None);
        }
        let at = pos;
        return java::finish(sink, &samples, &bytes[pos..], &|n, m| {
            err(at, format!("line {n} of the frame names: {m}"))
        });
    }

    drop_signal_frames(&mut recs);
    // A leaf repeated as the second frame (adjusted by -1 there).
    recs.drop_second(|s| s.len() > 1 && s[0] == s[1].wrapping_add(1));

    let mut locs: Vec<LocId> = Vec::new();
    for i in 0..recs.counts.len() {
        locs.clear();
        for &a in recs.stack(i) {
            locs.push(sink.addr_loc(a, &[]));
        }
        let stack = sink.stacks.push_leaf_first(&locs);
        let count = recs.counts[i] as i64;
        sink.push_sample(stack, &[count, count.wrapping_mul(period_ns)], &[]);
    }
    let mut profile = sink.finish();
    if !ended {
        profile.warn(
            None,
            Some(pos as u64),
            "no end-of-data record; the file may be truncated",
        );
    }
    let map_at = pos;
    let mut warnings = Vec::new();
    let entries = memory_map::parse(&bytes[pos..], |n, m| {
        warnings.push(format!("memory map line {n}: {m}"))
    });
    for m in warnings {
        profile.warn(None, Some(map_at as u64), m);
    }
    memory_map::attach(&mut profile, entries);
    Ok(profile)
}

/// pprof's removal of the signal handler's frame: if all records but one
/// in 32 share their second address, it is dropped from them; then once
/// more for the next one.
fn drop_signal_frames(recs: &mut Records) {
    let n = recs.counts.len();
    let margin = n / 32;
    for _ in 0..2 {
        let mut second: HashMap<u64, usize> = HashMap::new();
        for i in 0..n {
            if let [_, a, ..] = recs.stack(i) {
                *second.entry(*a).or_insert(0) += 1;
            }
        }
        // More than half the records share it, so at most one address
        // qualifies and the order of the map does not matter.
        let Some((&addr, _)) = second.iter().find(|(_, &c)| c >= n - margin) else {
            continue;
        };
        recs.drop_second(|s| s.len() > 1 && s[1] == addr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(f: WordFormat, ws: &[u64]) -> Vec<u8> {
        let mut out = Vec::new();
        for &x in ws {
            match (f.size, f.big_endian) {
                (4, false) => out.extend_from_slice(&(x as u32).to_le_bytes()),
                (4, true) => out.extend_from_slice(&(x as u32).to_be_bytes()),
                (_, false) => out.extend_from_slice(&x.to_le_bytes()),
                (_, true) => out.extend_from_slice(&x.to_be_bytes()),
            }
        }
        out
    }

    fn stacks(p: &Profile) -> Vec<(i64, Vec<u64>)> {
        (0..p.samples.len())
            .map(|i| {
                let addrs = p.samples.stack[i]
                    .map(|s| {
                        p.stacks
                            .frames(s)
                            .map(|l| p.locations[l.index()].address)
                            .collect()
                    })
                    .unwrap_or_default();
                (p.value(i, 0), addrs)
            })
            .collect()
    }

    #[test]
    fn every_word_format_reads_the_same() {
        for f in WordFormat::ALL {
            let mut b = words(
                f,
                &[
                    0, 3, 0, 10_000, 0, 2, 3, 0x10, 0x21, 0x31, 1, 2, 0x40, 0x21, 0, 1, 0,
                ],
            );
            b.extend_from_slice(b"00000010-00000050: /bin/app\n");
            assert_eq!(detect(&b), Some(f));
            let p = decode(&b, &mut super::super::NoProgress).unwrap();
            assert_eq!(p.period, 10_000_000);
            assert_eq!(p.value(0, 1), 20_000_000);
            // The second frame is shared by every record with one: dropped.
            assert_eq!(
                stacks(&p),
                vec![(2, vec![0x10, 0x30]), (1, vec![0x40])],
                "{f:?}"
            );
            assert_eq!(p.mappings.len(), 1);
            assert!(p.locations.iter().all(|l| l.mapping.is_some()));
        }
    }

    #[test]
    fn repeated_leaf_is_dropped() {
        let f = WordFormat {
            size: 8,
            big_endian: false,
        };
        let mut ws = vec![0, 3, 0, 100, 0];
        // 40 records with varied second frames, one with the leaf repeated.
        for i in 0..40 {
            ws.extend_from_slice(&[1, 2, 0x100 + i, 0x201 + i]);
        }
        ws.extend_from_slice(&[1, 3, 0x500, 0x500, 0x601]);
        let p = decode(&words(f, &ws), &mut super::super::NoProgress).unwrap();
        assert_eq!(stacks(&p).last().unwrap().1, vec![0x500, 0x600]);
        assert_eq!(stacks(&p)[0].1, vec![0x100, 0x200]);
    }
}
