//! The format-neutral profile model.
//!
//! Every decoder (pprof protobuf, goroutine dumps, tracebacks, legacy text)
//! produces a [`Profile`]; every analysis reads only this. The shape follows
//! pprof's data model (samples -> locations -> lines -> functions) but is
//! stored as flat, typed arrays:
//!
//! * strings are interned ([`Strings`]) and referred to by [`StrId`];
//! * stacks are a prefix tree ([`StackTable`]): a stack is its leaf node, and
//!   walking `parent` links gives its frames leaf first. Samples that share a
//!   call path share its nodes, so a million samples cost a few bytes each and
//!   no sample owns a heap allocation;
//! * sample values live in one `Vec<i64>` with a stride of
//!   `sample_types.len()`.
//!
//! Ids are indices into their table, so a lookup is an array access, and ids
//! from the file (pprof's `Location.id`, ...) are resolved by the decoder and
//! go no further.

pub mod builder;
mod chunked;
pub mod compare;
mod goroutine;
mod id_index;
pub mod merge;
pub mod snapshot;
mod stack;
mod strings;
mod text_top;

pub use goroutine::{
    is_known_state, Coverage, Goroutine, GoroutineTable, PanicInfo, PanicKind, G_STATUSES,
    WAIT_REASONS,
};
pub(crate) use id_index::IdIndex;
pub use stack::{PathStacks, StackBuilder, StackTable};
pub use strings::Strings;
pub use text_top::{TextTop, TextTopRow};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize)]
        pub struct $name(pub u32);
        impl $name {
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// An interned string.
    StrId
);
id_type!(
    /// An index into [`Profile::functions`].
    FuncId
);
id_type!(
    /// An index into [`Profile::locations`].
    LocId
);
id_type!(
    /// An index into [`Profile::mappings`].
    MappingId
);
/// A node of the [`StackTable`]; identifies a whole call path, root to it.
///
/// Stored as index + 1 in a `NonZeroU32`, so that `Option<StackId>` (a
/// parent link, a sample's possibly empty stack) takes 4 bytes, not 8: these
/// are the model's two largest arrays.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct StackId(std::num::NonZeroU32);

impl StackId {
    /// The id of node `index`.
    ///
    /// # Panics
    /// For `index == u32::MAX`; a table that large does not fit in memory.
    #[inline]
    pub fn new(index: u32) -> StackId {
        StackId(
            std::num::NonZeroU32::new(index.wrapping_add(1)).expect("stack table index overflow"),
        )
    }

    #[inline]
    pub fn index(self) -> usize {
        (self.0.get() - 1) as usize
    }
}
id_type!(
    /// An index into [`Profile::label_sets`]; 0 is the empty set.
    LabelSetId
);

/// Where the data came from; decides which views make sense.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SourceFormat {
    /// A pprof protobuf profile; `gzipped` tells whether it was compressed.
    Pprof { gzipped: bool },
    /// `/debug/pprof/goroutine?debug=1`: groups of identical stacks with counts.
    GoroutineGrouped,
    /// `/debug/pprof/goroutine?debug=2`: one block per goroutine.
    GoroutineDump,
    /// A panic or fatal error with its goroutine traceback(s).
    Traceback,
    /// Legacy text heap profile (`heap profile: ...`).
    LegacyHeap,
    /// Legacy text contention profile (`--- mutex:` / `--- contention:`).
    LegacyContention,
    /// Legacy text thread-creation profile (`threadcreate profile: total N`).
    LegacyThreadcreate,
    /// Legacy binary CPU profile (gperftools, Go before 1.9).
    LegacyCpu,
    /// Legacy text thread profile (`--- threadz 1 ---`).
    LegacyThreads,
    /// `go tool pprof -top` / `-text` output: a table, no stacks
    /// ([`Profile::text_top`]).
    PprofTop,
    /// `go tool pprof -traces` output: one sample per printed stack.
    PprofTraces,
}

impl SourceFormat {
    pub fn describe(self) -> &'static str {
        match self {
            SourceFormat::Pprof { gzipped: true } => "pprof protobuf (gzipped)",
            SourceFormat::Pprof { gzipped: false } => "pprof protobuf",
            SourceFormat::GoroutineGrouped => "goroutine profile (debug=1)",
            SourceFormat::GoroutineDump => "goroutine dump (debug=2)",
            SourceFormat::Traceback => "panic / fatal error traceback",
            SourceFormat::LegacyHeap => "heap profile (legacy text)",
            SourceFormat::LegacyContention => "contention profile (legacy text)",
            SourceFormat::LegacyThreadcreate => "threadcreate profile (text)",
            SourceFormat::LegacyCpu => "CPU profile (legacy binary)",
            SourceFormat::LegacyThreads => "thread profile (legacy text)",
            SourceFormat::PprofTop => "go tool pprof top output (text, no stacks)",
            SourceFormat::PprofTraces => "go tool pprof -traces output (text)",
        }
    }
}

/// A (type, unit) pair such as ("cpu", "nanoseconds").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ValueType {
    pub kind: StrId,
    pub unit: StrId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Function {
    pub name: StrId,
    pub system_name: StrId,
    pub file: StrId,
    pub start_line: i64,
}

/// One frame of a location: a function and a line in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    pub func: FuncId,
    pub line: i64,
    pub column: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// The id the location had in its file (pprof's `Location.id`), kept for
    /// `-raw`-style output and error messages; 0 for text formats.
    pub source_id: u64,
    pub mapping: Option<MappingId>,
    pub address: u64,
    /// Range into [`Profile::lines`], innermost (inlined) frame first, the
    /// function they were inlined into last. Empty for unsymbolised addresses.
    pub lines_start: u32,
    pub lines_end: u32,
    pub is_folded: bool,
}

impl Location {
    pub fn line_range(&self) -> std::ops::Range<usize> {
        self.lines_start as usize..self.lines_end as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Mapping {
    pub source_id: u64,
    pub memory_start: u64,
    pub memory_limit: u64,
    pub file_offset: u64,
    pub file: StrId,
    pub build_id: StrId,
    pub has_functions: bool,
    pub has_filenames: bool,
    pub has_line_numbers: bool,
    pub has_inline_frames: bool,
}

/// A sample label: `key=str` or `key=num unit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub key: StrId,
    /// `Some` for string labels.
    pub str: Option<StrId>,
    pub num: i64,
    pub num_unit: StrId,
}

/// Interned label sets: samples carry a [`LabelSetId`], and set 0 is empty.
#[derive(Clone, Debug)]
pub struct LabelSets {
    /// `ends[i]` is the end of set `i` in `labels`.
    ends: Vec<u32>,
    labels: Vec<Label>,
    index: hashbrown::HashMap<Box<[Label]>, LabelSetId>,
}

impl Default for LabelSets {
    fn default() -> Self {
        let mut index = hashbrown::HashMap::new();
        index.insert(Vec::new().into_boxed_slice(), LabelSetId(0));
        LabelSets {
            ends: vec![0],
            labels: Vec::new(),
            index,
        }
    }
}

impl LabelSets {
    pub const EMPTY: LabelSetId = LabelSetId(0);

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.len() <= 1
    }

    pub fn get(&self, id: LabelSetId) -> &[Label] {
        let i = id.index();
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.labels[start..self.ends[i] as usize]
    }

    /// Approximate heap bytes (the index holds a second copy of each set).
    pub fn heap_bytes(&self) -> usize {
        let label = std::mem::size_of::<Label>();
        self.ends.capacity() * 4
            + self.labels.capacity() * label * 2
            + self.index.capacity() * (16 + 4)
    }

    /// Interns a label set. Labels keep their order from the file.
    pub fn intern(&mut self, labels: &[Label]) -> LabelSetId {
        if labels.is_empty() {
            return LabelSetId(0);
        }
        if let Some(&id) = self.index.get(labels) {
            return id;
        }
        let id = LabelSetId(self.ends.len() as u32);
        self.labels.extend_from_slice(labels);
        self.ends.push(self.labels.len() as u32);
        self.index.insert(labels.into(), id);
        id
    }
}

/// A non-fatal problem met while decoding: the file was read, but not all of it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// 1-based line number for text formats.
    pub line: Option<u32>,
    /// Byte offset in the (uncompressed) input.
    pub offset: Option<u64>,
    pub message: String,
}

/// Samples as parallel flat arrays (struct of arrays).
#[derive(Clone, Debug, Default)]
pub struct Samples {
    /// The leaf stack node of each sample; `None` for a sample with no
    /// locations (pprof counts it in the total but it produces no node).
    pub stack: Vec<Option<StackId>>,
    /// `values[i * n + t]` is sample `i`'s value for sample type `t`, where
    /// `n` is the number of sample types.
    pub values: Vec<i64>,
    pub labels: Vec<LabelSetId>,
}

impl Samples {
    pub fn len(&self) -> usize {
        self.stack.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }
}

/// A decoded profile of any source format.
#[derive(Clone, Debug)]
pub struct Profile {
    pub format: SourceFormat,
    pub strings: Strings,
    pub sample_types: Vec<ValueType>,
    /// pprof's `default_sample_type` as given in the file, if any.
    pub default_sample_type: Option<StrId>,
    pub period_type: Option<ValueType>,
    pub period: i64,
    pub time_nanos: i64,
    pub duration_nanos: i64,
    pub comments: Vec<StrId>,
    pub drop_frames: Option<StrId>,
    pub keep_frames: Option<StrId>,
    pub doc_url: Option<StrId>,
    pub functions: Vec<Function>,
    pub lines: Vec<Line>,
    pub locations: Vec<Location>,
    pub mappings: Vec<Mapping>,
    pub stacks: StackTable,
    pub samples: Samples,
    pub label_sets: LabelSets,
    /// Per-goroutine detail for goroutine dumps and tracebacks (debug=2);
    /// empty for other formats. Goroutine `i` is sample `i`.
    pub goroutines: GoroutineTable,
    /// Panics and fatal errors found in the input, in order.
    pub panics: Vec<PanicInfo>,
    /// Things the decoder skipped; shown to the user as a warning line.
    pub warnings: Vec<Warning>,
    /// How many problems there were in all (`warnings` keeps only the first
    /// few of a long run).
    pub warning_count: u64,
    /// The table of a pasted `go tool pprof -top`; `None` for every input
    /// that has samples.
    pub text_top: Option<Box<TextTop>>,
}

impl Profile {
    pub fn new(format: SourceFormat) -> Self {
        Profile {
            format,
            strings: Strings::new(),
            sample_types: Vec::new(),
            default_sample_type: None,
            period_type: None,
            period: 0,
            time_nanos: 0,
            duration_nanos: 0,
            comments: Vec::new(),
            drop_frames: None,
            keep_frames: None,
            doc_url: None,
            functions: Vec::new(),
            lines: Vec::new(),
            locations: Vec::new(),
            mappings: Vec::new(),
            stacks: StackTable::default(),
            samples: Samples::default(),
            label_sets: LabelSets::default(),
            goroutines: GoroutineTable::default(),
            panics: Vec::new(),
            warnings: Vec::new(),
            warning_count: 0,
            text_top: None,
        }
    }

    pub fn str(&self, id: StrId) -> &str {
        self.strings.get(id)
    }

    pub fn num_sample_types(&self) -> usize {
        self.sample_types.len()
    }

    /// Value of sample `sample` for sample type `t`.
    #[inline]
    pub fn value(&self, sample: usize, t: usize) -> i64 {
        self.samples.values[sample * self.sample_types.len() + t]
    }

    /// The sample type index pprof uses when none is asked for: the one named
    /// by `default_sample_type`, else the last one.
    pub fn default_sample_index(&self) -> usize {
        if let Some(name) = self.default_sample_type {
            if let Some(i) = self.sample_types.iter().position(|t| t.kind == name) {
                return i;
            }
        }
        self.sample_types.len().saturating_sub(1)
    }

    /// Looks a sample type up by name, as `-sample_index=NAME` does (a number
    /// is accepted too).
    pub fn sample_index_by_name(&self, name: &str) -> Option<usize> {
        if let Ok(i) = name.parse::<usize>() {
            return (i < self.sample_types.len()).then_some(i);
        }
        self.sample_types
            .iter()
            .position(|t| self.str(t.kind) == name)
    }

    /// Frames of a location, innermost first.
    pub fn location_lines(&self, loc: LocId) -> &[Line] {
        &self.lines[self.locations[loc.index()].line_range()]
    }

    /// Records a warning, keeping at most 100 messages but counting all.
    pub fn warn(&mut self, line: Option<u32>, offset: Option<u64>, message: impl Into<String>) {
        self.warning_count += 1;
        if self.warnings.len() < 100 {
            self.warnings.push(Warning {
                line,
                offset,
                message: message.into(),
            });
        }
    }

    /// Whether this profile describes goroutines (a view of goroutine states
    /// and groups makes sense).
    pub fn is_goroutine_data(&self) -> bool {
        match self.format {
            SourceFormat::GoroutineGrouped
            | SourceFormat::GoroutineDump
            | SourceFormat::Traceback => true,
            SourceFormat::Pprof { .. } => {
                self.sample_types.len() == 1
                    && matches!(
                        self.str(self.sample_types[0].kind),
                        "goroutine" | "goroutineleak"
                    )
            }
            _ => false,
        }
    }

    /// Whether this is a goroutineleak profile (Go 1.26+): its protobuf or
    /// debug=1 form, whose one sample type is `goroutineleak/count`, or its
    /// debug>=2 form (see [`GoroutineTable::leak_profile`]).
    pub fn is_goroutine_leak(&self) -> bool {
        self.goroutines.leak_profile
            || (self.sample_types.len() == 1
                && self.str(self.sample_types[0].kind) == "goroutineleak")
    }

    /// What the input was, for the header: [`SourceFormat::describe`], with
    /// goroutineleak profiles named as such.
    pub fn describe(&self) -> &'static str {
        if !self.is_goroutine_leak() {
            return self.format.describe();
        }
        match self.format {
            SourceFormat::Pprof { gzipped: true } => {
                "goroutine leak profile (pprof protobuf, gzipped)"
            }
            SourceFormat::Pprof { gzipped: false } => "goroutine leak profile (pprof protobuf)",
            SourceFormat::GoroutineGrouped => "goroutine leak profile (debug=1)",
            SourceFormat::GoroutineDump => "goroutine leak profile (debug=2)",
            other => other.describe(),
        }
    }

    /// Approximate heap bytes held by the model (for memory benchmarks).
    pub fn heap_bytes(&self) -> usize {
        self.strings.heap_bytes()
            + self.functions.capacity() * std::mem::size_of::<Function>()
            + self.lines.capacity() * std::mem::size_of::<Line>()
            + self.locations.capacity() * std::mem::size_of::<Location>()
            + self.mappings.capacity() * std::mem::size_of::<Mapping>()
            + self.stacks.heap_bytes()
            + self.samples.stack.capacity() * std::mem::size_of::<Option<StackId>>()
            + self.label_sets.heap_bytes()
            + self.samples.values.capacity() * 8
            + self.samples.labels.capacity() * 4
            + self.goroutines.heap_bytes()
    }
}
