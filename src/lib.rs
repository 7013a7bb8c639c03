//! pprof-lens: a Go profile viewer that runs in the browser.
//!
//! Data flows one way:
//! bytes -> [`decode`] (gzip, pprof protobuf, goroutine text) -> [`model`]
//! (one format-neutral profile) -> [`analysis`] (top table, flame tree,
//! goroutine groups: raw numbers) -> [`view`] (formatting, geometry on a 0..1
//! scale) -> `render` (canvas painters) and `ui` (yew components).
//!
//! Everything up to `view`, and the app's reducer, is plain Rust that builds
//! and tests natively; the browser-only parts live behind
//! `cfg(target_arch = "wasm32")`.

pub mod analysis;
pub mod decode;
pub mod measurement;
pub mod model;
pub mod pattern;
pub mod protocol;
pub mod render;
pub mod session;
pub mod sort;
/// The app; natively only its state and reducer (`ui::state`), for tests.
pub mod ui;
pub mod view;

#[cfg(test)]
mod test_rng;

#[cfg(target_arch = "wasm32")]
pub mod wire;
#[cfg(target_arch = "wasm32")]
pub mod worker;
