//! Analyses over the model: raw numbers, no formatting.
//!
//! * [`compare`]: the report rule of `-diff_base` (its total);
//! * [`options`]: the report options, named as pprof names them;
//! * [`filter`] and [`tag_filter`]: pprof's sample and frame filters;
//! * [`labels`]: the labels report, `tagshow`/`taghide`, `tagroot`/`tagleaf`;
//! * [`graph`]: pprof's node graph (flat/cum per function, file, line or
//!   address), after those filters;
//! * [`top`]: the `-top` table built from it;
//! * [`flame`]: the merged call tree behind the flame graph;
//! * [`reshape`]: stacks turned around or cut at a function, for the
//!   bottom-up and sandwich flame graphs;
//! * [`goroutines`]: goroutine states, groups and symptom hints.

pub mod compare;
pub mod filter;
pub mod flame;
pub mod goroutines;
pub mod graph;
pub mod labels;
pub mod options;
pub mod reshape;
pub mod tag_filter;
pub mod top;
pub mod top_compare;
