//! The sandwich of one function: its callers, itself, its callees, with
//! the figures `go tool pprof -peek` prints for it.
//!
//! Values are formatted as `-peek` formats them: in the one output unit
//! pprof selects over the whole untrimmed graph (`-peek` turns trimming
//! off), so a row's text can be compared with the oracle as it stands. The
//! raw numbers travel beside the text for the page's widths and titles.

use serde::{Deserialize, Serialize};

use crate::analysis::graph::{Edge, Graph};
use crate::measurement;
use crate::model::Profile;
use crate::pattern::Pattern;

/// A caller or callee of the sandwiched function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SandwichRow {
    /// The name as pprof prints it, without `(inline)`.
    pub name: String,
    /// pprof prints the edge `(inline)`.
    pub inline: bool,
    /// The edge's weight: what `-peek` prints beside the name.
    pub cum: i64,
    /// The part of `cum` where the callee was the sample's flat frame.
    pub flat: i64,
    pub cum_text: String,
    pub flat_text: String,
    /// `cum` as a share of the function's cum, as `-peek` prints it.
    pub percent: String,
}

/// What the sandwich tab shows for one function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sandwich {
    /// The chosen function's printable name.
    pub name: String,
    pub flat: i64,
    pub cum: i64,
    pub flat_text: String,
    pub cum_text: String,
    /// Shares of the profile's total, as `-peek` prints them.
    pub flat_percent: String,
    pub cum_percent: String,
    pub callers: Vec<SandwichRow>,
    pub callees: Vec<SandwichRow>,
    /// How many functions the typed text matched (1 for an exact name).
    pub matches: u32,
    /// Said to the user when the choice needs explaining (several matches).
    pub note: Option<String>,
}

/// Finds the node the user means by `query`: a function whose printable
/// name is exactly `query`, else the functions a pprof regex matches (as
/// `-peek REGEX` matches them), of which the one with the largest |cum|.
/// Returns the node and the number of matches.
pub fn find_node(profile: &Profile, graph: &Graph, query: &str) -> Result<(u32, u32), String> {
    let query = query.trim();
    if query.is_empty() {
        return Err("type a function name".into());
    }
    let present = (0..graph.len()).filter(|&n| graph.is_present(n));
    let names: Vec<(usize, String)> = present
        .map(|n| (n, graph.printable_name(profile, n)))
        .collect();
    if let Some((n, _)) = names.iter().find(|(_, name)| name == query) {
        return Ok((*n as u32, 1));
    }
    let pattern = Pattern::new("sandwich", query).map_err(|e| {
        format!("no function is named {query:?}, and it is not a regex pprof accepts: {e}")
    })?;
    let mut best: Option<usize> = None;
    let mut count = 0u32;
    for (n, name) in &names {
        if !pattern.is_match(name) {
            continue;
        }
        count += 1;
        let better = match best {
            None => true,
            Some(b) => {
                let (cb, cn) = (graph.cum[b].wrapping_abs(), graph.cum[*n].wrapping_abs());
                cn > cb || (cn == cb && *name < graph.printable_name(profile, b))
            }
        };
        if better {
            best = Some(*n);
        }
    }
    match best {
        Some(n) => Ok((n as u32, count)),
        None => Err(format!("no function matches {query:?}")),
    }
}

/// The sandwich of the function `query` names (see [`find_node`]).
pub fn sandwich(profile: &Profile, graph: &Graph, query: &str) -> Result<Sandwich, String> {
    let (node, matches) = find_node(profile, graph, query)?;
    Ok(sandwich_of(profile, graph, node, matches))
}

/// The sandwich of graph node `node`.
pub fn sandwich_of(profile: &Profile, graph: &Graph, node: u32, matches: u32) -> Sandwich {
    let unit = profile
        .sample_types
        .get(graph.sample_index)
        .map(|t| profile.str(t.unit))
        .unwrap_or("");
    let present = (0..graph.len()).filter(|&n| graph.is_present(n));
    let output_unit = measurement::select_output_unit(
        present.map(|n| (graph.flat[n], graph.cum[n])),
        graph.total,
        unit,
    );
    let fmt = |v: i64| measurement::scaled_label(v, unit, &output_unit);
    let n = node as usize;
    let (flat, cum) = (graph.flat[n], graph.cum[n]);
    let rows = |edges: &[Edge]| -> Vec<SandwichRow> {
        edges
            .iter()
            .map(|e| SandwichRow {
                name: graph.printable_name(profile, e.node as usize),
                inline: e.inline,
                cum: e.weight,
                flat: e.flat,
                cum_text: fmt(e.weight),
                flat_text: fmt(e.flat),
                percent: measurement::percentage(e.weight, cum).trim().to_string(),
            })
            .collect()
    };
    let nb = graph.neighbours(profile, node);
    let name = graph.printable_name(profile, n);
    let note = (matches > 1).then(|| {
        format!("{matches} functions match; showing {name}, the one with the largest cum")
    });
    Sandwich {
        flat,
        cum,
        flat_text: fmt(flat),
        cum_text: fmt(cum),
        flat_percent: measurement::percentage(flat, graph.total)
            .trim()
            .to_string(),
        cum_percent: measurement::percentage(cum, graph.total).trim().to_string(),
        callers: rows(&nb.callers),
        callees: rows(&nb.callees),
        matches,
        note,
        name,
    }
}
