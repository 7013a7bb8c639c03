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

/// What a sample type measures, in three pieces that each column's
/// sentence combines without saying anything twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measure {
    /// "CPU time", "memory still in use", ...: what the percentages are of.
    pub noun: &'static str,
    /// What a function's value is, up to the function: "memory still in
    /// use that was allocated by", "goroutines whose stack ends in".
    pub own: &'static str,
    /// A sentence on what the noun means, for the "how to read" panel.
    pub gloss: &'static str,
}

/// The measure of sample type `kind` (pprof's sample type name, as `-top`
/// and `-sample_index` name it) with `unit`.
pub fn measure(kind: &str, unit: &str) -> Measure {
    let m = |noun, own, gloss| Measure { noun, own, gloss };
    match kind {
        "cpu" => m("CPU time", "CPU time spent running the code of", ""),
        "samples" if unit == "count" => m("CPU samples", "CPU samples taken in the code of", ""),
        "inuse_space" | "space" => m(
            "memory still in use",
            "memory still in use that was allocated by",
            "Memory still in use was allocated and not yet freed when the profile was taken.",
        ),
        "inuse_objects" | "objects" => m(
            "objects still in use",
            "objects still in use that were allocated by",
            "Objects still in use were allocated and not yet freed when the profile was taken.",
        ),
        "alloc_space" => m(
            "memory allocated over the program's life",
            "memory that was allocated, freed or not, over the program's life by",
            "",
        ),
        "alloc_objects" => m(
            "objects allocated over the program's life",
            "objects that were allocated, freed or not, over the program's life by",
            "",
        ),
        "goroutine" | "goroutineleak" => m("goroutines", "goroutines whose stack ends in", ""),
        "delay" => m(
            "waiting time",
            "waiting time recorded in",
            "Waiting time is how long goroutines were blocked on a lock, a channel or a select.",
        ),
        "contentions" => m(
            "contention events",
            "contention events recorded in",
            "A contention event is each time a goroutine had to wait for a lock, a channel or a select.",
        ),
        "threadcreate" | "thread" => m("threads created", "threads created from", ""),
        _ if unit == "nanoseconds" || unit == "seconds" => m("time", "time spent in", ""),
        _ if unit == "bytes" => m("memory", "memory attributed to", ""),
        _ => m("the profile's value", "the profile's value attributed to", ""),
    }
}

/// The explanation of `column` for a profile of sample type `kind`.
pub fn column_help(column: Column, kind: &str, unit: &str) -> String {
    let Measure { noun, own, .. } = measure(kind, unit);
    match column {
        Column::Flat => format!(
            "flat: {} this function itself, not counting the functions it calls.",
            capitalize(own)
        ),
        Column::FlatPct => {
            format!("flat%: this row's flat as a share of all {noun} in the profile.")
        }
        Column::SumPct => format!(
            "sum%: flat% added up from the first row down to this one: the rows so far \
             account for this share of all {noun}."
        ),
        Column::Cum => format!(
            "cum (cumulative): {} this function and everything it calls. A high cum \
             with a low flat means the cost is in its callees.",
            capitalize(own)
        ),
        Column::CumPct => format!(
            "cum%: this row's cum as a share of all {noun}. Callers include their callees, so \
             cum% does not add up across rows."
        ),
    }
}

/// The "how to read this" panel's paragraphs for sample type `kind`.
pub fn how_to_read(kind: &str, unit: &str) -> Vec<String> {
    let Measure { noun, gloss, .. } = measure(kind, unit);
    let first = match gloss {
        "" => format!("This profile measures {noun}."),
        g => format!("This profile measures {noun}. {g}"),
    };
    let mut v = vec![
        first,
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

    /// Each explanation, for every column and sample type a heap, CPU,
    /// goroutine or contention profile has, says each thing once: no two
    /// words repeated in a row ("still in use still in use"), and no
    /// content word twice ("allocated ... allocated by").
    #[test]
    fn no_explanation_repeats_itself() {
        let kinds = [
            ("inuse_space", "bytes"),
            ("inuse_objects", "count"),
            ("alloc_space", "bytes"),
            ("alloc_objects", "count"),
            ("space", "bytes"),
            ("objects", "count"),
            ("cpu", "nanoseconds"),
            ("samples", "count"),
            ("goroutine", "count"),
            ("delay", "nanoseconds"),
            ("contentions", "count"),
            ("threadcreate", "count"),
            ("wall", "nanoseconds"),
            ("x", "bytes"),
        ];
        for (kind, unit) in kinds {
            let mut texts: Vec<String> = Column::ALL
                .iter()
                .map(|&c| column_help(c, kind, unit))
                .collect();
            texts.push(how_to_read(kind, unit)[0].clone());
            for text in texts {
                for sentence in text.split(". ") {
                    let words: Vec<String> = sentence
                        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '_')
                        .filter(|w| !w.is_empty())
                        .map(str::to_lowercase)
                        .collect();
                    let pairs: Vec<String> = words.windows(2).map(|w| w.join(" ")).collect();
                    for (i, p) in pairs.iter().enumerate() {
                        assert!(
                            !pairs[i + 1..].contains(p),
                            "{kind}: {p:?} twice in {sentence:?}"
                        );
                    }
                    for w in [
                        "allocated",
                        "memory",
                        "objects",
                        "goroutines",
                        "time",
                        "still",
                        "freed",
                        "waiting",
                        "events",
                    ] {
                        let n = words.iter().filter(|x| *x == w).count();
                        assert!(n <= 1, "{kind}: {w:?} {n} times in {sentence:?}");
                    }
                }
            }
        }
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
