//! The legacy formats' decoders: the error table (every message says what
//! is wrong and where), the reading paths (plain, gzipped, streamed from a
//! reader) and inputs built to be slow if decoding were not linear.

use std::io::Read;

use pprof_lens::decode::{self, decode_reader, gzip, DecodeError, DecodeOptions, NoProgress};
use pprof_lens::model::{Profile, SourceFormat};

const LEGACY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/legacy");

fn words32(ws: &[u32]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn words64be(ws: &[u64]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_be_bytes()).collect()
}

fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend(gzip::crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

fn err(bytes: &[u8]) -> DecodeError {
    match decode::decode(bytes) {
        Ok(p) => panic!(
            "expected an error, got {:?} with {} samples",
            p.format,
            p.samples.len()
        ),
        Err(e) => e,
    }
}

/// Asserts a legacy CPU error at `offset` whose message contains `words`.
#[track_caller]
fn cpu_err(bytes: &[u8], offset: u64, words: &str) {
    match err(bytes) {
        DecodeError::LegacyCpu { offset: o, message } => {
            assert_eq!(o, offset, "{message}");
            assert!(message.contains(words), "{message:?} lacks {words:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn binary_cpu_error_table() {
    assert_eq!(err(b""), DecodeError::Empty);
    // The header is cut after two of its five 32-bit words.
    cpu_err(&words32(&[0, 3]), 8, "ends inside the header");
    cpu_err(&words32(&[0, 3, 0, 100]), 16, "5 words of 4 bytes");
    // 64-bit big endian, cut after its second word.
    cpu_err(&words64be(&[0, 3])[..], 16, "64-bit big endian");
    // Bad header words: profile kind, period, padding.
    cpu_err(&words32(&[0, 3, 7, 100, 0]), 8, "header word 3 is 7");
    cpu_err(&words32(&[0, 3, 0, 0, 0]), 12, "sampling period");
    cpu_err(&words32(&[0, 3, 0, 100, 9]), 16, "header word 5 is 9");
    // Garbage after the header: a huge address count.
    let mut b = words32(&[0, 3, 0, 100, 0]);
    b.extend_from_slice(&[0xff; 12]);
    cpu_err(&b, 20, "lists 4294967295 addresses but only 1 words follow");
    // A record cut inside its count / length words.
    let mut b = words32(&[0, 3, 0, 100, 0, 1, 1, 0x1000]);
    b.extend_from_slice(&[1, 0, 0]);
    cpu_err(&b, 32, "ends inside a record (3 bytes left)");
    // Zeros that are no header at all are not this format.
    assert!(!matches!(err(&[0u8; 40]), DecodeError::LegacyCpu { .. }));
}

#[test]
fn binary_cpu_without_end_marker_or_map_is_read() {
    let p = decode::decode(&words32(&[0, 3, 0, 100, 0, 2, 2, 0x1000, 0x2001])).unwrap();
    assert_eq!(p.format, SourceFormat::LegacyCpu);
    assert_eq!((p.value(0, 0), p.value(0, 1)), (2, 200_000));
    assert!(
        p.warnings.iter().any(|w| w.message.contains("end-of-data")),
        "{:?}",
        p.warnings
    );
    assert!(p.mappings.is_empty());
}

/// A CPU profile over 64 KiB, so the reader path takes its streaming
/// branch for it, plain and gzipped.
fn big_cpu() -> Vec<u8> {
    let mut ws = vec![0u32, 3, 0, 10_000, 0];
    for i in 0..8_000u32 {
        ws.extend_from_slice(&[1, 2, 0x40_1000 + (i % 64) * 16, 0x40_2001]);
    }
    ws.extend_from_slice(&[0, 1, 0]);
    let mut b = words32(&ws);
    b.extend_from_slice(b"00400000-00500000 r-xp 00000000 08:01 12 /usr/bin/server\n");
    b
}

fn summary(p: &Profile) -> (SourceFormat, usize, i64, String) {
    let last = p.num_sample_types() - 1;
    let total: i64 = (0..p.samples.len()).map(|i| p.value(i, last)).sum();
    (
        p.format,
        p.samples.len(),
        total,
        p.mappings
            .first()
            .map(|m| p.str(m.file).to_string())
            .unwrap_or_default(),
    )
}

#[test]
fn binary_cpu_reads_alike_plain_gzipped_and_streamed() {
    let raw = big_cpu();
    assert!(raw.len() > 64 << 10);
    let want = (
        SourceFormat::LegacyCpu,
        8_000,
        8_000 * 10_000_000,
        "/usr/bin/server".to_string(),
    );
    assert_eq!(summary(&decode::decode(&raw).unwrap()), want);
    let gz = gzip_bytes(&raw);
    assert_eq!(summary(&decode::decode(&gz).unwrap()), want);
    for bytes in [&raw, &gz] {
        let p = decode_reader(
            &bytes[..],
            bytes.len() as u64,
            &DecodeOptions::default(),
            &mut NoProgress,
        )
        .unwrap();
        assert_eq!(summary(&p), want);
    }
}

#[test]
fn every_legacy_file_decodes_gzipped_too() {
    for name in [
        "cppbench.cpu",
        "go.crc32.cpu",
        "cppbench.contention",
        "cppbench.thread",
        "cppbench.growth",
    ] {
        let raw = std::fs::read(format!("{LEGACY}/{name}")).expect("corpus file");
        let a = decode::decode(&raw).unwrap_or_else(|e| panic!("{name}: {e}"));
        let b = decode::decode(&gzip_bytes(&raw)).unwrap_or_else(|e| panic!("{name} gzipped: {e}"));
        assert_eq!(summary(&a), summary(&b), "{name}");
    }
}

#[test]
fn text_error_table() {
    // A growth header whose numbers are unreadable.
    match err(b"heap profile: many: 2 [1: 2] @ growthz\n") {
        DecodeError::Text { line: 1, message } => {
            assert!(message.contains("heap profile header"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // contentionz with a rate that is not a number, on line 2.
    match err(b"--- contentionz 1 ---\ncycles/second = fast\n") {
        DecodeError::Text { line: 2, message } => {
            assert!(message.contains("cycles/second"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn java_error_table() {
    let text = |bytes: &[u8]| match err(bytes) {
        DecodeError::Text { line, message } => (line, message),
        other => panic!("{other:?}"),
    };
    let (line, m) = text(b"--- heapz 1 ---\nformat = java\nresolution = bytes\n 100 0 @ 0x1\n");
    assert_eq!(line, 4, "{m}");
    assert!(m.contains("object count"), "{m}");
    let (line, m) = text(b"--- heapz 1 ---\nformat = java\n 100 1 @ 0x1\n");
    assert_eq!(line, 1, "{m}");
    assert!(m.contains("resolution"), "{m}");
    let (line, m) = text(b"--- contentionz 1 ---\nformat = cpp\n");
    assert_eq!(line, 2, "{m}");
    assert!(m.contains("format is \"cpp\""), "{m}");
    let (line, m) =
        text(b"--- contentionz 1 ---\nresolution = microseconds\nsampling period = 09\n");
    assert_eq!(line, 3, "{m}");
    assert!(m.contains("sampling period \"09\" is not a number"), "{m}");
    // No `format` line, but `resolution` is not a C++ attribute: Java, as in pprof.
    let p = decode::decode(
        b"--- contentionz 1 ---\nresolution = microseconds\n 5 2 @ 0x1\n0x1 Foo.bar (Foo.java:3)\n",
    )
    .unwrap();
    assert_eq!((p.value(0, 0), p.value(0, 1)), (2, 5));
    assert_eq!(p.str(p.sample_types[1].unit), "microseconds");
    assert_eq!(p.locations[0].address, 0);
}

#[test]
fn text_oddities_are_warnings_not_failures() {
    // Threads: a stray line, a block with an address too big, no map.
    let p = decode::decode(
        b"--- threadz 1 ---\n--- Thread 1 (name: a/1) stack: ---\n PC: 0x10 0x111111111111111111\n\
          --- junk ---\n--- Thread 2 (name: b/2) stack: ---\n",
    )
    .unwrap();
    assert_eq!(p.format, SourceFormat::LegacyThreads);
    assert_eq!(p.samples.len(), 1);
    assert_eq!(
        p.value(0, 0),
        2,
        "the empty block counts for the thread before it"
    );
    let lines: Vec<Option<u32>> = p.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, vec![Some(3), Some(4)], "{:?}", p.warnings);
    // A memory map of garbage names nothing and breaks nothing.
    let p = decode::decode(
        b"--- contentionz 1 ---\n10 1 @ 0x1\n--- Memory map: ---\nzz-yy: x\n1-2 r-xp zz\n=\n$=x\n",
    )
    .unwrap();
    assert!(p.mappings.is_empty());
}

#[test]
fn decoding_is_linear_on_hostile_inputs() {
    // One record of a million addresses, then a map line of a million
    // near-entries: each would be quadratic to a naive reader.
    let n = 1_000_000u32;
    let mut ws = vec![0u32, 3, 0, 100, 0, 1, n];
    ws.extend((0..n).map(|i| 0x1000 + i));
    ws.extend_from_slice(&[0, 1, 0]);
    let mut b = words32(&ws);
    b.extend(b"1-1 ".repeat(250_000));
    b.extend(b"\n".iter());
    b.extend(b"a=b\n".repeat(1000));
    b.extend(b"$a$a$a$a$a$a".repeat(1000));
    let start = std::time::Instant::now();
    let p = decode::decode(&b).unwrap();
    // The lone record's second frame is "shared by every record": pprof
    // drops it, twice.
    assert_eq!(p.stacks.depth(p.samples.stack[0].unwrap()), n - 2);
    // Generous: a quadratic reader takes minutes here.
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
    // A thread block with a million short hex numbers on one line.
    let mut t = b"--- threadz 1 ---\n--- Thread 1 (name: a/1) stack: ---\n".to_vec();
    t.extend(b"0x1 ".repeat(1_000_000));
    let p = decode::decode(&t).unwrap();
    assert_eq!(p.samples.len(), 1);
}

#[test]
fn detection_ignores_names_and_reads_from_any_reader() {
    // The same bytes through a reader that hands out 7 bytes at a time.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = out.len().min(7).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let raw = std::fs::read(format!("{LEGACY}/cppbench.cpu")).expect("corpus file");
    let p = decode_reader(
        Trickle(&raw),
        raw.len() as u64,
        &DecodeOptions::default(),
        &mut NoProgress,
    )
    .unwrap();
    assert_eq!(summary(&p), summary(&decode::decode(&raw).unwrap()));
}
