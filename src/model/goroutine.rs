//! What a goroutine dump says about each goroutine beyond its stack.
//!
//! A debug=2 dump or traceback becomes a profile with one sample per goroutine
//! (sample type `goroutine/count`, value 1) so that the top table and flame
//! graph work on it unchanged; the state and wait time are also sample labels
//! (`state`, `wait` in minutes) so tag filters apply. This table keeps the rest
//! (id, creator, frame arguments), indexed like the samples. For a debug=1
//! dump each sample is a group whose value is its count, and this table has a
//! row per group with only the state-independent fields set.
//!
//! Go prints pprof labels in the header from 1.27 on (1.26 under
//! `GODEBUG=tracebacklabels=1`), and debug=1 on a `# labels:` line: they are
//! both the sample's labels (beside `state` and `wait`) and the row's
//! [`Goroutine::labels`].

use super::{LabelSetId, LocId, StrId};

/// One goroutine (or one debug=1 group). `Default` is a group with nothing
/// known but its stack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Goroutine {
    /// The goroutine id (`goroutine 18 [...]`); 0 for a debug=1 group.
    pub id: u64,
    /// The wait reason or status without the runtime's flags: `chan
    /// receive`, `chan receive (nil chan)`, `select`, `running` (see
    /// [`WAIT_REASONS`]). Empty for debug=1 groups, which carry no state.
    pub state: StrId,
    /// `N minutes` from the header, if shown.
    pub wait_minutes: Option<u32>,
    pub locked_to_thread: bool,
    /// ` (leaked)`: the last goroutineleak detection cycle (Go 1.26+) found
    /// it blocked on something no running goroutine can reach. The mark stays
    /// until the next cycle, so an ordinary dump taken later shows it too.
    pub leaked: bool,
    /// ` (durable)` (Go 1.25+) or Go 1.24's ` (synctest)`: durably blocked
    /// inside a synctest bubble, a wait only the bubble can end.
    pub durable: bool,
    /// ` (scan)`: the garbage collector was scanning its stack.
    pub scan: bool,
    /// The synctest bubble it belongs to: `synctest bubble K` (Go 1.25+) or
    /// `synctest group K` (Go 1.24, K being the group's root goroutine).
    pub bubble: Option<u64>,
    /// Its pprof labels (header labels, or a debug=1 group's `# labels:`),
    /// without the `state` and `wait` labels the sample also carries.
    pub labels: LabelSetId,
    /// Bracket attributes the decoder does not know, comma-joined as
    /// printed; empty if none.
    pub extra: StrId,
    /// The `created by` frame.
    pub created_by: Option<LocId>,
    /// `created by X in goroutine N` (Go 1.21+).
    pub creator_goroutine: Option<u64>,
    /// Range into [`GoroutineTable::args`]: one entry per frame, leaf first,
    /// the argument text between the parentheses (`0xc000012018, {0x75a000, 0x1}`).
    pub args_start: u32,
    pub args_end: u32,
    /// The stack was cut (`...additional frames elided...` / `...N frames
    /// elided...`) or unavailable (`goroutine running on other thread`).
    pub frames_elided: bool,
    pub stack_unavailable: bool,
    /// 1-based line of the header in the input.
    pub line: u32,
}

#[derive(Clone, Debug, Default)]
pub struct GoroutineTable {
    pub rows: Vec<Goroutine>,
    pub args: Vec<StrId>,
    /// Which goroutines the input shows: all of them, or (for some
    /// tracebacks) only some.
    pub coverage: Coverage,
    /// The text is a goroutineleak profile (Go 1.26+): `goroutineleak
    /// profile: total N` (debug=1), or a debug>=2 dump whose goroutines carry
    /// `(leaked)` marks. The debug>=2 form is an ordinary dump of every
    /// goroutine, so an ordinary dump taken after a detection cycle counts
    /// too: the two are the same text.
    pub leak_profile: bool,
    /// The `total N` of a debug=1 header. It counts every goroutine when the
    /// dump was taken, so shares stay right when records were cut from the
    /// text (a pasted excerpt, a truncated file).
    pub header_total: Option<u64>,
}

/// Which goroutines a dump or traceback shows.
///
/// A debug=2 dump, a test timeout (the testing package asks for every
/// goroutine) and a fatal signal show all of them. Under Go's default
/// `GOTRACEBACK=single` a panic shows only the goroutine that panicked; with
/// `GOTRACEBACK=none` no goroutine at all; a synctest deadlock the test's
/// goroutine and those of its bubble. The UI calls anything but `All`
/// `traceback-partial`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Coverage {
    /// Every goroutine, or nothing says otherwise.
    #[default]
    All,
    /// Only the running goroutine: a traceback with one goroutine after its
    /// panic, fatal error or signal (other goroutines, if any, were not
    /// printed).
    Running,
    /// The panicking test goroutine and one synctest bubble's goroutines
    /// (`panic: deadlock: all goroutines in bubble are blocked`).
    Bubble,
    /// No goroutine: a panic or fatal error without a traceback.
    NoGoroutines,
}

impl Coverage {
    /// Whether some goroutines may be missing (the UI's `traceback-partial`).
    pub fn is_partial(self) -> bool {
        self != Coverage::All
    }

    pub fn describe(self) -> &'static str {
        match self {
            Coverage::All => "all goroutines",
            Coverage::Running => "only the running goroutine",
            Coverage::Bubble => "only the panicking goroutine and the synctest bubble's goroutines",
            Coverage::NoGoroutines => "no goroutine (the traceback holds only the message)",
        }
    }
}

impl GoroutineTable {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn frame_args(&self, g: &Goroutine) -> &[StrId] {
        &self.args[g.args_start as usize..g.args_end as usize]
    }

    pub fn heap_bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<Goroutine>() + self.args.capacity() * 4
    }
}

/// Goroutine statuses Go prints when a goroutine is not waiting (runtime
/// `gStatusStrings`, Go 1.19 to 1.27).
pub const G_STATUSES: &[&str] = &[
    "idle",
    "runnable",
    "running",
    "syscall",
    "waiting",
    "dead",
    "copystack",
    "preempted",
    "leaked",
    "waiting for cgo callback",
    "???",
];

/// Every wait reason Go 1.19 to 1.27 prints in a header's bracket (runtime
/// `waitReasonStrings`), without the flags the decoder splits off. Go 1.25
/// and 1.26 spelled the synctest waits `chan receive (durable)`, `chan send
/// (durable)`, `select (durable)` and `sync.WaitGroup.Wait (durable)`, and
/// Go 1.24 `... (synctest)`; the decoder reads the suffix as
/// [`Goroutine::durable`] in every version, so they appear here without it.
pub const WAIT_REASONS: &[&str] = &[
    "GC assist marking",
    "IO wait",
    "chan receive (nil chan)",
    "chan send (nil chan)",
    "dumping heap",
    "garbage collection",
    "garbage collection scan",
    "panicwait",
    "select",
    "select (no cases)",
    "GC assist wait",
    "GC sweep wait",
    "GC scavenge wait",
    "chan receive",
    "chan send",
    "finalizer wait",
    "force gc (idle)",
    "GOMAXPROCS updater (idle)",
    "semacquire",
    "sleep",
    "sync.Cond.Wait",
    "sync.Mutex.Lock",
    "sync.RWMutex.RLock",
    "sync.RWMutex.Lock",
    "sync.WaitGroup.Wait",
    "trace reader (blocked)",
    "wait for GC cycle",
    "GC worker (idle)",
    "GC worker (active)",
    "preempted",
    "debug call",
    "GC mark termination",
    "stopping the world",
    "flushing proc caches",
    "trace goroutine status",
    "trace proc status",
    "page trace flush",
    "coroutine",
    "GC weak to strong wait",
    "synctest.Run",
    "synctest.Wait",
    "cleanup wait",
];

/// Whether `state` is a status or wait reason some Go version prints.
pub fn is_known_state(state: &str) -> bool {
    G_STATUSES.contains(&state) || WAIT_REASONS.contains(&state)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PanicKind {
    /// `panic: ...`
    Panic,
    /// `fatal error: ...`
    FatalError,
    /// A signal the runtime could not handle (`SIGSEGV: segmentation violation`,
    /// `SIGQUIT: quit`).
    Signal,
}

/// A panic, fatal error or signal report found before a traceback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanicInfo {
    pub kind: PanicKind,
    /// The message, all its lines, without the `panic: ` prefix.
    pub message: String,
    /// `[recovered]`, `[recovered, repanicked]` suffixes seen.
    pub recovered: bool,
    pub repanicked: bool,
    /// Id of the goroutine whose traceback follows (usually the one that
    /// panicked), if found.
    pub goroutine: Option<u64>,
    /// 1-based line number of the first message line.
    pub line: u32,
}
