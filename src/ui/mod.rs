//! The yew single-page app.
//!
//! One reducible state with an [`Action`] enum ([`state`]); the worker's
//! events become actions. Views ask the worker for what they show through a
//! shared `WorkerHandle`: the profile itself stays in the worker. Leaf
//! components get callbacks, never the dispatch.
//!
//! Only [`state`] compiles natively (its reducer is tested with the
//! pipeline); the rest is the browser's.

pub mod state;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod bundle;
#[cfg(target_arch = "wasm32")]
mod export;
#[cfg(target_arch = "wasm32")]
mod flame;
#[cfg(target_arch = "wasm32")]
mod goroutines;
#[cfg(target_arch = "wasm32")]
mod group_table;
#[cfg(target_arch = "wasm32")]
mod header;
#[cfg(target_arch = "wasm32")]
mod hooks;
#[cfg(target_arch = "wasm32")]
mod inputs;
#[cfg(target_arch = "wasm32")]
mod labels;
#[cfg(target_arch = "wasm32")]
mod open;
#[cfg(target_arch = "wasm32")]
mod sandwich;
#[cfg(target_arch = "wasm32")]
mod series;
#[cfg(target_arch = "wasm32")]
mod shortcuts;
#[cfg(target_arch = "wasm32")]
mod top;
#[cfg(target_arch = "wasm32")]
mod url_sync;
#[cfg(target_arch = "wasm32")]
mod worker_client;

pub use state::{Action, AppState, LoadProgress, RecentFile, Status, Tab};

#[cfg(target_arch = "wasm32")]
pub use {
    app::{start, App},
    flame::{FlameView, FlameViewProps},
    goroutines::{
        GoroutineSummaryView, GoroutineSummaryViewProps, GoroutinesView, GoroutinesViewProps,
    },
    header::{ProfileHeader, ProfileHeaderProps},
    open::{Landing, LandingProps, StatusLine, StatusLineProps},
    series::{SeriesSummaryView, SeriesSummaryViewProps, SeriesView, SeriesViewProps},
    top::{TopView, TopViewProps},
    worker_client::{Cancelled, Change, Content, Source, WorkerHandle},
};
