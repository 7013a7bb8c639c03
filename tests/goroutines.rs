//! Goroutine summary over every goroutine dump in the corpus: totals and
//! per-state counts against the raw text (headers counted here, independently
//! of the decoder), groups, the panicking goroutine, and the hints an
//! engineer would expect for the obvious cases.
//!
//! Every test here reads `../shared/corpus`. Without it each says on stderr
//! that it is skipped and passes, so a checkout on its own still runs the
//! rest; `goroutine_golden.rs` reads small fixtures kept in the repository.

use std::collections::BTreeMap;
use std::path::Path;

use pprof_lens::analysis::goroutines::{
    summarize, GoroutineOptions, GoroutineSummary, HintKind, Severity, STATE_NOT_RECORDED,
};
use pprof_lens::model::Profile;
use regex_lite::Regex;

mod support;

/// `support::corpus`, naming the test by file and function.
fn corpus(test: &str) -> Option<std::path::PathBuf> {
    support::corpus(&format!("goroutines::{test}"))
}

fn load(corpus: &Path, rel: &str) -> (Vec<u8>, Profile, GoroutineSummary) {
    let bytes = std::fs::read(corpus.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let p = pprof_lens::decode::decode(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let s = summarize(&p, &GoroutineOptions::default());
    check_summary(rel, &s);
    (bytes, p, s)
}

/// Invariants that hold for any input.
fn check_summary(name: &str, s: &GoroutineSummary) {
    assert_eq!(
        s.groups.iter().map(|g| g.count).sum::<u64>(),
        s.total,
        "{name}: groups sum to the total"
    );
    if s.states_recorded {
        assert_eq!(
            s.states.iter().map(|c| c.count).sum::<u64>(),
            s.total,
            "{name}: states sum to the total"
        );
        for r in &s.wait_histogram.rows {
            let c = s.states.iter().find(|c| c.state == r.state).unwrap().count;
            assert_eq!(
                r.counts.iter().sum::<u64>(),
                c,
                "{name}: histogram of {}",
                r.state
            );
        }
    } else {
        assert!(s.states.is_empty());
        assert_eq!(s.state_note.as_deref(), Some(STATE_NOT_RECORDED));
    }
    // Panicking groups first, then by decreasing size.
    let first_plain = s
        .groups
        .iter()
        .position(|g| !g.panicking)
        .unwrap_or(s.groups.len());
    assert!(
        s.groups[first_plain..].iter().all(|g| !g.panicking),
        "{name}: panicking groups first"
    );
    for w in s.groups[first_plain..].windows(2) {
        assert!(w[0].count >= w[1].count, "{name}: groups by size");
    }
    for h in &s.hints {
        assert!(
            h.groups.iter().all(|&g| (g as usize) < s.groups.len()),
            "{name}: hint names real groups"
        );
        assert!(!h.title.is_empty() && !h.text.is_empty());
    }
    for w in s.hints.windows(2) {
        assert!(w[0].severity >= w[1].severity, "{name}: most severe first");
    }
    // Plain data for the worker boundary.
    serde_check(s);
}

fn serde_check<T: serde::Serialize + for<'de> serde::Deserialize<'de>>(_: &T) {}

/// Counts `goroutine N [...]:` headers at column 0 and their states (bracket
/// text up to the first comma without the runtime's trailing ` (flag)`
/// marks, as the model keeps it).
fn raw_states(bytes: &[u8]) -> (u64, BTreeMap<String, u64>) {
    let re = Regex::new(r"^goroutine \d+ (?:gp=\S+ m=\S+ (?:mp=\S+ )?)?\[(.*)\]:\s*$").unwrap();
    let text = String::from_utf8_lossy(bytes);
    let mut total = 0;
    let mut states = BTreeMap::new();
    for line in text.lines() {
        if let Some(c) = re.captures(line) {
            total += 1;
            let mut state = c[1].split(',').next().unwrap().trim();
            const FLAGS: [&str; 4] = [" (leaked)", " (durable)", " (scan)", " (synctest)"];
            while let Some(s) = FLAGS.iter().find_map(|f| state.strip_suffix(f)) {
                state = s;
            }
            let state = state.to_string();
            *states.entry(state).or_insert(0) += 1;
        }
    }
    (total, states)
}

fn summary_states(s: &GoroutineSummary) -> BTreeMap<String, u64> {
    s.states
        .iter()
        .map(|c| (c.state.clone(), c.count))
        .collect()
}

fn kinds(s: &GoroutineSummary) -> Vec<HintKind> {
    s.hints.iter().map(|h| h.kind).collect()
}

fn hint(s: &GoroutineSummary, k: HintKind) -> &pprof_lens::analysis::goroutines::Hint {
    s.hints
        .iter()
        .find(|h| h.kind == k)
        .unwrap_or_else(|| panic!("no {k:?} hint in {:?}", kinds(s)))
}

#[test]
fn every_text_dump_matches_its_raw_headers() {
    let Some(dir) = corpus("every_text_dump_matches_its_raw_headers") else {
        return;
    };
    let mut files = vec![
        "goroutine_states.debug2.txt".to_string(),
        "panic_orders.GOTRACEBACK_all.txt".to_string(),
    ];
    let newer = dir.join("newer-go");
    for e in std::fs::read_dir(&newer).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        // 11 interleaves two processes' output: no exact count exists.
        if name.ends_with(".txt") && !name.contains("debug1") && !name.starts_with("11_") {
            files.push(format!("newer-go/{name}"));
        }
    }
    files.sort();
    assert!(files.len() >= 17, "{files:?}");
    for f in &files {
        let (bytes, _, s) = load(&dir, f);
        let (total, states) = raw_states(&bytes);
        assert_eq!(s.total, total, "{f}: total");
        assert!(s.states_recorded, "{f}");
        assert_eq!(summary_states(&s), states, "{f}: per-state counts");
    }
}

#[test]
fn interleaved_dump_summarises_without_trouble() {
    let Some(dir) = corpus("interleaved_dump_summarises_without_trouble") else {
        return;
    };
    let (_, _, s) = load(
        &dir,
        "newer-go/11_fatal-sigquit-interleaved-two-processes.txt",
    );
    assert!(s.total > 0);
}

#[test]
fn debug1_and_protobuf_totals() {
    let Some(dir) = corpus("debug1_and_protobuf_totals") else {
        return;
    };
    for (f, want) in [
        ("goroutine_states.debug1.txt", 1267),
        ("goroutine_states.pb.gz", 1267),
        ("newer-go/03_debug1-erigon-torrent-20161.txt", 20161),
        ("newer-go/04_debug1-small-httpserver.txt", 5),
    ] {
        let (bytes, _, s) = load(&dir, f);
        assert_eq!(s.total, want, "{f}");
        if f.ends_with(".txt") {
            let text = String::from_utf8_lossy(&bytes);
            let header = text
                .lines()
                .find_map(|l| l.strip_prefix("goroutine profile: total "))
                .unwrap();
            assert_eq!(
                s.total,
                header.trim().parse::<u64>().unwrap(),
                "{f}: header total"
            );
        }
        assert!(!s.states_recorded, "{f}: {STATE_NOT_RECORDED}");
    }
    let (_, _, s) = load(&dir, "newer-go/03_debug1-erigon-torrent-20161.txt");
    assert_eq!(s.groups.len(), 168);
    assert!(kinds(&s).contains(&HintKind::ManyGoroutines));
    // debug=1 keeps labels on the groups that had them.
    let (_, _, s) = load(&dir, "goroutine_states.debug1.txt");
    assert_eq!(s.groups.iter().filter(|g| !g.labels.is_empty()).count(), 3);
}

#[test]
fn goroutine_states_reads_like_an_engineer_would() {
    let Some(dir) = corpus("goroutine_states_reads_like_an_engineer_would") else {
        return;
    };
    for f in [
        "goroutine_states.debug2.txt",
        "goroutine_states.debug1.txt",
        "goroutine_states.pb.gz",
    ] {
        let (_, _, s) = load(&dir, f);
        let lock = hint(&s, HintKind::LockContention);
        assert_eq!(lock.severity, Severity::Warn);
        assert!(
            lock.title.contains("120 goroutines") && lock.title.contains("sync.Mutex"),
            "{f}: {}",
            lock.title
        );
        assert!(
            lock.title.contains("main.(*Account).Deposit"),
            "{f}: names the call site: {}",
            lock.title
        );
        assert_eq!(s.groups[lock.groups[0] as usize].count, 120);
        let io = hint(&s, HintKind::NetworkWait);
        assert_eq!(io.severity, Severity::Info);
        assert!(io.title.starts_with("129 "), "{f}: {}", io.title);
        if !f.contains("debug1") {
            // debug=1 lists no runtime frames, so `runtime.block` is invisible there.
            assert!(
                kinds(&s).contains(&HintKind::BlockedForever),
                "{f}: select{{}}"
            );
        }
        assert!(
            !kinds(&s).contains(&HintKind::PossibleLeak),
            "{f}: 1-minute waits are no leak"
        );
    }
    let (_, _, s) = load(&dir, "goroutine_states.debug2.txt");
    // semacquire: 120 Mutex + 41 RWMutex + 60 WaitGroup waiters in Go 1.19.
    assert_eq!(summary_states(&s)["semacquire"], 221);
    let nil: Vec<_> = s
        .hints
        .iter()
        .filter(|h| h.kind == HintKind::BlockedForever)
        .collect();
    assert_eq!(nil.len(), 3, "nil receive, nil send, select{{}}");
    assert!(kinds(&s).contains(&HintKind::LockedToThread));
    assert_eq!(s.locked_to_thread, 5);
    assert!(kinds(&s).contains(&HintKind::Syscall));
    assert!(kinds(&s).contains(&HintKind::WaitGroupWait));
    assert!(kinds(&s).contains(&HintKind::CondWait));
    let g = &s.groups[0];
    assert_eq!((g.count, g.state.as_str()), (300, "chan receive"));
    assert_eq!(g.goroutine_ids.len(), 5);
    assert!(g.created_by.is_some() && g.created_at.is_some());
    assert!(
        !g.stack.is_empty() && !g.stack[0].args.is_empty(),
        "args of the first goroutine"
    );
    let one_min = &s
        .wait_histogram
        .rows
        .iter()
        .find(|r| r.state == "chan receive")
        .unwrap()
        .counts;
    assert!(one_min[1] > 0, "set A waited 1 minute");
}

#[test]
fn panicking_goroutine_comes_first() {
    let Some(dir) = corpus("panicking_goroutine_comes_first") else {
        return;
    };
    let (_, p, s) = load(&dir, "panic_orders.GOTRACEBACK_all.txt");
    assert!(s.groups[0].panicking);
    assert_eq!(
        s.groups[0].goroutine_ids,
        vec![p.panics[0].goroutine.unwrap()]
    );
    assert_eq!(s.panics[0].group, Some(0));
    let h = &s.hints[0];
    assert_eq!(
        (h.kind, h.severity, h.groups.clone()),
        (HintKind::Panic, Severity::Error, vec![0])
    );
    assert!(h.title.contains("invariant violated"), "{}", h.title);
    // Several crashes in one file: each panic names its group.
    let (_, _, s) = load(&dir, "newer-go/15_panic-app-log-five-restarts.txt");
    assert_eq!(s.panics.len(), 5);
    assert!(s.panics.iter().all(|p| p.group.is_some()));
    assert!(s.groups.iter().all(|g| g.panicking));
}

#[test]
fn crash_hints() {
    let Some(dir) = corpus("crash_hints") else {
        return;
    };
    let (_, _, s) = load(&dir, "newer-go/17_fatal-deadlock-compiler-mutex.txt");
    let h = hint(&s, HintKind::Deadlock);
    assert_eq!((h.severity, h.groups.clone()), (Severity::Error, vec![0]));

    let (_, _, s) = load(&dir, "newer-go/16_fatal-concurrent-map-read-write.txt");
    let h = hint(&s, HintKind::ConcurrentMap);
    assert_eq!(h.severity, Severity::Error);
    assert!(s.groups[h.groups[0] as usize].panicking);

    for f in [
        "newer-go/05_fatal-stackoverflow-erigon-log.txt",
        "newer-go/06_fatal-stackoverflow-arm64-gp-headers.txt",
        "newer-go/07_fatal-stackoverflow-crashoutput-noheader.txt",
    ] {
        let (_, _, s) = load(&dir, f);
        let h = hint(&s, HintKind::StackOverflow);
        assert_eq!(h.severity, Severity::Error, "{f}");
        assert_eq!(h.groups, vec![0], "{f}: the overflowing goroutine's group");
    }
    let (_, _, s) = load(
        &dir,
        "newer-go/07_fatal-stackoverflow-crashoutput-noheader.txt",
    );
    assert!(hint(&s, HintKind::StackOverflow)
        .title
        .contains("main.overflow"));

    let (_, _, s) = load(
        &dir,
        "newer-go/08_fatal-sigsegv-traceback-system-registers.txt",
    );
    assert_eq!(hint(&s, HintKind::Signal).severity, Severity::Error);
    let (_, _, s) = load(&dir, "newer-go/12_fatal-sigquit-excerpt.txt");
    assert_eq!(
        hint(&s, HintKind::Signal).severity,
        Severity::Info,
        "SIGQUIT is a requested dump"
    );
}

#[test]
fn long_channel_waits_suggest_a_leak() {
    let Some(dir) = corpus("long_channel_waits_suggest_a_leak") else {
        return;
    };
    let (_, _, s) = load(&dir, "newer-go/02_debug2-transferfile-server-minutes.txt");
    let leaks: Vec<_> = s
        .hints
        .iter()
        .filter(|h| h.kind == HintKind::PossibleLeak)
        .collect();
    assert!(!leaks.is_empty(), "{:?}", kinds(&s));
    for h in &leaks {
        assert_eq!(h.severity, Severity::Warn);
        let g = &s.groups[h.groups[0] as usize];
        assert!(
            g.count >= 3 && g.min_wait_minutes >= Some(10),
            "{}",
            h.title
        );
        assert!(matches!(
            g.state.as_str(),
            "chan receive" | "chan send" | "select"
        ));
    }
    assert!(kinds(&s).contains(&HintKind::NetworkWait));
    let g = s.groups.iter().find(|g| g.locked_to_thread > 0).unwrap();
    assert_eq!((g.state.as_str(), g.max_wait_minutes), ("select", Some(6)));
    assert!(
        s.groups.iter().any(|g| g.creator_goroutine.is_some()),
        "Go 1.21 `in goroutine N`"
    );
    let fifteen = s
        .wait_histogram
        .rows
        .iter()
        .map(|r| r.counts[3])
        .sum::<u64>();
    assert!(fifteen > 0);
}

/// The hints read from frames and counts, which every format has. The
/// others need a dump's states, wait times or runtime frames.
const SYMPTOMS: [HintKind; 6] = [
    HintKind::LockContention,
    HintKind::NetworkWait,
    HintKind::DominantGroup,
    HintKind::ManyGoroutines,
    HintKind::WaitGroupWait,
    HintKind::CondWait,
];

fn symptoms(s: &GoroutineSummary) -> Vec<HintKind> {
    let mut k: Vec<HintKind> = kinds(s)
        .into_iter()
        .filter(|k| SYMPTOMS.contains(k))
        .collect();
    k.sort_by_key(|k| SYMPTOMS.iter().position(|s| s == k));
    k.dedup();
    k
}

#[test]
fn every_format_of_one_process_gives_the_same_symptoms() {
    let Some(dir) = corpus("every_format_of_one_process_gives_the_same_symptoms") else {
        return;
    };
    for (stem, debug1, debug2, pb, want) in [
        (
            "goroutine_states",
            "goroutine_states.debug1.txt",
            "goroutine_states.debug2.txt",
            "goroutine_states.pb.gz",
            &[
                HintKind::LockContention,
                HintKind::NetworkWait,
                HintKind::WaitGroupWait,
                HintKind::CondWait,
            ][..],
        ),
        (
            "leak_http.snap2",
            "series/leak_http.snap2.goroutine.debug1.txt",
            "series/leak_http.snap2.goroutine.debug2.txt",
            "series/leak_http.snap2.goroutine.pb.gz",
            &[][..],
        ),
    ] {
        let got: Vec<Vec<HintKind>> = [debug1, debug2, pb]
            .iter()
            .map(|f| symptoms(&load(&dir, f).2))
            .collect();
        assert_eq!(got[0], want, "{stem}: debug=1");
        assert_eq!(got[1], want, "{stem}: debug=2");
        assert_eq!(got[2], want, "{stem}: protobuf");
    }
}

#[test]
fn the_seed_dump_names_the_group_holding_most_goroutines() {
    let Some(dir) = corpus("the_seed_dump_names_the_group_holding_most_goroutines") else {
        return;
    };
    let (_, _, s) = load(&dir, "seed/seed-goroutine.debug1.txt");
    assert_eq!((s.total, s.header_total), (97_911, Some(97_926)));
    let h = hint(&s, HintKind::DominantGroup);
    assert!(
        h.title.contains("97908 goroutines of 97926 (99.98%)")
            && h.title
                .contains("github.com/gocolly/colly/v2.(*httpBackend).Do"),
        "{}",
        h.title
    );
    assert_eq!(h.groups, [0]);
    assert!(h
        .text
        .contains("If this count grows between dumps, it is a leak"));
    // The whole dump is one goroutine serving the dump: no symptom at all.
    let (_, _, s) = load(&dir, "seed/seed-goroutine.debug2.txt");
    assert!(symptoms(&s).is_empty(), "{:?}", kinds(&s));
}
