//! The app's state, the actions that change it, and the reducer.
//!
//! The reducer is plain data in, plain data out ([`AppState::apply`]), so its
//! tests run natively under `cargo test`; only the yew glue is wasm32-only.
//! The file kept for the recent list is a type parameter (a `Blob` in the
//! page) for the same reason: the reducer only stores it and hands it back.

use std::rc::Rc;

use crate::protocol::{FileCount, Inputs, OpenMode, ReportOptions, Response, Stage, Summary};
use crate::view::numbers::human_bytes;

mod offers;
pub mod url;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Idle,
    Loading,
    Ready,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Loading => "loading",
            Status::Ready => "ready",
            Status::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Top,
    Flame,
    Goroutines,
    /// The goroutine series: snapshots compared, leak suspects first.
    Series,
    /// One function's callers and callees.
    Sandwich,
    /// The inverted flame graph: leaf functions as roots.
    BottomUp,
}

/// How far the load has come: `done` of `total` bytes at `stage`, and,
/// when several files are read, how many of them are done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadProgress {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
    pub files: Option<FileCount>,
}

impl LoadProgress {
    /// The status line's words for this load of `name`.
    pub fn describe(&self, name: &str) -> String {
        let stage = match self.stage {
            Stage::Inflating => "reading",
            Stage::Decoding => "decoding",
            Stage::Analysing => "analysing",
        };
        let bytes = format!("{} of {}", human_bytes(self.done), human_bytes(self.total));
        match self.files {
            Some(f) => format!(
                "{stage} {name} — {} of {} files done ({bytes})",
                f.done, f.chosen
            ),
            None => format!("{stage} {name} — {bytes}"),
        }
    }

    /// Percent done: by bytes, which also moves within a file.
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.done as f64 * 100.0 / self.total as f64
        }
    }
}

/// A file opened in this page session, kept so it can be opened again.
#[derive(Clone, Debug, PartialEq)]
pub struct RecentFile<F> {
    pub name: String,
    pub file: F,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AppState<F> {
    pub status: Status,
    pub loading_name: Option<String>,
    pub progress: Option<LoadProgress>,
    pub summary: Option<Rc<Summary>>,
    pub error: Option<String>,
    /// Increases with every profile loaded, so views know to ask again.
    pub generation: u32,
    pub opts: ReportOptions,
    pub tab: Tab,
    pub recent: Vec<RecentFile<F>>,
    /// The file being loaded, to put in `recent` once it opens.
    pub loading_file: Option<RecentFile<F>>,
    /// A function the flame graph should show (set by clicking a top row).
    pub flame_target: Option<String>,
    /// The function the sandwich shows, as the user typed or picked it.
    pub sandwich_function: Option<String>,
    /// The worker has started (its code is loaded; opening a file now makes
    /// no request).
    pub worker_ready: bool,
    /// What several files opened together become; `None` lets the worker
    /// choose (see `session::default_mode`).
    pub open_mode: Option<OpenMode>,
    /// The files last opened together, kept to open them again in another
    /// mode; empty once a single file is opened.
    pub many: Vec<RecentFile<F>>,
}

impl<F> Default for AppState<F> {
    fn default() -> Self {
        AppState {
            status: Status::Idle,
            loading_name: None,
            progress: None,
            summary: None,
            error: None,
            generation: 0,
            opts: ReportOptions::default(),
            tab: Tab::Top,
            recent: Vec::new(),
            loading_file: None,
            flame_target: None,
            sandwich_function: None,
            worker_ready: false,
            open_mode: None,
            many: Vec::new(),
        }
    }
}

#[derive(Debug)]
pub enum Action<F> {
    /// A file (kept for the recent list when given) or a text starts loading.
    StartLoading {
        name: String,
        file: Option<F>,
    },
    /// Several files start loading together.
    StartMany(Vec<RecentFile<F>>),
    /// The open profile starts changing in place (a base, added files,
    /// another compare mode); `label` is what the status line names.
    StartChange(String),
    /// The user chose what several files become.
    SetOpenMode(Option<OpenMode>),
    Worker(Response),
    Fail(String),
    /// The load was cancelled: its worker is gone.
    Cancelled,
    /// The worker failed (its error is shown) and a new one makes the
    /// profile shown again, named by `label`.
    Reopening(String),
    DismissError,
    SetSampleIndex(usize),
    SetOptions(ReportOptions),
    SetTab(Tab),
    ShowInFlame(String),
    /// Show this function (a name or a pprof regex) in the sandwich.
    ShowInSandwich(String),
    AddRecent(RecentFile<F>),
}

/// How many files the recent list keeps.
const RECENT_MAX: usize = 8;

impl<F: Clone> AppState<F> {
    /// What the files last opened together became, when the shown profile
    /// is made of them.
    pub fn many_mode(&self) -> Option<OpenMode> {
        if self.many.is_empty() {
            return None;
        }
        match self.summary.as_ref().map(|s| &s.inputs) {
            Some(Inputs::Merged { .. }) => Some(OpenMode::Merge),
            Some(Inputs::Compared { .. }) => Some(OpenMode::Compare),
            Some(Inputs::Series { .. }) => Some(OpenMode::Series),
            _ => None,
        }
    }

    /// Applies `action`; false when it changes nothing, so the page need not
    /// render again.
    pub fn apply(&mut self, action: Action<F>) -> bool {
        match action {
            Action::StartLoading { name, file } => {
                self.status = Status::Loading;
                self.loading_file = file.map(|file| RecentFile {
                    name: name.clone(),
                    file,
                });
                self.loading_name = Some(name);
                self.progress = None;
                self.error = None;
                self.many.clear();
            }
            Action::StartMany(files) => {
                self.status = Status::Loading;
                self.loading_file = None;
                self.loading_name = Some(format!("{} files", files.len()));
                self.progress = None;
                self.error = None;
                for f in files.iter().rev() {
                    self.remember(f.clone());
                }
                self.many = files;
            }
            Action::StartChange(label) => {
                self.status = Status::Loading;
                self.loading_file = None;
                self.loading_name = Some(label);
                self.progress = None;
                self.error = None;
            }
            Action::SetOpenMode(mode) => self.open_mode = mode,
            Action::Worker(Response::Ready { .. }) => self.worker_ready = true,
            // Answers go to the view that asked, never through the state.
            Action::Worker(Response::Answer { .. }) => return false,
            // A cancelled load's worker may still have sent progress.
            Action::Worker(Response::Progress { .. }) if self.status != Status::Loading => {
                return false
            }
            Action::Worker(Response::Progress {
                stage,
                done,
                total,
                files,
            }) => {
                // Byte reports within a file keep the last file count.
                let files = files.or(self.progress.and_then(|p| p.files));
                self.progress = Some(LoadProgress {
                    stage,
                    done,
                    total,
                    files,
                });
            }
            Action::Worker(Response::Loaded { summary }) => self.loaded(summary),
            Action::Worker(Response::Changed { summary }) => self.changed(summary),
            Action::Worker(Response::Error { message }) | Action::Fail(message) => {
                self.status = Status::Error;
                self.error = Some(message);
                self.loading_name = None;
                self.loading_file = None;
                self.progress = None;
            }
            Action::Cancelled => {
                self.worker_ready = false;
                self.status = self.settled();
                self.loading_name = None;
                self.loading_file = None;
                self.progress = None;
            }
            Action::Reopening(label) => {
                // As a change in place, but the error stays in view.
                self.worker_ready = false;
                self.status = Status::Loading;
                self.loading_name = Some(label);
                self.loading_file = None;
                self.progress = None;
            }
            Action::DismissError => {
                self.error = None;
                self.status = self.settled();
            }
            Action::SetSampleIndex(i) => self.opts.sample_index = Some(i),
            Action::SetOptions(o) => self.opts = o,
            Action::SetTab(t) => self.tab = t,
            Action::AddRecent(file) => self.remember(file),
            // A pasted top table has no stacks to show a function in.
            Action::ShowInFlame(_) if self.summary.as_ref().is_some_and(|s| s.fetch.is_some()) => {}
            Action::ShowInFlame(f) => {
                self.flame_target = Some(f);
                self.tab = Tab::Flame;
            }
            Action::ShowInSandwich(f) => {
                self.sandwich_function = Some(f);
                self.tab = Tab::Sandwich;
            }
        }
        true
    }

    fn loaded(&mut self, summary: Summary) {
        self.status = Status::Ready;
        self.opts = ReportOptions {
            sample_index: Some(summary.default_index),
            ..ReportOptions::default()
        };
        let series = matches!(summary.inputs, Inputs::Series { .. });
        if (self.tab == Tab::Goroutines && !summary.has_goroutines)
            || (self.tab == Tab::Series && !series)
            || (self.tab == Tab::Flame && summary.fetch.is_some())
        {
            self.tab = Tab::Top;
        }
        // Goroutine data opens on its own tab, unless the profile shown
        // before had goroutines too (then the user's tab stays).
        if summary.has_goroutines && self.summary.as_ref().is_none_or(|p| !p.has_goroutines) {
            self.tab = Tab::Goroutines;
        }
        // A series opens on its own view, the reason it was opened.
        if series {
            self.tab = Tab::Series;
        }
        self.summary = Some(Rc::new(summary));
        self.generation += 1;
        self.loading_name = None;
        self.progress = None;
        self.flame_target = None;
        if let Some(file) = self.loading_file.take() {
            self.remember(file);
        }
    }

    /// The shown profile changed in place (a base, added files, another
    /// compare mode): the user's options and tab stay, views ask again.
    fn changed(&mut self, summary: Summary) {
        self.status = Status::Ready;
        let n = summary.sample_types.len();
        if self.opts.sample_index.is_none_or(|i| i >= n) {
            self.opts.sample_index = Some(summary.default_index);
        }
        self.summary = Some(Rc::new(summary));
        self.generation += 1;
        self.loading_name = None;
        self.loading_file = None;
        self.progress = None;
    }

    /// Ready when a profile is shown, idle otherwise.
    fn settled(&self) -> Status {
        if self.summary.is_some() {
            Status::Ready
        } else {
            Status::Idle
        }
    }

    /// Puts `file` first in the recent list, once by name.
    fn remember(&mut self, file: RecentFile<F>) {
        self.recent.retain(|r| r.name != file.name);
        self.recent.insert(0, file);
        self.recent.truncate(RECENT_MAX);
    }
}

#[cfg(target_arch = "wasm32")]
impl<F: Clone + 'static> yew::Reducible for AppState<F> {
    type Action = Action<F>;

    fn reduce(self: Rc<Self>, action: Action<F>) -> Rc<Self> {
        let mut next = (*self).clone();
        if next.apply(action) {
            Rc::new(next)
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests;
