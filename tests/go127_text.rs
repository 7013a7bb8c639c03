//! The Go 1.27 text files of the shared corpus (`go1.27/`): goroutine dumps
//! with labels after the bracket, `(leaked)` and `(durable)` marks, synctest
//! bubbles, goroutineleak profiles, and `go test` tracebacks under the
//! default GOTRACEBACK. Every file goes through `decode::decode` (detection
//! by content).
//!
//! Each dump is checked three ways: the decoder against an independent count
//! of the raw text written here (as `count_dump.py` counts: headers that
//! start with `goroutine <id> ` and end with `:`, or the sum of the `N @`
//! group counts for debug=1), and both against the numbers in the corpus
//! README.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use pprof_lens::analysis::filter;
use pprof_lens::decode;
use pprof_lens::model::{Coverage, PanicKind, Profile, SourceFormat};

fn corpus_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/go1.27"
    ));
    assert!(
        dir.is_dir(),
        "shared corpus missing at {}: these tests need it",
        dir.display()
    );
    dir
}

fn read(rel: &str) -> Vec<u8> {
    support::read_corpus(&format!("go1.27/{rel}"))
}

fn decode_ok(name: &str, bytes: &[u8]) -> Profile {
    decode::decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// What a dump says, counted from the raw text without the decoder.
#[derive(Debug, Default, PartialEq, Eq)]
struct Count {
    total: u64,
    states: BTreeMap<String, u64>,
    leaked: u64,
    durable: u64,
    labelled: u64,
    minutes: u64,
}

/// Counts header lines: `goroutine <digits> ` at column 0, ending with `:`.
/// The state is the bracket text (none of these files has `]` inside a
/// label) up to its first comma, without trailing ` (leaked)` / ` (durable)`
/// marks; a header is labelled when a `{` follows the bracket.
fn count_headers(bytes: &[u8]) -> Count {
    let mut c = Count::default();
    for line in String::from_utf8_lossy(bytes).lines() {
        let line = line.trim_end();
        let Some(rest) = line.strip_prefix("goroutine ") else {
            continue;
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || !rest[digits..].starts_with(' ') || !line.ends_with(':') {
            continue;
        }
        let (Some(open), Some(close)) = (line.find('['), line.find(']')) else {
            continue;
        };
        c.total += 1;
        let bracket = &line[open + 1..close];
        let mut state = bracket.split(',').next().unwrap().trim();
        loop {
            if let Some(s) = state.strip_suffix(" (leaked)") {
                c.leaked += 1;
                state = s;
            } else if let Some(s) = state.strip_suffix(" (durable)") {
                c.durable += 1;
                state = s;
            } else {
                break;
            }
        }
        *c.states.entry(state.to_string()).or_default() += 1;
        c.labelled += u64::from(line[close + 1..].trim_start().starts_with('{'));
        c.minutes += u64::from(bracket.contains(" minutes"));
    }
    c
}

/// The same, read from the decoded profile.
fn count_model(p: &Profile) -> Count {
    let mut c = Count::default();
    for g in &p.goroutines.rows {
        c.total += 1;
        *c.states.entry(p.str(g.state).to_string()).or_default() += 1;
        c.leaked += u64::from(g.leaked);
        c.durable += u64::from(g.durable);
        c.labelled += u64::from(!p.label_sets.get(g.labels).is_empty());
        c.minutes += u64::from(g.wait_minutes.is_some());
    }
    c
}

fn states(v: &[(&str, u64)]) -> BTreeMap<String, u64> {
    v.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

/// The sum of `N @ ...` record counts of a debug=1 file, and its groups and
/// labelled groups (a `# labels:` line in the record).
fn count_groups(bytes: &[u8]) -> (i64, usize, usize) {
    let (mut sum, mut groups, mut labelled) = (0, 0, 0);
    for line in String::from_utf8_lossy(bytes).lines() {
        if let Some((n, _)) = line.split_once(" @") {
            if let Ok(n) = n.parse::<i64>() {
                sum += n;
                groups += 1;
            }
        }
        labelled += usize::from(line.starts_with("# labels: {"));
    }
    (sum, groups, labelled)
}

/// The labels of a goroutine row as `k=v` strings.
fn row_labels(p: &Profile, i: usize) -> Vec<String> {
    let g = &p.goroutines.rows[i];
    p.label_sets
        .get(g.labels)
        .iter()
        .map(|l| format!("{}={}", p.str(l.key), p.str(l.str.unwrap())))
        .collect()
}

/// How many samples a `-tagfocus` keeps.
fn tagfocus(p: &Profile, focus: &str) -> usize {
    let opts = pprof_lens::analysis::options::ReportOptions {
        tagfocus: focus.into(),
        ..Default::default()
    };
    let applied = filter::apply(p, &opts).unwrap();
    p.samples
        .labels
        .iter()
        .filter(|&&set| applied.labels_pass(set))
        .count()
}

#[test]
fn every_go127_text_file_opens_and_matches_the_raw_text() {
    let mut n = 0;
    for entry in std::fs::read_dir(corpus_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".txt") || name.contains(".pb.gz.") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let p = decode_ok(&name, &bytes);
        if name.contains("debug1") {
            let (sum, groups, labelled) = count_groups(&bytes);
            assert_eq!(p.format, SourceFormat::GoroutineGrouped, "{name}");
            assert_eq!(
                (0..p.samples.len()).map(|i| p.value(i, 0)).sum::<i64>(),
                sum,
                "{name}: sum of group counts"
            );
            assert_eq!(p.samples.len(), groups, "{name}: groups");
            let with_labels = p
                .samples
                .labels
                .iter()
                .filter(|&&l| !p.label_sets.get(l).is_empty())
                .count();
            assert_eq!(with_labels, labelled, "{name}: labelled groups");
            let rows_labelled = p
                .goroutines
                .rows
                .iter()
                .filter(|g| !p.label_sets.get(g.labels).is_empty())
                .count();
            assert_eq!(
                rows_labelled, labelled,
                "{name}: group rows carry the labels"
            );
        } else {
            assert_eq!(count_model(&p), count_headers(&bytes), "{name}");
            assert_eq!(
                p.samples.len(),
                p.goroutines.len(),
                "{name}: one sample per goroutine"
            );
        }
        // No header went unread: every warning is about the `go test` lines
        // that follow a block without a blank line.
        for w in &p.warnings {
            assert!(
                w.message
                    .contains("unexpected line inside a goroutine's stack"),
                "{name}: {w:?}"
            );
        }
        // CRLF line endings give the same result.
        let crlf = String::from_utf8_lossy(&bytes).replace('\n', "\r\n");
        let q = decode_ok(&name, crlf.as_bytes());
        assert_eq!(
            (q.samples.values, q.samples.labels),
            (p.samples.values.clone(), p.samples.labels.clone()),
            "{name}: CRLF"
        );
        n += 1;
    }
    assert_eq!(n, 7, "7 text files in go1.27");
}

#[test]
fn labelled_states_debug2_matches_readme() {
    let bytes = read("labelled_states.goroutine.debug2.txt");
    let p = decode_ok("labelled_states debug2", &bytes);
    assert_eq!(p.format, SourceFormat::GoroutineDump);
    assert_eq!(p.warning_count, 0, "{:?}", p.warnings);
    let want = Count {
        total: 43,
        states: states(&[
            ("IO wait", 7),
            ("chan receive", 7),
            ("chan send", 4),
            ("runnable", 1),
            ("running", 1),
            ("select", 4),
            ("sleep", 4),
            ("sync.Cond.Wait", 2),
            ("sync.Mutex.Lock", 5),
            ("sync.RWMutex.Lock", 1),
            ("sync.RWMutex.RLock", 4),
            ("sync.WaitGroup.Wait", 3),
        ]),
        leaked: 0,
        durable: 0,
        labelled: 41,
        minutes: 39,
    };
    assert_eq!(
        count_headers(&bytes),
        want,
        "the raw text agrees with the README"
    );
    assert_eq!(count_model(&p), want);
    assert_eq!(p.goroutines.coverage, Coverage::All);
    assert!(!p.is_goroutine_leak());

    // `goroutine 1 [running] {phase: dump, role: main}:`
    assert_eq!(
        (p.goroutines.rows[0].id, row_labels(&p, 0)),
        (1, vec!["phase=dump".into(), "role=main".into()])
    );
    // Quoted values are unquoted; the sample carries state, wait and labels.
    let i = p.goroutines.rows.iter().position(|g| g.id == 11).unwrap();
    assert_eq!(row_labels(&p, i), vec!["pool=export", "tenant=acme-eu"]);
    let sample: Vec<String> = p
        .label_sets
        .get(p.samples.labels[i])
        .iter()
        .map(|l| match l.str {
            Some(s) => format!("{}={}", p.str(l.key), p.str(s)),
            None => format!("{}={}{}", p.str(l.key), l.num, p.str(l.num_unit)),
        })
        .collect();
    assert_eq!(
        sample,
        vec![
            "state=chan send",
            "wait=1minutes",
            "pool=export",
            "tenant=acme-eu"
        ]
    );
    // `[chan receive, 1 minutes, locked to thread] {thread: pinned}`
    let g52 = p.goroutines.rows.iter().position(|g| g.id == 52).unwrap();
    let g = &p.goroutines.rows[g52];
    assert_eq!(
        (p.str(g.state), g.wait_minutes, g.locked_to_thread),
        ("chan receive", Some(1), true)
    );
    assert_eq!(row_labels(&p, g52), vec!["thread=pinned"]);

    // Tag filters see the header labels.
    assert_eq!(tagfocus(&p, "tenant=acme-eu"), 4);
    assert_eq!(tagfocus(&p, "pool=ingest"), 6);
    assert_eq!(tagfocus(&p, "request_id=r-000042"), 3);
}

#[test]
fn labelled_states_debug1_matches_readme() {
    let p = decode_ok(
        "labelled_states debug1",
        &read("labelled_states.goroutine.debug1.txt"),
    );
    assert_eq!(p.format, SourceFormat::GoroutineGrouped);
    assert_eq!((0..p.samples.len()).map(|i| p.value(i, 0)).sum::<i64>(), 43);
    assert_eq!(p.samples.len(), 19);
    assert_eq!(
        p.goroutines
            .rows
            .iter()
            .filter(|g| !p.label_sets.get(g.labels).is_empty())
            .count(),
        18
    );
    assert_eq!(p.warning_count, 0, "{:?}", p.warnings);
    assert!(!p.is_goroutine_leak());
    assert_eq!(p.describe(), "goroutine profile (debug=1)");
}

#[test]
fn leak_profiles_match_readme() {
    let want = Count {
        total: 26,
        states: states(&[
            ("chan receive", 7),
            ("chan send", 11),
            ("running", 1),
            ("select", 3),
            ("sleep", 1),
            ("sync.Mutex.Lock", 2),
            ("sync.WaitGroup.Wait", 1),
        ]),
        leaked: 16,
        durable: 0,
        labelled: 17,
        minutes: 0,
    };
    // The goroutineleak profile at debug=2 and an ordinary dump taken after
    // a detection cycle are the same text: both are leak profiles.
    for name in [
        "leak_orphans.goroutineleak.debug2.txt",
        "leak_orphans.goroutine.debug2.txt",
    ] {
        let bytes = read(name);
        let p = decode_ok(name, &bytes);
        assert_eq!(
            count_headers(&bytes),
            want,
            "{name}: the raw text agrees with the README"
        );
        assert_eq!(count_model(&p), want, "{name}");
        assert_eq!(p.format, SourceFormat::GoroutineDump, "{name}");
        assert!(p.is_goroutine_leak(), "{name}");
        assert_eq!(p.describe(), "goroutine leak profile (debug=2)");
        assert_eq!(p.warning_count, 0, "{name}: {:?}", p.warnings);
        // `goroutine 17 [chan send (leaked)] {handler: search, tenant: acme}:`
        let i = p.goroutines.rows.iter().position(|g| g.id == 17).unwrap();
        let g = &p.goroutines.rows[i];
        assert_eq!(
            (p.str(g.state), g.leaked, g.wait_minutes),
            ("chan send", true, None)
        );
        assert_eq!(row_labels(&p, i), vec!["handler=search", "tenant=acme"]);
        assert_eq!(tagfocus(&p, "handler=search"), 9);
    }

    let bytes = read("leak_orphans.goroutineleak.debug1.txt");
    let p = decode_ok("goroutineleak debug1", &bytes);
    assert_eq!(p.format, SourceFormat::GoroutineGrouped);
    assert_eq!(
        (p.str(p.sample_types[0].kind), p.str(p.sample_types[0].unit)),
        ("goroutineleak", "count")
    );
    assert_eq!((0..p.samples.len()).map(|i| p.value(i, 0)).sum::<i64>(), 16);
    assert_eq!(p.samples.len(), 5);
    assert_eq!(
        p.samples
            .labels
            .iter()
            .filter(|&&l| !p.label_sets.get(l).is_empty())
            .count(),
        3
    );
    assert!(p.is_goroutine_leak() && p.is_goroutine_data());
    assert_eq!(p.describe(), "goroutine leak profile (debug=1)");
    assert_eq!(p.warning_count, 0, "{:?}", p.warnings);
    // The generic method's frame keeps its printed name.
    assert!(p
        .functions
        .iter()
        .any(|f| p.str(f.name) == "main.(*Cache[...]).Refresh[...].func1"));

    // The protobuf form, by its sample type.
    let p = decode_ok(
        "goroutineleak pb",
        &read("leak_orphans.goroutineleak.pb.gz"),
    );
    assert!(p.is_goroutine_leak() && p.is_goroutine_data());
    assert_eq!(
        p.describe(),
        "goroutine leak profile (pprof protobuf, gzipped)"
    );
    let p = decode_ok("goroutine pb", &read("labelled_states.goroutine.pb.gz"));
    assert!(!p.is_goroutine_leak() && p.is_goroutine_data());
}

#[test]
fn synctest_deadlock_shows_only_the_bubble() {
    let bytes = read("synctest_deadlock.gotest.GOTRACEBACK_default.txt");
    let p = decode_ok("synctest_deadlock", &bytes);
    let want = Count {
        total: 11,
        states: states(&[
            ("chan receive", 1),
            ("chan receive (nil chan)", 1),
            ("chan send", 4),
            ("running", 1),
            ("select", 1),
            ("select (no cases)", 1),
            ("sync.Cond.Wait", 1),
            ("sync.WaitGroup.Wait", 1),
        ]),
        leaked: 0,
        durable: 10,
        labelled: 3,
        minutes: 0,
    };
    assert_eq!(
        count_headers(&bytes),
        want,
        "the raw text agrees with the README"
    );
    assert_eq!(count_model(&p), want);
    assert_eq!(p.format, SourceFormat::Traceback);
    assert_eq!(p.panics.len(), 1);
    let x = &p.panics[0];
    assert_eq!(
        (
            x.kind,
            x.message.as_str(),
            x.recovered,
            x.repanicked,
            x.goroutine
        ),
        (
            PanicKind::Panic,
            "deadlock: all goroutines in bubble are blocked [recovered, repanicked]",
            true,
            true,
            Some(7)
        )
    );
    assert_eq!(p.goroutines.coverage, Coverage::Bubble);
    assert!(p.goroutines.coverage.is_partial());
    // The test goroutine is outside the bubble; the other ten are in bubble 2.
    let rows = &p.goroutines.rows;
    assert_eq!(rows[0].bubble, None);
    assert!(rows[1..].iter().all(|g| g.bubble == Some(2) && g.durable));
    let g14 = rows.iter().find(|g| g.id == 14).unwrap();
    assert_eq!(p.str(g14.state), "chan receive (nil chan)");
    assert_eq!(tagfocus(&p, "worker=w2"), 1);
}

#[test]
fn test_timeout_shows_every_goroutine() {
    let bytes = read("test_timeout.gotest.GOTRACEBACK_default.txt");
    let p = decode_ok("test_timeout", &bytes);
    let want = Count {
        total: 11,
        states: states(&[
            ("chan receive", 6),
            ("running", 1),
            ("sleep", 1),
            ("sync.Mutex.Lock", 1),
            ("sync.WaitGroup.Wait", 1),
            ("synctest.Run", 1),
        ]),
        leaked: 0,
        durable: 5,
        labelled: 1,
        minutes: 0,
    };
    assert_eq!(
        count_headers(&bytes),
        want,
        "the raw text agrees with the README"
    );
    assert_eq!(count_model(&p), want);
    assert_eq!(p.format, SourceFormat::Traceback);
    assert_eq!(p.panics.len(), 1);
    assert!(
        p.panics[0]
            .message
            .starts_with("test timed out after 2s\n\trunning tests:\n"),
        "{:?}",
        p.panics[0].message
    );
    assert_eq!(p.goroutines.coverage, Coverage::All);
    // `[chan receive, synctest bubble 1]` waits on a channel from outside the
    // bubble, so it is not durable; its neighbours are.
    let g13 = p.goroutines.rows.iter().find(|g| g.id == 13).unwrap();
    assert_eq!(
        (p.str(g13.state), g13.durable, g13.bubble),
        ("chan receive", false, Some(1))
    );
    let g9 = p.goroutines.rows.iter().find(|g| g.id == 9).unwrap();
    assert_eq!(
        (p.str(g9.state), g9.durable, g9.bubble),
        ("synctest.Run", true, Some(1))
    );
    let i = p.goroutines.rows.iter().position(|g| g.id == 16).unwrap();
    assert_eq!(row_labels(&p, i), vec!["shard=7", "test=queue-drain"]);
}

// ---- tracebacks without a full dump ----

fn newer_go(prefix: &str) -> (String, Vec<u8>) {
    let dir = corpus_dir().join("../newer-go");
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        if name.starts_with(prefix) {
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            return (name, bytes);
        }
    }
    panic!("no newer-go file {prefix}*");
}

/// The text before the first goroutine header: what `GOTRACEBACK=none`
/// leaves of a crash (the message, its `[signal ...]`, `running tests:` or
/// `runtime stack:` lines), or a paste that stops at the message.
fn before_first_header(bytes: &[u8]) -> &[u8] {
    let text = std::str::from_utf8(bytes).unwrap();
    let at = text
        .match_indices("\ngoroutine ")
        .find(|(i, _)| text[i + 11..].starts_with(|c: char| c.is_ascii_digit()))
        .unwrap()
        .0;
    &bytes[..at + 1]
}

#[test]
fn a_traceback_without_goroutines_opens() {
    let files = [
        ("05_", "stack overflow"),
        ("08_", "SIGSEGV: segmentation violation\nPC=0x45e574 m=3 sigcode=1 addr=0x61662"),
        ("13_", "test timed out after 2s\n\trunning tests:"),
        ("14_", "test timed out after 10m0s\n\trunning tests:"),
        ("16_", "concurrent map read and map write"),
        ("17_", "all goroutines are asleep - deadlock!"),
        ("18_", "runtime error: invalid memory address or nil pointer dereference [recovered, repanicked]"),
        ("19_", "\tassert: mock: I don't know what to return"),
        ("20_", "runtime error: invalid memory address or nil pointer dereference [recovered]"),
    ];
    for (prefix, message) in files {
        let (name, bytes) = newer_go(prefix);
        let cut = before_first_header(&bytes);
        let p = decode_ok(&name, cut);
        assert_eq!(p.format, SourceFormat::Traceback, "{name}");
        assert!(p.samples.is_empty() && p.goroutines.is_empty(), "{name}");
        assert!(
            p.panics[0].message.starts_with(message),
            "{name}: {:?}",
            p.panics[0].message
        );
        assert_eq!(p.panics[0].goroutine, None, "{name}");
        assert_eq!(p.goroutines.coverage, Coverage::NoGoroutines, "{name}");
        assert!(p.goroutines.coverage.is_partial());
    }
    for name in [
        "synctest_deadlock.gotest.GOTRACEBACK_default.txt",
        "test_timeout.gotest.GOTRACEBACK_default.txt",
    ] {
        let p = decode_ok(name, before_first_header(&read(name)));
        assert_eq!(
            (p.format, p.panics.len(), p.goroutines.coverage),
            (SourceFormat::Traceback, 1, Coverage::NoGoroutines)
        );
    }

    // What GOTRACEBACK=none prints, with what `go run` adds.
    for text in [
        "fatal error: concurrent map writes\n",
        "fatal error: concurrent map writes\nexit status 2\n",
        "panic: boom\n",
        "panic: boom\n\nexit status 2\n",
        "starting\npanic: order 1020: invariant violated\nexit status 2\n",
        "panic: runtime error: index out of range [5] with length 3\n\nsomething else\n",
        "panic: main.MyErr{Code:3}\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x48f5a6]\n",
        "panic: first [recovered]\n\tpanic: second\nmore log\n",
        "SIGQUIT: quit\nPC=0x46e1a1 m=0 sigcode=0\n",
        "=== RUN   TestX\n--- FAIL: TestX (0.00s)\npanic: oops\nFAIL\tpkg\t0.01s\n",
    ] {
        let p = decode::decode(text.as_bytes()).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(
            (p.format, p.samples.len(), p.goroutines.coverage),
            (SourceFormat::Traceback, 0, Coverage::NoGoroutines),
            "{text:?}"
        );
        assert_eq!(p.panics.len(), 1, "{text:?}");
    }
    // Log lines that merely look like one stay "not a Go profile".
    for text in [
        "INFO started 12 goroutines\npanic: something\nrecovered fine\n",
        "panic: not really\nnext log line\n",
        "SIGTERM: shutting down\nbye\n",
        "SIGTERM: shutting down\n",
        "fatal error: config missing\nretrying\n",
    ] {
        let e = decode::decode(text.as_bytes()).err();
        assert!(
            matches!(e, Some(decode::DecodeError::Unrecognized { .. })),
            "{text:?}: {e:?}"
        );
    }
}

#[test]
fn coverage_of_each_traceback_in_the_corpus() {
    let cases = [
        ("05_", Coverage::All),
        ("06_", Coverage::All),
        ("07_", Coverage::All),
        ("08_", Coverage::All),
        ("10_", Coverage::All),
        ("12_", Coverage::All),
        ("13_", Coverage::All),
        ("14_", Coverage::All),
        ("15_", Coverage::Running),
        ("16_", Coverage::All),
        ("17_", Coverage::All),
        ("18_", Coverage::Running),
        ("19_", Coverage::Running),
        ("20_", Coverage::Running),
        ("01_", Coverage::All),
        ("02_", Coverage::All),
    ];
    for (prefix, want) in cases {
        let (name, bytes) = newer_go(prefix);
        let p = decode_ok(&name, &bytes);
        assert_eq!(p.goroutines.coverage, want, "{name}");
        let several = p
            .warnings
            .iter()
            .find(|w| w.message.contains("tracebacks in this input"));
        match prefix {
            "13_" => assert!(
                several.unwrap().message.starts_with("3 tracebacks"),
                "{name}"
            ),
            "15_" => assert!(
                several.unwrap().message.starts_with("5 tracebacks"),
                "{name}"
            ),
            _ => assert!(several.is_none(), "{name}: {several:?}"),
        }
    }
    let p = decode_ok("15", &newer_go("15_").1);
    let w = p
        .warnings
        .iter()
        .find(|w| w.message.contains("tracebacks in this input"))
        .unwrap();
    assert_eq!(
        w.line,
        Some(p.panics[1].line),
        "the warning points at the second traceback"
    );
}

#[test]
fn one_goroutine_after_a_panic_is_the_running_one() {
    let text = "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:9 +0x1d\nexit status 2\n";
    let p = decode::decode(text.as_bytes()).unwrap();
    assert_eq!(p.goroutines.coverage, Coverage::Running);
    assert_eq!(
        p.goroutines.coverage.describe(),
        "only the running goroutine"
    );
    // A plain debug=2 dump of one goroutine is a whole dump.
    let p =
        decode::decode(b"goroutine 1 [running]:\nmain.main()\n\t/app/main.go:9 +0x1d\n").unwrap();
    assert_eq!(p.goroutines.coverage, Coverage::All);
}

#[test]
fn go126_labels_inside_the_bracket_and_unreadable_labels() {
    // Go 1.26 with GODEBUG=tracebacklabels=1 (golang/go#76349's example).
    let text = "goroutine 8 [running labels:{\"foobar\": \"baz\"}]:\nmain.f(...)\n\t/app/main.go:9\n\n\
                goroutine 9 [chan receive, 3 minutes labels:{\"a b\": \"x]\\ty\"}]:\nmain.g()\n\t/app/main.go:12 +0x1d\n\n\
                goroutine 10 [select] {k v}:\nmain.h()\n\t/app/main.go:15 +0x1d\n";
    let p = decode::decode(text.as_bytes()).unwrap();
    assert_eq!(p.samples.len(), 3);
    assert_eq!(row_labels(&p, 0), vec!["foobar=baz"]);
    assert_eq!(row_labels(&p, 1), vec!["a b=x]\ty"]);
    assert_eq!(p.goroutines.rows[1].wait_minutes, Some(3));
    assert!(row_labels(&p, 2).is_empty());
    assert_eq!(p.warning_count, 1);
    assert_eq!(p.warnings[0].line, Some(9));
    assert!(
        p.warnings[0].message.contains("labels of goroutine 10"),
        "{:?}",
        p.warnings
    );
}

/// The committed fuzz seeds (fuzz/seeds/text) open, so the fuzzer starts
/// from inputs that reach every header form.
#[test]
fn fuzz_seeds_open() {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/text"));
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let p = decode_ok(&name, &std::fs::read(&path).unwrap());
        let labelled = p
            .goroutines
            .rows
            .iter()
            .filter(|g| !p.label_sets.get(g.labels).is_empty())
            .count();
        let flagged = p
            .goroutines
            .rows
            .iter()
            .filter(|g| g.leaked || g.durable || g.scan)
            .count();
        match name.as_str() {
            "go124-synctest-group.txt" => {
                assert_eq!(
                    (p.samples.len(), flagged, p.goroutines.rows[1].bubble),
                    (4, 2, Some(8))
                )
            }
            "go126-labels-in-bracket.txt" => {
                assert_eq!((p.samples.len(), labelled, flagged), (3, 3, 1))
            }
            "go127-labels-and-flags.txt" => {
                assert_eq!((p.samples.len(), labelled, flagged), (7, 5, 4))
            }
            "several-tracebacks.txt" => {
                assert_eq!(
                    (p.samples.len(), p.panics.len(), p.goroutines.coverage),
                    (3, 2, Coverage::Bubble)
                )
            }
            "traceback-without-goroutines.txt" => {
                assert_eq!((p.samples.len(), p.panics.len()), (0, 2))
            }
            "pprof-top-session.txt" => {
                assert_eq!(p.text_top.as_ref().map(|t| t.rows.len()), Some(6))
            }
            "pprof-traces.txt" => {
                assert_eq!((p.format, p.samples.len()), (SourceFormat::PprofTraces, 10))
            }
            "dump-cut-off-mid-line.txt" => {
                let cut = p
                    .warnings
                    .iter()
                    .filter(|w| w.message.contains("cut off"))
                    .count();
                assert_eq!((p.samples.len(), cut), (14, 1))
            }
            other => panic!("a seed without a check: {other}"),
        }
        n += 1;
    }
    assert_eq!(n, 8);
}
