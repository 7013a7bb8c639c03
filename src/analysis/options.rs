//! Report options, named and defaulted as `go tool pprof` names them.
//!
//! Every analysis takes one [`ReportOptions`]; the session caches its
//! results per options, and [`ReportOptions::tree_key`] says which options
//! change which samples and frames count.

use crate::pattern::PatternError;

/// How frames are merged into nodes (pprof's `-granularity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Granularity {
    /// One node per function (pprof's default).
    #[default]
    Functions,
    /// One node per function and source file.
    FileFunctions,
    /// One node per source file.
    Files,
    /// One node per source line.
    Lines,
    /// One node per instruction address (and inlined frame).
    Addresses,
}

/// Row order of the top table (pprof's `-flat` / `-cum`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SortOrder {
    #[default]
    Flat,
    Cum,
}

/// Report options, named as `go tool pprof` names them. Empty strings mean
/// "not set".
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReportOptions {
    /// Sample type to report; `None` is the profile's default
    /// ([`Profile::default_sample_index`]).
    pub sample_index: Option<usize>,
    pub sort: SortOrder,
    pub granularity: Granularity,
    /// Show at most this many nodes; 0 shows all (the `-top` default).
    pub nodecount: usize,
    /// Drop nodes whose cum is below this fraction of the total.
    pub nodefraction: f64,
    /// Drop call edges lighter than this fraction of the total; in a top
    /// table this only decides the `(inline)` labels, which come from edges.
    pub edgefraction: f64,
    pub focus: String,
    pub ignore: String,
    pub hide: String,
    pub show: String,
    pub show_from: String,
    /// `[key=]regex[,regex...]` or `[key=]range` such as `64kb:`, `:1mb`,
    /// `12kb:64mb`, `32kb`.
    pub tagfocus: String,
    pub tagignore: String,
    /// Regexes on label keys: which labels the labels report keeps. They
    /// never change which samples count.
    pub tagshow: String,
    pub taghide: String,
    /// Comma-separated label keys whose values become pseudo-frames at the
    /// root / leaf of every stack, before any filter runs.
    pub tagroot: String,
    pub tagleaf: String,
    pub noinlines: bool,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            sample_index: None,
            sort: SortOrder::Flat,
            granularity: Granularity::Functions,
            nodecount: 0,
            nodefraction: 0.005,
            edgefraction: 0.001,
            focus: String::new(),
            ignore: String::new(),
            hide: String::new(),
            show: String::new(),
            show_from: String::new(),
            tagfocus: String::new(),
            tagignore: String::new(),
            tagshow: String::new(),
            taghide: String::new(),
            tagroot: String::new(),
            tagleaf: String::new(),
            noinlines: false,
        }
    }
}

impl ReportOptions {
    /// These options with the sample index resolved for `profile` (its
    /// default when none is set), for reading two profiles alike.
    pub fn with_sample_index_of(&self, profile: &crate::model::Profile) -> ReportOptions {
        ReportOptions {
            sample_index: Some(
                self.sample_index
                    .unwrap_or_else(|| profile.default_sample_index()),
            ),
            ..self.clone()
        }
    }

    /// The options that decide which samples and frames count, with the
    /// sample index resolved: two option sets with the same key give the
    /// same flame tree (sorting, trimming and granularity do not change it).
    pub fn tree_key(&self, default_sample_index: usize) -> ReportOptions {
        ReportOptions {
            sample_index: Some(self.sample_index.unwrap_or(default_sample_index)),
            focus: self.focus.clone(),
            ignore: self.ignore.clone(),
            hide: self.hide.clone(),
            show: self.show.clone(),
            show_from: self.show_from.clone(),
            tagfocus: self.tagfocus.clone(),
            tagignore: self.tagignore.clone(),
            tagroot: self.tagroot.clone(),
            tagleaf: self.tagleaf.clone(),
            ..ReportOptions::default()
        }
    }

    /// The filters that are set, as pprof lists them under `Active filters:`.
    pub fn active_filters(&self) -> Vec<String> {
        [
            ("focus", &self.focus),
            ("ignore", &self.ignore),
            ("hide", &self.hide),
            ("show", &self.show),
            ("show_from", &self.show_from),
            ("tagfocus", &self.tagfocus),
            ("tagignore", &self.tagignore),
            ("tagshow", &self.tagshow),
            ("taghide", &self.taghide),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
    }
}

/// An option that could not be used; the message names the option, like
/// pprof's `parsing focus regexp: ...`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FilterError {
    pub option: &'static str,
    pub message: String,
}

impl From<PatternError> for FilterError {
    fn from(e: PatternError) -> FilterError {
        FilterError {
            option: e.option,
            message: e.message,
        }
    }
}
