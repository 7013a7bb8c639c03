//! Analyses over the model: raw numbers, no formatting.
//!
//! * [`graph`]: pprof's node graph (flat/cum per function, file, line or
//!   address), with the filters of [`filter`];
//! * [`top`]: the `-top` table built from it;
//! * [`flame`]: the merged call tree behind the flame graph;
//! * [`goroutines`]: goroutine states, groups and symptom hints.

pub mod filter;
pub mod flame;
pub mod goroutines;
pub mod graph;
pub mod top;
