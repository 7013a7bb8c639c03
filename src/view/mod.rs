//! View layer: turns analysis results into what is shown, without pixels.
//!
//! * [`top_text`]: the table as `go tool pprof -top` prints it;
//! * [`top_rows`]: a window of the table as display strings;
//! * [`text_top_rows`]: the same for a pasted `go tool pprof -top`;
//! * [`flame_layout`]: flame boxes per depth on a 0..1 scale, search, node
//!   details;
//! * [`flame_labels`]: label candidates for a box, long to short;
//! * [`flame_scene`]: what the page draws for one view of the flame graph,
//!   and which box is at a point of it;
//! * [`flame_nav`]: where the flame graph's keys move its focus box;
//! * [`series`]: a goroutine series' count bars and states per snapshot;
//! * [`flame_diff`]: a compared flame graph's colours by change;
//! * [`explain`]: what the top table's columns and the flame graph's
//!   shapes mean, in the words of the sample type;
//! * [`labels`]: the labels panel and pprof's `-tags` text;
//! * [`goroutine_labels`]: goroutines per label value, for its filter;
//! * [`hints`]: the names of goroutine hint kinds the page gives tests;
//! * [`sandwich`]: one function's callers and callees, as `-peek`;
//! * [`summary`]: what the header shows about the open file;
//! * [`numbers`]: counts and file sizes as the page writes them;
//! * [`export`]: export file names and the top table as TSV and CSV;
//! * [`goroutine_markdown`]: the goroutine view as Markdown;
//! * [`color`]: stable colours per Go package.

pub mod color;
pub mod explain;
pub mod export;
pub mod flame_diff;
pub mod flame_labels;
pub mod flame_layout;
pub mod flame_nav;
pub mod flame_scene;
pub mod goroutine_labels;
pub mod goroutine_markdown;
pub mod hints;
pub mod labels;
pub mod numbers;
pub mod sandwich;
pub mod series;
pub mod summary;
pub mod text_top_rows;
pub mod top_rows;
pub mod top_text;

/// pprof's units and percentages, for what the page formats itself.
pub use crate::measurement;
