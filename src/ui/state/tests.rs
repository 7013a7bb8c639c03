//! The app state's tests (the reducer, natively).

use super::*;

mod offers;
use crate::protocol::{Answer, SampleTypeInfo};

/// The file handle is a number here: the reducer only stores it.
type State = AppState<u32>;

fn summary(name: &str, has_goroutines: bool) -> Summary {
    Summary {
        name: name.into(),
        bytes: 10,
        kind: "pprof protobuf".into(),
        sample_types: vec![
            SampleTypeInfo {
                name: "samples".into(),
                unit: "count".into(),
            },
            SampleTypeInfo {
                name: "cpu".into(),
                unit: "nanoseconds".into(),
            },
        ],
        default_index: 1,
        totals: vec![1, 2],
        samples: 1,
        duration_nanos: 0,
        time_nanos: 0,
        period: 0,
        period_type: None,
        has_goroutines,
        warnings: Vec::new(),
        warning_count: 0,
        inputs: Default::default(),
        fetch: None,
    }
}

fn start(name: &str, file: Option<u32>) -> Action<u32> {
    Action::StartLoading {
        name: name.into(),
        file,
    }
}

fn loaded(name: &str, has_goroutines: bool) -> Action<u32> {
    Action::Worker(Response::Loaded {
        summary: summary(name, has_goroutines),
    })
}

fn run(s: &mut State, actions: impl IntoIterator<Item = Action<u32>>) {
    for a in actions {
        s.apply(a);
    }
}

fn recent_names(s: &State) -> Vec<&str> {
    s.recent.iter().map(|r| r.name.as_str()).collect()
}

#[test]
fn a_load_goes_from_loading_with_progress_to_ready() {
    let mut s = State::default();
    assert_eq!(s.status, Status::Idle);
    s.apply(start("cpu.pb.gz", Some(1)));
    assert_eq!(s.status, Status::Loading);
    assert_eq!(s.loading_name.as_deref(), Some("cpu.pb.gz"));
    assert!(s.apply(Action::Worker(Response::Progress {
        stage: Stage::Decoding,
        done: 5,
        total: 10,
        files: None,
    })));
    assert_eq!(
        s.progress,
        Some(LoadProgress {
            stage: Stage::Decoding,
            done: 5,
            total: 10,
            files: None
        })
    );
    assert_eq!(
        s.progress.unwrap().describe("cpu.pb.gz"),
        "decoding cpu.pb.gz — 5 B of 10 B"
    );
    s.apply(loaded("cpu.pb.gz", false));
    assert_eq!(s.status, Status::Ready);
    assert_eq!(s.generation, 1);
    assert_eq!(s.loading_name, None);
    assert_eq!(s.progress, None);
    assert_eq!(
        s.summary.as_ref().map(|s| s.name.as_str()),
        Some("cpu.pb.gz")
    );
    assert_eq!(
        s.recent,
        vec![RecentFile {
            name: "cpu.pb.gz".into(),
            file: 1
        }]
    );
}

#[test]
fn a_new_profile_starts_from_its_default_sample_type_and_no_filters() {
    let mut s = State::default();
    run(&mut s, [start("a", None), loaded("a", false)]);
    s.apply(Action::SetOptions(ReportOptions {
        focus: "main".into(),
        sample_index: Some(0),
        ..ReportOptions::default()
    }));
    s.apply(Action::ShowInFlame("main.work".into()));
    assert_eq!(s.tab, Tab::Flame);
    assert_eq!(s.flame_target.as_deref(), Some("main.work"));
    run(&mut s, [start("b", None), loaded("b", false)]);
    assert_eq!(
        s.opts,
        ReportOptions {
            sample_index: Some(1),
            ..ReportOptions::default()
        }
    );
    assert_eq!(s.flame_target, None);
    assert_eq!(s.generation, 2);
    assert_eq!(s.tab, Tab::Flame, "the tab stays");
}

#[test]
fn goroutine_data_opens_on_its_tab_and_other_profiles_leave_it() {
    let mut s = State::default();
    run(&mut s, [start("dump", None), loaded("dump", true)]);
    assert_eq!(s.tab, Tab::Goroutines);
    // Another dump after the user moved to Top keeps Top.
    s.apply(Action::SetTab(Tab::Top));
    run(&mut s, [start("dump2", None), loaded("dump2", true)]);
    assert_eq!(s.tab, Tab::Top);
    s.apply(Action::SetTab(Tab::Goroutines));
    run(&mut s, [start("cpu", None), loaded("cpu", false)]);
    assert_eq!(s.tab, Tab::Top, "no Goroutines tab without goroutines");
    s.apply(Action::SetTab(Tab::Flame));
    run(&mut s, [start("dump3", None), loaded("dump3", true)]);
    assert_eq!(s.tab, Tab::Goroutines);
}

#[test]
fn the_recent_list_keeps_eight_files_newest_first_once_each() {
    let mut s = State::default();
    for i in 0..10u32 {
        let name = format!("f{i}");
        run(&mut s, [start(&name, Some(i)), loaded(&name, false)]);
    }
    assert_eq!(
        recent_names(&s),
        ["f9", "f8", "f7", "f6", "f5", "f4", "f3", "f2"]
    );
    // Opening one again moves it to the front, with its new handle.
    run(&mut s, [start("f5", Some(50)), loaded("f5", false)]);
    assert_eq!(
        recent_names(&s),
        ["f5", "f9", "f8", "f7", "f6", "f4", "f3", "f2"]
    );
    assert_eq!(s.recent[0].file, 50);
    // Text (no file) is not kept; files added unopened are.
    run(
        &mut s,
        [start("pasted text", None), loaded("pasted text", false)],
    );
    s.apply(Action::AddRecent(RecentFile {
        name: "dropped".into(),
        file: 7,
    }));
    assert_eq!(recent_names(&s)[..3], ["dropped", "f5", "f9"]);
    assert_eq!(s.recent.len(), 8);
}

#[test]
fn a_failed_load_keeps_the_profile_shown_until_dismissed() {
    let mut s = State::default();
    run(&mut s, [start("a", Some(1)), loaded("a", false)]);
    run(
        &mut s,
        [
            start("b", Some(2)),
            Action::Worker(Response::Error {
                message: "b: not a profile".into(),
            }),
        ],
    );
    assert_eq!(s.status, Status::Error);
    assert_eq!(s.error.as_deref(), Some("b: not a profile"));
    assert_eq!(s.loading_file, None);
    assert_eq!(s.summary.as_ref().map(|s| s.name.as_str()), Some("a"));
    assert_eq!(recent_names(&s), ["a"], "a failed file is not kept");
    s.apply(Action::DismissError);
    assert_eq!((s.status, s.error.as_deref()), (Status::Ready, None));

    let mut s = State::default();
    s.apply(Action::Fail("internal error".into()));
    s.apply(Action::DismissError);
    assert_eq!(s.status, Status::Idle);
}

#[test]
fn cancelling_settles_on_what_is_shown_and_waits_for_a_new_worker() {
    let mut s = State::default();
    run(
        &mut s,
        [
            Action::Worker(Response::Ready { reads_blobs: true }),
            start("a", Some(1)),
        ],
    );
    assert!(s.worker_ready);
    s.apply(Action::Cancelled);
    assert_eq!(s.status, Status::Idle);
    assert!(!s.worker_ready);
    assert_eq!(
        (s.loading_name.as_ref(), s.loading_file.as_ref()),
        (None, None)
    );
    run(
        &mut s,
        [start("a", Some(1)), loaded("a", false), start("b", Some(2))],
    );
    s.apply(Action::Cancelled);
    assert_eq!(s.status, Status::Ready);
    // Progress from the cancelled worker changes nothing.
    let before = s.clone();
    assert!(!s.apply(Action::Worker(Response::Progress {
        stage: Stage::Decoding,
        done: 1,
        total: 2,
        files: None,
    })));
    assert_eq!(s, before);
}

#[test]
fn a_failed_worker_reopens_what_was_shown_and_keeps_its_error_in_view() {
    let mut s = State::default();
    let ready = || Action::Worker(Response::Ready { reads_blobs: true });
    run(
        &mut s,
        [
            ready(),
            start("a", Some(1)),
            loaded("a", false),
            start("b", Some(2)),
        ],
    );
    let message = "the worker stopped while loading b (out of memory?); a is open again";
    run(
        &mut s,
        [
            Action::Worker(Response::Error {
                message: message.into(),
            }),
            Action::Reopening("a".into()),
        ],
    );
    assert_eq!(s.status, Status::Loading);
    assert_eq!(s.loading_name.as_deref(), Some("a"));
    assert!(!s.worker_ready);
    assert_eq!(s.error.as_deref(), Some(message));
    run(&mut s, [ready(), loaded("a", false)]);
    assert_eq!((s.status, s.worker_ready), (Status::Ready, true));
    assert_eq!(s.error.as_deref(), Some(message));
    assert_eq!(recent_names(&s), ["a"], "b never opened");
}

#[test]
fn a_merge_counts_files_done_of_files_chosen_until_cancelled() {
    let mut s = State::default();
    let files = (1..=3).map(|n| RecentFile {
        name: format!("f{n}"),
        file: n,
    });
    s.apply(Action::StartMany(files.collect()));
    let progress = |done, files: Option<u32>| {
        Action::Worker(Response::Progress {
            stage: Stage::Decoding,
            done,
            total: 300,
            files: files.map(|done| FileCount { done, chosen: 3 }),
        })
    };
    let counted = |s: &State| s.progress.and_then(|p| p.files).map(|f| (f.done, f.chosen));
    s.apply(progress(0, Some(0)));
    assert_eq!(counted(&s), Some((0, 3)));
    // Bytes within the second file keep the count of files done.
    run(&mut s, [progress(100, Some(1)), progress(150, None)]);
    assert_eq!(counted(&s), Some((1, 3)));
    let line = s.progress.unwrap().describe("3 files");
    assert_eq!(
        line,
        "decoding 3 files — 1 of 3 files done (150 B of 300 B)"
    );
    assert_eq!(s.progress.unwrap().percent(), 50.0);
    // Cancelled within the second file: nothing of it stays.
    s.apply(Action::Cancelled);
    assert_eq!((s.status, s.progress), (Status::Idle, None));
    assert!(!s.apply(progress(200, Some(2))));
    assert_eq!(s.progress, None);
    // A new load starts counting afresh.
    s.apply(start("one", Some(9)));
    s.apply(progress(1, None));
    assert_eq!(counted(&s), None);
}

#[test]
fn answers_never_change_the_state() {
    let mut s = State::default();
    let before = s.clone();
    assert!(!s.apply(Action::Worker(Response::Answer {
        id: 1,
        answer: Answer::Failed {
            message: "x".into(),
        },
    })));
    assert_eq!(s, before);
}

#[test]
fn several_files_load_and_change_in_place() {
    let mut s = State::default();
    let file = |name: &str, n| RecentFile {
        name: name.into(),
        file: n,
    };
    s.apply(Action::SetOpenMode(Some(OpenMode::Merge)));
    s.apply(Action::StartMany(vec![file("a", 1), file("b", 2)]));
    assert_eq!(s.status, Status::Loading);
    assert_eq!(s.loading_name.as_deref(), Some("2 files"));
    assert_eq!(recent_names(&s), ["a", "b"]);
    let mut merged = summary("a + 1 more", false);
    merged.inputs = Inputs::Merged {
        names: vec!["a".into(), "b".into()],
    };
    s.apply(Action::Worker(Response::Loaded { summary: merged }));
    assert_eq!(s.many_mode(), Some(OpenMode::Merge));
    assert_eq!(s.open_mode, Some(OpenMode::Merge));
    // A change in place keeps the user's sample type and tab.
    s.apply(Action::SetSampleIndex(0));
    s.apply(Action::SetTab(Tab::Flame));
    let generation = s.generation;
    s.apply(Action::StartChange("the comparison".into()));
    assert_eq!(s.status, Status::Loading);
    s.apply(Action::Worker(Response::Changed {
        summary: summary("a", false),
    }));
    assert_eq!(
        (s.status, s.opts.sample_index, s.tab, s.generation),
        (Status::Ready, Some(0), Tab::Flame, generation + 1)
    );
    // A failed change leaves the profile shown.
    s.apply(Action::StartChange("base".into()));
    s.apply(Action::Worker(Response::Error {
        message: "cannot compare".into(),
    }));
    assert!(s.summary.is_some());
    s.apply(Action::DismissError);
    assert_eq!(s.status, Status::Ready);
    // Opening one file forgets the set.
    s.apply(start("c", Some(3)));
    assert!(s.many.is_empty() && s.many_mode().is_none());
}
