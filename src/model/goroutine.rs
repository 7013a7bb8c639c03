//! What a goroutine dump says about each goroutine beyond its stack.
//!
//! A debug=2 dump or traceback becomes a profile with one sample per goroutine
//! (sample type `goroutine/count`, value 1) so that the top table and flame
//! graph work on it unchanged; the state and wait time are also sample labels
//! (`state`, `wait` in minutes) so tag filters apply. This table keeps the rest
//! (id, creator, frame arguments), indexed like the samples. For a debug=1
//! dump each sample is a group whose value is its count, and this table has a
//! row per group with only the state-independent fields set.

use super::{LocId, StrId};

/// One goroutine (or one debug=1 group). `Default` is a group with nothing
/// known but its stack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Goroutine {
    /// The goroutine id (`goroutine 18 [...]`); 0 for a debug=1 group.
    pub id: u64,
    /// The wait reason up to its first comma: `chan receive`, `select`, ...
    /// Empty for debug=1 groups, which carry no state.
    pub state: StrId,
    /// `N minutes` from the header, if shown.
    pub wait_minutes: Option<u32>,
    pub locked_to_thread: bool,
    /// Other bracket attributes after the wait time, comma-joined as printed
    /// (e.g. `synctest group 8`); empty if none.
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
