//! View layer: turns analysis results into what is shown, without pixels.
//!
//! * [`measurement`]: pprof's number and unit formatting;
//! * [`top_text`]: the table as `go tool pprof -top` prints it;
//! * [`flame_layout`]: flame boxes per depth on a 0..1 scale, labels, colours.

pub mod color;
pub mod flame_layout;
pub mod measurement;
pub mod top_rows;
pub mod top_text;
