//! What the open profile offers to other views: its own file, to open
//! again with others as a series.

use super::{AppState, Inputs, RecentFile, Status};

impl<F> AppState<F> {
    /// The single file shown, when the page holds its bytes (a file or an
    /// example; not pasted text, nor several files), to open again with
    /// others.
    pub fn current_file(&self) -> Option<&RecentFile<F>> {
        let summary = self.summary.as_ref()?;
        let first = self.recent.first()?;
        (self.many.is_empty()
            && matches!(summary.inputs, Inputs::One)
            && first.name == summary.name
            && self.status == Status::Ready)
            .then_some(first)
    }
}
