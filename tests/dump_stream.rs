//! Goroutine dumps read a piece at a time (src/decode/text/dump/stream.rs)
//! against the same text read whole: every dump and traceback of the shared
//! corpus, cut into pieces of many sizes, must give the same profile, down
//! to its ids, warnings and line numbers. The >4 GB dump is
//! tests/dump_stream_big.rs.

mod support;

#[path = "../examples/support/repeat_dump.rs"]
mod repeat_dump;

use std::path::{Path, PathBuf};

use pprof_lens::analysis::goroutines::{summarize, GoroutineOptions};
use pprof_lens::decode::{self, text, DecodeError, DecodeOptions, NoProgress};
use pprof_lens::model::{LabelSetId, Profile};
use repeat_dump::RepeatedDump;

fn text_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            text_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "txt") {
            out.push(p);
        }
    }
}

/// The corpus files that read as goroutine dumps or tracebacks.
fn corpus_dumps(test: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let Some(dir) = support::corpus(test) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    text_files(&dir, &mut files);
    let dumps: Vec<(PathBuf, Vec<u8>)> = files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .filter(|(_, b)| text::looks_like_text(b) && text::detect(b) == Some(text::TextKind::Dump))
        .collect();
    // debug=2 dumps of every Go version, tracebacks, a series: 29 today.
    assert!(
        dumps.len() >= 25,
        "only {} dumps in the corpus",
        dumps.len()
    );
    dumps
}

/// Everything a profile holds, in a text that does not depend on hash map
/// order (which differs between two decodes of one file).
fn canonical(p: &Profile) -> String {
    let strings: Vec<&str> = p.strings.iter().map(|(_, s)| s).collect();
    let label_sets: Vec<_> = (0..p.label_sets.len())
        .map(|i| p.label_sets.get(LabelSetId(i as u32)))
        .collect();
    format!(
        "{:?}\n{strings:#?}\n{:#?}\n{:#?}\n{:#?}\n{:#?}\n{:#?}\n{label_sets:#?}\n{:#?}\n{:#?}\n{:#?}\n{}",
        p.format,
        p.functions,
        p.lines,
        p.locations,
        p.stacks,
        p.samples,
        p.goroutines,
        p.panics,
        p.warnings,
        p.warning_count,
    )
}

fn streamed(bytes: &[u8], piece: usize) -> Profile {
    let opts = DecodeOptions {
        dump_piece: piece,
        ..DecodeOptions::default()
    };
    decode::decode_reader(bytes, bytes.len() as u64, &opts, &mut NoProgress)
        .unwrap_or_else(|e| panic!("piece {piece}: {e}"))
}

/// Every corpus dump, read whole and streamed in pieces from one byte (a
/// cut before every header) to more than the file: the same profile.
#[test]
fn streamed_equals_whole_over_the_corpus() {
    let mut compared = 0;
    for (path, bytes) in corpus_dumps("streamed_equals_whole_over_the_corpus") {
        let whole = decode::decode(&bytes).unwrap();
        let want = canonical(&whole);
        for piece in [1, 97, 4096, 1 << 20] {
            let got = canonical(&streamed(&bytes, piece));
            if let Some(d) = support::diff(&want, &got) {
                panic!("{} in pieces of {piece} bytes:\n{d}", path.display());
            }
        }
        compared += 1;
    }
    eprintln!("{compared} dumps compared");
}

/// A dump pushed in chunks (as a browser's file stream hands them out) the
/// way the page's worker does: the first [`decode::SNIFF`] bytes as the
/// head, then the rest.
fn pushed(bytes: &[u8], piece: usize, chunk: usize) -> Profile {
    let opts = DecodeOptions {
        dump_piece: piece,
        ..DecodeOptions::default()
    };
    let head = bytes[..bytes.len().min(decode::SNIFF)].to_vec();
    let mut push = decode::DumpPush::new(head, bytes.len() as u64, &opts);
    for c in bytes[bytes.len().min(decode::SNIFF)..].chunks(chunk) {
        push.push(c, &mut NoProgress)
            .unwrap_or_else(|e| panic!("piece {piece}, chunk {chunk}: {e}"));
    }
    push.finish(&mut NoProgress)
        .unwrap_or_else(|e| panic!("piece {piece}, chunk {chunk}: {e}"))
}

/// Every corpus dump pushed in chunks of many sizes, against pieces of
/// many sizes: the same profile as the text read whole.
#[test]
fn pushed_equals_whole_over_the_corpus() {
    let mut compared = 0;
    for (path, bytes) in corpus_dumps("pushed_equals_whole_over_the_corpus") {
        // What the worker streams; a file whose head does not show it (a
        // traceback after a long log) is read whole there.
        if !decode::is_plain_dump(&bytes[..bytes.len().min(decode::SNIFF)]) {
            continue;
        }
        compared += 1;
        let want = canonical(&decode::decode(&bytes).unwrap());
        for (piece, chunk) in [(1, 1), (97, 613), (4096, 1), (4096, 65536), (1 << 20, 7)] {
            let got = canonical(&pushed(&bytes, piece, chunk));
            if let Some(d) = support::diff(&want, &got) {
                panic!(
                    "{}: pieces of {piece}, chunks of {chunk}:\n{d}",
                    path.display()
                );
            }
        }
    }
    // debug=2 dumps of Go 1.19 to 1.27, the seed examples, a series.
    assert!(compared >= 20, "{compared} dumps pushed");
}

/// A pushed dump cut off mid-goroutine warns as a pulled one does, and one
/// with no goroutine header past the size limit stops there.
#[test]
fn pushed_dump_warns_and_stops_as_pulled() {
    let block = "goroutine 7 [select]:\nmain.f(0x1)\n\t/app/f.go:12 +0x1d\n\n";
    let mut dump = block.repeat(50_000);
    dump.push_str("goroutine 8 [chan receive]:\nmain.g()\n\t/app/g.go:3 +0x");
    let want = canonical(&streamed(dump.as_bytes(), 64 << 10));
    assert!(want.contains("cut off"));
    assert_eq!(canonical(&pushed(dump.as_bytes(), 64 << 10, 5000)), want);

    let opts = DecodeOptions {
        max_uncompressed: 1 << 20,
        dump_piece: 64 << 10,
        ..DecodeOptions::default()
    };
    let mut log = String::from("goroutine 1 [running]:\nmain.main()\n\t/app/main.go:1 +0x1\n");
    while log.len() < 3 << 20 {
        log.push_str("a log line that is not part of any goroutine\n");
    }
    let bytes = log.as_bytes();
    let mut push =
        decode::DumpPush::new(bytes[..decode::SNIFF].to_vec(), bytes.len() as u64, &opts);
    let err = bytes[decode::SNIFF..]
        .chunks(4096)
        .try_for_each(|c| push.push(c, &mut NoProgress))
        .unwrap_err();
    let pulled =
        decode::decode_reader(bytes, bytes.len() as u64, &opts, &mut NoProgress).unwrap_err();
    assert!(matches!(err, DecodeError::TooLarge { .. }), "{err}");
    assert_eq!(err.to_string(), pulled.to_string());
}

/// Counts per state and per group of a generated dump (a real one repeated
/// under fresh ids, cut into pieces of 64 KiB, mid-goroutine) equal the
/// whole-text path's, and are the original's times the rounds.
#[test]
fn generated_dump_counts_equal_the_whole_text() {
    let Some(dir) = support::corpus("generated_dump_counts_equal_the_whole_text") else {
        return;
    };
    let real = std::fs::read_to_string(dir.join("goroutine_states.debug2.txt")).unwrap();
    let opts = GoroutineOptions::default();
    let one = summarize(
        &decode::decode(RepeatedDump::new(&real, 1).into_string().as_bytes()).unwrap(),
        &opts,
    );
    let text = RepeatedDump::new(&real, 8 << 20).into_string();
    let whole = summarize(&decode::decode(text.as_bytes()).unwrap(), &opts);
    let mut gen = RepeatedDump::new(&real, 8 << 20);
    let stream_opts = DecodeOptions {
        dump_piece: 64 << 10,
        ..DecodeOptions::default()
    };
    let p = decode::decode_reader(&mut gen, 8 << 20, &stream_opts, &mut NoProgress).unwrap();
    assert_eq!(gen.written(), text.len() as u64);
    let streamed = summarize(&p, &opts);
    let rounds = gen.rounds();
    assert!(rounds > 10, "{rounds} rounds");
    assert_eq!(streamed.total, rounds * gen.blocks() as u64);
    assert_eq!(streamed.total, whole.total);
    assert_eq!(streamed.states, whole.states);
    let counts = |s: &pprof_lens::analysis::goroutines::GoroutineSummary| -> Vec<(String, u64)> {
        s.groups
            .iter()
            .map(|g| {
                (
                    format!("{} {:?}", g.state, g.stack.first().map(|f| &f.function)),
                    g.count,
                )
            })
            .collect()
    };
    assert_eq!(counts(&streamed), counts(&whole));
    for (s, o) in streamed.states.iter().zip(&one.states) {
        assert_eq!((&s.state, s.count), (&o.state, o.count * rounds));
    }
    assert_eq!(streamed.groups.len(), one.groups.len());
    for (g, o) in counts(&streamed).iter().zip(counts(&one)) {
        assert_eq!(g, &(o.0, o.1 * rounds));
    }
}

/// A dump read from a file has no size limit (only a goroutine limit);
/// held in memory, the same text still has one.
#[test]
fn streamed_dump_is_not_held_to_the_size_limit() {
    let opts = DecodeOptions {
        max_uncompressed: 1 << 20,
        dump_piece: 256 << 10,
        ..DecodeOptions::default()
    };
    let block = "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:1 +0x1\n\n";
    let dump = block.repeat((3 << 20) / block.len()).into_bytes();
    let p = decode::decode_reader(&dump[..], dump.len() as u64, &opts, &mut NoProgress).unwrap();
    assert_eq!(p.goroutines.len(), (3 << 20) / block.len());
    assert!(matches!(
        decode::decode_with(&dump, &opts, &mut NoProgress),
        Err(DecodeError::TooLarge { .. })
    ));
}

/// A dump cut off by a log limit, streamed: the last goroutine is counted
/// and one warning says where the cut is, as when the text is read whole.
#[test]
fn streamed_cut_off_dump_warns() {
    let block = "goroutine 7 [select]:\nmain.f(0x1)\n\t/app/f.go:12 +0x1d\n\n";
    let mut dump = block.repeat(50_000);
    dump.push_str("goroutine 8 [chan receive]:\nmain.g()\n\t/app/g.go:3 +0x");
    dump.truncate(dump.len() - 3);
    let p = streamed(dump.as_bytes(), 64 << 10);
    assert_eq!(p.goroutines.len(), 50_001);
    let cut: Vec<_> = p
        .warnings
        .iter()
        .filter(|w| w.message.contains("cut off"))
        .collect();
    assert_eq!(cut.len(), 1, "{:?}", p.warnings);
    assert!(cut[0].message.contains("goroutine 8"), "{}", cut[0].message);
    assert_eq!(cut[0].line, Some(200_003));
    let whole = canonical(&decode::decode(dump.as_bytes()).unwrap());
    if let Some(d) = support::diff(&whole, &canonical(&p)) {
        panic!("streamed differs from whole:\n{d}");
    }
}

fn gunzipped(gz: &[u8], piece: usize) -> Result<Profile, DecodeError> {
    let opts = DecodeOptions {
        dump_piece: piece,
        ..DecodeOptions::default()
    };
    decode::decode_reader(gz, gz.len() as u64, &opts, &mut NoProgress)
}

/// Every corpus dump gzipped, inflated into the same piece cutter: the
/// same profile as the plain text read whole.
#[test]
fn gzipped_streams_equal_whole_over_the_corpus() {
    let mut compared = 0;
    for (path, bytes) in corpus_dumps("gzipped_streams_equal_whole_over_the_corpus") {
        let want = canonical(&decode::decode(&bytes).unwrap());
        let gz = support::gzip(&bytes);
        for piece in [1, 4096, 1 << 20] {
            let got = gunzipped(&gz, piece).unwrap_or_else(|e| panic!("piece {piece}: {e}"));
            if let Some(d) = support::diff(&want, &canonical(&got)) {
                panic!("{} gzipped, pieces of {piece} bytes:\n{d}", path.display());
            }
        }
        compared += 1;
    }
    eprintln!("{compared} gzipped dumps compared");
}

/// A gzipped dump of many pieces, cut mid-goroutine, with the size limit
/// far below it: the same profile as the text read whole, and the
/// inflater's limit does not apply (only the goroutine limit does).
#[test]
fn gzipped_dump_streams_past_the_size_limit() {
    let Some(dir) = support::corpus("gzipped_dump_streams_past_the_size_limit") else {
        return;
    };
    let real = std::fs::read_to_string(dir.join("goroutine_states.debug2.txt")).unwrap();
    let text = RepeatedDump::new(&real, 3 << 20).into_string();
    let want = canonical(&decode::decode(text.as_bytes()).unwrap());
    let gz = support::gzip(text.as_bytes());
    let opts = DecodeOptions {
        dump_piece: 100_000,
        max_uncompressed: 1 << 20,
        ..DecodeOptions::default()
    };
    let p = decode::decode_reader(&gz[..], gz.len() as u64, &opts, &mut NoProgress).unwrap();
    if let Some(d) = support::diff(&want, &canonical(&p)) {
        panic!("gzipped, streamed:\n{d}");
    }
    let few = DecodeOptions {
        max_goroutines: 1000,
        ..opts
    };
    assert!(matches!(
        decode::decode_reader(&gz[..], gz.len() as u64, &few, &mut NoProgress),
        Err(DecodeError::TooManyGoroutines { limit: 1000, .. })
    ));
}

/// The error table of a gzipped dump broken after its start: each error
/// names the compressed byte and how far into the dump it came.
#[test]
fn gzipped_dump_broken_midway_says_where() {
    let block = "goroutine 7 [select]:\nmain.f(0x1)\n\t/app/f.go:12 +0x1d\n\n";
    let mut text = String::new();
    for i in 0..40_000 {
        text.push_str(&block.replace("main.f", &format!("main.f{}", i % 997)));
    }
    let gz = support::gzip(text.as_bytes());
    let n = gz.len();
    let gzip_error = |bytes: &[u8]| match gunzipped(bytes, 64 << 10) {
        Err(DecodeError::Gzip { offset, message }) => (offset, message),
        other => panic!(
            "expected a gzip error, got {:?}",
            other.map(|p| p.goroutines.len())
        ),
    };
    let mut crc = gz.clone();
    crc[n - 6] ^= 0x40;
    let mut length = gz.clone();
    length[n - 3] ^= 1;
    let mut deflate = gz.clone();
    deflate[n / 2..n / 2 + 64].fill(0xff);
    let table: [(&str, &[u8], &str); 3] = [
        ("a bad CRC", &crc, "CRC-32 mismatch"),
        ("a bad length", &length, "length mismatch"),
        ("64 bytes of 0xff midway", &deflate, ""),
    ];
    for (what, bytes, says) in table {
        let (offset, message) = gzip_error(bytes);
        assert!(message.contains(says), "{what}: {message}");
        assert!(offset > 0 && offset <= n as u64, "{what}: {offset}");
        let after = message
            .split("after line ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or_else(|| panic!("{what}: no line in {message:?}"));
        assert!(after > 0, "{what}: {message}");
        assert!(
            message.contains("of the goroutine dump inside"),
            "{what}: {message}"
        );
    }
    let (offset, message) = gzip_error(&crc);
    let full = DecodeError::Gzip { offset, message }.to_string();
    assert!(full.starts_with("gzip data is broken at byte "), "{full}");
}

/// What the crate's inflater gives of `gz` before it stops.
fn inflated_prefix(gz: &[u8]) -> Vec<u8> {
    let mut inflater = decode::gzip::Inflater::new(gz, u64::MAX);
    let mut out = Vec::new();
    while let Ok(Some(chunk)) = inflater.next_chunk(&mut NoProgress) {
        out.extend_from_slice(chunk);
    }
    out
}

/// A gzipped dump cut short (an interrupted copy, a size limit) anywhere:
/// the dump as far as it inflates, read as plain text would read it, and
/// one warning more that names the byte; streamed or, under 64 KiB of
/// text, read whole. Cut in the trailer, the whole dump, unchecked.
#[test]
fn gzipped_dump_cut_short_keeps_what_came_before() {
    let block = "goroutine 7 [select]:\nmain.f(0x1)\n\t/app/f.go:12 +0x1d\n\n";
    for (count, cuts) in [(40_000, 40), (300, 300)] {
        let mut text = String::new();
        for i in 0..count {
            text.push_str(&block.replace("main.f", &format!("main.f{}", i % 997)));
        }
        let gz = support::gzip(text.as_bytes());
        let n = gz.len();
        for end in (20..n - 8).step_by((n / cuts).max(1)).chain([n / 2, n - 9]) {
            let prefix = inflated_prefix(&gz[..end]);
            assert!(text.as_bytes().starts_with(&prefix), "cut at {end}");
            if text::detect_prefix(&prefix) != Some(text::TextKind::Dump) {
                continue;
            }
            let want = canonical(&decode::decode(&prefix).unwrap());
            for piece in [4096, 64 << 10] {
                let mut got = gunzipped(&gz[..end], piece)
                    .unwrap_or_else(|e| panic!("{count} goroutines cut at {end}: {e}"));
                let warning = got.warnings.remove(0);
                got.warning_count -= 1;
                assert!(
                    warning
                        .message
                        .starts_with(&format!("the gzip file is cut short at byte {end}: "))
                        && warning.message.contains("what followed it is missing"),
                    "{warning:?}"
                );
                if let Some(d) = support::diff(&want, &canonical(&got)) {
                    panic!("{count} goroutines cut at {end}, piece {piece}:\n{d}");
                }
            }
        }
        let mut whole = gunzipped(&gz[..n - 4], 4096).unwrap();
        let warning = whole.warnings.remove(0);
        whole.warning_count -= 1;
        assert!(
            warning
                .message
                .contains("CRC-32 and length could not be checked"),
            "{warning:?}"
        );
        let want = canonical(&decode::decode(text.as_bytes()).unwrap());
        if let Some(d) = support::diff(&want, &canonical(&whole)) {
            panic!("{count} goroutines, cut in the trailer:\n{d}");
        }
        assert_eq!(whole.goroutines.len(), count);
    }
}

/// A dump cut off by a log limit anywhere in its last goroutine, gzipped
/// and plain, streamed: the same profile as the cut text read whole, its
/// last goroutine counted, and every cut that loses text one warning.
#[test]
fn truncated_final_goroutine_warns_streamed_and_gzipped() {
    let block = "goroutine 7 [select]:\nmain.f(0x1, 0x2)\n\t/app/f.go:12 +0x1d\ncreated by main.main in goroutine 1\n\t/app/main.go:9 +0x2f\n\n";
    let dump = block.repeat(1_000);
    let last = dump.len() - block.len();
    for end in last + 1..dump.len() - 1 {
        let cut = &dump.as_bytes()[..end];
        let text = &dump[last..end];
        let line = text.rsplit('\n').next().unwrap();
        let header = "goroutine 7 [select]:";
        let whole = decode::decode(cut).unwrap();
        let counted = if text.len() < header.len() {
            999
        } else {
            1_000
        };
        assert_eq!(whole.goroutines.len(), counted, "cut at {end}");
        // What reads whole though its newline is gone (a frame's file:line
        // up to a hex digit of its offset, a function line up to its `)`,
        // `created by`) or is cut between lines: no line is lost.
        let hex = line.rsplit(" +0x").next().unwrap();
        let reads_whole = line.is_empty()
            || line == header
            || line.ends_with(')')
            || line.starts_with("created by ")
            || (line.contains(" +0x") && !hex.is_empty() && !hex.contains(' '));
        if !reads_whole {
            assert_eq!(whole.warning_count, 1, "cut at {end}: {:?}", whole.warnings);
            assert!(
                whole.warnings[0].message.contains("cut off"),
                "cut at {end}: {:?}",
                whole.warnings
            );
        }
        let want = canonical(&whole);
        for (how, p) in [
            ("streamed", streamed(cut, 4096)),
            ("gzipped", gunzipped(&support::gzip(cut), 4096).unwrap()),
        ] {
            if let Some(d) = support::diff(&want, &canonical(&p)) {
                panic!("cut at {end}, {how}:\n{d}");
            }
        }
    }
}
