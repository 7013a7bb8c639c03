//! The view's state in the page's URL hash, so a reload, or the same URL
//! opened later with the same file, shows the same view, and Back and
//! Forward step through zooms and tabs.
//!
//! The hash reads as pprof's web UI writes its query: `si` (the sample
//! type, by name), `f`, `i`, `h`, `s`, `sf`, `tf`, `ti`, `ts`, `th`, `g`
//! and `sort` carry pprof's own names and values; what pprof's URL has no
//! word for gets one of ours: `view` (the tab), `tagroot`, `tagleaf`, the
//! zooms (`z` the flame graph's, `zb` the bottom-up graph's, `zc` and `ze`
//! the sandwich's callers' and callees') and `sw` (the sandwich function).
//!
//! What it never holds: profile data, and no function name the user did
//! not type. The filters are the user's own text. A zoom is the
//! child index at each level from the root (`z=0.2.1`), in the tree's
//! deterministic order for the same file and options, so a zoom names no
//! function. The sandwich function is kept as the user gave it: typed, or
//! picked from a top row (a name on screen the user chose to look at, so
//! it is treated as typed).
//!
//! Encoding is the WHATWG `application/x-www-form-urlencoded` format that
//! the browser's `URLSearchParams` reads and writes, by the
//! `form_urlencoded` crate rather than `URLSearchParams` itself, so this
//! module stays plain Rust and its tests run natively with the reducer's.

use super::Tab;
use crate::protocol::RowOrder as Order;
use crate::protocol::{Granularity, ReportOptions, SortOrder};

/// The report's text options in the hash, under pprof's URL names where it
/// has one; `tagroot` and `tagleaf` have none in pprof's URL and keep
/// their flag names.
type Field = (&'static str, fn(&mut ReportOptions) -> &mut String);
const TEXT_FIELDS: [Field; 11] = [
    ("f", |o| &mut o.focus),
    ("i", |o| &mut o.ignore),
    ("h", |o| &mut o.hide),
    ("s", |o| &mut o.show),
    ("sf", |o| &mut o.show_from),
    ("tf", |o| &mut o.tagfocus),
    ("ti", |o| &mut o.tagignore),
    ("ts", |o| &mut o.tagshow),
    ("th", |o| &mut o.taghide),
    ("tagroot", |o| &mut o.tagroot),
    ("tagleaf", |o| &mut o.tagleaf),
];

/// The longest zoom path read: deeper than any real stack, short enough
/// that a hostile hash costs nothing.
const MAX_ZOOM_DEPTH: usize = 4096;

/// The flame graphs the page draws, each with a zoom of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Graph {
    /// The call tree, on the Flame tab.
    Flame,
    BottomUp,
    /// The sandwich's callers, drawn upward from the function.
    Callers,
    Callees,
}

impl Graph {
    pub const ALL: [Graph; 4] = [
        Graph::Flame,
        Graph::BottomUp,
        Graph::Callers,
        Graph::Callees,
    ];

    /// Its zoom's key in the hash.
    pub fn key(self) -> &'static str {
        match self {
            Graph::Flame => "z",
            Graph::BottomUp => "zb",
            Graph::Callers => "zc",
            Graph::Callees => "ze",
        }
    }

    /// Whether its tree is the sandwich's, which another function replaces.
    pub fn in_sandwich(self) -> bool {
        matches!(self, Graph::Callers | Graph::Callees)
    }
}

/// Each graph's zoom, as child indices from its root to the zoomed node;
/// empty for none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Zooms([Vec<u32>; 4]);

impl Zooms {
    pub fn get(&self, g: Graph) -> &[u32] {
        &self.0[g as usize]
    }

    pub fn set(&mut self, g: Graph, path: Vec<u32>) {
        self.0[g as usize] = path;
    }

    /// The same zooms without the sandwich's.
    pub fn without_sandwich(&self) -> Zooms {
        let mut z = self.clone();
        z.set(Graph::Callers, Vec::new());
        z.set(Graph::Callees, Vec::new());
        z
    }
}

/// What the hash holds: everything that decides what the page shows of an
/// open profile, and nothing of the profile itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UrlState {
    pub tab: Option<Tab>,
    /// The sample type's name (pprof's `si`); `None` is the profile's
    /// default.
    pub sample_type: Option<String>,
    /// The text filters and the granularity; its `sample_index` is unused
    /// (the name above stands for it).
    pub opts: ReportOptions,
    /// The top table's row order: pprof's `flat` and `cum`, and `name`.
    pub order: Order,
    /// Each flame graph's zoom.
    pub zooms: Zooms,
    pub sandwich: Option<String>,
}

/// A parsed hash, and the keys whose values made no sense (left out, the
/// rest kept).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    pub state: UrlState,
    pub rejected: Vec<String>,
}

pub fn tab_name(t: Tab) -> &'static str {
    match t {
        Tab::Top => "top",
        Tab::Flame => "flame",
        Tab::Goroutines => "goroutines",
        Tab::Series => "series",
        Tab::Sandwich => "sandwich",
        Tab::BottomUp => "bottom-up",
    }
}

fn parse_tab(s: &str) -> Option<Tab> {
    [
        Tab::Top,
        Tab::Flame,
        Tab::Goroutines,
        Tab::Series,
        Tab::Sandwich,
        Tab::BottomUp,
    ]
    .into_iter()
    .find(|&t| tab_name(t) == s)
}

/// pprof's `-granularity` values.
fn granularity_name(g: Granularity) -> &'static str {
    match g {
        Granularity::Functions => "functions",
        Granularity::FileFunctions => "filefunctions",
        Granularity::Files => "files",
        Granularity::Lines => "lines",
        Granularity::Addresses => "addresses",
    }
}

fn parse_granularity(s: &str) -> Option<Granularity> {
    [
        Granularity::Functions,
        Granularity::FileFunctions,
        Granularity::Files,
        Granularity::Lines,
        Granularity::Addresses,
    ]
    .into_iter()
    .find(|&g| granularity_name(g) == s)
}

fn order_name(o: Order) -> &'static str {
    match o {
        Order::Flat => "flat",
        Order::Cum => "cum",
        Order::Name => "name",
    }
}

fn parse_zoom(s: &str) -> Option<Vec<u32>> {
    if s.is_empty() {
        return Some(Vec::new());
    }
    let path: Option<Vec<u32>> = s.split('.').map(|p| p.parse().ok()).collect();
    path.filter(|p| p.len() <= MAX_ZOOM_DEPTH)
}

impl UrlState {
    /// The hash's text, without the `#`: only what differs from a fresh
    /// view, in a fixed order, so equal states give equal hashes.
    pub fn format(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if let Some(t) = self.tab {
            out.append_pair("view", tab_name(t));
        }
        if let Some(si) = &self.sample_type {
            out.append_pair("si", si);
        }
        if self.opts.granularity != Granularity::default() {
            out.append_pair("g", granularity_name(self.opts.granularity));
        }
        let mut opts = self.opts.clone();
        for (key, field) in TEXT_FIELDS {
            let v = field(&mut opts);
            if !v.is_empty() {
                out.append_pair(key, v);
            }
        }
        if self.order != Order::default() {
            out.append_pair("sort", order_name(self.order));
        }
        for g in Graph::ALL {
            let path = self.zooms.get(g);
            if !path.is_empty() {
                let z: Vec<String> = path.iter().map(u32::to_string).collect();
                out.append_pair(g.key(), &z.join("."));
            }
        }
        if let Some(f) = &self.sandwich {
            out.append_pair("sw", f);
        }
        out.finish()
    }

    /// Reads a hash (with or without its `#`). Unknown keys are ignored (a
    /// later version's, or another tool's); a known key with a value that
    /// makes no sense is left out and named in [`Parsed::rejected`].
    pub fn parse(hash: &str) -> Parsed {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        let mut p = Parsed::default();
        let s = &mut p.state;
        for (key, value) in form_urlencoded::parse(hash.as_bytes()) {
            let ok = match &*key {
                "view" => parse_tab(&value).map(|t| s.tab = Some(t)).is_some(),
                "si" => {
                    s.sample_type = Some(value.to_string()).filter(|v| !v.is_empty());
                    true
                }
                "g" => parse_granularity(&value)
                    .map(|g| s.opts.granularity = g)
                    .is_some(),
                "sort" => match &*value {
                    "flat" => Some(Order::Flat),
                    "cum" => Some(Order::Cum),
                    "name" => Some(Order::Name),
                    _ => None,
                }
                .map(|o| s.order = o)
                .is_some(),
                "sw" => {
                    s.sandwich = Some(value.to_string()).filter(|v| !v.is_empty());
                    true
                }
                k => match Graph::ALL.into_iter().find(|g| g.key() == k) {
                    Some(g) => parse_zoom(&value).map(|z| s.zooms.set(g, z)).is_some(),
                    None => {
                        if let Some((_, field)) = TEXT_FIELDS.iter().find(|(n, _)| *n == k) {
                            *field(&mut s.opts) = value.to_string();
                        }
                        true
                    }
                },
            };
            if !ok && !p.rejected.iter().any(|r| *r == key) {
                p.rejected.push(key.to_string());
            }
        }
        p
    }

    /// The report options this state asks for on a profile with these
    /// sample types, or why the sample type cannot be had (then the
    /// profile's default stands and the rest is kept). pprof's `si` takes a
    /// name or an index, and so does this.
    pub fn options(
        &self,
        sample_types: &[&str],
        default_index: usize,
    ) -> (ReportOptions, Option<String>) {
        let mut opts = ReportOptions {
            sample_index: Some(default_index),
            sort: SortOrder::default(),
            ..self.opts.clone()
        };
        let Some(si) = &self.sample_type else {
            return (opts, None);
        };
        let found = sample_types
            .iter()
            .position(|t| t == si)
            .or_else(|| si.parse::<usize>().ok().filter(|&i| i < sample_types.len()));
        match found {
            Some(i) => {
                opts.sample_index = Some(i);
                (opts, None)
            }
            None => (
                opts,
                Some(format!("this profile has no sample type \"{si}\"")),
            ),
        }
    }
}
