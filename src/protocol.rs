//! Messages between the page and the Web Worker.
//!
//! The worker owns the decoded [`Profile`](crate::model::Profile) and answers
//! queries with small, view-sized results, so large data never crosses to the
//! main thread whole. Messages are plain serde data (see `wire` for how each
//! direction is encoded: postcard bytes, which is why they carry no
//! `#[serde(tag)]`); the user's `File` travels beside a [`Request::Open`]
//! as a browser object, never as bytes.

use serde::{Deserialize, Serialize};

use crate::analysis::filter::Options;
use crate::decode::Stage;
use crate::model::Profile;

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
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Query {
    /// A window of the top table for `opts`, after the name filter and order.
    Top { opts: Options, filter: String, order: RowOrder, start: u32, count: u32 },
    /// The whole table as `go tool pprof -top` prints it.
    TopText { opts: Options },
    /// Flame boxes for the tree under `zoom` (the root when `None`), keeping
    /// boxes at least one pixel wide at `width_px`, with `search` matches
    /// marked.
    Flame { opts: Options, zoom: Option<u32>, width_px: u32, search: String, dark: bool },
    /// The goroutine summary: states, groups, wait times, panics and hints.
    Goroutines,
}

/// Row order in the top table view: pprof's flat or cum order, or by name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOrder {
    #[default]
    Flat,
    Cum,
    Name,
}

/// One formatted top-table row, with pprof's units and percentages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopRowView {
    /// Position in the unfiltered table (pprof's order).
    pub rank: u32,
    pub flat: String,
    pub flat_pct: String,
    pub sum_pct: String,
    pub cum: String,
    pub cum_pct: String,
    /// The name as pprof prints it, with ` (inline)` where pprof adds it.
    pub name: String,
    /// The function alone, for "show in flame graph".
    pub function: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopWindow {
    /// pprof's header lines (`Showing nodes accounting for ...`, `Dropped ...`).
    pub header: Vec<String>,
    /// Rows after the name filter.
    pub row_count: u32,
    pub start: u32,
    pub rows: Vec<TopRowView>,
}

/// A flame graph box as the page draws it: geometry on a 0..1 scale of the
/// (zoomed) width, and what the tooltip shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlameBox {
    pub depth: u32,
    pub x0: f64,
    pub x1: f64,
    /// Flame tree node id (for zoom).
    pub node: u32,
    /// 0xRRGGBB, stable per Go package.
    pub color: u32,
    /// The full function name: the first label candidate, and the tooltip's.
    pub name: String,
    /// Shorter label candidates, longest first; the painter picks the first
    /// of `name` and these that fits. (The name is not repeated here: that
    /// was a fifth of a scene's bytes.)
    pub labels: Vec<String>,
    /// `file:line` where known.
    pub file: String,
    pub self_value: i64,
    pub total: i64,
    pub matched: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub pattern: String,
    /// Share of the total covered by matching boxes, nested matches counted once.
    pub share: f64,
    pub matches: u32,
}

/// What the flame graph shows for the current zoom.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlameScene {
    pub boxes: Vec<FlameBox>,
    /// Deepest row present.
    pub depth: u32,
    /// The profile's total (100%) and its unit, for the tooltip.
    pub total: i64,
    pub unit: String,
    /// Path from the root to the zoomed node: (node id, name).
    pub breadcrumb: Vec<(u32, String)>,
    pub search: Option<SearchResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Top(TopWindow),
    Text { text: String },
    Flame(FlameScene),
    Goroutines(crate::analysis::goroutines::GoroutineSummary),
    /// The query could not be answered (a bad regex, no profile open).
    Failed { message: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker is up and waiting.
    Ready,
    Progress { stage: Stage, done: u64, total: u64 },
    Loaded { summary: Summary },
    Error { message: String },
    Answer { id: u32, answer: Answer },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleTypeInfo {
    pub name: String,
    pub unit: String,
}

/// What the header of the profile view shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub name: String,
    pub bytes: u64,
    /// Human description of the detected format.
    pub kind: String,
    pub sample_types: Vec<SampleTypeInfo>,
    /// Index pprof would choose: `default_sample_type`, else the last.
    pub default_index: usize,
    /// Sum of |value| per sample type (pprof's total before filters).
    pub totals: Vec<i64>,
    pub samples: u64,
    pub duration_nanos: i64,
    pub time_nanos: i64,
    pub period: i64,
    pub period_type: Option<SampleTypeInfo>,
    pub has_goroutines: bool,
    pub warnings: Vec<String>,
    pub warning_count: u64,
}

impl Summary {
    pub fn of(profile: &Profile, name: &str, bytes: u64) -> Summary {
        let n = profile.num_sample_types();
        let mut totals = vec![0i64; n];
        for (i, v) in profile.samples.values.iter().enumerate() {
            totals[i % n] = totals[i % n].saturating_add(v.saturating_abs());
        }
        let info = |t: &crate::model::ValueType| SampleTypeInfo {
            name: profile.str(t.kind).to_string(),
            unit: profile.str(t.unit).to_string(),
        };
        Summary {
            name: name.to_string(),
            bytes,
            kind: profile.format.describe().to_string(),
            sample_types: profile.sample_types.iter().map(info).collect(),
            default_index: profile.default_sample_index(),
            totals,
            samples: profile.samples.len() as u64,
            duration_nanos: profile.duration_nanos,
            time_nanos: profile.time_nanos,
            period: profile.period,
            period_type: profile.period_type.as_ref().map(info),
            has_goroutines: profile.is_goroutine_data(),
            warnings: profile
                .warnings
                .iter()
                .map(|w| match (w.line, w.offset) {
                    (Some(l), _) => format!("line {l}: {}", w.message),
                    (None, Some(o)) => format!("byte {o}: {}", w.message),
                    _ => w.message.clone(),
                })
                .collect(),
            warning_count: profile.warning_count,
        }
    }
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
            .samples(&["main.main;net/http.(*conn).serve@/src/net/http/server.go:10 1 10", "main.main;a -2 -30"])
            .build();
        let dump = "panic: boom\n\ngoroutine 7 [running]:\nmain.work(...)\n\t/app/main.go:20\n\
                    created by main.main in goroutine 1\n\t/app/main.go:9 +0x2a\n\n\
                    goroutine 1 [chan receive, 5 minutes]:\nmain.main()\n\t/app/main.go:10 +0x1d\n";
        let goroutines = crate::decode::decode(dump.as_bytes()).expect("a goroutine dump");
        let mut s = Session::new(cpu.clone());
        let opts = Options { focus: "main".into(), ..Options::default() };
        let mut answers = vec![
            s.answer(Query::Top { opts: opts.clone(), filter: "ma".into(), order: RowOrder::Cum, start: 0, count: 9 }),
            s.answer(Query::TopText { opts: opts.clone() }),
            s.answer(Query::Flame { opts, zoom: None, width_px: 800, search: "serve".into(), dark: true }),
            s.answer(Query::Top { opts: Options::default(), filter: "(".into(), order: RowOrder::Flat, start: 0, count: 1 }),
        ];
        answers.push(Session::new(goroutines.clone()).answer(Query::Goroutines));
        assert!(matches!(&answers[2], Answer::Flame(f) if !f.boxes.is_empty() && f.search.is_some()));
        assert!(matches!(&answers[3], Answer::Failed { .. }));
        assert!(
            matches!(&answers[4], Answer::Goroutines(g) if !g.groups.is_empty() && !g.panics.is_empty() && !g.hints.is_empty()),
            "{:?}",
            answers[4]
        );
        let mut responses = vec![
            Response::Ready,
            Response::Progress { stage: Stage::Decoding, done: 1 << 40, total: u64::MAX },
            Response::Loaded { summary: Summary::of(&cpu, "cpu.pb.gz", 1 << 33) },
            Response::Loaded { summary: Summary::of(&goroutines, "dump.txt", 300) },
            Response::Error { message: "x: \u{1F600}".into() },
        ];
        responses.extend(answers.into_iter().enumerate().map(|(id, answer)| Response::Answer { id: id as u32, answer }));
        for r in responses {
            let bytes = postcard::to_allocvec(&r).expect("encodes");
            assert_eq!(postcard::from_bytes::<Response>(&bytes).expect("decodes"), r);
        }
    }

    /// Requests cross as postcard bytes too: every query, with every option
    /// set, must come back equal.
    #[test]
    fn requests_round_trip_through_postcard() {
        use crate::analysis::filter::{Granularity, SortOrder};
        let opts = Options {
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
            noinlines: true,
        };
        let requests = [
            Request::Open { name: "cpu \u{1F600}.pb.gz".into() },
            Request::OpenText { name: "paste".into(), text: "goroutine 1 [running]:\n".into() },
            Request::Query { id: u32::MAX, query: Query::Top { opts: opts.clone(), filter: "(?i)serve".into(), order: RowOrder::Name, start: 7, count: 100 } },
            Request::Query { id: 2, query: Query::TopText { opts: opts.clone() } },
            Request::Query { id: 3, query: Query::Flame { opts, zoom: Some(42), width_px: 1920, search: "gc".into(), dark: true } },
            Request::Query { id: 4, query: Query::Flame { opts: Options::default(), zoom: None, width_px: 1, search: String::new(), dark: false } },
            Request::Query { id: 5, query: Query::Goroutines },
        ];
        for r in requests {
            let bytes = postcard::to_allocvec(&r).expect("encodes");
            assert_eq!(postcard::from_bytes::<Request>(&bytes).expect("decodes"), r);
        }
    }

    #[test]
    fn summary_totals_use_absolute_values() {
        let p = ProfileBuilder::new(&[("samples", "count"), ("cpu", "nanoseconds")])
            .samples(&["main;a 1 10", "main;b -2 -30"])
            .build();
        let s = Summary::of(&p, "x.pb", 10);
        assert_eq!(s.totals, vec![3, 40]);
        assert_eq!(s.default_index, 1);
        assert_eq!(s.sample_types[1].name, "cpu");
    }
}
