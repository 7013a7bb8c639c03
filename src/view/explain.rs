//! What the top table's columns and the flame graph's shapes mean, in the
//! words of the profile's sample type: a user reading a heap profile needs
//! "memory still in use", not "value".

/// A numeric column of the top table, named as pprof heads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Flat,
    FlatPct,
    SumPct,
    Cum,
    CumPct,
}

impl Column {
    pub const ALL: [Column; 5] = [
        Column::Flat,
        Column::FlatPct,
        Column::SumPct,
        Column::Cum,
        Column::CumPct,
    ];

    /// The header text, also the `data-column` of its explanation.
    pub fn name(self) -> &'static str {
        match self {
            Column::Flat => "flat",
            Column::FlatPct => "flat%",
            Column::SumPct => "sum%",
            Column::Cum => "cum",
            Column::CumPct => "cum%",
        }
    }
}

/// What a sample type measures: the noun, and what a function's own share
/// of it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measure {
    /// "CPU time", "memory still in use", ...
    pub noun: &'static str,
    /// How the function itself holds it: "spent in", "allocated by", ...
    pub own: &'static str,
}

/// The measure of sample type `kind` (pprof's sample type name, as `-top`
/// and `-sample_index` name it) with `unit`.
pub fn measure(kind: &str, unit: &str) -> Measure {
    let m = |noun, own| Measure { noun, own };
    match kind {
        "cpu" => m("CPU time", "spent running the code of"),
        "samples" if unit == "count" => m("CPU samples", "taken in the code of"),
        "inuse_space" | "space" => m(
            "memory still in use (allocated and not yet freed when the profile was taken)",
            "allocated by",
        ),
        "inuse_objects" | "objects" => m("objects still in use", "allocated by"),
        "alloc_space" => m(
            "memory allocated over the program's life, freed or not",
            "allocated by",
        ),
        "alloc_objects" => m(
            "objects allocated over the program's life, freed or not",
            "allocated by",
        ),
        "goroutine" | "goroutineleak" => m("goroutines", "whose stack ends in"),
        "delay" => m(
            "waiting time (goroutines blocked on a lock, channel or select)",
            "recorded in",
        ),
        "contentions" => m("events (each time a goroutine had to wait)", "recorded in"),
        "threadcreate" | "thread" => m("threads created", "created from"),
        _ if unit == "nanoseconds" || unit == "seconds" => m("time", "spent in"),
        _ if unit == "bytes" => m("memory", "attributed to"),
        _ => m("the profile's value", "attributed to"),
    }
}

/// The explanation of `column` for a profile of sample type `kind`.
pub fn column_help(column: Column, kind: &str, unit: &str) -> String {
    let Measure { noun, own } = measure(kind, unit);
    match column {
        Column::Flat => format!(
            "flat: {} {own} this function itself, not counting the functions it calls.",
            capitalize(noun)
        ),
        Column::FlatPct => {
            format!("flat%: this row's flat as a share of all {noun} in the profile.")
        }
        Column::SumPct => format!(
            "sum%: flat% added up from the first row down to this one: the rows so far \
             account for this share of all {noun}."
        ),
        Column::Cum => format!(
            "cum (cumulative): {} {own} this function and everything it calls. A high cum \
             with a low flat means the cost is in its callees.",
            capitalize(noun)
        ),
        Column::CumPct => format!(
            "cum%: this row's cum as a share of all {noun}. Callers include their callees, so \
             cum% does not add up across rows."
        ),
    }
}

/// The "how to read this" panel's paragraphs for sample type `kind`.
pub fn how_to_read(kind: &str, unit: &str) -> Vec<String> {
    let Measure { noun, .. } = measure(kind, unit);
    let mut v = vec![
        format!("This profile measures {noun}."),
        "Sort by flat to find the functions that are expensive in themselves; sort by cum to \
         find the calls under which the cost sits. A function with a small flat but a large \
         cum is worth opening in the flame graph."
            .to_string(),
    ];
    let heap = kind.starts_with("inuse_") || kind.starts_with("alloc_");
    if heap {
        v.push(
            "inuse_space and inuse_objects show what is still live when the profile was taken: \
             look there for memory that stays (a leak, a cache that only grows). alloc_space and \
             alloc_objects count everything allocated since the program started, freed or not: \
             look there for garbage-collector pressure and allocation hot spots. Switch between \
             them with the sample type."
                .to_string(),
        );
    }
    v
}

/// The flame graph legend: what width, depth and colour mean.
pub fn flame_legend(compared: bool) -> [&'static str; 3] {
    [
        "Width: the value of a function and everything it calls (its cum)",
        "Depth: the call chain, callers above their callees",
        if compared {
            "Colour: the change against the base"
        } else {
            "Colour: the function's Go package"
        },
    ]
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sample_type_in_its_own_words() {
        for (kind, unit, words) in [
            ("cpu", "nanoseconds", "CPU time"),
            ("inuse_space", "bytes", "still in use"),
            ("inuse_objects", "count", "objects still in use"),
            ("alloc_space", "bytes", "over the program's life"),
            ("alloc_objects", "count", "over the program's life"),
            ("goroutine", "count", "goroutines"),
            ("delay", "nanoseconds", "waiting time"),
            ("contentions", "count", "events"),
        ] {
            for c in Column::ALL {
                let h = column_help(c, kind, unit);
                assert!(
                    h.to_lowercase().contains(&words.to_lowercase()),
                    "{kind} {c:?}: {h}"
                );
                assert!(h.starts_with(c.name()), "{h}");
            }
        }
        assert_eq!(
            column_help(Column::Flat, "cpu", "nanoseconds"),
            "flat: CPU time spent running the code of this function itself, not counting the functions it calls."
        );
    }

    #[test]
    fn an_unknown_sample_type_falls_back_on_its_unit() {
        assert_eq!(measure("wall", "nanoseconds").noun, "time");
        assert_eq!(measure("x", "bytes").noun, "memory");
        assert_eq!(measure("x", "widgets").noun, "the profile's value");
    }

    #[test]
    fn inuse_against_alloc_only_for_heap_profiles() {
        let heap = how_to_read("alloc_space", "bytes");
        assert!(heap
            .iter()
            .any(|p| p.contains("inuse_space") && p.contains("alloc_space")));
        assert!(!how_to_read("cpu", "nanoseconds")
            .iter()
            .any(|p| p.contains("inuse_space")));
    }

    #[test]
    fn the_legend_colours_by_change_when_comparing() {
        assert!(flame_legend(false)[2].contains("package"));
        assert!(flame_legend(true)[2].contains("change"));
    }
}
