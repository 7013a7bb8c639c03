//! Messages between the page and the Web Worker.
//!
//! The worker owns the decoded [`Profile`](crate::model::Profile) and answers
//! queries with small, view-sized results, so large data never crosses to the
//! main thread whole. The payloads are the view's models, defined where they
//! are made (`view`) and re-exported here, so the page needs only this module. Messages are plain serde data (see `wire` for how each
//! direction is encoded: postcard bytes, which is why they carry no
//! `#[serde(tag)]`); the user's `File` travels beside a [`Request::Open`]
//! as a browser object, never as bytes.

use serde::{Deserialize, Serialize};

pub use crate::analysis::flame::NodeId;
pub use crate::analysis::goroutines::series::{
    Reason, ReasonKind, SeriesCell, SeriesGroup, SeriesSummary, SnapshotInfo, StateSeries, Verdict,
    WaitRange,
};
pub use crate::analysis::goroutines::{GoroutineSummary, Group, Severity};
pub use crate::analysis::options::{Granularity, ReportOptions, SortOrder};
pub use crate::analysis::reshape::Reshape;
pub use crate::decode::Stage;
pub use crate::model::compare::CompareMode;
pub use crate::model::PanicKind;
pub use crate::view::flame_scene::{FlameBox, FlameScene, SearchResult};
pub use crate::view::labels::{LabelKeyView, LabelValueView, LabelsView};
pub use crate::view::sandwich::{Sandwich, SandwichRow};
pub use crate::view::summary::{Inputs, SampleTypeInfo, Summary};
pub use crate::view::top_rows::{RowOrder, TopRowView, TopWindow};

// A request lives only until it is encoded: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Decode the `File` or `Blob` sent beside this message.
    Open { name: String },
    /// Decode text pasted by the user.
    OpenText { name: String, text: String },
    /// A question about the open profile; answered by [`Response::Answer`]
    /// with the same id.
    Query { id: u32, query: Query },
    /// Decode the `files` sent beside this message (in this order, one
    /// name each) and make one profile of them: merged, compared or a
    /// series, as `mode` says, or as the worker chooses when it is `None`
    /// (see `session::default_mode`). Answered by [`Response::Loaded`].
    OpenMany {
        names: Vec<String>,
        mode: Option<OpenMode>,
    },
    /// Compare the open profile, as the new one, with the `file` sent
    /// beside. Answered by [`Response::Changed`]; on error the open profile
    /// stays.
    OpenBase { name: String },
    /// Merge the `files` sent beside into the open profile. Answered by
    /// [`Response::Changed`]; on error the open profile stays.
    Add { names: Vec<String> },
    /// Switch the comparison's mode (`-diff_base` or `-base`) and
    /// `-normalize`. Answered by [`Response::Changed`].
    SetCompare { mode: CompareMode, normalize: bool },
    /// Swap the base and the new profile. Answered by [`Response::Changed`].
    Swap,
    /// To a helper worker, from the worker: decode the `file` sent beside
    /// and answer with its model as bytes (`{ job, snapshot: Uint8Array }`,
    /// see `model::snapshot`) or why it could not (`{ job, error: String }`).
    /// The page never sends it.
    Snapshot { name: String, job: u32 },
}

/// What several files opened together become.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpenMode {
    /// One profile, as `go tool pprof a b c` merges them.
    Merge,
    /// The earlier is the base, the later the new profile.
    Compare,
    /// Goroutine snapshots of one process over time.
    Series,
}

impl OpenMode {
    pub const ALL: [OpenMode; 3] = [OpenMode::Merge, OpenMode::Compare, OpenMode::Series];

    /// The value of the page's `open-mode` option.
    pub fn as_str(self) -> &'static str {
        match self {
            OpenMode::Merge => "merge",
            OpenMode::Compare => "compare",
            OpenMode::Series => "series",
        }
    }

    pub fn parse(s: &str) -> Option<OpenMode> {
        OpenMode::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Query {
    /// A window of the top table for `opts`, after the name filter and order.
    Top {
        opts: ReportOptions,
        filter: String,
        order: RowOrder,
        start: u32,
        count: u32,
    },
    /// The whole table as `go tool pprof -top` prints it.
    TopText { opts: ReportOptions },
    /// Every row of the top table, after the name filter and order, as
    /// TSV or CSV (an [`Answer::Text`]).
    TopExport {
        opts: ReportOptions,
        filter: String,
        order: RowOrder,
        how: crate::view::export::Delimited,
    },
    /// Flame boxes for the tree under `zoom` (the root when `None`), keeping
    /// boxes at least one pixel wide at `width_px`, with `search` matches
    /// marked. When comparing, `by_base` sizes the boxes by the base
    /// profile (its tree, so `zoom` is then a node of the base's tree);
    /// otherwise it is ignored.
    Flame {
        opts: ReportOptions,
        zoom: Option<NodeId>,
        width_px: u32,
        search: String,
        dark: bool,
        by_base: bool,
    },
    /// The goroutine summary: states, groups, wait times, panics and hints;
    /// with `ignore_labels`, goroutines whose labels differ share a group.
    Goroutines { ignore_labels: bool },
    /// The goroutine series of a session opened with
    /// [`Session::open_series`](crate::session::Session::open_series):
    /// `order` lists the snapshots by their index as opened (empty: as
    /// opened), so the page reorders them without reading the files again.
    Series { order: Vec<u32> },
    /// The callers and callees of the function `function` names (its
    /// exact printable name, else a pprof regex), as `-peek` counts them.
    Sandwich {
        opts: ReportOptions,
        function: String,
    },
    /// Flame boxes, as [`Query::Flame`] lays them out, of the stacks
    /// reshaped as `how` says: bottom-up, or a sandwich's callers or
    /// callees.
    Reshaped {
        how: Reshape,
        opts: ReportOptions,
        zoom: Option<NodeId>,
        width_px: u32,
        search: String,
        dark: bool,
    },
    /// The node of the flame graph for `opts` (reshaped as `how` says, if
    /// it says) at `path`, child indices from the root as a scene's
    /// `zoom_path` gives them: a zoom kept in the page's URL, found again.
    /// Answered by [`Answer::Node`].
    FlameNode {
        opts: ReportOptions,
        how: Option<Reshape>,
        path: Vec<u32>,
    },
    /// The samples' labels after `opts`' filters, as `go tool pprof -tags`
    /// reports them (`tagshow` / `taghide` decide which keys).
    Labels { opts: ReportOptions },
}

impl Query {
    /// The query's variant name, as benchmarks and timings name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Query::Top { .. } => "Top",
            Query::TopText { .. } => "TopText",
            Query::TopExport { .. } => "TopExport",
            Query::Flame { .. } => "Flame",
            Query::Goroutines { .. } => "Goroutines",
            Query::Series { .. } => "Series",
            Query::Sandwich { .. } => "Sandwich",
            Query::Reshaped { .. } => "Reshaped",
            Query::FlameNode { .. } => "FlameNode",
            Query::Labels { .. } => "Labels",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Top(TopWindow),
    Text {
        text: String,
    },
    Flame(FlameScene),
    Goroutines(GoroutineSummary),
    Series(SeriesSummary),
    Sandwich(Sandwich),
    Labels(LabelsView),
    /// The node a [`Query::FlameNode`] path leads to; `None` past the tree.
    Node(Option<NodeId>),
    /// The query could not be answered (a bad regex, no profile open).
    Failed {
        message: String,
    },
}

/// Files done of files chosen, while several are read (a merge, a
/// comparison, a series): a fleet's files differ in size, so the count says
/// more than the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCount {
    pub done: u32,
    pub chosen: u32,
}

/// How the worker's panic hook begins its [`Response::Error`], which comes
/// just before the worker stops: the page then reports that message, not
/// only that the worker stopped.
pub const WORKER_PANIC: &str = "internal error in the worker: ";

/// The variants' order is their postcard tag: an end-to-end case
/// (tests/e2e/compare.test.mjs) knows `Loaded` by its first byte, 2.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker is up and waiting. `reads_blobs` is false where the
    /// engine lets the worker read no `Blob` (WebKitGTK in a worker started
    /// from a file:// page): the page then sends files as bytes.
    Ready {
        reads_blobs: bool,
    },
    /// `done` of `total` bytes read; with `files` when several files are
    /// read for one request.
    Progress {
        stage: Stage,
        done: u64,
        total: u64,
        files: Option<FileCount>,
    },
    Loaded {
        summary: Summary,
    },
    /// The open profile changed in place (a base, added files, another
    /// compare mode, a swap): views ask again, the options stay.
    Changed {
        summary: Summary,
    },
    /// Anything went wrong with the last request; the message says what
    /// and, for files, which.
    Error {
        message: String,
    },
    Answer {
        id: u32,
        answer: Answer,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::ProfileBuilder;

    /// Responses cross as postcard bytes (`wire`), which cannot encode
    /// internally tagged or skipped fields: every answer, built from real
    /// profiles, must come back equal.
    #[test]
    fn responses_round_trip_through_postcard() {
        use crate::session::Session;
        let cpu = ProfileBuilder::new(&[("samples", "count"), ("cpu", "nanoseconds")])
            .samples(&[
                "main.main;net/http.(*conn).serve@/src/net/http/server.go:10 1 10",
                "main.main;a -2 -30",
            ])
            .build();
        let dump = "panic: boom\n\ngoroutine 7 [running]:\nmain.work(...)\n\t/app/main.go:20\n\
                    created by main.main in goroutine 1\n\t/app/main.go:9 +0x2a\n\n\
                    goroutine 1 [chan receive, 5 minutes]:\nmain.main()\n\t/app/main.go:10 +0x1d\n";
        let goroutines = crate::decode::decode(dump.as_bytes()).expect("a goroutine dump");
        let mut s = Session::new(cpu.clone());
        let opts = ReportOptions {
            focus: "main".into(),
            ..ReportOptions::default()
        };
        let mut answers = vec![
            s.answer(Query::Top {
                opts: opts.clone(),
                filter: "ma".into(),
                order: RowOrder::Cum,
                start: 0,
                count: 9,
            }),
            s.answer(Query::TopText { opts: opts.clone() }),
            s.answer(Query::Sandwich {
                opts: ReportOptions::default(),
                function: "main.main".into(),
            }),
            s.answer(Query::Flame {
                opts,
                zoom: None,
                width_px: 800,
                search: "serve".into(),
                dark: true,
                by_base: false,
            }),
            s.answer(Query::Top {
                opts: ReportOptions::default(),
                filter: "(".into(),
                order: RowOrder::Flat,
                start: 0,
                count: 1,
            }),
        ];
        answers.push(Session::new(goroutines.clone()).answer(Query::Goroutines {
            ignore_labels: false,
        }));
        let series = Session::open_series(vec![
            ("a".into(), goroutines.clone()),
            ("b \u{1F600}".into(), goroutines.clone()),
        ])
        .expect("a series")
        .answer(Query::Series { order: vec![1, 0] });
        assert!(
            matches!(&series, Answer::Series(s) if s.groups.len() == 2 && !s.groups[0].reasons.is_empty()),
            "{series:?}"
        );
        answers.push(series);
        assert!(
            matches!(&answers[2], Answer::Sandwich(s) if s.callees.len() == 2 && s.callers.is_empty()),
            "{:?}",
            answers[2]
        );
        assert!(
            matches!(&answers[3], Answer::Flame(f) if !f.boxes.is_empty() && f.search.is_some())
        );
        assert!(matches!(&answers[4], Answer::Failed { .. }));
        assert!(
            matches!(&answers[5], Answer::Goroutines(g) if !g.groups.is_empty() && !g.panics.is_empty() && !g.hints.is_empty()),
            "{:?}",
            answers[5]
        );
        let mut responses = vec![
            Response::Ready { reads_blobs: false },
            Response::Progress {
                stage: Stage::Decoding,
                done: 1 << 40,
                total: u64::MAX,
                files: None,
            },
            Response::Progress {
                stage: Stage::Inflating,
                done: 3,
                total: 9,
                files: Some(FileCount {
                    done: 99,
                    chosen: u32::MAX,
                }),
            },
            Response::Loaded {
                summary: Summary::of(&cpu, "cpu.pb.gz", 1 << 33),
            },
            Response::Loaded {
                summary: Summary::of(&goroutines, "dump.txt", 300),
            },
            Response::Error {
                message: "x: \u{1F600}".into(),
            },
            Response::Changed {
                summary: crate::session::Session::compared(
                    ("new".into(), cpu.clone()),
                    ("base".into(), cpu.clone()),
                    CompareMode::Base,
                    true,
                )
                .expect("compares")
                .summary(),
            },
        ];
        responses.extend(
            answers
                .into_iter()
                .enumerate()
                .map(|(id, answer)| Response::Answer {
                    id: id as u32,
                    answer,
                }),
        );
        for r in responses {
            let bytes = postcard::to_allocvec(&r).expect("encodes");
            if matches!(r, Response::Loaded { .. }) {
                assert_eq!(bytes[0], 2, "Loaded's tag, which an end-to-end case reads");
            }
            assert_eq!(
                postcard::from_bytes::<Response>(&bytes).expect("decodes"),
                r
            );
        }
    }

    /// Requests cross as postcard bytes too: every query, with every option
    /// set, must come back equal.
    #[test]
    fn requests_round_trip_through_postcard() {
        let opts = ReportOptions {
            sample_index: Some(3),
            sort: SortOrder::Cum,
            granularity: Granularity::Lines,
            nodecount: 80,
            nodefraction: 0.005,
            edgefraction: 0.001,
            focus: "^net/http\\.".into(),
            ignore: "runtime".into(),
            hide: "x".into(),
            show: "y".into(),
            show_from: "main\\.main".into(),
            tagfocus: "k=v".into(),
            tagignore: "bytes=1kb:".into(),
            tagshow: "phase".into(),
            taghide: "worker".into(),
            tagroot: "a,b".into(),
            tagleaf: "c".into(),
            noinlines: true,
        };
        let requests = [
            Request::Open {
                name: "cpu \u{1F600}.pb.gz".into(),
            },
            Request::OpenText {
                name: "paste".into(),
                text: "goroutine 1 [running]:\n".into(),
            },
            Request::Query {
                id: u32::MAX,
                query: Query::Top {
                    opts: opts.clone(),
                    filter: "(?i)serve".into(),
                    order: RowOrder::Name,
                    start: 7,
                    count: 100,
                },
            },
            Request::Query {
                id: 2,
                query: Query::TopText { opts: opts.clone() },
            },
            Request::Query {
                id: 3,
                query: Query::Flame {
                    opts,
                    zoom: Some(NodeId::new(42)),
                    width_px: 1920,
                    search: "gc".into(),
                    dark: true,
                    by_base: false,
                },
            },
            Request::Query {
                id: 4,
                query: Query::Flame {
                    opts: ReportOptions::default(),
                    zoom: None,
                    width_px: 1,
                    search: String::new(),
                    dark: false,
                    by_base: false,
                },
            },
            Request::Query {
                id: 5,
                query: Query::Goroutines {
                    ignore_labels: true,
                },
            },
            Request::Query {
                id: 6,
                query: Query::Series {
                    order: vec![2, 0, u32::MAX],
                },
            },
            Request::Query {
                id: 7,
                query: Query::Sandwich {
                    opts: ReportOptions::default(),
                    function: "^net/http\\.".into(),
                },
            },
            Request::Query {
                id: 8,
                query: Query::Reshaped {
                    how: Reshape::Callers("main.main".into()),
                    opts: ReportOptions::default(),
                    zoom: Some(NodeId::new(3)),
                    width_px: 640,
                    search: "x".into(),
                    dark: true,
                },
            },
            Request::OpenMany {
                names: vec!["a".into(), "b".into()],
                mode: Some(OpenMode::Series),
            },
            Request::OpenMany {
                names: Vec::new(),
                mode: None,
            },
            Request::OpenBase {
                name: "base".into(),
            },
            Request::Add {
                names: vec!["c".into()],
            },
            Request::SetCompare {
                mode: CompareMode::Base,
                normalize: true,
            },
            Request::Swap,
            Request::Snapshot {
                name: "base.pb.gz".into(),
                job: u32::MAX,
            },
        ];
        for r in requests {
            let bytes = postcard::to_allocvec(&r).expect("encodes");
            assert_eq!(postcard::from_bytes::<Request>(&bytes).expect("decodes"), r);
        }
    }
}
