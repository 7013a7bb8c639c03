//! The goroutine summary of Go 1.26-1.27 inputs: groups split by pprof
//! labels (header labels, `# labels:` lines, protobuf sample labels) unless
//! the user asks to merge them, `(leaked)` marks and goroutineleak profiles
//! counted as leaked, states without flags, and tracebacks that show only
//! some goroutines. Expected numbers come from the raw text, counted here
//! without the decoder, or from the corpus README.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use pprof_lens::analysis::goroutines::{summarize, GoroutineOptions, GoroutineSummary, HintKind};

mod support;

/// A group's state and stack.
type StackKey = (String, Vec<String>);
fn corpus(test: &str) -> Option<std::path::PathBuf> {
    support::corpus(&format!("goroutine_labels::{test}"))
}

fn summary(corpus: &Path, rel: &str, ignore_labels: bool) -> GoroutineSummary {
    let bytes = std::fs::read(corpus.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let p = pprof_lens::decode::decode(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let s = summarize(
        &p,
        &GoroutineOptions {
            sample_index: None,
            ignore_labels,
        },
    );
    assert_eq!(
        s.groups.iter().map(|g| g.count).sum::<u64>(),
        s.total,
        "{rel}: groups sum to the total"
    );
    s
}

/// Header labels of a debug=2 dump counted from the raw text: the text
/// between `] {` and `}:`, as sorted `k=v` pairs with quotes removed (none
/// of these files has an escape or a `, ` inside a quoted value).
fn raw_label_counts(text: &str) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        if !line.starts_with("goroutine ") || !line.ends_with(':') {
            continue;
        }
        let labels = match line.find("] {") {
            Some(i) => {
                let inner = &line[i + 3..line.len() - 2];
                let mut pairs: Vec<String> = inner
                    .split(", ")
                    .map(|kv| {
                        let (k, v) = kv.split_once(": ").expect("k: v");
                        format!("{}={}", k.trim_matches('"'), v.trim_matches('"'))
                    })
                    .collect();
                pairs.sort();
                pairs.join(";")
            }
            None => String::new(),
        };
        *counts.entry(labels).or_insert(0) += 1;
    }
    counts
}

fn summary_label_counts(s: &GoroutineSummary) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for g in &s.groups {
        assert!(!g.labels_vary, "grouped by labels, none varies");
        let mut l = g.labels.clone();
        l.sort();
        *counts.entry(l.join(";")).or_insert(0) += g.count;
    }
    counts
}

/// The key a group has when labels are ignored: state and stack functions.
fn stack_key(g: &pprof_lens::analysis::goroutines::Group) -> (String, Vec<String>) {
    (
        g.state.clone(),
        g.stack.iter().map(|f| f.function.clone()).collect(),
    )
}

#[test]
fn labels_split_groups_and_merge_on_request() {
    let Some(c) = corpus("labels_split_groups_and_merge_on_request") else {
        return;
    };
    let rel = "go1.27/labelled_states.goroutine.debug2.txt";
    let text = std::fs::read_to_string(c.join(rel)).unwrap();
    let by_labels = summary(&c, rel, false);
    assert_eq!(by_labels.total, 43);
    assert_eq!(summary_label_counts(&by_labels), raw_label_counts(&text));

    // Merged: one group per (state, stack), whose labels vary exactly when
    // the label-split groups of that key had different labels.
    let merged = summary(&c, rel, true);
    assert_eq!(merged.total, 43);
    let mut want: BTreeMap<StackKey, (u64, BTreeSet<Vec<String>>)> = BTreeMap::new();
    for g in &by_labels.groups {
        let e = want.entry(stack_key(g)).or_default();
        e.0 += g.count;
        e.1.insert(g.labels.clone());
    }
    assert_eq!(merged.groups.len(), want.len());
    assert!(merged.groups.len() <= by_labels.groups.len());
    for g in &merged.groups {
        let (count, labels) = &want[&stack_key(g)];
        assert_eq!(g.count, *count, "{:?}", stack_key(g));
        assert_eq!(g.labels_vary, labels.len() > 1, "{:?}", stack_key(g));
        if !g.labels_vary {
            assert_eq!(Some(&g.labels), labels.iter().next());
        }
    }
}

#[test]
fn every_form_of_a_labelled_profile_groups_by_the_same_labels() {
    let Some(c) = corpus("every_form_of_a_labelled_profile_groups_by_the_same_labels") else {
        return;
    };
    let debug2 = summary(&c, "go1.27/labelled_states.goroutine.debug2.txt", false);
    let want = summary_label_counts(&debug2);
    for rel in [
        "go1.27/labelled_states.goroutine.debug1.txt",
        "go1.27/labelled_states.goroutine.pb.gz",
    ] {
        let s = summary(&c, rel, false);
        assert_eq!(summary_label_counts(&s), want, "{rel}");
    }
}

#[test]
fn leaked_goroutines_are_counted_in_every_form() {
    let Some(c) = corpus("leaked_goroutines_are_counted_in_every_form") else {
        return;
    };
    for rel in [
        "go1.27/leak_orphans.goroutine.debug2.txt",
        "go1.27/leak_orphans.goroutineleak.debug2.txt",
    ] {
        let text = std::fs::read_to_string(c.join(rel)).unwrap();
        let marked = text
            .lines()
            .filter(|l| l.starts_with("goroutine ") && l.contains(" (leaked)]"))
            .count() as u64;
        let s = summary(&c, rel, false);
        assert_eq!((s.total, s.leaked, marked), (26, 16, 16), "{rel}");
        assert!(s.leak_profile, "{rel}");
        for st in &s.states {
            assert!(
                !st.state.contains('('),
                "{rel}: flag in state {:?}",
                st.state
            );
        }
        let leaked_in_groups: u64 = s.groups.iter().map(|g| g.leaked).sum();
        assert_eq!(leaked_in_groups, 16, "{rel}");
        let hinted: u64 = s
            .hints
            .iter()
            .filter(|h| h.kind == HintKind::Leaked)
            .flat_map(|h| h.groups.iter())
            .map(|&g| s.groups[g as usize].leaked)
            .sum();
        assert_eq!(hinted, 16, "{rel}: every leaked group has a hint");
        assert_eq!(s.hints[0].kind, HintKind::Leaked, "{rel}: leaks come first");
    }
    // The protobuf and debug=1 forms list only leaked goroutines.
    for rel in [
        "go1.27/leak_orphans.goroutineleak.pb.gz",
        "go1.27/leak_orphans.goroutineleak.debug1.txt",
    ] {
        let s = summary(&c, rel, false);
        assert_eq!((s.total, s.leaked), (16, 16), "{rel}");
        assert!(s.leak_profile, "{rel}");
        assert!(s.groups.iter().all(|g| g.leaked == g.count), "{rel}");
    }
    // An older dump has no leak marks.
    let s = summary(&c, "goroutine_states.debug2.txt", false);
    assert_eq!((s.leaked, s.leak_profile), (0, false));
}

#[test]
fn partial_tracebacks_say_what_they_show() {
    let Some(c) = corpus("partial_tracebacks_say_what_they_show") else {
        return;
    };
    let s = summary(
        &c,
        "go1.27/synctest_deadlock.gotest.GOTRACEBACK_default.txt",
        false,
    );
    assert_eq!(s.total, 11);
    let partial = s
        .partial
        .expect("a synctest deadlock shows only the bubble");
    assert!(partial.contains("bubble"), "{partial}");
    assert_eq!(s.groups.iter().map(|g| g.durable).sum::<u64>(), 10);
    let s = summary(
        &c,
        "go1.27/test_timeout.gotest.GOTRACEBACK_default.txt",
        false,
    );
    assert_eq!((s.total, s.partial), (11, None));
}

#[test]
fn goroutines_that_differ_only_in_labels_merge_on_request() {
    let Some(c) = corpus("goroutines_that_differ_only_in_labels_merge_on_request") else {
        return;
    };
    // Three workers of one bubble block in the same send, labelled
    // worker=w1, w2 and w3.
    let rel = "go1.27/synctest_deadlock.gotest.GOTRACEBACK_default.txt";
    let split = summary(&c, rel, false);
    let workers: Vec<_> = split
        .groups
        .iter()
        .filter(|g| g.labels.iter().any(|l| l.starts_with("worker=")))
        .collect();
    assert_eq!(workers.len(), 3);
    assert!(workers.iter().all(|g| g.count == 1));
    let merged = summary(&c, rel, true);
    assert_eq!(merged.groups.len(), split.groups.len() - 2);
    let send = merged
        .groups
        .iter()
        .find(|g| g.labels_vary)
        .expect("one group of the three workers");
    assert_eq!((send.count, send.labels.len()), (3, 0));
}

/// `# labels: {"k":"v", ...}` lines of a debug=1 profile, each counted
/// with its group's `N @ ...` count, per `k=v`.
fn raw_debug1_value_counts(text: &str) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    let mut group = 0u64;
    for line in text.lines() {
        if let Some((n, _)) = line.split_once(" @ ") {
            group = n.parse().unwrap_or(0);
        } else if let Some(set) = line.strip_prefix("# labels: {") {
            for kv in set.trim_end_matches('}').split(", ") {
                let (k, v) = kv.split_once(':').expect("\"k\":\"v\"");
                let label = format!("{}={}", k.trim_matches('"'), v.trim_matches('"'));
                *counts.entry(label).or_insert(0) += group;
            }
        }
    }
    counts
}

/// The goroutine view's label filter: per `key=value`, the goroutines
/// carrying it, equal to a count of the raw text in each form; the groups
/// it keeps sum to that count.
#[test]
fn label_filter_counts_equal_the_raw_text() {
    use pprof_lens::view::goroutine_labels::{group_has, label_counts};
    let Some(c) = corpus("label_filter_counts_equal_the_raw_text") else {
        return;
    };
    let text2 =
        std::fs::read_to_string(c.join("go1.27/labelled_states.goroutine.debug2.txt")).unwrap();
    let mut want2: BTreeMap<String, u64> = BTreeMap::new();
    for (set, n) in raw_label_counts(&text2) {
        for kv in set.split(';').filter(|s| !s.is_empty()) {
            *want2.entry(kv.to_string()).or_insert(0) += n;
        }
    }
    let text1 =
        std::fs::read_to_string(c.join("go1.27/labelled_states.goroutine.debug1.txt")).unwrap();
    let want1 = raw_debug1_value_counts(&text1);
    assert!(want2.len() >= 5, "{want2:?}");
    assert_eq!(want1, want2, "the two raw forms agree");
    for rel in [
        "go1.27/labelled_states.goroutine.debug2.txt",
        "go1.27/labelled_states.goroutine.debug1.txt",
        "go1.27/labelled_states.goroutine.pb.gz",
    ] {
        let s = summary(&c, rel, false);
        let got: BTreeMap<String, u64> = label_counts(&s.groups)
            .into_iter()
            .map(|l| (l.label, l.count))
            .collect();
        assert_eq!(got, want2, "{rel}");
        for (label, n) in &want2 {
            let kept: u64 = s
                .groups
                .iter()
                .filter(|g| group_has(g, label))
                .map(|g| g.count)
                .sum();
            assert_eq!(kept, *n, "{rel}: {label}");
        }
        // Grouped ignoring labels, groups whose labels vary carry none.
        let merged = summary(&c, rel, true);
        let merged_total: u64 = label_counts(&merged.groups).iter().map(|l| l.count).sum();
        assert!(merged_total <= want2.values().sum::<u64>());
    }
}
